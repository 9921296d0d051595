#include "identity/staff_store.hpp"

namespace sp::identity {
namespace {

constexpr const char* kInsertStaff =
    "INSERT INTO staff_accounts (id, tenant_id, email, display_name, password_hash, active, created_at, "
    "password_changed_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7)";
constexpr const char* kDeleteRoles = "DELETE FROM staff_roles WHERE staff_id = $1";
constexpr const char* kInsertRole = "INSERT INTO staff_roles (staff_id, role) VALUES ($1, $2)";
constexpr const char* kByEmail =
    "SELECT id, tenant_id, email, display_name, password_hash, totp_secret, totp_last_step, failed_attempts, "
    "locked_until, active, created_at, password_changed_at, totp_pending_secret, totp_pending_expires "
    "FROM staff_accounts WHERE email = $1";
constexpr const char* kStaffById =
    "SELECT id, tenant_id, email, display_name, password_hash, totp_secret, totp_last_step, failed_attempts, "
    "locked_until, active, created_at, password_changed_at, totp_pending_secret, totp_pending_expires "
    "FROM staff_accounts WHERE id = $1";
constexpr const char* kStaffByTenant =
    "SELECT id, tenant_id, email, display_name, password_hash, totp_secret, totp_last_step, failed_attempts, "
    "locked_until, active, created_at, password_changed_at, totp_pending_secret, totp_pending_expires "
    "FROM staff_accounts WHERE tenant_id = $1 "
    "ORDER BY display_name, email";
constexpr const char* kRoles = "SELECT role FROM staff_roles WHERE staff_id = $1 ORDER BY role";
constexpr const char* kCountWithRole =
    "SELECT COUNT(*) FROM staff_accounts a JOIN staff_roles r ON r.staff_id = a.id "
    "WHERE a.tenant_id = $1 AND r.role = $2 AND a.active = TRUE";
// Any constant works; it only has to be the same for every node changing hub staff.
constexpr const char* kLockHubAdmins = "SELECT pg_advisory_xact_lock(7243061157)";
constexpr const char* kDeactivate =
    "UPDATE staff_accounts SET active = FALSE WHERE id = $1 AND active = TRUE";
constexpr const char* kRecordFailure =
    "UPDATE staff_accounts SET "
    "locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until END, "
    "failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END "
    "WHERE id = $1";
constexpr const char* kRecordSuccess =
    "UPDATE staff_accounts SET failed_attempts = 0, locked_until = NULL WHERE id = $1";
constexpr const char* kAdvanceTotpStep =
    "UPDATE staff_accounts SET totp_last_step = $2 WHERE id = $1 "
    "AND (totp_last_step IS NULL OR totp_last_step < $2)";
constexpr const char* kSetTotp =
    "UPDATE staff_accounts SET totp_secret = $2, totp_last_step = $3, totp_pending_secret = NULL, "
    "totp_pending_expires = NULL WHERE id = $1";
constexpr const char* kSetPendingTotp =
    "UPDATE staff_accounts SET totp_pending_secret = $2, totp_pending_expires = $3 WHERE id = $1 "
    "AND totp_secret IS NULL";
constexpr const char* kSetPassword =
    "UPDATE staff_accounts SET password_hash = $2, password_changed_at = $3, failed_attempts = 0, "
    "locked_until = NULL WHERE id = $1";

constexpr const char* kRehash = "UPDATE staff_accounts SET password_hash = $2 WHERE id = $1";

constexpr const char* kInsertReset =
    "INSERT INTO staff_password_resets (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, "
    "$4)";
constexpr const char* kResetByHash =
    "SELECT token_hash, staff_id, expires_at, used_at FROM staff_password_resets WHERE token_hash = $1";
constexpr const char* kConsumeReset =
    "UPDATE staff_password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL";
constexpr const char* kConsumeAllResets =
    "UPDATE staff_password_resets SET used_at = $2 WHERE staff_id = $1 AND used_at IS NULL";

constexpr const char* kTotpRequired = "SELECT totp_required FROM body_security WHERE tenant_id = $1";
constexpr const char* kSetTotpRequiredTrue =
    "INSERT INTO body_security (tenant_id, totp_required) VALUES ($1, TRUE) "
    "ON CONFLICT (tenant_id) DO UPDATE SET totp_required = TRUE";
constexpr const char* kSetTotpRequiredFalse =
    "INSERT INTO body_security (tenant_id, totp_required) VALUES ($1, FALSE) "
    "ON CONFLICT (tenant_id) DO UPDATE SET totp_required = FALSE";

StaffRow staff_from(const db::Row& r) {
  StaffRow s;
  s.id = r.text(0);
  s.tenant_id = r.i64(1);
  s.email = r.text(2);
  s.display_name = r.text(3);
  s.password_hash = r.text(4);
  s.totp_secret = r.opt_text(5);
  s.totp_last_step = r.opt_i64(6);
  s.failed_attempts = r.i64(7);
  s.locked_until = r.opt_text(8);
  s.active = r.boolean(9);
  s.created_at = r.text(10);
  s.password_changed_at = r.text(11);
  s.totp_pending_secret = r.opt_text(12);
  s.totp_pending_expires = r.opt_text(13);
  return s;
}

}  // namespace

void StaffStore::insert(db::Conn& tx, const StaffRow& s) {
  tx.exec(kInsertStaff,
          {s.id, s.tenant_id, s.email, s.display_name, s.password_hash, s.created_at, s.password_changed_at});
}

void StaffStore::set_roles(db::Conn& tx, const std::string& staff_id, const std::vector<std::string>& roles) {
  tx.exec(kDeleteRoles, {staff_id});
  for (const auto& r : roles) tx.exec(kInsertRole, {staff_id, r});
}

std::optional<StaffRow> StaffStore::by_email(const std::string& email) {
  return db::read_one(db_, kByEmail, {email}, staff_from);
}

std::optional<StaffRow> StaffStore::by_id(const std::string& id) {
  return db::read_one(db_, kStaffById, {id}, staff_from);
}

std::vector<StaffRow> StaffStore::by_tenant(tenants::TenantId tenant) {
  return db::read_all(db_, kStaffByTenant, {tenant}, staff_from);
}

std::vector<std::string> StaffStore::roles(const std::string& staff_id) {
  return db::read_all(db_, kRoles, {staff_id}, [](const db::Row& r) { return r.text(0); });
}

std::int64_t StaffStore::count_with_role(tenants::TenantId tenant, const std::string& role) {
  return db::read_one(db_, kCountWithRole, {tenant, role}, [](const db::Row& r) { return r.i64(0); })
      .value_or(0);
}

std::int64_t StaffStore::lock_and_count_hub_admins(db::Conn& tx) {
  if (tx.dialect() == db::Dialect::postgres) tx.query(kLockHubAdmins);
  auto r = tx.query_one(kCountWithRole, {std::int64_t{0}, std::string("hub_admin")});
  return r ? r->i64(0) : 0;
}

std::int64_t StaffStore::deactivate(db::Conn& tx, const std::string& id) {
  return tx.exec(kDeactivate, {id});
}

void StaffStore::record_failure(db::Conn& tx, const std::string& id, std::int64_t max_failures,
                                const std::string& lock_until) {
  tx.exec(kRecordFailure, {id, max_failures, lock_until});
}

bool StaffStore::record_success(db::Conn& tx, const std::string& id, std::optional<std::int64_t> totp_step) {
  if (totp_step && tx.exec(kAdvanceTotpStep, {id, *totp_step}) == 0) return false;
  tx.exec(kRecordSuccess, {id});
  return true;
}

void StaffStore::set_totp(db::Conn& tx, const std::string& id, const std::string& secret, std::int64_t step) {
  tx.exec(kSetTotp, {id, secret, step});
}

void StaffStore::set_pending_totp(db::Conn& tx, const std::string& id, const std::string& secret,
                                  const std::string& expires_at) {
  tx.exec(kSetPendingTotp, {id, secret, expires_at});
}

void StaffStore::set_password(db::Conn& tx, const std::string& id, const std::string& hash,
                              const std::string& now_iso) {
  tx.exec(kSetPassword, {id, hash, now_iso});
}

void StaffStore::rehash(db::Conn& tx, const std::string& id, const std::string& hash) {
  tx.exec(kRehash, {id, hash});
}

void StaffStore::insert_reset(db::Conn& tx, const std::string& token_hash, const std::string& staff_id,
                              const std::string& now_iso, const std::string& expires_at) {
  tx.exec(kInsertReset, {token_hash, staff_id, now_iso, expires_at});
}

std::optional<ResetRow> StaffStore::reset_by_hash(const std::string& token_hash) {
  return db::read_one(db_, kResetByHash, {token_hash}, [](const db::Row& r) {
    return ResetRow{r.text(0), r.text(1), r.text(2), r.opt_text(3)};
  });
}

bool StaffStore::consume_reset(db::Conn& tx, const std::string& token_hash, const std::string& now_iso) {
  return tx.exec(kConsumeReset, {token_hash, now_iso}) == 1;
}

void StaffStore::consume_all_resets(db::Conn& tx, const std::string& staff_id, const std::string& now_iso) {
  tx.exec(kConsumeAllResets, {staff_id, now_iso});
}

bool StaffStore::totp_required(tenants::TenantId tenant) {
  return db::read_one(db_, kTotpRequired, {tenant}, [](const db::Row& r) { return r.boolean(0); })
      .value_or(false);
}

void StaffStore::set_totp_required(db::Conn& tx, tenants::TenantId tenant, bool required) {
  tx.exec(required ? kSetTotpRequiredTrue : kSetTotpRequiredFalse, {tenant});
}

}  // namespace sp::identity
