#pragma once
// The head of a tenant's chain within one PostgreSQL write transaction (issue 13, "Performance"):
// taking the chain's lock and reading its head costs a round trip (audit_chain_head(), migration 0032),
// and a transaction that appends to the same chain twice (a receipt: the position's "paid" entry, then the
// call's entries) needs it only once: once the lock is held, nobody else appends, so the head is the last
// entry this transaction appended. And a caller that knows it will append can have the lock and the head
// sent with its next statement (prefetch_chain_head), so that they cost no round trip of their own.
//
// What is remembered is keyed by the transaction's number (db::write_serial) on the thread that runs it,
// so it never outlives the transaction. SQLite (one writer, in-process reads) is left as it was.
#include <optional>

#include "audit/model.hpp"
#include "db/database.hpp"

namespace sp::audit {

// Inside a PostgreSQL write transaction: the chain lock and head of `tenant` go out with the transaction's
// next statement (db::query_later), and the next append to that chain in this transaction uses them. The
// lock is then held from that statement on, so call it just before the transaction's last statements.
// Nothing elsewhere (SQLite, outside a write transaction), nor when the head is known already.
void prefetch_chain_head(db::Conn& tx, tenants::TenantId tenant);

namespace detail {
// AuditStore::lock_and_head's answer when this transaction already has it: nullopt when it has not,
// else the head (itself nullopt for an empty chain).
std::optional<std::optional<Head>> known_chain_head(db::Conn& tx, tenants::TenantId tenant);
// After an append: the chain's head is now `head`, and this transaction holds the lock.
void remember_chain_head(db::Conn& tx, tenants::TenantId tenant, const Head& head);
}  // namespace detail

}  // namespace sp::audit
