#pragma once
// SQL for the audit log. Only inserts and selects: the table is append-only (triggers refuse UPDATE and
// DELETE in both dialects). Every tenant-scoped query is bound to the tenant id the caller was given.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/model.hpp"
#include "db/database.hpp"

namespace sp::audit {

// A stored row as read back for verification: `well_formed` is false when actor_kind or channel hold a
// value the code does not know (only possible if someone bypassed the table's CHECK constraints).
struct ChainRow {
  StoredEntry entry;
  bool well_formed = true;
};

// The last entry of one tenant's chain, for anchoring.
struct TenantHead {
  tenants::TenantId tenant_id = 0;
  std::int64_t seq = 0;
  std::string hash;
  std::string at;
  std::string key_id;
};

class AuditStore {
 public:
  explicit AuditStore(db::Database& db) : db_(db) {}

  // Serialises appends to `tenant`'s chain until `tx` ends. PostgreSQL: a transaction-scoped advisory
  // lock per tenant. SQLite: nothing to do, the single writer already serialises write transactions.
  static void lock_chain(db::Conn& tx, tenants::TenantId tenant);
  // The last entry of the tenant's chain as seen by `tx`; nullopt for an empty chain.
  static std::optional<Head> head(db::Conn& tx, tenants::TenantId tenant);
  // lock_chain() then head(), in one round trip on PostgreSQL (the function of migration 0032).
  static std::optional<Head> lock_and_head(db::Conn& tx, tenants::TenantId tenant);
  static void insert(db::Conn& tx, const StoredEntry& e);
  // Several entries in one statement (one round trip), in the order given.
  static void insert_all(db::Conn& tx, const std::vector<StoredEntry>& entries);

  // Up to `limit` entries of the tenant's chain with seq > after_seq, oldest first (for verification).
  std::vector<ChainRow> chain_after(tenants::TenantId tenant, std::int64_t after_seq, int limit);
  // Tenants that have at least one entry, ascending.
  std::vector<tenants::TenantId> tenants_with_entries();
  // The last entry of every tenant's chain, ascending by tenant (one index probe per tenant).
  std::vector<TenantHead> heads();

  // The tenant's entries matching `q`, newest first, at most `limit` (already clamped by the service).
  std::vector<StoredEntry> entries(tenants::TenantId tenant, const Query& q, int limit);
  // Read entries about a person across all tenants, newest first.
  std::vector<StoredEntry> accesses_to_person(const std::string& fiscal_code, int limit);
  std::vector<StoredEntry> counter_actions(const std::string& staff_id, const std::string& citizen_cf,
                                           const std::string& from, const std::string& until);
  std::optional<StoredEntry> first_on_record(tenants::TenantId tenant, const std::string& action,
                                             const std::string& record_type, const std::string& record_id);

 private:
  db::Database& db_;
};

}  // namespace sp::audit
