// The station's endpoint through the real router (station_routes.hpp): the node's SOAP envelope in, the
// station's answer out as text/xml, behind the inbound guard with the node's credential for the body;
// without it nothing changes and the refusal is audited. A rendered answer validates against pagoPA's
// own paForNode.xsd (as tests/unit/adapters_pagopa does), and malformed envelopes answer
// PAA_SINTASSI_EXTRAXSD.

#include "core/i18n.hpp"
#include "http/router.hpp"
#include "identity/inbound_service.hpp"
#include "payments/station_routes.hpp"
#include "station_fixture.hpp"
#include "support/pagopa_schema.hpp"
#include "web/view.hpp"

namespace sp::payments::station_testing {
namespace {

class StationHttpTest : public StationTest {
 protected:
  void SetUp() override {
    StationTest::SetUp();
    if (HasFatalFailure()) return;
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    view_ = std::make_unique<web::View>(sp::testing::source_dir() + "/web/templates", i18n_, "Polo di prova");
    inbound_ = std::make_unique<identity::InboundService>(db(), *audit_, clock_);
    deps_ = std::make_unique<StationDeps>(StationDeps{*view_, *tenants_, *inbound_, {}, station()});
    register_station(router_, *deps_);
    const std::string ids = R"({"idPA":")" + kAstiCf + R"(","idBrokerPA":")" + kBroker +
                            R"(","idStazione":")" + kAstiStation + R"("})";
    auto asti = inbound_->add(asti_, kNodeSystem, "nodo-pagopa", ids, "", false);
    ASSERT_TRUE(asti.ok()) << asti.error().code;
    asti_secret_ = asti->secret;
    auto novara = inbound_->add(novara_, kNodeSystem, "nodo-pagopa", "{}", "", false);
    ASSERT_TRUE(novara.ok());
    novara_secret_ = novara->secret;
  }

  http::Response call(const std::string& slug, const std::string& body, const std::string& secret) {
    http::Request req;
    req.method = "POST";
    EXPECT_TRUE(http::parse_target(req, "/inbound/" + slug + "/pagopa/paForNode").ok());
    req.remote_addr = "192.0.2.7";
    req.ctx.locale = "it";
    req.ctx.request_id = "test";
    req.body = body;
    req.headers.emplace_back("content-type", "text/xml; charset=utf-8");
    if (!secret.empty()) req.headers.emplace_back("authorization", "Bearer " + secret);
    auto found = router_.find("POST", req.path);
    EXPECT_TRUE(found.match && found.match->handler);
    req.path_params = found.match->params;
    return (*found.match->handler)(req);
  }

  std::vector<std::string> inbound_audit(tenants::TenantId body) {
    std::vector<std::string> out;
    for (const auto& s : audit_->entries(body, {.limit = 100}).entries) {
      if (s.entry.action.rfind("inbound.", 0) != 0 || s.entry.action.find("credential") != std::string::npos)
        continue;
      auto d = boost::json::parse(s.entry.details).as_object();
      std::string line = s.entry.action;
      if (const auto* r = d.if_contains("reason")) line += " " + std::string(r->as_string());
      out.insert(out.begin(), line);
    }
    return out;
  }

  I18n i18n_;
  std::unique_ptr<web::View> view_;
  std::unique_ptr<identity::InboundService> inbound_;
  std::unique_ptr<StationDeps> deps_;
  http::Router router_;
  std::string asti_secret_;
  std::string novara_secret_;
};

TEST_P(StationHttpTest, TheNodePaysANoticeThroughTheEndpoint) {
  auto p = tari(asti_, "TARI-2026-0101");
  const auto& o = p.options[0];

  auto v = call("asti", pagopa::render_request(verify_req(o.nav)), asti_secret_);
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.content_type, "text/xml; charset=utf-8");
  auto [status, out] = sp::testing::validate_pa_for_node(v.body);
  EXPECT_EQ(status, 0) << out << "\n" << v.body;
  auto verified = pagopa::parse_verify_response(v.body);
  ASSERT_TRUE(verified.ok()) << verified.error().detail;
  EXPECT_FALSE(verified->fault);
  EXPECT_EQ(verified->amount, 20000);

  auto g = call("asti", pagopa::render_request(get_req(o.nav)), asti_secret_);
  ASSERT_EQ(g.status, 200) << g.body;
  auto [gs, gout] = sp::testing::validate_pa_for_node(g.body);
  EXPECT_EQ(gs, 0) << gout << "\n" << g.body;
  auto got = pagopa::parse_get_payment_response(g.body);
  ASSERT_TRUE(got.ok()) << got.error().detail;
  EXPECT_EQ(got->creditor_reference_id, o.iuv);

  auto r = call("asti", pagopa::render_request(receipt(o, "http-1")), asti_secret_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto [rs, rout] = sp::testing::validate_pa_for_node(r.body);
  EXPECT_EQ(rs, 0) << rout << "\n" << r.body;
  auto sent = pagopa::parse_send_receipt_response(r.body);
  ASSERT_TRUE(sent.ok());
  EXPECT_FALSE(sent->fault);
  EXPECT_EQ(position(asti_, "TARI-2026-0101").status, PositionStatus::paid);

  // The same receipt again: a KO that validates too.
  auto again = call("asti", pagopa::render_request(receipt(o, "http-1")), asti_secret_);
  auto [as, aout] = sp::testing::validate_pa_for_node(again.body);
  EXPECT_EQ(as, 0) << aout << "\n" << again.body;
  auto dup = pagopa::parse_send_receipt_response(again.body);
  ASSERT_TRUE(dup.ok());
  ASSERT_TRUE(dup->fault);
  EXPECT_EQ(dup->fault->code, "PAA_RECEIPT_DUPLICATA");
  EXPECT_EQ(inbound_audit(asti_), std::vector<std::string>(4, "inbound.accepted"));
}

// Each call commits once: the node's inbound.accepted entry is written in the call's own transaction,
// right before the call's entries (bench/README.md, "bench/run-station"), and a refusal's too.
TEST_P(StationHttpTest, EachCallsAcceptedEntryIsWrittenWithTheCallsOwnEntries) {
  auto p = tari(asti_, "TARI-2026-0104");
  const auto& o = p.options[0];
  auto actions = [&] {
    std::vector<std::string> out;
    for (const auto& s : audit_->entries(asti_, {.limit = 100}).entries) {
      if (s.entry.action.find("credential") != std::string::npos ||
          s.entry.action == "payment_position.create" || s.entry.action == "payment_position.publish" ||
          s.entry.action == "payment_position.activate")
        continue;
      out.insert(out.begin(), s.entry.action);
    }
    return out;
  };
  const auto before = actions();
  ASSERT_EQ(call("asti", pagopa::render_request(verify_req(o.nav)), asti_secret_).status, 200);
  ASSERT_EQ(call("asti", pagopa::render_request(get_req(o.nav)), asti_secret_).status, 200);
  ASSERT_EQ(call("asti", pagopa::render_request(receipt(o, "order-1")), asti_secret_).status, 200);
  // An unknown notice: the accepted call and its refusal, one commit.
  auto unknown = call("asti", pagopa::render_request(verify_req("301000000000000099")), asti_secret_);
  ASSERT_EQ(unknown.status, 200);
  auto after = actions();
  after.erase(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(before.size()));
  EXPECT_EQ(after,
            (std::vector<std::string>{"inbound.accepted", "inbound.accepted", "pagopa_station.activated",
                                      "payment_position.paid", "inbound.accepted", "pagopa_station.receipt",
                                      "inbound.accepted", "pagopa_station.refused"}));
  auto report = audit_->verify(asti_);
  EXPECT_TRUE(report.intact) << report.problem << " at " << report.broken_seq;
}

TEST_P(StationHttpTest, WithoutTheNodesCredentialAReceiptChangesNothingAndIsAudited) {
  auto p = tari(asti_, "TARI-2026-0102");
  const auto envelope = pagopa::render_request(receipt(p.options[0], "forged-1"));
  auto none = call("asti", envelope, "");
  EXPECT_EQ(none.status, 401);
  auto wrong = call("asti", envelope, "spi_" + std::string(43, 'A'));
  EXPECT_EQ(wrong.status, 401);
  // Novara's credential on Asti's station (cross-tenant).
  auto other = call("asti", envelope, novara_secret_);
  EXPECT_EQ(other.status, 401);
  // Asti's credential, Novara's identifiers in the envelope.
  auto ids =
      call("asti", pagopa::render_request(receipt(p.options[0], "forged-2", "BCITITMM", -1, novara_ids())),
           asti_secret_);
  EXPECT_EQ(ids.status, 403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts"), 0);
  EXPECT_EQ(position(asti_, "TARI-2026-0102").status, PositionStatus::valid);
  // The second credential_mismatch from the same address is aggregated with the first (the guard's
  // throttle), so three entries record the four refusals.
  EXPECT_EQ(inbound_audit(asti_),
            (std::vector<std::string>{"inbound.refused no_credential", "inbound.refused credential_mismatch",
                                      "inbound.refused identifiers"}));
  EXPECT_TRUE(inbound_audit(novara_).empty());
}

TEST_P(StationHttpTest, AMalformedEnvelopeAnswersSintassiExtraXsd) {
  auto p = tari(asti_, "TARI-2026-0103");
  // A receipt whose amount is not \d+\.\d{2}: the operation is known, so its typed KO answers.
  auto envelope = pagopa::render_request(receipt(p.options[0], "bad-1"));
  const auto at = envelope.find("<paymentAmount>200.00</paymentAmount>");
  ASSERT_NE(at, std::string::npos);
  envelope.replace(at, 37, "<paymentAmount>200.0</paymentAmount>");
  auto r = call("asti", envelope, asti_secret_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto [status, out] = sp::testing::validate_pa_for_node(r.body);
  EXPECT_EQ(status, 0) << out << "\n" << r.body;
  auto parsed = pagopa::parse_send_receipt_response(r.body);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed->fault);
  EXPECT_EQ(parsed->fault->code, "PAA_SINTASSI_EXTRAXSD");
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts"), 0);
  EXPECT_EQ(station_audit(asti_), std::vector<std::string>{"pagopa_station.refused PAA_SINTASSI_EXTRAXSD"});

  // An operation this station does not serve: a SOAP Fault.
  auto unknown = pagopa::render_request(verify_req(p.options[0].nav));
  const auto name = unknown.find("paVerifyPaymentNoticeReq");
  ASSERT_NE(name, std::string::npos);
  for (auto pos = unknown.find("paVerifyPaymentNoticeReq"); pos != std::string::npos;
       pos = unknown.find("paVerifyPaymentNoticeReq", pos))
    unknown.replace(pos, 24, "paDemandPaymentNoticeReq");
  auto f = call("asti", unknown, asti_secret_);
  EXPECT_EQ(f.status, 500);
  EXPECT_EQ(f.content_type, "text/xml; charset=utf-8");
  EXPECT_NE(f.body.find("<faultstring>PAA_SINTASSI_EXTRAXSD</faultstring>"), std::string::npos) << f.body;
}

TEST_P(StationHttpTest, ACertificatesStampIsAskedAsRichiestaMarcaDaBollo) {
  // A certificate's fee (to Asti's account) and its digital stamp (marca da bollo digitale, € 16,00).
  const std::string hash = "qMnVHu/2wETyuGbTFLVxJN1t4Pdon0fv7F3Md5VB9VQ=";  // base64 SHA-256, 44 chars
  NewPosition np;
  np.iupd = "CERT-2026-0001";
  np.debtor.fiscal_code = "FRRNNA78S70A479X";
  np.debtor.full_name = "Anna Ferrero";
  NewOption o = option(1600 + 52, "2026-06-16", false);
  o.description = "Certificato di residenza";
  o.transfers[0].amount = 52;
  o.transfers[0].remittance = "Diritti di segreteria";
  NewTransfer stamp;
  stamp.amount = 1600;
  stamp.stamp = Stamp{"01", hash, "AT"};
  stamp.remittance = "Marca da bollo digitale";
  stamp.category = "9/0301109AP/";
  o.transfers.push_back(stamp);
  np.options = {o};
  np.publish = true;
  auto p = payments().create(system_, asti_, np);
  ASSERT_TRUE(p.ok()) << p.error().code << " " << p.error().detail;
  const auto& opt = p->options[0];

  auto g = call("asti", pagopa::render_request(get_req(opt.nav)), asti_secret_);
  ASSERT_EQ(g.status, 200) << g.body;
  auto [status, out] = sp::testing::validate_pa_for_node(g.body);
  EXPECT_EQ(status, 0) << out << "\n" << g.body;
  EXPECT_NE(g.body.find("<richiestaMarcaDaBollo>"), std::string::npos) << g.body;
  auto got = pagopa::parse_get_payment_response(g.body);
  ASSERT_TRUE(got.ok()) << got.error().detail;
  ASSERT_EQ(got->transfers.size(), 2u);
  EXPECT_EQ(got->transfers[0].iban, kIban);
  EXPECT_EQ(got->transfers[0].amount, 52);
  EXPECT_TRUE(got->transfers[1].iban.empty());
  ASSERT_TRUE(got->transfers[1].stamp);
  EXPECT_EQ(got->transfers[1].stamp->document_hash, hash);
  EXPECT_EQ(got->transfers[1].amount, 1600);

  // The receipt carries the stamp itself (MBDAttachment); the station keeps the document's hash.
  auto rcpt = receipt(opt, "cert-1");
  pagopa::Transfer st;
  st.index = 2;
  st.amount = 1600;
  st.fiscal_code_pa = kAstiCf;
  st.stamp_attachment = "PG1hcmNhRGFCb2xsbz4=";
  st.remittance = "Marca da bollo digitale";
  st.category = "9/0301109AP/";
  rcpt.receipt.transfers[0].amount = 52;
  rcpt.receipt.transfers.push_back(st);
  auto r = call("asti", pagopa::render_request(rcpt), asti_secret_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto sent = pagopa::parse_send_receipt_response(r.body);
  ASSERT_TRUE(sent.ok());
  EXPECT_FALSE(sent->fault) << sent->fault->code;
  auto rs = station().receipts(asti_, opt.iuv);
  ASSERT_EQ(rs.size(), 1u);
  ASSERT_EQ(rs[0].transfers.size(), 2u);
  EXPECT_EQ(rs[0].transfers[0].iban, kIban);
  EXPECT_EQ(rs[0].transfers[1].stamp_hash, hash);
  EXPECT_EQ(rs[0].transfers[1].amount, 1600);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, StationHttpTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::station_testing
