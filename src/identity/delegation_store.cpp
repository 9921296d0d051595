#include "identity/delegation_store.hpp"

namespace sp::identity {
namespace {

#define DELEGATION_COLUMNS                                                                              \
  "id, tenant_id, principal_cf, kind, represented_id, represented_name, relation, state, declared_at, " \
  "decided_by, decided_at, reason, revoked_at"

constexpr const char* kInsertDelegation =
    "INSERT INTO delegations (id, tenant_id, principal_cf, kind, represented_id, represented_name, relation, "
    "state, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)";
constexpr const char* kDelegationById = "SELECT " DELEGATION_COLUMNS " FROM delegations WHERE id = $1";
constexpr const char* kByPrincipal =
    "SELECT " DELEGATION_COLUMNS " FROM delegations WHERE principal_cf = $1 ORDER BY declared_at DESC, id";
constexpr const char* kPending = "SELECT " DELEGATION_COLUMNS
                                 " FROM delegations WHERE tenant_id = $1 AND state = 'pending' "
                                 "ORDER BY declared_at, id";
constexpr const char* kLive =
    "SELECT id FROM delegations WHERE principal_cf = $1 AND kind = $2 "
    "AND represented_id = $3 AND state IN ('pending', 'confirmed')";
constexpr const char* kDecide =
    "UPDATE delegations SET state = $2, decided_by = $3, decided_at = $4, reason = $5 WHERE id = $1 AND "
    "state = $6";
constexpr const char* kRevokeDelegation =
    "UPDATE delegations SET state = 'revoked', revoked_at = $2, reason = COALESCE($3, reason) "
    "WHERE id = $1 AND state = $4";
constexpr const char* kEvent =
    "INSERT INTO delegation_events (delegation_id, at, actor_kind, actor_id, channel, event, state, reason) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kConfirmed =
    "SELECT id FROM delegations WHERE principal_cf = $1 AND kind = $2 AND represented_id = $3 AND "
    "state = 'confirmed'";
constexpr const char* kEvents =
    "SELECT id, delegation_id, at, actor_kind, actor_id, channel, event, state, reason "
    "FROM delegation_events WHERE delegation_id = $1 ORDER BY id";

Delegation delegation_from(const db::Row& r) {
  Delegation d;
  d.id = r.text(0);
  d.tenant_id = r.i64(1);
  d.principal_cf = r.text(2);
  d.kind = r.text(3);
  d.represented_id = r.text(4);
  d.represented_name = r.text(5);
  d.relation = r.text(6);
  d.state = r.text(7);
  d.declared_at = r.text(8);
  d.decided_by = r.opt_text(9);
  d.decided_at = r.opt_text(10);
  d.reason = r.opt_text(11);
  d.revoked_at = r.opt_text(12);
  return d;
}

DelegationEvent event_from(const db::Row& r) {
  DelegationEvent e;
  e.id = r.i64(0);
  e.delegation_id = r.text(1);
  e.at = r.text(2);
  e.actor_kind = r.text(3);
  e.actor_id = r.text(4);
  e.channel = r.text(5);
  e.event = r.text(6);
  e.state = r.text(7);
  e.reason = r.opt_text(8);
  return e;
}

}  // namespace

std::optional<Delegation> DelegationStore::by_id(const std::string& id) {
  return db::read_one(db_, kDelegationById, {id}, delegation_from);
}

std::vector<Delegation> DelegationStore::by_principal(const std::string& principal_cf) {
  return db::read_all(db_, kByPrincipal, {principal_cf}, delegation_from);
}

std::vector<Delegation> DelegationStore::pending(tenants::TenantId tenant) {
  return db::read_all(db_, kPending, {tenant}, delegation_from);
}

std::vector<DelegationEvent> DelegationStore::events(const std::string& delegation_id) {
  return db::read_all(db_, kEvents, {delegation_id}, event_from);
}

bool DelegationStore::confirmed(const std::string& principal_cf, const std::string& kind,
                                const std::string& represented_id) {
  return db::read_one(db_, kConfirmed, {principal_cf, kind, represented_id},
                      [](const db::Row&) { return true; })
      .has_value();
}

bool DelegationStore::live(db::Conn& tx, const std::string& principal_cf, const std::string& kind,
                           const std::string& represented_id) {
  return tx.query_one(kLive, {principal_cf, kind, represented_id}).has_value();
}

void DelegationStore::insert(db::Conn& tx, const Delegation& d) {
  tx.exec(kInsertDelegation, {d.id, d.tenant_id, d.principal_cf, d.kind, d.represented_id, d.represented_name,
                              d.relation, d.declared_at});
}

bool DelegationStore::decide(db::Conn& tx, const std::string& id, const std::string& state,
                             const std::string& by, const std::string& at, const std::string& reason,
                             const std::string& from) {
  return tx.exec(kDecide, {id, state, by, at, db::text_or_null(reason), from}) == 1;
}

bool DelegationStore::revoke(db::Conn& tx, const std::string& id, const std::string& at,
                             const std::string& reason, const std::string& from) {
  return tx.exec(kRevokeDelegation, {id, at, db::text_or_null(reason), from}) == 1;
}

void DelegationStore::insert_event(db::Conn& tx, const DelegationEvent& e) {
  tx.exec(kEvent, {e.delegation_id, e.at, e.actor_kind, e.actor_id, e.channel, e.event, e.state,
                   db::text_or_null(e.reason.value_or(""))});
}

}  // namespace sp::identity
