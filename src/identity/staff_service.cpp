#include "identity/staff_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "core/crypto/encoding.hpp"
#include "core/crypto/totp.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"

namespace sp::identity {
namespace {

bool has_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

constexpr std::size_t kMaxUnknownTracked = 10000;
constexpr auto kTotpOfferTtl = std::chrono::minutes(10);

std::string details_of(const boost::json::object& o) {
  return boost::json::serialize(o);
}

Error invalid_credentials() {
  return Error::make("staff.invalid_credentials", 401);
}

Error locked_error(time::TimePoint now, time::TimePoint until) {
  auto minutes = std::chrono::ceil<std::chrono::minutes>(until - now).count();
  return Error::make("staff.locked", 423, std::to_string(std::max<std::int64_t>(1, minutes)));
}

bool valid_email(const std::string& e) {
  if (e.size() < 3 || e.size() > 254) return false;
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos) return false;
  auto domain = std::string_view(e).substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.') {
    return false;
  }
  return std::none_of(e.begin(), e.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

}  // namespace

StaffService::StaffService(db::Database& db, SessionService& sessions, const time::Clock& clock,
                           StaffPolicy policy)
    : db_(db), store_(db), sessions_(sessions), clock_(clock), policy_(policy) {}

void StaffService::audit_staff(db::Conn& tx, const StaffRow& row, const std::string& action,
                               audit::ActorKind kind, const std::string& actor,
                               const std::string& remote_addr, const std::string& details) {
  if (audit_ == nullptr) return;
  audit::Entry e;
  e.tenant_id = row.tenant_id;
  e.actor_kind = kind;
  e.actor_id = actor;
  e.channel = audit::Channel::web;
  e.action = action;
  e.record_type = "staff";
  e.record_id = row.id;
  e.remote_addr = remote_addr;
  e.details = details;
  audit_->record_or_throw(tx, e);
}

void StaffService::audit_caller(db::Conn& tx, const Principal* caller, tenants::TenantId tenant,
                                const std::string& action, const std::string& record_id,
                                const std::string& details) {
  if (audit_ == nullptr || caller == nullptr) return;
  audit_->record_or_throw(tx, entry_by(*caller, tenant, action, "staff", record_id, details));
}

void StaffService::record_failure(const StaffRow& row, const std::string& reason,
                                  const std::string& remote_addr) {
  const auto now = clock_.now();
  // The row was read just before: with one more failure it reaches the limit and the account locks.
  const bool locks = row.failed_attempts + 1 >= policy_.max_failures;
  db_.write([&](db::Conn& tx) {
    store_.record_failure(tx, row.id, policy_.max_failures, time::format_iso_utc(now + policy_.lockout));
    audit_staff(tx, row, "staff.sign_in_failed", audit::ActorKind::system, "unauthenticated", remote_addr,
                details_of({{"reason", reason}}));
    if (locks)
      audit_staff(tx, row, "staff.locked_out", audit::ActorKind::system, "system", remote_addr,
                  details_of({{"until", time::format_iso_utc(now + policy_.lockout)},
                              {"failures", policy_.max_failures}}));
  });
}

const std::string& StaffService::dummy_hash() {
  // A real hash of a random password with the same cost, so an unknown e-mail costs one verification too.
  std::call_once(dummy_once_, [this] {
    auto h = crypto::hash_password(ids::random_token(24), policy_.cost);
    if (!h) throw std::runtime_error("staff: cannot hash the dummy password: " + h.error().code);
    dummy_hash_ = *h;
  });
  return dummy_hash_;
}

std::string StaffService::normalise_email(std::string_view email) {
  return text::to_lower_ascii(text::trim(email));
}

std::string StaffService::new_totp_secret() {
  return crypto::base32_encode(crypto::generate_totp_secret(), false);
}

// ---------------------------------------------------------------------------------------------------
// Administration

Status StaffService::can_manage(const Principal* caller, tenants::TenantId tenant,
                                const std::set<Role>& roles) {
  auto st = authorize(caller, Permission::manage_staff, tenant);
  if (st) return st;
  if (authorize(caller, Permission::manage_hub, 0)) {
    // Hub administrators manage the hub's own staff, and give a body its first administrator.
    if (tenant == 0) return Ok{};
    if (roles.count(Role::body_admin) > 0 && store_.count_with_role(tenant, "body_admin") == 0) return Ok{};
  }
  return st;
}

Status StaffService::check_roles(tenants::TenantId tenant, const std::set<Role>& roles) {
  if (roles.empty()) return Error::for_field("staff.role", "roles");
  for (auto r : roles) {
    const bool ok = tenant == 0 ? (r == Role::hub_admin || r == Role::helpdesk ||
                                   r == Role::counter_operator || r == Role::tourism_editor)
                                : (r == Role::operator_ || r == Role::office_manager ||
                                   r == Role::body_admin || r == Role::counter_operator);
    if (!ok) {
      auto e = Error::for_field("staff.role", "roles");
      e.detail = std::string(to_string(r));
      return e;
    }
  }
  return Ok{};
}

StaffAccount StaffService::to_account(const StaffRow& row) {
  StaffAccount a;
  a.id = row.id;
  a.tenant_id = row.tenant_id;
  a.email = row.email;
  a.display_name = row.display_name;
  for (const auto& name : store_.roles(row.id)) {
    if (auto r = parse_role(name)) a.roles.insert(*r);
  }
  a.active = row.active;
  a.totp_enrolled = row.totp_secret.has_value() && !row.totp_secret->empty();
  a.locked = row.locked_until && *row.locked_until > time::format_iso_utc(clock_.now());
  a.created_at = row.created_at;
  a.password_changed_at = row.password_changed_at;
  return a;
}

Result<StaffAccount> StaffService::create(const Principal* caller, const NewStaff& in) {
  if (auto st = can_manage(caller, in.tenant_id, in.roles); !st) return st.error();
  const auto email = normalise_email(in.email);
  if (!valid_email(email)) return Error::for_field("staff.email", "email");
  const auto name = text::trim(in.display_name);
  if (name.empty() || name.size() > 200) return Error::for_field("staff.name", "display_name");
  if (auto st = check_roles(in.tenant_id, in.roles); !st) return st.error();
  const bool imported = !in.password_hash.empty();
  if (imported && !crypto::is_argon2id_hash(in.password_hash))
    return Error::for_field("staff.password_hash", "password");
  if (!imported) {
    if (auto st = crypto::check_password_policy(in.password, email); !st) return st.error();
  }
  if (store_.by_email(email)) return Error::for_field("staff.email_taken", "email", 409);
  auto hash =
      imported ? Result<std::string>(in.password_hash) : crypto::hash_password(in.password, policy_.cost);
  if (!hash) return hash.error();

  StaffRow row;
  row.id = ids::random_token(16);
  row.tenant_id = in.tenant_id;
  row.email = email;
  row.display_name = name;
  row.password_hash = *hash;
  row.created_at = row.password_changed_at = time::format_iso_utc(clock_.now());
  std::vector<std::string> roles;
  for (auto r : in.roles) roles.emplace_back(to_string(r));
  try {
    db_.write([&](db::Conn& tx) {
      store_.insert(tx, row);
      store_.set_roles(tx, row.id, roles);
      audit_caller(tx, caller, row.tenant_id, "staff.created", row.id,
                   details_of({{"email", row.email}, {"roles", text::join(roles, ",")}}));
    });
  } catch (const db::DbError& e) {
    if (e.kind == db::DbError::Kind::unique_violation)
      return Error::for_field("staff.email_taken", "email", 409);
    throw;
  }
  return to_account(row);
}

Result<StaffAccount> StaffService::invite(const Principal* caller, NewStaff account) {
  // Nobody knows this password: the new member chooses theirs from the invitation (a password reset).
  account.password = ids::random_token(24) + "aA1!";
  account.password_hash.clear();
  auto made = create(caller, account);
  if (!made) return made.error();
  (void)request_password_reset(made->email);
  return made;
}

Status StaffService::set_roles(const Principal* caller, const std::string& staff_id,
                               const std::set<Role>& roles) {
  auto row = store_.by_id(staff_id);
  if (!row) {
    if (auto st = can_manage(caller, caller ? caller->tenant_id : 0, {}); !st) return st.error();
    return Error::not_found("staff");
  }
  if (auto st = can_manage(caller, row->tenant_id, roles); !st) return st.error();
  if (auto st = check_roles(row->tenant_id, roles); !st) return st.error();
  std::vector<std::string> names;
  for (auto r : roles) names.emplace_back(to_string(r));
  const bool removes_hub_admin = row->tenant_id == 0 && row->active && roles.count(Role::hub_admin) == 0 &&
                                 has_role(store_.roles(row->id), "hub_admin");
  bool last = false;
  db_.write([&](db::Conn& tx) {
    if (removes_hub_admin && StaffStore::lock_and_count_hub_admins(tx) <= 1) {
      last = true;
      return;
    }
    store_.set_roles(tx, row->id, names);
    audit_caller(tx, caller, row->tenant_id, "staff.roles_changed", row->id,
                 details_of({{"roles", text::join(names, ",")}}));
  });
  if (last) return Error::for_field("staff.last_hub_admin", "roles", 409);
  // Roles are a snapshot in each session: end them so the new ones apply at the next sign-in.
  sessions_.end_everywhere(PrincipalKind::staff, row->id);
  return Ok{};
}

Status StaffService::deactivate(const Principal* caller, const std::string& staff_id) {
  auto row = store_.by_id(staff_id);
  if (!row) {
    if (auto st = can_manage(caller, caller ? caller->tenant_id : 0, {}); !st) return st.error();
    return Error::not_found("staff");
  }
  if (auto st = can_manage(caller, row->tenant_id, {}); !st) return st.error();
  if (caller->is_staff() && caller->subject == row->id) return Error::make("staff.self", 400);
  const bool hub_admin = row->tenant_id == 0 && row->active && has_role(store_.roles(row->id), "hub_admin");
  bool last = false;
  db_.write([&](db::Conn& tx) {
    if (hub_admin && StaffStore::lock_and_count_hub_admins(tx) <= 1) {
      last = true;
      return;
    }
    store_.deactivate(tx, row->id);
    store_.consume_all_resets(tx, row->id, time::format_iso_utc(clock_.now()));
    audit_caller(tx, caller, row->tenant_id, "staff.deactivated", row->id);
  });
  if (last) return Error::make("staff.last_hub_admin", 409);
  sessions_.end_everywhere(PrincipalKind::staff, row->id);
  return Ok{};
}

Result<std::vector<StaffAccount>> StaffService::list(const Principal* caller, tenants::TenantId tenant) {
  if (auto st = can_manage(caller, tenant, {}); !st) return st.error();
  std::vector<StaffAccount> out;
  for (const auto& row : store_.by_tenant(tenant)) out.push_back(to_account(row));
  return out;
}

Result<std::vector<Colleague>> StaffService::colleagues(const Principal* caller, tenants::TenantId tenant) {
  if (auto st = authorize(caller, Permission::backoffice, tenant); !st) return st.error();
  std::vector<Colleague> out;
  for (const auto& row : store_.by_tenant(tenant)) {
    if (!row.active) continue;
    const auto account = to_account(row);
    if (account.roles.count(Role::operator_) || account.roles.count(Role::office_manager) ||
        account.roles.count(Role::body_admin))
      out.push_back({row.id, row.display_name});
  }
  return out;  // by_tenant orders by display name
}

Status StaffService::set_totp_required(const Principal* caller, tenants::TenantId tenant, bool required) {
  if (auto st = can_manage(caller, tenant, {}); !st) return st.error();
  db_.write([&](db::Conn& tx) {
    store_.set_totp_required(tx, tenant, required);
    audit_caller(tx, caller, tenant, "staff.totp_required_set", std::to_string(tenant),
                 details_of({{"required", required}}));
  });
  return Ok{};
}

bool StaffService::totp_required(tenants::TenantId tenant) {
  return store_.totp_required(tenant);
}

Result<StaffAccount> StaffService::bootstrap_hub_admin(const std::string& email,
                                                       const std::string& display_name,
                                                       const std::string& password,
                                                       const std::string& password_hash) {
  if (store_.count_with_role(0, "hub_admin") > 0) return Error::make("staff.bootstrap_done", 409);
  // Acts as a transient hub administrator; from then on every change goes through a real one.
  Principal system;
  system.kind = PrincipalKind::staff;
  system.subject = "bootstrap";
  system.tenant_id = 0;
  system.roles = {Role::hub_admin};
  return create(&system, NewStaff{0, email, display_name, password, password_hash, {Role::hub_admin}});
}

std::optional<StaffAccount> StaffService::account(const std::string& staff_id) {
  auto row = store_.by_id(staff_id);
  if (!row) return std::nullopt;
  return to_account(*row);
}

std::optional<StaffAccount> StaffService::account_by_email(const std::string& email) {
  auto row = store_.by_email(normalise_email(email));
  if (!row) return std::nullopt;
  return to_account(*row);
}

// ---------------------------------------------------------------------------------------------------
// Sign-in

bool StaffService::unknown_locked(const std::string& email) {
  std::lock_guard lock(unknown_mutex_);
  auto it = unknown_.find(email);
  return it != unknown_.end() && it->second.locked_until > clock_.now();
}

void StaffService::note_unknown_failure(const std::string& email) {
  std::lock_guard lock(unknown_mutex_);
  if (unknown_.size() >= kMaxUnknownTracked && unknown_.count(email) == 0) unknown_.clear();
  auto& u = unknown_[email];
  if (++u.failures >= policy_.max_failures) {
    u.failures = 0;
    u.locked_until = clock_.now() + policy_.lockout;
  }
}

Result<StaffRow> StaffService::check_password(const std::string& email_in, const std::string& password,
                                              const std::string& remote_addr) {
  const auto email = normalise_email(email_in);
  const auto now = clock_.now();
  std::optional<StaffRow> row;
  if (!email.empty() && email.size() <= 254) row = store_.by_email(email);
  if (!row || !row->active) {
    // Same work and same answers as for a real account: one argon2id verification, then the lock-out.
    (void)crypto::verify_password(dummy_hash(), password);
    // On the account's body when there is an (inactive) account; on the hub for an address nobody has,
    // aggregated per address so that guessing cannot flood the chain.
    if (audit_ != nullptr) {
      if (row) {
        db_.write([&](db::Conn& tx) {
          audit_staff(tx, *row, "staff.sign_in_failed", audit::ActorKind::system, "unauthenticated",
                      remote_addr, details_of({{"reason", "inactive"}}));
        });
      } else if (auto suppressed = unknown_refusals_.admit("staff-email:" + email, now)) {
        audit::Entry e;
        e.tenant_id = audit::kHubTenant;
        e.actor_id = "unauthenticated";
        e.channel = audit::Channel::web;
        e.action = "staff.sign_in_failed";
        e.record_type = "staff_email";
        e.record_id = email.substr(0, 254);
        e.remote_addr = remote_addr;
        e.details = details_of({{"reason", "unknown_email"}, {"suppressed", *suppressed}});
        if (auto st = audit_->record(e); !st)
          spdlog::error("audit of a sign-in failure: {}", st.error().code);
      }
    }
    if (unknown_locked(email)) {
      std::lock_guard lock(unknown_mutex_);
      return locked_error(now, unknown_[email].locked_until);
    }
    note_unknown_failure(email);
    return invalid_credentials();
  }
  const bool ok = crypto::verify_password(row->password_hash, password);
  if (row->locked_until) {
    auto until = time::parse_iso_utc(*row->locked_until);
    if (until && *until > now) {
      if (audit_ != nullptr) {
        db_.write([&](db::Conn& tx) {
          audit_staff(tx, *row, "staff.sign_in_failed", audit::ActorKind::system, "unauthenticated",
                      remote_addr, details_of({{"reason", "locked"}}));
        });
      }
      return locked_error(now, *until);
    }
  }
  if (!ok) {
    record_failure(*row, "password", remote_addr);
    return invalid_credentials();
  }
  return *row;
}

Result<NewSession> StaffService::finish(const StaffRow& row, const std::string& password,
                                        std::optional<std::int64_t> totp_step,
                                        const std::string& remote_addr) {
  std::optional<std::string> rehashed;
  if (crypto::needs_rehash(row.password_hash, policy_.cost)) {
    if (auto h = crypto::hash_password(password, policy_.cost)) rehashed = *h;
  }
  bool fresh = true;
  db_.write([&](db::Conn& tx) {
    fresh = store_.record_success(tx, row.id, totp_step);
    if (fresh && rehashed) store_.rehash(tx, row.id, *rehashed);
    if (fresh)
      audit_staff(tx, row, "staff.sign_in", audit::ActorKind::staff, row.id, remote_addr,
                  details_of({{"totp", totp_step.has_value()}}));
  });
  if (!fresh) {  // a concurrent sign-in used this step
    if (audit_ != nullptr) {
      db_.write([&](db::Conn& tx) {
        audit_staff(tx, row, "staff.sign_in_failed", audit::ActorKind::system, "unauthenticated", remote_addr,
                    details_of({{"reason", "totp_replayed"}}));
      });
    }
    return Error::make("staff.totp_replayed", 401);
  }
  NewSession s;
  s.kind = PrincipalKind::staff;
  s.subject = row.id;
  s.tenant_id = row.tenant_id;
  for (const auto& name : store_.roles(row.id)) {
    if (auto r = parse_role(name)) s.roles.insert(*r);
  }
  s.auth_level = 0;
  s.display_name = row.display_name;
  return s;
}

Result<NewSession> StaffService::sign_in(const std::string& email, const std::string& password,
                                         const std::string& totp_code, const std::string& remote_addr) {
  auto row = check_password(email, password, remote_addr);
  if (!row) return row.error();
  const bool has_secret = row->totp_secret && !row->totp_secret->empty();
  std::optional<std::int64_t> step;
  if (has_secret || store_.totp_required(row->tenant_id)) {
    if (!has_secret) return Error::make("staff.totp_enrolment_required", 403);
    if (text::trim(totp_code).empty()) return Error::make("staff.totp_required", 401);
    auto key = crypto::base32_decode(*row->totp_secret);
    if (!key) return Error::internal("staff totp secret");
    std::optional<std::uint64_t> last;
    if (row->totp_last_step) last = static_cast<std::uint64_t>(*row->totp_last_step);
    auto v = crypto::verify_totp(*key, totp_code, clock_.now(), {}, last);
    if (!v) {
      // A wrong or replayed code counts like a wrong password: the password alone must not be enough
      // to try codes without limit.
      const bool replayed = v.error().code == "totp.replayed";
      record_failure(*row, replayed ? "totp_replayed" : "totp_invalid", remote_addr);
      return Error::make(replayed ? "staff.totp_replayed" : "staff.totp_invalid", 401);
    }
    step = static_cast<std::int64_t>(*v);
  }
  return finish(*row, password, step, remote_addr);
}

Result<std::string> StaffService::pending_secret_for(const StaffRow& row) {
  if (row.totp_secret && !row.totp_secret->empty()) return Error::make("staff.totp_already_enrolled", 409);
  const auto now_iso = time::format_iso_utc(clock_.now());
  // An offer still valid is shown again (the person may be retyping a code from the app entry they made).
  if (row.totp_pending_secret && row.totp_pending_expires && *row.totp_pending_expires > now_iso)
    return *row.totp_pending_secret;
  auto secret = new_totp_secret();
  db_.write([&](db::Conn& tx) {
    store_.set_pending_totp(tx, row.id, secret, time::format_iso_utc(clock_.now() + kTotpOfferTtl));
  });
  return secret;
}

Result<std::string> StaffService::offer_totp_enrolment(const std::string& email,
                                                       const std::string& password) {
  auto row = check_password(email, password, {});
  if (!row) return row.error();
  return pending_secret_for(*row);
}

Result<std::string> StaffService::offer_totp_enrolment(const Principal& self) {
  if (!self.is_staff()) return Error::forbidden("totp");
  auto row = store_.by_id(self.subject);
  if (!row || !row->active) return Error::forbidden("totp");
  return pending_secret_for(*row);
}

Result<NewSession> StaffService::sign_in_enrolling_totp(const std::string& email, const std::string& password,
                                                        const std::string& code,
                                                        const std::string& remote_addr) {
  auto row = check_password(email, password, remote_addr);
  if (!row) return row.error();
  if (row->totp_secret && !row->totp_secret->empty()) return Error::make("staff.totp_already_enrolled", 409);
  const auto now_iso = time::format_iso_utc(clock_.now());
  if (!row->totp_pending_secret || !row->totp_pending_expires || *row->totp_pending_expires <= now_iso)
    return Error::for_field("staff.totp_secret", "totp");
  const std::string secret = *row->totp_pending_secret;
  auto key = crypto::base32_decode(secret);
  if (!key) return Error::internal("staff pending totp secret");
  auto v = crypto::verify_totp(*key, code, clock_.now());
  if (!v) {
    record_failure(*row, "totp_invalid", remote_addr);
    return Error::for_field("staff.totp_invalid", "totp", 401);
  }
  const auto step = static_cast<std::int64_t>(*v);
  db_.write([&](db::Conn& tx) {
    store_.set_totp(tx, row->id, secret, step);
    audit_staff(tx, *row, "staff.totp_enrolled", audit::ActorKind::staff, row->id, remote_addr);
  });
  return finish(*row, password, std::nullopt, remote_addr);
}

Status StaffService::enrol_totp(const Principal& self, const std::string& code) {
  if (!self.is_staff()) return Error::forbidden("totp");
  auto row = store_.by_id(self.subject);
  if (!row || !row->active) return Error::forbidden("totp");
  if (row->totp_secret && !row->totp_secret->empty()) return Error::make("staff.totp_already_enrolled", 409);
  const auto now_iso = time::format_iso_utc(clock_.now());
  if (!row->totp_pending_secret || !row->totp_pending_expires || *row->totp_pending_expires <= now_iso)
    return Error::for_field("staff.totp_secret", "totp");
  auto key = crypto::base32_decode(*row->totp_pending_secret);
  if (!key) return Error::internal("staff pending totp secret");
  auto v = crypto::verify_totp(*key, code, clock_.now());
  if (!v) return Error::for_field("staff.totp_invalid", "totp");
  db_.write([&](db::Conn& tx) {
    store_.set_totp(tx, row->id, *row->totp_pending_secret, static_cast<std::int64_t>(*v));
    audit_staff(tx, *row, "staff.totp_enrolled", audit::ActorKind::staff, row->id, {});
  });
  return Ok{};
}

// ---------------------------------------------------------------------------------------------------
// Password reset

Status StaffService::request_password_reset(const std::string& email_in, const std::string& remote_addr) {
  const auto email = normalise_email(email_in);
  if (email.empty() || email.size() > 254) return Ok{};
  auto row = store_.by_email(email);
  if (!row || !row->active) return Ok{};
  const auto token = ids::random_token(32);
  const auto now = clock_.now();
  db_.write([&](db::Conn& tx) {
    store_.insert_reset(tx, digest::sha256_hex(token), row->id, time::format_iso_utc(now),
                        time::format_iso_utc(now + policy_.reset_ttl));
    audit_staff(tx, *row, "staff.password_reset_requested", audit::ActorKind::system, "unauthenticated",
                remote_addr);
  });
  if (send_reset) send_reset(row->email, token);
  return Ok{};
}

Status StaffService::reset_password(const std::string& token, const std::string& new_password,
                                    const std::string& remote_addr) {
  if (token.size() < 32 || token.size() > 64) return Error::make("staff.reset_invalid", 400);
  const auto hash_of_token = digest::sha256_hex(token);
  const auto now_iso = time::format_iso_utc(clock_.now());
  auto reset = store_.reset_by_hash(hash_of_token);
  if (!reset || reset->used_at || reset->expires_at <= now_iso)
    return Error::make("staff.reset_invalid", 400);
  auto row = store_.by_id(reset->staff_id);
  if (!row || !row->active) return Error::make("staff.reset_invalid", 400);
  if (auto st = crypto::check_password_policy(new_password, row->email); !st) return st.error();
  auto hash = crypto::hash_password(new_password, policy_.cost);
  if (!hash) return hash.error();
  bool consumed = false;
  db_.write([&](db::Conn& tx) {
    consumed = store_.consume_reset(tx, hash_of_token, now_iso);
    if (!consumed) return;
    store_.set_password(tx, row->id, *hash, now_iso);
    store_.consume_all_resets(tx, row->id, now_iso);
    audit_staff(tx, *row, "staff.password_reset", audit::ActorKind::staff, row->id, remote_addr);
  });
  if (!consumed) return Error::make("staff.reset_invalid", 400);
  sessions_.end_everywhere(PrincipalKind::staff, row->id);
  return Ok{};
}

}  // namespace sp::identity
