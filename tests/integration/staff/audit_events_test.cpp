// Issue 10, point 5: every security event of the back office leaves a trace on the right body's audit
// chain — sign-ins and their failures, lock-outs, password resets, TOTP enrolment and the TOTP switch,
// staff accounts and API keys created, changed, revoked — and repeated anonymous refusals (unknown
// e-mail addresses, invalid API keys) are aggregated instead of flooding the chain.
#include <boost/json.hpp>

#include "audit/service.hpp"
#include "core/crypto/encoding.hpp"
#include "core/crypto/totp.hpp"
#include "staff_fixture.hpp"

namespace staff_test {
namespace {

class AuditEventsTest : public StaffTest {
 protected:
  void SetUp() override {
    StaffTest::SetUp();
    if (HasFatalFailure()) return;
    audit_ = std::make_unique<sp::audit::AuditService>(db(), *clock_);
    staff_->set_audit(audit_.get());
    keys_->set_audit(audit_.get());
  }

  // The tenant's entries, oldest first.
  std::vector<sp::audit::StoredEntry> entries(sp::tenants::TenantId tenant) {
    sp::audit::Query q;
    q.limit = 500;
    auto page = audit_->entries(tenant, q);
    std::reverse(page.entries.begin(), page.entries.end());
    return page.entries;
  }
  std::vector<sp::audit::StoredEntry> with_action(sp::tenants::TenantId tenant, const std::string& action) {
    std::vector<sp::audit::StoredEntry> out;
    for (auto& e : entries(tenant))
      if (e.entry.action == action) out.push_back(e);
    return out;
  }
  static std::string detail(const sp::audit::StoredEntry& e, const char* key) {
    auto o = boost::json::parse(e.entry.details).as_object();
    if (!o.contains(key)) return {};
    const auto& v = o.at(key);
    if (v.is_string()) return std::string(v.as_string());
    return boost::json::serialize(v);
  }

  std::unique_ptr<sp::audit::AuditService> audit_;
};

TEST_P(AuditEventsTest, AccountsAndTheirChangesAreAuditedOnTheirBody) {
  auto op = make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_});
  ASSERT_TRUE(op.ok());
  auto created = with_action(kAsti, "staff.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].entry.record_id, op->id);
  EXPECT_EQ(created[0].entry.actor_id, asti_admin_->subject);
  EXPECT_EQ(created[0].entry.actor_kind, sp::audit::ActorKind::staff);
  EXPECT_EQ(detail(created[0], "email"), "op@asti.example");
  EXPECT_TRUE(with_action(kNovara, "staff.created").empty()) << "never on another body";

  ASSERT_TRUE(staff_->set_roles(asti_admin_.get(), op->id, {Role::office_manager}).ok());
  ASSERT_EQ(with_action(kAsti, "staff.roles_changed").size(), 1u);
  EXPECT_EQ(detail(with_action(kAsti, "staff.roles_changed")[0], "roles"), "office_manager");
  ASSERT_TRUE(staff_->set_totp_required(asti_admin_.get(), kAsti, true).ok());
  ASSERT_EQ(with_action(kAsti, "staff.totp_required_set").size(), 1u);
  EXPECT_EQ(detail(with_action(kAsti, "staff.totp_required_set")[0], "required"), "true");
  ASSERT_TRUE(staff_->deactivate(asti_admin_.get(), op->id).ok());
  ASSERT_EQ(with_action(kAsti, "staff.deactivated").size(), 1u);
  // A refused change leaves no event: Novara's administrator cannot touch Asti's staff.
  EXPECT_FALSE(staff_->set_roles(novara_admin_.get(), op->id, {Role::operator_}).ok());
  EXPECT_EQ(with_action(kAsti, "staff.roles_changed").size(), 1u);
  // Hub staff chain on the hub.
  ASSERT_TRUE(make(hub_admin_.get(), 0, "helpdesk@sportello.example", {Role::helpdesk}).ok());
  EXPECT_EQ(with_action(sp::audit::kHubTenant, "staff.created").size(), 1u);
  for (auto t : {sp::audit::kHubTenant, kAsti}) EXPECT_TRUE(audit_->verify(t).intact);
}

TEST_P(AuditEventsTest, SignInsFailuresAndLockOutsAreAudited) {
  ASSERT_TRUE(make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_}).ok());
  ASSERT_TRUE(staff_->sign_in("op@asti.example", kGoodPassword, "", "192.0.2.7").ok());
  auto ok = with_action(kAsti, "staff.sign_in");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].entry.remote_addr, "192.0.2.7");
  EXPECT_EQ(ok[0].entry.actor_kind, sp::audit::ActorKind::staff);

  for (int i = 0; i < staff_->policy().max_failures; ++i)
    EXPECT_FALSE(staff_->sign_in("op@asti.example", "sbagliata-davvero", "", "192.0.2.8").ok());
  auto failed = with_action(kAsti, "staff.sign_in_failed");
  ASSERT_EQ(failed.size(), static_cast<std::size_t>(staff_->policy().max_failures));
  EXPECT_EQ(detail(failed[0], "reason"), "password");
  EXPECT_EQ(failed[0].entry.remote_addr, "192.0.2.8");
  ASSERT_EQ(with_action(kAsti, "staff.locked_out").size(), 1u) << "once, when the limit is reached";
  // Locked: even the right password is refused, and that is audited too.
  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, "", "192.0.2.8").error().code, "staff.locked");
  EXPECT_EQ(detail(with_action(kAsti, "staff.sign_in_failed").back(), "reason"), "locked");
  EXPECT_TRUE(with_action(kNovara, "staff.sign_in_failed").empty());
}

TEST_P(AuditEventsTest, UnknownAddressesGoOnTheHubAggregated) {
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(staff_->sign_in("nessuno@asti.example", kGoodPassword, "", "198.51.100.1").ok());
  auto hub = with_action(sp::audit::kHubTenant, "staff.sign_in_failed");
  ASSERT_EQ(hub.size(), 1u) << "the first one only, within the window";
  EXPECT_EQ(hub[0].entry.record_id, "nessuno@asti.example");
  EXPECT_EQ(detail(hub[0], "reason"), "unknown_email");
  EXPECT_EQ(detail(hub[0], "suppressed"), "0");
  // Another address is another key.
  EXPECT_FALSE(staff_->sign_in("altro@asti.example", kGoodPassword, "", "198.51.100.1").ok());
  EXPECT_EQ(with_action(sp::audit::kHubTenant, "staff.sign_in_failed").size(), 2u);
  // After the window, the next one is recorded with the count of those that were not.
  clock_->advance(11min);
  EXPECT_FALSE(staff_->sign_in("nessuno@asti.example", kGoodPassword, "", "198.51.100.1").ok());
  hub = with_action(sp::audit::kHubTenant, "staff.sign_in_failed");
  ASSERT_EQ(hub.size(), 3u);
  EXPECT_EQ(detail(hub.back(), "suppressed"), "2");
  EXPECT_TRUE(with_action(kAsti, "staff.sign_in_failed").empty());
}

TEST_P(AuditEventsTest, PasswordResetsAndTotpEnrolmentAreAudited) {
  auto op = make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_});
  ASSERT_TRUE(op.ok());
  std::string token;
  staff_->send_reset = [&](const std::string&, const std::string& t) { token = t; };
  ASSERT_TRUE(staff_->request_password_reset("op@asti.example", "192.0.2.9").ok());
  ASSERT_TRUE(staff_->request_password_reset("nessuno@asti.example", "192.0.2.9").ok());
  ASSERT_EQ(with_action(kAsti, "staff.password_reset_requested").size(), 1u);
  ASSERT_TRUE(staff_->reset_password(token, "una nuova password lunga 2026", "192.0.2.9").ok());
  auto reset = with_action(kAsti, "staff.password_reset");
  ASSERT_EQ(reset.size(), 1u);
  EXPECT_EQ(reset[0].entry.record_id, op->id);

  ASSERT_TRUE(staff_->set_totp_required(asti_admin_.get(), kAsti, true).ok());
  const auto secret = staff_->offer_totp_enrolment("op@asti.example", "una nuova password lunga 2026");
  ASSERT_TRUE(secret.ok());
  auto key = sp::crypto::base32_decode(*secret);
  ASSERT_TRUE(key.has_value());
  const auto code = sp::crypto::totp_code(*key, clock_->now());
  ASSERT_TRUE(staff_->sign_in_enrolling_totp("op@asti.example", "una nuova password lunga 2026", code).ok());
  EXPECT_EQ(with_action(kAsti, "staff.totp_enrolled").size(), 1u);
  EXPECT_EQ(with_action(kAsti, "staff.sign_in").size(), 1u);
}

TEST_P(AuditEventsTest, ApiKeysCreatedRevokedAndRefusedAreAudited) {
  auto created = keys_->create(asti_admin_.get(), kAsti, "Gestionale tributi", {"protocollo:read"});
  ASSERT_TRUE(created.ok());
  auto c = with_action(kAsti, "api_key.created");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].entry.record_id, created->key.id);
  EXPECT_EQ(detail(c[0], "name"), "Gestionale tributi");
  EXPECT_EQ(c[0].entry.details.find(created->secret), std::string::npos) << "never the secret";
  ASSERT_TRUE(keys_->revoke(asti_admin_.get(), kAsti, created->key.id).ok());
  EXPECT_EQ(with_action(kAsti, "api_key.revoked").size(), 1u);
  EXPECT_FALSE(keys_->revoke(novara_admin_.get(), kAsti, created->key.id).ok());
  EXPECT_TRUE(with_action(kNovara, "api_key.revoked").empty());

  for (int i = 0; i < 4; ++i) keys_->note_invalid(kAsti, "203.0.113.5", "/api/v1/backoffice/asti/protocollo");
  auto invalid = with_action(kAsti, "api_key.invalid");
  ASSERT_EQ(invalid.size(), 1u);
  EXPECT_EQ(invalid[0].entry.remote_addr, "203.0.113.5");
  keys_->note_invalid(kNovara, "203.0.113.5", "/api/v1/backoffice/novara/protocollo");
  EXPECT_EQ(with_action(kNovara, "api_key.invalid").size(), 1u) << "each body its own";
  clock_->advance(11min);
  keys_->note_invalid(kAsti, "203.0.113.5", "/api/v1/backoffice/asti/protocollo");
  invalid = with_action(kAsti, "api_key.invalid");
  ASSERT_EQ(invalid.size(), 2u);
  EXPECT_EQ(detail(invalid.back(), "suppressed"), "3");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AuditEventsTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace staff_test
