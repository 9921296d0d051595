#include "identity/delegation_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/codice_fiscale.hpp"
#include "core/ids.hpp"
#include "core/partita_iva.hpp"
#include "core/text.hpp"
#include "identity/applicant.hpp"
#include "identity/counter_service.hpp"
#include "identity/permissions.hpp"

namespace sp::identity {
namespace {

template <std::size_t N>
bool one_of(const std::string& v, const char* const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list), [&](const char* s) { return v == s; });
}

// An audit entry's details: a JSON object of text members.
std::string details(std::initializer_list<std::pair<std::string_view, std::string_view>> members) {
  boost::json::object o;
  for (const auto& [k, v] : members) o[k] = v;
  return boost::json::serialize(o);
}

void append_event(db::Conn& tx, const std::string& id, const audit::Entry& e, const std::string& at,
                  const std::string& event, const std::string& state, const std::string& reason) {
  DelegationStore::insert_event(tx, {0, id, at, std::string(audit::to_string(e.actor_kind)), e.actor_id,
                                     std::string(audit::to_string(e.channel)), event, state,
                                     reason.empty() ? std::nullopt : std::optional<std::string>(reason)});
}

// Who declares: the signed-in person, or the citizen a counter operator is serving.
Result<std::string> declarant_of(const Principal* caller) {
  if (!caller) return Error::make("auth.required", 401, "personal_area");
  if (auto cf = applicant_cf(caller); !cf.empty()) return cf;
  return Error::forbidden("personal_area");
}

}  // namespace

DelegationService::DelegationService(db::Database& db, SessionService& sessions, audit::AuditService& audit,
                                     tenants::TenantService& tenants, const time::Clock& clock)
    : db_(db), store_(db), sessions_(sessions), audit_(audit), tenants_(tenants), clock_(clock) {
  sessions_.set_acting_for_check(
      [this](const std::string& subject, const Represented& who) { return may_act_for(subject, who); });
}

DelegationService::~DelegationService() {
  sessions_.set_acting_for_check(nullptr);
}

bool DelegationService::is_minor(const std::string& cf_text, time::Date today) {
  auto d = cf::decode(cf_text, today);
  if (!d) return false;
  const auto b = d->birth_date;
  const std::chrono::year_month_day adult{b.year() + std::chrono::years{18}, b.month(), b.day()};
  // Born on 29 February: of age on 1 March in non-leap years (the invalid 29 Feb compares after 28 Feb).
  return today < adult;
}

std::optional<Delegation> DelegationService::by_id(const std::string& id) {
  return store_.by_id(id);
}

std::vector<DelegationEvent> DelegationService::history(const std::string& id) {
  return store_.events(id);
}

bool DelegationService::minor_today(const std::string& cf_text) {
  const auto today = time::rome_date(clock_.now());
  if (family_) {
    if (auto born = time::parse_iso_date(family_->birth_date(cf_text))) {
      const std::chrono::year_month_day adult{born->year() + std::chrono::years{18}, born->month(),
                                              born->day()};
      return today < adult;
    }
  }
  return is_minor(cf_text, today);
}

Result<Delegation> DelegationService::insert(const Principal& caller, Delegation d,
                                             const std::string& remote_addr, bool register_confirms) {
  auto body = tenants_.by_id(d.tenant_id);
  if (!body || !body->active) return Error::for_field("delegation.body", "tenant_id");
  if (d.represented_name.empty() || d.represented_name.size() > 200) {
    return Error::for_field("delegation.name", "represented_name");
  }
  d.id = ids::random_token(16);
  d.state = "pending";
  d.declared_at = audit::AuditService::format_at(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Result<Delegation> {
    if (DelegationStore::live(tx, d.principal_cf, d.kind, d.represented_id))
      return Error::make("delegation.duplicate", 409);
    DelegationStore::insert(tx, d);
    auto e = audit_entry_for(caller, d.tenant_id, "delegation.declare");
    e.record_type = "delegation";
    e.record_id = d.id;
    e.remote_addr = remote_addr;
    e.details =
        details({{"kind", d.kind}, {"represented_id", d.represented_id}, {"principal", d.principal_cf}});
    append_event(tx, d.id, e, d.declared_at, "declared", "pending", {});
    audit_.record_or_throw(tx, e);
    if (register_confirms) {
      // The register shows the family (or the business's representative): confirmed at once, by the
      // system, in the same transaction.
      const bool business = d.kind == "business";
      const std::string by = business ? "registro-imprese" : "anagrafe";
      if (!DelegationStore::decide(tx, d.id, "confirmed", by, d.declared_at, "", "pending"))
        return Error::make("delegation.state", 409);
      audit::Entry c;
      c.tenant_id = d.tenant_id;
      c.actor_kind = audit::ActorKind::system;
      c.actor_id = by;
      c.channel = audit::Channel::system;
      c.action = "delegation.confirm";
      c.record_type = "delegation";
      c.record_id = d.id;
      c.details = details({{"principal", d.principal_cf},
                           {"represented_id", d.represented_id},
                           {"source", business ? "business_register" : "population_register"}});
      append_event(tx, d.id, c, d.declared_at, "confirmed", "confirmed", {});
      audit_.record_or_throw(tx, c);
      d.state = "confirmed";
      d.decided_by = by;
      d.decided_at = d.declared_at;
    }
    return d;
  });
}

Result<Delegation> DelegationService::declare_minor(const Principal* caller, const MinorDeclaration& m,
                                                    const std::string& remote_addr) {
  auto declarant = declarant_of(caller);
  if (!declarant) return declarant.error();
  const auto today = time::rome_date(clock_.now());
  auto decoded = cf::decode(m.child_cf, today);
  if (!decoded) return Error::for_field("delegation.cf", "child_cf");
  auto self = cf::decode(*declarant, today);
  if (decoded->code == *declarant || (self && self->canonical == decoded->canonical)) {
    return Error::for_field("delegation.self", "child_cf");
  }
  if (!minor_today(decoded->code)) return Error::for_field("delegation.not_minor", "child_cf");
  if (!one_of(m.relation, kMinorRelations)) return Error::for_field("delegation.relation", "relation");
  Delegation d;
  d.tenant_id = m.tenant_id;
  d.principal_cf = *declarant;
  d.kind = "person";
  d.represented_id = decoded->code;
  d.represented_name = text::trim(m.child_name);
  d.relation = m.relation;
  // Read before the write transaction: the register is another module's tables.
  const bool confirmed = family_ && m.relation == "parent" &&
                         family_->confirms_minor_child(m.tenant_id, d.principal_cf, d.represented_id);
  return insert(*caller, std::move(d), remote_addr, confirmed);
}

Result<Delegation> DelegationService::declare_business(const Principal* caller, const BusinessDeclaration& b,
                                                       const std::string& remote_addr) {
  auto declarant = declarant_of(caller);
  if (!declarant) return declarant.error();
  if (!piva::validate(b.partita_iva)) return Error::for_field("delegation.piva", "partita_iva");
  if (!one_of(b.role, kBusinessRoles)) return Error::for_field("delegation.relation", "role");
  Delegation d;
  d.tenant_id = b.tenant_id;
  d.principal_cf = *declarant;
  d.kind = "business";
  d.represented_id = piva::normalize(b.partita_iva);
  d.represented_name = text::trim(b.business_name);
  d.relation = b.role;
  // Read before the write transaction: the register is another system.
  const bool confirmed = business_ && business_->confirms_representative(d.represented_id, d.principal_cf);
  return insert(*caller, std::move(d), remote_addr, confirmed);
}

Result<std::vector<Delegation>> DelegationService::list_mine(const Principal* caller) {
  auto declarant = declarant_of(caller);
  if (!declarant) return declarant.error();
  return store_.by_principal(*declarant);
}

Status DelegationService::withdraw(const Principal* caller, const std::string& id,
                                   const std::string& remote_addr) {
  auto declarant = declarant_of(caller);
  if (!declarant) return declarant.error();
  auto d = by_id(id);
  if (!d || d->principal_cf != *declarant) return Error::not_found("delegation");
  if (d->state != "pending" && d->state != "confirmed") return Error::make("delegation.state", 409, d->state);
  const auto now = audit::AuditService::format_at(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    if (!DelegationStore::revoke(tx, d->id, now, "", d->state)) return Error::make("delegation.state", 409);
    // Every session acting for it (on any device) goes back to the person themself.
    sessions_.end_acting_for(tx, d->principal_cf, d->kind, d->represented_id);
    auto e = audit_entry_for(*caller, d->tenant_id, "delegation.withdraw");
    e.record_type = "delegation";
    e.record_id = d->id;
    e.remote_addr = remote_addr;
    append_event(tx, d->id, e, now, "revoked", "revoked", {});
    audit_.record_or_throw(tx, e);
    return Ok{};
  });
}

Result<std::vector<Delegation>> DelegationService::pending_for(const Principal* caller,
                                                               tenants::TenantId tenant) {
  if (auto st = authorize(caller, Permission::confirm_delegation, tenant); !st) return st.error();
  return store_.pending(tenant);
}

void DelegationService::deny(const Principal* caller, const ApiPrincipal* key, const Delegation& d,
                             const std::string& remote_addr) {
  audit::Entry e;
  if (caller) {
    e = audit_entry_for(*caller, d.tenant_id, "access.denied");
  } else {
    e.tenant_id = d.tenant_id;
    e.actor_kind = audit::ActorKind::system;
    e.actor_id = key ? "api-key:" + key->key_id : "anonymous";
    e.channel = audit::Channel::api;
    e.action = "access.denied";
  }
  e.record_type = "delegation";
  e.record_id = d.id;
  e.remote_addr = remote_addr;
  if (caller && caller->tenant_id != 0)
    e.details = "{\"caller_tenant\":" + std::to_string(caller->tenant_id) + "}";
  if (key) e.details = "{\"caller_tenant\":" + std::to_string(key->tenant_id) + "}";
  (void)audit_.record(e);
}

Result<Delegation> DelegationService::get_for_staff(const Principal* caller, const std::string& id,
                                                    const std::string& remote_addr) {
  if (!caller) return Error::make("auth.required", 401, "confirm_delegation");
  auto d = by_id(id);
  if (!d) return Error::not_found("delegation");
  if (auto st = authorize(caller, Permission::confirm_delegation, d->tenant_id); !st) {
    deny(caller, nullptr, *d, remote_addr);
    return st.error();
  }
  auto e = audit_entry_for(*caller, d->tenant_id, "delegation.read");
  e.record_type = "delegation";
  e.record_id = d->id;
  e.remote_addr = remote_addr;
  if (auto a = audit_.record(e); !a) return a.error();
  return *d;
}

Result<Delegation> DelegationService::get_for_api(const ApiPrincipal* key, const std::string& id,
                                                  const std::string& remote_addr) {
  if (!key) return Error::make("auth.required", 401, "api");
  auto d = by_id(id);
  if (!d) return Error::not_found("delegation");
  if (key->tenant_id != d->tenant_id || !key->has_scope("deleghe:read")) {
    deny(nullptr, key, *d, remote_addr);
    return Error::forbidden("delegation");
  }
  audit::Entry e;
  e.tenant_id = d->tenant_id;
  e.actor_kind = audit::ActorKind::system;
  e.actor_id = "api-key:" + key->key_id;
  e.channel = audit::Channel::api;
  e.action = "delegation.read";
  e.record_type = "delegation";
  e.record_id = d->id;
  e.remote_addr = remote_addr;
  if (auto a = audit_.record(e); !a) return a.error();
  return *d;
}

Status DelegationService::decide(const Principal* staff, const std::string& id, const std::string& event,
                                 const std::string& reason_in, const std::string& remote_addr) {
  if (!staff) return Error::make("auth.required", 401, "confirm_delegation");
  auto d = by_id(id);
  if (!d) return Error::not_found("delegation");
  if (auto st = authorize(staff, Permission::confirm_delegation, d->tenant_id); !st) {
    deny(staff, nullptr, *d, remote_addr);
    return st;
  }
  const auto reason = text::trim(reason_in);
  if (reason.size() > 1000 || (event != "confirmed" && reason.empty())) {
    return Error::for_field("delegation.reason", "reason");
  }
  const std::string from = event == "revoked" ? "confirmed" : "pending";
  if (d->state != from) return Error::make("delegation.state", 409, d->state);
  const auto now = audit::AuditService::format_at(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    const bool changed = event == "revoked"
                             ? DelegationStore::revoke(tx, d->id, now, reason, from)
                             : DelegationStore::decide(tx, d->id, event, staff->subject, now, reason, from);
    if (!changed) return Error::make("delegation.state", 409);
    // Revoked or rejected: no session may act for it any longer, on any device of the principal.
    if (event != "confirmed") sessions_.end_acting_for(tx, d->principal_cf, d->kind, d->represented_id);
    auto e = audit_entry_for(*staff, d->tenant_id,
                             event == "confirmed"  ? "delegation.confirm"
                             : event == "rejected" ? "delegation.reject"
                                                   : "delegation.revoke");
    e.record_type = "delegation";
    e.record_id = d->id;
    e.remote_addr = remote_addr;
    e.details =
        details({{"principal", d->principal_cf}, {"represented_id", d->represented_id}, {"reason", reason}});
    append_event(tx, d->id, e, now, event, event, reason);
    audit_.record_or_throw(tx, e);
    return Ok{};
  });
}

Status DelegationService::confirm(const Principal* staff, const std::string& id, const std::string& reason,
                                  const std::string& remote_addr) {
  return decide(staff, id, "confirmed", reason, remote_addr);
}
Status DelegationService::reject(const Principal* staff, const std::string& id, const std::string& reason,
                                 const std::string& remote_addr) {
  return decide(staff, id, "rejected", reason, remote_addr);
}
Status DelegationService::revoke(const Principal* staff, const std::string& id, const std::string& reason,
                                 const std::string& remote_addr) {
  return decide(staff, id, "revoked", reason, remote_addr);
}

bool DelegationService::may_act_for(const std::string& principal_cf, const Represented& who) {
  if (!store_.confirmed(principal_cf, who.kind, who.id)) return false;
  return who.kind != "person" || minor_today(who.id);
}

Result<std::optional<Represented>> DelegationService::switch_to(const Principal* caller,
                                                                const std::string& id,
                                                                const std::string& remote_addr) {
  if (auto st = authorize(caller, Permission::personal_area, 0); !st) return st.error();
  std::optional<Represented> who;
  tenants::TenantId tenant = audit::kHubTenant;
  std::string record_id = id;
  if (!id.empty()) {
    auto d = by_id(id);
    if (!d || d->principal_cf != caller->subject) return Error::not_found("delegation");
    if (d->state != "confirmed") return Error::make("delegation.not_confirmed", 409, d->state);
    if (d->kind == "person" && !minor_today(d->represented_id)) {
      return Error::make("delegation.now_adult", 409);
    }
    who = Represented{d->kind, d->represented_id, d->represented_name};
    tenant = d->tenant_id;
  } else if (caller->acting_for) {
    // Back to themself: the entry goes to the body of the delegation being left, when it is known.
    for (const auto& d : store_.by_principal(caller->subject)) {
      if (d.represented_id == caller->acting_for->id && d.kind == caller->acting_for->kind) {
        tenant = d.tenant_id;
        record_id = d.id;
        break;
      }
    }
  }
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = audit::ActorKind::person;
  e.actor_id = caller->subject;
  e.channel = audit::Channel::web;
  e.action = who ? "delegation.act_for" : "delegation.act_as_self";
  e.on_behalf_of = who ? who->id : std::string();
  e.record_type = "delegation";
  e.record_id = record_id;
  e.remote_addr = remote_addr;
  if (!who && caller->acting_for) e.details = details({{"left", caller->acting_for->id}});
  db_.write([&](db::Conn& tx) { audit_.record_or_throw(tx, e); });
  sessions_.set_acting_for(*caller, who);
  return who;
}

}  // namespace sp::identity
