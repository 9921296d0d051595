#include "audit/store.hpp"

#include "audit/body_key.hpp"
#include "audit/chain_tail.hpp"
#include "db/exec_later.hpp"

namespace sp::audit {
namespace {

// PostgreSQL advisory locks in the two-key form (class, object) live apart from the one-key form the
// migration runner uses. The class is a constant of our own; the object is the tenant id, folded into
// 32 bits (two tenants sharing a lock only serialise their appends, they never mix chains).
constexpr const char* kPgLockChain =
    "SELECT pg_advisory_xact_lock(20240302, CAST(MOD(CAST($1 AS BIGINT), 2147483647) AS INTEGER))";

constexpr const char* kHead =
    "SELECT seq, hash, key_id FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1";

// Lock, then head, in one statement: the VOLATILE function reads the head with a snapshot taken after
// the lock was granted (migrations/postgres/0032_audit_chain_head.sql).
constexpr const char* kPgLockAndHead = "SELECT seq, hash, key_id FROM audit_chain_head(CAST($1 AS BIGINT))";

#define AUDIT_INSERT_INTO                                                                            \
  "INSERT INTO audit_log (tenant_id, seq, at, actor_kind, actor_id, on_behalf_of, channel, action, " \
  "record_type, record_id, remote_addr, details, prev_hash, hash, key_id) VALUES "
constexpr const char* kInsert =
    AUDIT_INSERT_INTO "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
constexpr std::size_t kInsertColumns = 15;

#define AUDIT_COLUMNS                                                                                 \
  "tenant_id, seq, at, actor_kind, actor_id, on_behalf_of, channel, action, record_type, record_id, " \
  "remote_addr, details, prev_hash, hash, key_id"

constexpr const char* kChainAfter =
    "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

constexpr const char* kTenants = "SELECT DISTINCT tenant_id FROM audit_log ORDER BY tenant_id";

// Every tenant's last entry without reading the whole table: the recursive part hops from one tenant id
// to the next through the primary key (a "loose index scan"), then each head is one probe.
constexpr const char* kHeads =
    "WITH RECURSIVE t(tenant_id) AS ("
    " SELECT MIN(tenant_id) FROM audit_log"
    " UNION ALL"
    " SELECT (SELECT MIN(a.tenant_id) FROM audit_log a WHERE a.tenant_id > t.tenant_id)"
    " FROM t WHERE t.tenant_id IS NOT NULL)"
    " SELECT h.tenant_id, h.seq, h.hash, h.at, h.key_id FROM t JOIN audit_log h ON h.tenant_id = t.tenant_id"
    " AND h.seq = (SELECT MAX(m.seq) FROM audit_log m WHERE m.tenant_id = t.tenant_id)"
    " ORDER BY h.tenant_id";

// Absent filters are bound as NULL; CAST gives PostgreSQL a type for a parameter that may be NULL.
constexpr const char* kEntries = "SELECT " AUDIT_COLUMNS
                                 " FROM audit_log WHERE tenant_id = $1"
                                 " AND (CAST($2 AS TEXT) IS NULL OR action = CAST($2 AS TEXT))"
                                 " AND (CAST($3 AS TEXT) IS NULL OR record_type = CAST($3 AS TEXT))"
                                 " AND (CAST($4 AS TEXT) IS NULL OR record_id = CAST($4 AS TEXT))"
                                 " AND (CAST($5 AS TEXT) IS NULL OR actor_kind = CAST($5 AS TEXT))"
                                 " AND (CAST($6 AS TEXT) IS NULL OR actor_id = CAST($6 AS TEXT))"
                                 " AND (CAST($7 AS BIGINT) IS NULL OR seq < CAST($7 AS BIGINT))"
                                 " ORDER BY seq DESC LIMIT $8";

// Read actions end in ".read" (model.hpp, is_read_action). Across tenants on purpose: this is the
// citizen's own view of every body's accesses to their data. Ordered by time, then body and seq.
constexpr const char* kAccessesToPerson =
    "SELECT " AUDIT_COLUMNS
    " FROM audit_log WHERE (on_behalf_of = $1 OR (record_type = 'person' AND record_id = $1))"
    " AND action LIKE '%.read' ORDER BY at DESC, tenant_id, seq DESC LIMIT $2";

// What a staff member did at the counter for a citizen between two instants, in every body.
constexpr const char* kCounterActions =
    "SELECT " AUDIT_COLUMNS
    " FROM audit_log WHERE actor_kind = 'staff' AND actor_id = $1 AND on_behalf_of = $2"
    " AND channel = 'counter' AND at >= $3 AND at <= $4 ORDER BY at, tenant_id, seq";
constexpr const char* kFirstOnRecord =
    "SELECT " AUDIT_COLUMNS
    " FROM audit_log WHERE tenant_id = $1 AND action = $2 AND record_type = $3 AND record_id = $4"
    " ORDER BY seq LIMIT 1";

ChainRow row_from(const db::Row& r) {
  ChainRow out;
  StoredEntry& s = out.entry;
  s.entry.tenant_id = r.i64(0);
  s.seq = r.i64(1);
  s.at = r.text(2);
  auto kind = parse_actor_kind(r.text(3));
  auto channel = parse_channel(r.text(6));
  out.well_formed = kind.has_value() && channel.has_value();
  s.entry.actor_kind = kind.value_or(ActorKind::system);
  s.entry.actor_id = r.text(4);
  s.entry.on_behalf_of = r.text(5);
  s.entry.channel = channel.value_or(Channel::system);
  s.entry.action = r.text(7);
  s.entry.record_type = r.text(8);
  s.entry.record_id = r.text(9);
  s.entry.remote_addr = r.text(10);
  s.entry.details = r.text(11);
  s.prev_hash = r.text(12);
  s.hash = r.text(13);
  s.key_id = r.text(14);
  return out;
}

StoredEntry entry_from(const db::Row& r) {
  return row_from(r).entry;
}

// INSERT INTO audit_log ... VALUES ($1..$15), ($16..$30), ... for `rows` rows.
std::string insert_rows_sql(std::size_t rows) {
  std::string sql = AUDIT_INSERT_INTO;
  std::size_t n = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (std::size_t c = 0; c < kInsertColumns; ++c) {
      if (c > 0) sql += ", ";
      sql += "$" + std::to_string(++n);
    }
    sql += ")";
  }
  return sql;
}

void append_insert_params(db::Params& out, const StoredEntry& s) {
  const Entry& e = s.entry;
  db::Params row = {e.tenant_id,
                    s.seq,
                    s.at,
                    std::string(to_string(e.actor_kind)),
                    e.actor_id,
                    db::text_or_null(e.on_behalf_of),
                    std::string(to_string(e.channel)),
                    e.action,
                    db::text_or_null(e.record_type),
                    db::text_or_null(e.record_id),
                    db::text_or_null(e.remote_addr),
                    e.details,
                    s.prev_hash,
                    s.hash,
                    db::text_or_null(s.key_id)};
  for (auto& v : row) out.push_back(std::move(v));
}

db::Value opt(const std::optional<std::string>& v) {
  return v ? db::Value{*v} : db::Value{nullptr};
}

}  // namespace

void AuditStore::lock_chain(db::Conn& tx, tenants::TenantId tenant) {
  if (tx.dialect() == db::Dialect::postgres) tx.query(kPgLockChain, {tenant});
}

std::optional<Head> AuditStore::head(db::Conn& tx, tenants::TenantId tenant) {
  auto r = tx.query_one(kHead, {tenant});
  if (!r) return std::nullopt;
  return Head{r->i64(0), r->text(1), r->text(2)};
}

namespace {

// chain_tail.hpp: what this thread's current PostgreSQL write transaction knows of chain heads.
struct KnownHeads {
  std::uint64_t serial = 0;  // db::write_serial of the transaction they belong to
  struct Item {
    tenants::TenantId tenant = 0;
    db::Later pending;         // prefetch_chain_head(): the lock+head query, sent or about to be
    bool known = false;        // the lock is held and `head` is the chain's head
    std::optional<Head> head;  // nullopt: the chain is empty
  };
  std::vector<Item> items;
};
thread_local KnownHeads known_heads;

// This transaction's item for `tenant` (made when `make`), or nullptr; never outside a PostgreSQL write.
KnownHeads::Item* known_item(db::Conn& tx, tenants::TenantId tenant, bool make) {
  const auto serial = db::write_serial(tx);
  if (serial == 0) return nullptr;
  if (known_heads.serial != serial) {
    known_heads.items.clear();
    known_heads.serial = serial;
  }
  for (auto& i : known_heads.items)
    if (i.tenant == tenant) return &i;
  if (!make) return nullptr;
  known_heads.items.push_back({tenant, {}, false, std::nullopt});
  return &known_heads.items.back();
}

std::optional<Head> head_of(const std::vector<db::Row>& rows) {
  if (rows.empty()) return std::nullopt;
  const auto& r = rows.front();
  return Head{r.i64(0), r.text(1), r.text(2)};
}

}  // namespace

void prefetch_chain_head(db::Conn& tx, tenants::TenantId tenant) {
  if (tx.dialect() != db::Dialect::postgres) return;
  auto* item = known_item(tx, tenant, true);
  if (!item || item->known || item->pending.valid()) return;
  item->pending = db::query_later(tx, kPgLockAndHead, {tenant});
}

namespace detail {

std::optional<std::optional<Head>> known_chain_head(db::Conn& tx, tenants::TenantId tenant) {
  auto* item = known_item(tx, tenant, false);
  if (!item) return std::nullopt;
  if (!item->known && item->pending.valid()) {  // the prefetched lock+head (a round trip if not sent yet)
    item->head = head_of(item->pending.rows());
    item->known = true;
    item->pending = {};
  }
  if (!item->known) return std::nullopt;
  return item->head;
}

void remember_chain_head(db::Conn& tx, tenants::TenantId tenant, const Head& head) {
  if (auto* item = known_item(tx, tenant, true)) {
    item->pending = {};
    item->known = true;
    item->head = head;
  }
}

}  // namespace detail

std::optional<Head> AuditStore::lock_and_head(db::Conn& tx, tenants::TenantId tenant) {
  if (tx.dialect() != db::Dialect::postgres) return head(tx, tenant);
  if (auto known = detail::known_chain_head(tx, tenant)) return *known;  // the lock is held already
  auto r = tx.query(kPgLockAndHead, {tenant});
  auto h = head_of(r);
  if (auto* item = known_item(tx, tenant, true)) {
    item->known = true;
    item->head = h;
  }
  return h;
}

void AuditStore::insert(db::Conn& tx, const StoredEntry& s) {
  db::Params params;
  params.reserve(kInsertColumns);
  append_insert_params(params, s);
  db::exec_later(tx, kInsert, std::move(params));  // PostgreSQL: sent with the next statement or the COMMIT
}

void AuditStore::insert_all(db::Conn& tx, const std::vector<StoredEntry>& entries) {
  if (entries.empty()) return;
  if (entries.size() == 1) return insert(tx, entries.front());
  db::Params params;
  params.reserve(kInsertColumns * entries.size());
  for (const auto& s : entries) append_insert_params(params, s);
  db::exec_later(tx, insert_rows_sql(entries.size()), std::move(params));
}

std::vector<ChainRow> AuditStore::chain_after(tenants::TenantId tenant, std::int64_t after_seq, int limit) {
  return db::read_all(db_, kChainAfter, {tenant, after_seq, std::int64_t{limit}}, row_from);
}

std::vector<ChainRow> chain_after_on(db::Conn& c, std::int64_t tenant, std::int64_t after_seq, int limit) {
  std::vector<ChainRow> out;
  for (const auto& r : c.query(kChainAfter, {tenant, after_seq, std::int64_t{limit}}))
    out.push_back(row_from(r));
  return out;
}

std::vector<tenants::TenantId> AuditStore::tenants_with_entries() {
  return db::read_all(db_, kTenants, {}, [](const db::Row& r) { return r.i64(0); });
}

std::vector<TenantHead> AuditStore::heads() {
  return db::read_all(db_, kHeads, {}, [](const db::Row& r) {
    return TenantHead{r.i64(0), r.i64(1), r.text(2), r.text(3), r.text(4)};
  });
}

std::vector<StoredEntry> AuditStore::entries(tenants::TenantId tenant, const Query& q, int limit) {
  std::optional<std::string> kind;
  if (q.actor_kind) kind = std::string(to_string(*q.actor_kind));
  return db::read_all(db_, kEntries,
                      {tenant, opt(q.action), opt(q.record_type), opt(q.record_id), opt(kind),
                       opt(q.actor_id), db::int_or_null(q.before_seq), std::int64_t{limit}},
                      entry_from);
}

std::vector<StoredEntry> AuditStore::accesses_to_person(const std::string& fiscal_code, int limit) {
  return db::read_all(db_, kAccessesToPerson, {fiscal_code, std::int64_t{limit}}, entry_from);
}

std::vector<StoredEntry> AuditStore::counter_actions(const std::string& staff_id,
                                                     const std::string& citizen_cf, const std::string& from,
                                                     const std::string& until) {
  return db::read_all(db_, kCounterActions, {staff_id, citizen_cf, from, until}, entry_from);
}

std::optional<StoredEntry> AuditStore::first_on_record(tenants::TenantId tenant, const std::string& action,
                                                       const std::string& record_type,
                                                       const std::string& record_id) {
  return db::read_one(db_, kFirstOnRecord, {tenant, action, record_type, record_id}, entry_from);
}

}  // namespace sp::audit
