#pragma once
// Staff accounts of the member bodies and of the hub: creation and roles (checked against the caller's
// permissions in this layer), sign-in with argon2id passwords, optional or mandatory TOTP, lock-out after
// repeated failures, and password reset by a single-use e-mailed token.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "audit/throttle.hpp"
#include "core/crypto/password.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "identity/session_service.hpp"
#include "identity/staff_store.hpp"

namespace sp::identity {

struct StaffPolicy {
  int max_failures = 5;                     // consecutive failures before the lock-out
  std::chrono::seconds lockout{15 * 60};    // how long the account stays locked
  std::chrono::seconds reset_ttl{30 * 60};  // validity of a password-reset token
  crypto::PasswordCost cost = crypto::PasswordCost::interactive();
};

// What administrators and the staff home page see of an account (never the hash or the TOTP secret).
struct StaffAccount {
  std::string id;
  tenants::TenantId tenant_id = 0;
  std::string email;
  std::string display_name;
  std::set<Role> roles;
  bool active = true;
  bool totp_enrolled = false;
  bool locked = false;  // locked out right now
  std::string created_at;
  std::string password_changed_at;
};

// A member of a body's staff as colleagues see them: to assign a case, to name who did something.
struct Colleague {
  std::string id;
  std::string name;
};

struct NewStaff {
  tenants::TenantId tenant_id = 0;  // 0: hub staff
  std::string email;
  std::string display_name;
  std::string password;
  // An argon2id hash made elsewhere (the demo data, an account brought from another installation):
  // stored as given, once checked to be one, and `password` is then not used. Sign-in re-hashes it
  // with this installation's cost when that differs.
  std::string password_hash;
  std::set<Role> roles;
};

class StaffService {
 public:
  StaffService(db::Database& db, SessionService& sessions, const time::Clock& clock, StaffPolicy policy = {});

  // Called with (email, token) when a reset is requested for an existing active account; the app sends
  // the e-mail (link: /backoffice/reimposta-password?token=TOKEN). Unset: nothing is sent.
  std::function<void(const std::string& email, const std::string& token)> send_reset;

  // When set, every security event is written to the audit log in the transaction that makes it:
  // staff.sign_in, staff.sign_in_failed (reason: password, locked, totp_invalid, totp_replayed,
  // inactive, unknown_email — the last on the hub, aggregated), staff.locked_out,
  // staff.password_reset_requested, staff.password_reset, staff.totp_enrolled, staff.totp_required_set,
  // staff.created, staff.roles_changed, staff.deactivated. On the account's body (hub staff: the hub).
  void set_audit(audit::AuditService* audit) { audit_ = audit; }

  // --- administration (caller checked: permissions::authorize(caller, manage_staff, tenant); a hub
  // administrator manages hub staff (tenant 0) and may create the first body_admin of a body) ---
  // Errors: auth.required (401), forbidden (403), staff.email, staff.name, staff.role (a role the
  // tenant cannot hold), staff.email_taken (409), password.* (policy, field "password").
  Result<StaffAccount> create(const Principal* caller, const NewStaff& account);
  // The same with a password nobody knows, then the invitation: the password-reset e-mail (send_reset),
  // whose link lets the new member choose theirs (`account.password` is ignored).
  Result<StaffAccount> invite(const Principal* caller, NewStaff account);
  // Replaces the roles and ends the member's sessions so they apply at once. Errors as create, plus
  // not_found (404, also for an account of another body), staff.last_hub_admin (409: the hub's last
  // active administrator would lose the role; counted inside the change's transaction).
  Status set_roles(const Principal* caller, const std::string& staff_id, const std::set<Role>& roles);
  // Deactivates the account and ends its sessions. Errors: auth.required, forbidden, not_found,
  // staff.self (an administrator cannot deactivate themselves), staff.last_hub_admin (409).
  Status deactivate(const Principal* caller, const std::string& staff_id);
  Result<std::vector<StaffAccount>> list(const Principal* caller, tenants::TenantId tenant);
  // The body's active staff who handle cases (operators, office managers, administrators), by name; for
  // anyone with the body's back office (Permission::backoffice).
  Result<std::vector<Colleague>> colleagues(const Principal* caller, tenants::TenantId tenant);
  // "TOTP mandatory" for a body's staff (body_security). Guarded by manage_staff.
  Status set_totp_required(const Principal* caller, tenants::TenantId tenant, bool required);
  [[nodiscard]] bool totp_required(tenants::TenantId tenant);

  // The first hub administrator, for `sportello` bootstrap/demo: refused (staff.bootstrap_done, 409) once
  // any active hub_admin exists. `password_hash`, when given, is used as NewStaff::password_hash.
  Result<StaffAccount> bootstrap_hub_admin(const std::string& email, const std::string& display_name,
                                           const std::string& password,
                                           const std::string& password_hash = {});

  // --- sign-in at /backoffice/accedi (the body comes from the account) ---
  // Errors, all 401 unless noted: staff.invalid_credentials (unknown e-mail, wrong password, inactive
  // account: one code, one timing), staff.locked (423: too many failures, even with the right password),
  // staff.totp_required (the code is missing), staff.totp_invalid, staff.totp_replayed (a code of an
  // already used step), staff.totp_enrolment_required (403: TOTP is mandatory and the account has none:
  // enrol with sign_in_enrolling_totp).
  Result<NewSession> sign_in(const std::string& email, const std::string& password,
                             const std::string& totp_code, const std::string& remote_addr = {});
  // The secret to show while enrolling: checks the password like sign_in (for an account that has no
  // secret yet), then returns the pending secret the server chose, made now or kept from a previous offer
  // still valid (10 minutes). Errors: sign_in's password errors, staff.totp_already_enrolled (409).
  Result<std::string> offer_totp_enrolment(const std::string& email, const std::string& password);
  // First TOTP enrolment during sign-in: checks the password like sign_in, then `code` against the
  // pending secret the server offered (never a secret the client sends), stores it and signs in.
  // Errors: staff.totp_already_enrolled (409), staff.totp_secret (no valid offer: start again),
  // staff.totp_invalid (401).
  Result<NewSession> sign_in_enrolling_totp(const std::string& email, const std::string& password,
                                            const std::string& code, const std::string& remote_addr = {});
  // Enrolment by a signed-in staff member for their own account: offer, then confirm with a code.
  Result<std::string> offer_totp_enrolment(const Principal& self);
  Status enrol_totp(const Principal& self, const std::string& code);
  // A fresh base32 secret (160 bits).
  static std::string new_totp_secret();

  // --- password reset ---
  // Always Ok (the page says "if the address exists you will receive an e-mail"): for an active account
  // stores the SHA-256 of a fresh token valid reset_ttl and calls send_reset.
  Status request_password_reset(const std::string& email, const std::string& remote_addr = {});
  // Errors: staff.reset_invalid (unknown, used or expired token), password.* (policy). On success the
  // token is consumed (with any other pending one of the account) and every session of the account ends.
  Status reset_password(const std::string& token, const std::string& new_password,
                        const std::string& remote_addr = {});

  [[nodiscard]] std::optional<StaffAccount> account(const std::string& staff_id);
  [[nodiscard]] std::optional<StaffAccount> account_by_email(const std::string& email);
  [[nodiscard]] const StaffPolicy& policy() const { return policy_; }

  static std::string normalise_email(std::string_view email);

 private:
  Status can_manage(const Principal* caller, tenants::TenantId tenant, const std::set<Role>& roles);
  Status check_roles(tenants::TenantId tenant, const std::set<Role>& roles);
  StaffAccount to_account(const StaffRow& row);
  Result<StaffRow> check_password(const std::string& email, const std::string& password,
                                  const std::string& remote_addr);
  Result<NewSession> finish(const StaffRow& row, const std::string& password,
                            std::optional<std::int64_t> totp_step, const std::string& remote_addr);
  Result<std::string> pending_secret_for(const StaffRow& row);
  // A failure that counts towards the lock-out, audited as staff.sign_in_failed with `reason` (and
  // staff.locked_out when it locks the account), in one transaction.
  void record_failure(const StaffRow& row, const std::string& reason, const std::string& remote_addr);
  // Appends an entry about `row`'s account to its body's chain (no-op without an audit service).
  void audit_staff(db::Conn& tx, const StaffRow& row, const std::string& action, audit::ActorKind kind,
                   const std::string& actor, const std::string& remote_addr,
                   const std::string& details = "{}");
  void audit_caller(db::Conn& tx, const Principal* caller, tenants::TenantId tenant,
                    const std::string& action, const std::string& record_id,
                    const std::string& details = "{}");
  void note_unknown_failure(const std::string& email);
  bool unknown_locked(const std::string& email);

  db::Database& db_;
  StaffStore store_;
  audit::AuditService* audit_ = nullptr;
  audit::RefusalThrottle unknown_refusals_;
  SessionService& sessions_;
  const time::Clock& clock_;
  StaffPolicy policy_;
  // Verified against for unknown e-mails, so they cost the same time; made on the first such sign-in
  // rather than at every start.
  const std::string& dummy_hash();
  std::once_flag dummy_once_;
  std::string dummy_hash_;

  // Failures for e-mails that have no account, so they lock out like real ones (otherwise staff.locked
  // would tell which addresses exist). Per node, bounded.
  struct Unknown {
    int failures = 0;
    time::TimePoint locked_until{};
  };
  std::mutex unknown_mutex_;
  std::map<std::string, Unknown> unknown_;
};

}  // namespace sp::identity
