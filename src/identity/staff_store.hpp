#pragma once
// SQL for staff accounts, their roles, password-reset tokens and body security settings. Times are
// ISO 8601 UTC text (comparable as strings) in both databases.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::identity {

struct StaffRow {
  std::string id;
  tenants::TenantId tenant_id = 0;
  std::string email;
  std::string display_name;
  std::string password_hash;
  std::optional<std::string> totp_secret;  // base32
  std::optional<std::int64_t> totp_last_step;
  std::int64_t failed_attempts = 0;
  std::optional<std::string> locked_until;
  bool active = true;
  std::string created_at;
  std::string password_changed_at;
  std::optional<std::string> totp_pending_secret;   // offered during enrolment, not yet confirmed
  std::optional<std::string> totp_pending_expires;  // ISO UTC
};

struct ResetRow {
  std::string token_hash;
  std::string staff_id;
  std::string expires_at;
  std::optional<std::string> used_at;
};

class StaffStore {
 public:
  explicit StaffStore(db::Database& db) : db_(db) {}

  // Throws db::DbError(unique_violation) when the e-mail is taken.
  void insert(db::Conn& tx, const StaffRow& row);
  void set_roles(db::Conn& tx, const std::string& staff_id, const std::vector<std::string>& roles);
  std::optional<StaffRow> by_email(const std::string& email);
  std::optional<StaffRow> by_id(const std::string& id);
  std::vector<StaffRow> by_tenant(tenants::TenantId tenant);
  std::vector<std::string> roles(const std::string& staff_id);
  // Active accounts of a tenant holding `role`.
  std::int64_t count_with_role(tenants::TenantId tenant, const std::string& role);
  // Inside a change of hub staff: serialises such changes (PostgreSQL: a transaction-scoped advisory lock;
  // SQLite's single writer already does), then counts the hub's active administrators as committed.
  static std::int64_t lock_and_count_hub_admins(db::Conn& tx);

  std::int64_t deactivate(db::Conn& tx, const std::string& id);
  // One more failure; at `max_failures` the account is locked until `lock_until` and the count restarts.
  void record_failure(db::Conn& tx, const std::string& id, std::int64_t max_failures,
                      const std::string& lock_until);
  // A successful sign-in: counters cleared; the TOTP step moves forward only if it is newer than the
  // stored one (false: that step was already used, a replay).
  bool record_success(db::Conn& tx, const std::string& id, std::optional<std::int64_t> totp_step);
  // Stores the confirmed secret and clears any pending offer.
  void set_totp(db::Conn& tx, const std::string& id, const std::string& secret, std::int64_t step);
  // The secret offered during enrolment (only while the account has none).
  void set_pending_totp(db::Conn& tx, const std::string& id, const std::string& secret,
                        const std::string& expires_at);
  void set_password(db::Conn& tx, const std::string& id, const std::string& hash, const std::string& now_iso);
  // The same password hashed again with the current cost (password_changed_at unchanged).
  void rehash(db::Conn& tx, const std::string& id, const std::string& hash);

  void insert_reset(db::Conn& tx, const std::string& token_hash, const std::string& staff_id,
                    const std::string& now_iso, const std::string& expires_at);
  std::optional<ResetRow> reset_by_hash(const std::string& token_hash);
  // Marks a token used; false when it was used already (by a concurrent request).
  bool consume_reset(db::Conn& tx, const std::string& token_hash, const std::string& now_iso);
  void consume_all_resets(db::Conn& tx, const std::string& staff_id, const std::string& now_iso);

  bool totp_required(tenants::TenantId tenant);
  void set_totp_required(db::Conn& tx, tenants::TenantId tenant, bool required);

 private:
  db::Database& db_;
};

}  // namespace sp::identity
