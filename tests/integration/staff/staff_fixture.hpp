#pragma once
// Shared set-up for the staff tests: a fresh database per test (both drivers), a test clock, the session,
// staff and API key services, a hub administrator and one administrator for each of two bodies.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "identity/api_keys.hpp"
#include "identity/session_service.hpp"
#include "identity/staff_service.hpp"
#include "support/testing.hpp"

namespace staff_test {

using namespace sp::identity;
using namespace std::chrono_literals;

inline constexpr sp::tenants::TenantId kAsti = 1;
inline constexpr sp::tenants::TenantId kNovara = 2;
inline const std::string kGoodPassword = "cavallo batteria graffetta";

// The cheapest argon2id libsodium accepts: the tests check the flow, crypto tests check the cost.
inline StaffPolicy cheap_policy() {
  StaffPolicy p;
  p.cost = sp::crypto::PasswordCost{1, 8192};
  return p;
}

class StaffTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    sessions_ = std::make_unique<SessionService>(db(), *clock_);
    staff_ = std::make_unique<StaffService>(db(), *sessions_, *clock_, cheap_policy());
    keys_ = std::make_unique<ApiKeyService>(db(), *clock_);
    auto hub = staff_->bootstrap_hub_admin("hub@sportello.example", "Anna Hub", kGoodPassword);
    ASSERT_TRUE(hub.ok()) << hub.error().code;
    hub_admin_ = principal_for("hub@sportello.example");
    ASSERT_NE(hub_admin_, nullptr);
    ASSERT_TRUE(make(hub_admin_.get(), kAsti, "admin@asti.example", {Role::body_admin}).ok());
    ASSERT_TRUE(make(hub_admin_.get(), kNovara, "admin@novara.example", {Role::body_admin}).ok());
    asti_admin_ = principal_for("admin@asti.example");
    novara_admin_ = principal_for("admin@novara.example");
    ASSERT_NE(asti_admin_, nullptr);
    ASSERT_NE(novara_admin_, nullptr);
  }

  sp::db::Database& db() { return database_->db(); }

  sp::Result<StaffAccount> make(const Principal* caller, sp::tenants::TenantId tenant,
                                const std::string& email, std::set<Role> roles,
                                const std::string& password = kGoodPassword) {
    return staff_->create(caller, NewStaff{tenant, email, "Staff " + email, password, {}, std::move(roles)});
  }

  // Signs in with the good password and returns the session's principal (nullptr on failure).
  std::shared_ptr<const Principal> principal_for(const std::string& email, const std::string& totp = {}) {
    auto ns = staff_->sign_in(email, kGoodPassword, totp);
    if (!ns) {
      ADD_FAILURE() << email << ": " << ns.error().code;
      return nullptr;
    }
    return sessions_->resume(sessions_->start(*ns).token);
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  std::unique_ptr<SessionService> sessions_;
  std::unique_ptr<StaffService> staff_;
  std::unique_ptr<ApiKeyService> keys_;
  std::shared_ptr<const Principal> hub_admin_;
  std::shared_ptr<const Principal> asti_admin_;
  std::shared_ptr<const Principal> novara_admin_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<sp::db::Dialect>& info) {
  return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace staff_test
