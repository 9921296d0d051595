#pragma once
// Shared fixture for the protocol registry tests: a fresh migrated database per test on both drivers, a
// controllable clock, two bodies with one AOO each, and staff principals of each body.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/digest.hpp"
#include "protocollo/service.hpp"
#include "support/testing.hpp"

namespace sp::protocollo::testing {

constexpr tenants::TenantId kBody = 7;
constexpr tenants::TenantId kOtherBody = 8;

class ProtocolloTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    service_ = std::make_unique<ProtocolService>(database_->db(), clock_);
    auto a = service_->create_aoo(kBody, "c_h501", "AOO_ROMA", "Protocollo generale");
    ASSERT_TRUE(a.ok()) << a.error().code;
    aoo_ = a->id;
    auto b = service_->create_aoo(kOtherBody, "c_f205", "AOO_MI", "Protocollo generale");
    ASSERT_TRUE(b.ok()) << b.error().code;
    other_aoo_ = b->id;
    staff_ = make_staff(kBody, "staff-7");
    other_staff_ = make_staff(kOtherBody, "staff-8");
  }

  static identity::Principal make_staff(tenants::TenantId tenant, const std::string& id) {
    identity::Principal p;
    p.kind = identity::PrincipalKind::staff;
    p.subject = id;
    p.display_name = id;
    p.tenant_id = tenant;
    // The registry's manager: registers and may annul (a plain operator may not: see registry_test).
    p.roles = {identity::Role::operator_, identity::Role::office_manager};
    return p;
  }

  db::Database& db() { return database_->db(); }
  ProtocolService& protocol() { return *service_; }

  // A valid incoming entry for `aoo` with one primary document and one attachment.
  static NewEntry incoming(AooId aoo, const std::string& subject = "Istanza di accesso agli atti") {
    NewEntry e;
    e.aoo_id = aoo;
    e.direction = Direction::incoming;
    e.subject = subject;
    e.correspondents = {{protocollo::CorrespondentKind::person, "Mario Rossi", "RSSMRA80A01H501U",
                         "mario.rossi@pec.example.it", ""}};
    e.documents = {
        {DocumentRole::primary, "istanza.pdf", "application/pdf", 5, digest::sha256_hex("hello")},
        {DocumentRole::attachment, "documento.pdf", "application/pdf", 3, digest::sha256_hex("abc")}};
    e.sender_protocol_number = "123";
    e.sender_protocol_date = "2026-03-01";
    e.classification = "6.3";
    e.fascicolo = "2026-6.3-12";
    e.office = "Ufficio tecnico";
    e.channel = Channel::online;
    return e;
  }

  Registered register_one(const NewEntry& e) {
    auto r = protocol().register_entry(&staff_, kBody, e);
    EXPECT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    return r.ok() ? *r : Registered{};
  }

  std::int64_t count_entries() {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM protocol_entries")->i64(0); });
    return n;
  }

  // 2026-03-02 10:00 UTC.
  time::TestClock clock_{time::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 3 / 2}} +
                         std::chrono::hours(10)};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<ProtocolService> service_;
  AooId aoo_ = 0;
  AooId other_aoo_ = 0;
  identity::Principal staff_;
  identity::Principal other_staff_;
};

// An instant given in UTC.
inline time::TimePoint utc(int y, unsigned m, unsigned d, int h, int min, int s = 0) {
  return time::TimePoint{std::chrono::sys_days{std::chrono::year{y} / m / d}} + std::chrono::hours(h) +
         std::chrono::minutes(min) + std::chrono::seconds(s);
}

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::protocollo::testing
