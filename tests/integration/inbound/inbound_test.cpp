// Inbound calls from national systems (issue 12): one guard authenticates them per body — the station's
// secret or a client certificate passed on by a trusted proxy, plus the identifiers the caller must
// present —, limits their rate, audits success and refusal on the body's chain, and answers the JSON
// error envelope. On both databases, through a real route registered with inbound_route; every refusal
// is checked too: no credential, a wrong secret, wrong or missing identifiers, another body's credential,
// a certificate header from an untrusted address, and the rate limit.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "http/router.hpp"
#include "identity/inbound_guard.hpp"
#include "identity/inbound_service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace {

using namespace sp::identity;
using namespace std::chrono_literals;

const std::string kFingerprint = "AB:" + std::string(62, 'c');  // 64 hex digits with a colon

struct TestDeps {
  const sp::web::View& view;
  const sp::tenants::TenantService& tenants;
  InboundService& inbound;
  InboundGuardOptions inbound_options;
  int calls = 0;
};

sp::http::Response delivery_report(TestDeps& d, sp::http::Request&, const InboundCall& c) {
  ++d.calls;
  return sp::http::Response::json(boost::json::serialize(boost::json::object{
      {"body", c.body->slug}, {"station", c.caller.station}, {"system", c.caller.system}}));
}

class InboundTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<sp::tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = make_body(*hub, "asti");
    novara_ = make_body(*hub, "novara");
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    view_ =
        std::make_unique<sp::web::View>(sp::testing::source_dir() + "/web/templates", i18n_, "Polo di prova");
    audit_ = std::make_unique<sp::audit::AuditService>(db(), clock_);
    InboundPolicy policy;
    policy.calls_per_window = 5;
    policy.window = 60s;
    inbound_ = std::make_unique<InboundService>(db(), *audit_, clock_, policy);
    deps_ = std::make_unique<TestDeps>(TestDeps{*view_, *tenants_, *inbound_, {{"10.0.0.9"}}});
    router_.post("/inbound/{slug}/sms/esiti", inbound_route(*deps_, "sms-delivery", delivery_report));

    auto asti = inbound_->add(asti_, "sms-delivery", "gateway-1",
                              R"({"idPA":"00112233445","idStazione":"S1"})", kFingerprint, false);
    ASSERT_TRUE(asti.ok()) << asti.error().code;
    asti_secret_ = asti->secret;
    auto novara = inbound_->add(novara_, "sms-delivery", "gateway-1", "{}", "", false);
    ASSERT_TRUE(novara.ok());
    novara_secret_ = novara->secret;
  }

  sp::db::Database& db() { return database_->db(); }

  sp::tenants::TenantId make_body(std::int64_t hub, const std::string& slug) {
    sp::tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = "Comune di " + slug;
    b.fiscal_code = "00743110157";
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : -1;
  }

  sp::http::Response call(const std::string& target, const std::string& secret,
                          const std::string& remote = "192.0.2.7", const std::string& fingerprint = {}) {
    sp::http::Request req;
    req.method = "POST";
    EXPECT_TRUE(sp::http::parse_target(req, target).ok());
    req.remote_addr = remote;
    req.ctx.locale = "it";
    req.ctx.request_id = "test";
    if (!secret.empty()) req.headers.emplace_back("authorization", "Bearer " + secret);
    if (!fingerprint.empty()) req.headers.emplace_back(kClientCertHeader, fingerprint);
    auto found = router_.find("POST", req.path);
    EXPECT_TRUE(found.match && found.match->handler);
    req.path_params = found.match->params;
    return (*found.match->handler)(req);
  }

  static std::string code_of(const sp::http::Response& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) return "not json: " + r.body;
    const auto* e = v.as_object().if_contains("error");
    if (e == nullptr || !e->is_object()) return "no error: " + r.body;
    return std::string(e->as_object().at("error").as_string());
  }

  // The body's inbound.* audit entries, newest first, as "action reason".
  std::vector<std::string> audited(sp::tenants::TenantId tenant) {
    std::vector<std::string> out;
    for (const auto& s : audit_->entries(tenant, {.limit = 100}).entries) {
      if (s.entry.action.rfind("inbound.", 0) != 0 ||
          s.entry.action.find("credential") != std::string::npos) {
        continue;
      }
      std::string line = s.entry.action;
      auto details = boost::json::parse(s.entry.details).as_object();
      if (const auto* r = details.if_contains("reason")) line += " " + std::string(r->as_string());
      out.push_back(line);
    }
    return out;
  }

  const std::string kGood = "/inbound/asti/sms/esiti?idPA=00112233445&idStazione=S1";

  sp::time::TestClock clock_{sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value()};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::tenants::TenantService> tenants_;
  sp::I18n i18n_;
  std::unique_ptr<sp::web::View> view_;
  std::unique_ptr<sp::audit::AuditService> audit_;
  std::unique_ptr<InboundService> inbound_;
  std::unique_ptr<TestDeps> deps_;
  sp::http::Router router_;
  sp::tenants::TenantId asti_ = 0;
  sp::tenants::TenantId novara_ = 0;
  std::string asti_secret_;
  std::string novara_secret_;
};

TEST_P(InboundTest, AnAuthenticatedCallReachesTheHandlerAndIsAudited) {
  EXPECT_EQ(asti_secret_.rfind("spi_", 0), 0u);
  auto r = call(kGood, asti_secret_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("body").as_string(), "asti");
  EXPECT_EQ(body.at("station").as_string(), "gateway-1");
  EXPECT_EQ(deps_->calls, 1);
  EXPECT_EQ(audited(asti_), std::vector<std::string>{"inbound.accepted"});
  // Only the hash is stored.
  auto rows = sp::db::read_all(db(), "SELECT secret_hash FROM inbound_credentials", {},
                               [](const sp::db::Row& row) { return row.text(0); });
  for (const auto& h : rows) EXPECT_EQ(h.find(asti_secret_), std::string::npos);
}

TEST_P(InboundTest, UnauthenticatedCallsAreRefusedAndAudited) {
  auto none = call(kGood, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(code_of(none), "inbound.unauthenticated");
  EXPECT_NE(none.find_header("www-authenticate"), nullptr);
  auto wrong = call(kGood, asti_secret_ + "x");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(code_of(wrong), "inbound.unauthenticated");
  EXPECT_EQ(deps_->calls, 0);
  EXPECT_EQ(audited(asti_), (std::vector<std::string>{"inbound.refused credential_mismatch",
                                                      "inbound.refused no_credential"}));
}

TEST_P(InboundTest, WrongOrMissingIdentifiersAreRefused) {
  auto wrong = call("/inbound/asti/sms/esiti?idPA=99999999999&idStazione=S1", asti_secret_);
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(code_of(wrong), "inbound.identifiers");
  auto missing = call("/inbound/asti/sms/esiti?idPA=00112233445", asti_secret_);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(deps_->calls, 0);
  // The service audited it; the app's 403 hook must not audit it again.
  EXPECT_NE(wrong.find_header("x-sportello-audited"), nullptr);
  auto entries = audited(asti_);
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back(), "inbound.refused identifiers");
}

TEST_P(InboundTest, AnotherBodysCredentialIsRefusedOnThisBodysChain) {
  auto r = call("/inbound/asti/sms/esiti?idPA=00112233445&idStazione=S1", novara_secret_);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code_of(r), "inbound.unauthenticated");
  EXPECT_EQ(audited(asti_), std::vector<std::string>{"inbound.refused credential_mismatch"});
  EXPECT_TRUE(audited(novara_).empty());
  // And the other way round: Asti's secret does not open Novara's route.
  EXPECT_EQ(call("/inbound/novara/sms/esiti", asti_secret_).status, 401);
  EXPECT_EQ(call("/inbound/novara/sms/esiti", novara_secret_).status, 200);
  EXPECT_EQ(call("/inbound/nessuno/sms/esiti", novara_secret_).status, 404);
}

TEST_P(InboundTest, ACertificateCountsOnlyFromATrustedProxy) {
  // From the proxy: the fingerprint authenticates (identifiers still required).
  EXPECT_EQ(call(kGood, "", "10.0.0.9", "ab" + std::string(62, 'C')).status, 200);
  // The same header from anywhere else is ignored.
  EXPECT_EQ(call(kGood, "", "192.0.2.7", "ab" + std::string(62, 'c')).status, 401);
  // Another certificate from the proxy.
  EXPECT_EQ(call(kGood, "", "10.0.0.9", std::string(64, 'd')).status, 401);
}

TEST_P(InboundTest, CallsBeyondTheRateAreRefusedWith429AndAggregatedInTheAudit) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(call(kGood, asti_secret_).status, 200);
  for (int i = 0; i < 3; ++i) {
    auto r = call(kGood, asti_secret_);
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(code_of(r), "inbound.rate_limited");
  }
  // Another address has its own allowance; after the window the first one may call again.
  EXPECT_EQ(call(kGood, asti_secret_, "192.0.2.8").status, 200);
  clock_.advance(61s);
  EXPECT_EQ(call(kGood, asti_secret_).status, 200);
  auto entries = audited(asti_);
  EXPECT_EQ(std::count(entries.begin(), entries.end(), "inbound.refused rate_limited"), 1);
}

TEST_P(InboundTest, RotationReplacesTheSecretAndListingNeverShowsIt) {
  auto rotated = inbound_->rotate(asti_, "sms-delivery", "gateway-1");
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(rotated->secret, asti_secret_);
  EXPECT_EQ(call(kGood, asti_secret_).status, 401);
  EXPECT_EQ(call(kGood, rotated->secret).status, 200);
  EXPECT_EQ(inbound_->rotate(asti_, "sms-delivery", "nessuna").error().code, "not_found");
  EXPECT_EQ(inbound_->add(asti_, "sms-delivery", "gateway-1", "{}", "", false).error().code,
            "inbound.exists");
  EXPECT_EQ(inbound_->add(asti_, "sms delivery", "x", "{}", "", false).error().code, "inbound.system");
  EXPECT_EQ(inbound_->add(asti_, "pagopa", "x", "[1]", "", false).error().code, "inbound.identifiers_format");
  EXPECT_EQ(inbound_->add(asti_, "pagopa", "x", "{}", "", true).error().code, "inbound.fingerprint");
  auto listed = inbound_->list(asti_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].has_secret);
  EXPECT_EQ(listed[0].cert_fingerprint, "ab" + std::string(62, 'c'));
  EXPECT_EQ(listed[0].identifiers.at("idPA"), "00112233445");
  EXPECT_TRUE(listed[0].rotated_at.has_value());
  EXPECT_EQ(inbound_->list(std::nullopt).size(), 2u);
  // The changes are on the body's chain.
  auto page = audit_->entries(asti_, {.limit = 10});
  EXPECT_EQ(page.entries.front().entry.action, "inbound.accepted");
  bool rotated_audited = false;
  for (const auto& s : page.entries) rotated_audited |= s.entry.action == "inbound.credential_rotated";
  EXPECT_TRUE(rotated_audited);
}

// Another node (or the CLI, another process) rotates the secret: this node's copy of the credentials
// (PostgreSQL: kept for InboundPolicy::credentials_fresh_for, inbound_service.hpp "Cost") is dropped
// once it is no longer fresh, because the credentials' generation moved (migration 0079's trigger); a
// credential new to this node is looked up at once. Five calls: the fixture's rate limit.
TEST_P(InboundTest, ASecretRotatedOnAnotherNodeStopsWorkingHereOnceTheCopyIsNoLongerFresh) {
  EXPECT_EQ(call(kGood, asti_secret_).status, 200);
  InboundService other_node(db(), *audit_, clock_);
  auto rotated = other_node.rotate(asti_, "sms-delivery", "gateway-1");
  ASSERT_TRUE(rotated.ok());
  clock_.advance(InboundPolicy{}.credentials_fresh_for);
  EXPECT_EQ(call(kGood, asti_secret_).status, 401);
  EXPECT_EQ(call(kGood, rotated->secret).status, 200);
  // A credential added on the other node works here at once: a refusal is checked against the database.
  auto added = other_node.add(asti_, "sms-delivery", "gateway-2", "{}", "", false);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(call(kGood, added->secret).status, 200);
  // A change made by hand (not through the service) moves the generation too.
  db().write([&](sp::db::Conn& tx) {
    tx.exec("UPDATE inbound_credentials SET identifiers = '{\"idPA\":\"99999999999\"}' WHERE tenant_id = $1",
            {asti_});
  });
  clock_.advance(InboundPolicy{}.credentials_fresh_for);
  EXPECT_EQ(call(kGood, rotated->secret).status, 403);
}

std::string dialect_name(const ::testing::TestParamInfo<sp::db::Dialect>& info) {
  return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, InboundTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
