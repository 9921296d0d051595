#pragma once
// Shared fixture for the audit integration tests: a fresh migrated database per test on both drivers,
// a controllable clock, and a way to change rows behind the service's back the way an attacker with
// database access would (switching off the append-only triggers first).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "audit/service.hpp"
#include "support/testing.hpp"

namespace sp::audit::testing {

class AuditTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    service_ = std::make_unique<AuditService>(database_->db(), clock_);
  }

  db::Database& db() { return database_->db(); }
  AuditService& audit() { return *service_; }

  // A valid entry; the clock moves one second per entry so `at` differs.
  Entry entry(tenants::TenantId tenant, const std::string& action = "case.open",
              const std::string& actor = "staff-1") {
    Entry e;
    e.tenant_id = tenant;
    e.actor_kind = ActorKind::staff;
    e.actor_id = actor;
    e.channel = Channel::web;
    e.action = action;
    e.record_type = "case";
    e.record_id = "C-1";
    e.remote_addr = "192.0.2.1";
    e.details = R"({"note":"test"})";
    return e;
  }

  void append(tenants::TenantId tenant, int n, const std::string& action = "case.open") {
    for (int i = 0; i < n; ++i) {
      clock_.advance(std::chrono::seconds(1));
      auto r = audit().record(entry(tenant, action));
      ASSERT_TRUE(r.ok()) << r.error().code;
    }
  }

  // Runs `sql` with the append-only triggers out of the way (PostgreSQL: disabled for the statement's
  // transaction, as the table owner may; SQLite: dropped).
  void tamper(const std::string& sql, const db::Params& params = {}) {
    db().write([&](db::Conn& c) {
      if (c.dialect() == db::Dialect::postgres) {
        c.exec_script("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
        c.exec(sql, params);
        c.exec_script("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      } else {
        c.exec_script(
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete");
        c.exec(sql, params);
      }
    });
  }

  time::TestClock clock_{time::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}}};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<AuditService> service_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::audit::testing
