#pragma once
// Shared fixture for the payments tests: a fresh migrated database per test on both drivers, a
// controllable clock (2026-03-04 10:00 UTC), two bodies set up as pagoPA creditors.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "payments/service.hpp"
#include "support/testing.hpp"

namespace sp::payments::testing {

constexpr tenants::TenantId kBody = 7;
constexpr tenants::TenantId kOtherBody = 8;
// The SWIFT IBAN registry's Italian example; a Poste Italiane account (check digits computed apart).
inline const std::string kIban = "IT60X0542811101000000123456";
inline const std::string kPostalIban = "IT70X0760101600000012345678";

inline time::Date day(int y, unsigned m, unsigned d) {
  return std::chrono::year{y} / m / d;
}

class PaymentsTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    service_ = std::make_unique<PaymentsService>(database_->db(), clock_);
    Creditor c{kBody, "00743110157", "Comune di Prova", "Ufficio tributi", {"01", "47"},
               kIban, kPostalIban,   "00743110157",     "00743110157_01"};
    auto st = service_->set_creditor(system_, c);
    ASSERT_TRUE(st.ok()) << st.error().code << " " << st.error().detail;
    Creditor other{kOtherBody, "80002270074", "Comune Altro",  "", {"02"}, kIban,
                   "",         "00743110157", "00743110157_02"};
    auto st2 = service_->set_creditor(system_, other);
    ASSERT_TRUE(st2.ok()) << st2.error().code << " " << st2.error().detail;
  }

  db::Database& db() { return database_->db(); }
  PaymentsService& payments() { return *service_; }

  static NewTransfer transfer(Cents amount, const std::string& remittance = "TARI 2026") {
    NewTransfer t;
    t.amount = amount;
    t.iban = kIban;
    t.remittance = remittance;
    t.category = "9/0101108TS/";
    return t;
  }
  static NewOption option(Cents amount, const std::string& due, bool partial = false) {
    NewOption o;
    o.amount = amount;
    o.description = partial ? "TARI 2026 rata" : "TARI 2026 unica soluzione";
    o.due_date = due;
    o.is_partial_payment = partial;
    o.transfers = {transfer(amount)};
    return o;
  }
  // A TARI position: a single payment of 200,00 and two instalments of 100,00.
  static NewPosition tari(const std::string& iupd, const std::string& cf = "FRRNNA78S70A479X") {
    NewPosition p;
    p.iupd = iupd;
    p.debtor.type = DebtorType::person;
    p.debtor.fiscal_code = cf;
    p.debtor.full_name = "Anna Ferrero";
    p.debtor.email = "anna.ferrero@example.it";
    p.options = {option(20000, "2026-06-16"), option(10000, "2026-06-16", true),
                 option(10000, "2026-12-16", true)};
    return p;
  }

  std::int64_t count(const std::string& table) {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM " + table)->i64(0); });
    return n;
  }

  // 2026-03-04 10:00 UTC (11:00 in Rome).
  time::TestClock clock_{time::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 3 / 4}} +
                         std::chrono::hours(10)};
  SystemActor system_{"test"};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<PaymentsService> service_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::payments::testing
