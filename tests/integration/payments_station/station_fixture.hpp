#pragma once
// Shared fixture for the station's tests (src/payments/station.hpp): a fresh migrated database per test
// on both drivers, a controllable clock (2026-03-04 10:00 UTC, 11:00 in Rome), a hub with two bodies,
// Asti and Novara, each a pagoPA creditor with its own station, and the node's requests built as the
// node sends them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "adapters/pagopa/node_soap.hpp"
#include "audit/service.hpp"
#include "payments/service.hpp"
#include "payments/station.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::payments::station_testing {

// Comune di Asti and Comune di Novara (their real fiscal codes), one broker (the hub), two stations.
inline const std::string kAstiCf = "00072360050";
inline const std::string kNovaraCf = "00125680033";
inline const std::string kBroker = "00743110157";
inline const std::string kAstiStation = "00743110157_01";
inline const std::string kNovaraStation = "00743110157_02";
inline const std::string kIban = "IT60X0542811101000000123456";
inline const std::string kPostalIban = "IT70X0760101600000012345678";

inline time::Date day(int y, unsigned m, unsigned d) {
  return std::chrono::year{y} / m / d;
}

class StationTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", kBroker, "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = make_body(*hub, "asti", kAstiCf);
    novara_ = make_body(*hub, "novara", kNovaraCf);
    payments_ = std::make_unique<PaymentsService>(db(), clock_);
    station_ = std::make_unique<StationService>(db(), clock_, *payments_);
    audit_ = std::make_unique<audit::AuditService>(db(), clock_);
    Creditor a{asti_, kAstiCf,     "Comune di Asti", "Ufficio tributi", {"01"},
               kIban, kPostalIban, kBroker,          kAstiStation};
    auto st = payments_->set_creditor(system_, a);
    ASSERT_TRUE(st.ok()) << st.error().code << " " << st.error().detail;
    Creditor n{novara_, kNovaraCf, "Comune di Novara", "", {"02"}, kIban, "", kBroker, kNovaraStation};
    auto st2 = payments_->set_creditor(system_, n);
    ASSERT_TRUE(st2.ok()) << st2.error().code << " " << st2.error().detail;
  }

  db::Database& db() { return database_->db(); }
  StationService& station() { return *station_; }
  PaymentsService& payments() { return *payments_; }

  tenants::TenantId make_body(std::int64_t hub, const std::string& slug, const std::string& cf) {
    tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = "Comune di " + slug;
    b.fiscal_code = cf;
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : -1;
  }

  static NewOption option(Cents amount, const std::string& due, bool partial,
                          const std::string& postal = {}) {
    NewOption o;
    o.amount = amount;
    o.description = partial ? "TARI 2026 rata" : "TARI 2026 unica soluzione";
    o.due_date = due;
    o.is_partial_payment = partial;
    NewTransfer t;
    t.amount = amount;
    t.iban = postal.empty() ? kIban : "";
    t.postal_iban = postal;
    t.remittance = "TARI 2026";
    t.category = "9/0101108TS/";
    o.transfers = {t};
    return o;
  }
  // A published TARI position: a single payment of 200,00 and two instalments of 100,00.
  Position tari(tenants::TenantId body, const std::string& iupd, bool publish = true) {
    NewPosition p;
    p.iupd = iupd;
    p.debtor.type = DebtorType::person;
    p.debtor.fiscal_code = "FRRNNA78S70A479X";
    p.debtor.full_name = "Anna Ferrero";
    p.debtor.email = "anna.ferrero@example.it";
    p.options = {option(20000, "2026-06-16", false), option(10000, "2026-06-16", true),
                 option(10000, "2026-12-16", true)};
    p.publish = publish;
    auto r = payments().create(system_, body, p);
    EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    return r.ok() ? *r : Position{};
  }

  static pagopa::StationIds asti_ids() { return {kAstiCf, kBroker, kAstiStation}; }
  static pagopa::StationIds novara_ids() { return {kNovaraCf, kBroker, kNovaraStation}; }

  static pagopa::VerifyRequest verify_req(const std::string& nav, pagopa::StationIds ids = asti_ids()) {
    return {ids, ids.id_pa, nav};
  }
  static pagopa::GetPaymentRequest get_req(const std::string& nav, pagopa::StationIds ids = asti_ids()) {
    pagopa::GetPaymentRequest g;
    g.ids = ids;
    g.fiscal_code = ids.id_pa;
    g.notice_number = nav;
    return g;
  }
  // The receipt a PSP's payment of `o` produces, as the node sends it.
  static pagopa::SendReceiptRequest receipt(const Option& o, const std::string& receipt_id,
                                            const std::string& psp = "BCITITMM", Cents amount = -1,
                                            pagopa::StationIds ids = asti_ids()) {
    pagopa::SendReceiptRequest s;
    s.ids = ids;
    auto& x = s.receipt;
    x.receipt_id = receipt_id;
    x.notice_number = o.nav;
    x.fiscal_code = ids.id_pa;
    x.outcome = "OK";
    x.creditor_reference_id = o.iuv;
    x.amount = amount >= 0 ? amount : o.amount;
    x.description = o.description;
    x.company_name = "Comune";
    x.debtor.type = 'F';
    x.debtor.id = "FRRNNA78S70A479X";
    x.debtor.full_name = "Anna Ferrero";
    pagopa::Transfer t;
    t.index = 1;
    t.amount = x.amount;
    t.fiscal_code_pa = ids.id_pa;
    t.iban = kIban;
    t.remittance = "TARI 2026";
    t.category = "9/0101108TS/";
    x.transfers = {t};
    x.id_psp = psp;
    x.psp_company_name = "Intesa Sanpaolo";
    x.id_channel = psp + "_01";
    x.channel_description = "app";
    x.fee = 150;
    x.payment_date_time = "2026-03-04T11:02:03";
    x.application_date = "2026-03-04";
    x.transfer_date = "2026-03-05";
    return s;
  }

  static std::string code(const std::optional<pagopa::Fault>& f) { return f ? f->code : "OK"; }

  std::optional<ReceiptOutcome> send(const pagopa::SendReceiptRequest& r, std::string* fault = nullptr,
                                     tenants::TenantId body = 0) {
    auto [resp, outcome] = station().send_receipt(body ? body : asti_, r, pagopa::render_request(r));
    if (fault) *fault = code(resp.fault);
    return outcome;
  }

  Position position(tenants::TenantId body, const std::string& iupd) {
    auto p = payments().get(system_, body, iupd);
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : Position{};
  }

  // The body's audit actions of the station, oldest first, as "action detail" (fault or outcome).
  std::vector<std::string> station_audit(tenants::TenantId body) {
    std::vector<std::string> out;
    for (const auto& s : audit_->entries(body, {.limit = 500}).entries) {
      if (s.entry.action.rfind("pagopa_station.", 0) != 0) continue;
      auto d = boost::json::parse(s.entry.details).as_object();
      std::string line = s.entry.action;
      if (const auto* f = d.if_contains("fault")) line += " " + std::string(f->as_string());
      if (const auto* o = d.if_contains("outcome")) line += " " + std::string(o->as_string());
      out.insert(out.begin(), line);
    }
    return out;
  }

  std::int64_t count(const std::string& sql) {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one(sql)->i64(0); });
    return n;
  }

  time::TestClock clock_{time::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 3 / 4}} +
                         std::chrono::hours(10)};
  SystemActor system_{"test"};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<PaymentsService> payments_;
  std::unique_ptr<StationService> station_;
  std::unique_ptr<audit::AuditService> audit_;
  tenants::TenantId asti_ = 0;
  tenants::TenantId novara_ = 0;
};

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::payments::station_testing
