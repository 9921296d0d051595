#pragma once
// Audit rules: appending to a tenant's hash chain (inside the caller's transaction, so an action and
// its trace commit together or not at all), walking the chains to find the first broken link, and the
// queries behind a body's audit page and a citizen's "who accessed my data".
//
// Keyed chain (chain.hpp, format v2): with a chain key every new entry's hash is an HMAC made with the
// key and names the key's id. Without one (tests, tools) entries are written in format v1, plain
// SHA-256 — but never after a keyed entry of the same chain: a keyed chain stays keyed (audit.key).
// Rules the walk enforces: seq 1, 2, 3... without gaps; each prev_hash is the hash before it (the
// genesis hash first); each hash recomputes (SHA-256 for v1, HMAC for v2); no v1 entry after a v2
// one; and every anchor given (anchor.hpp) names an entry that is there with the anchored hash.
#include <memory>
#include <string>
#include <vector>

#include "audit/key.hpp"
#include "audit/model.hpp"
#include "audit/store.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::audit {

class AuditService {
 public:
  // Uses the key bound to `db` (key.hpp, bind_key), if any.
  explicit AuditService(db::Database& db, const time::Clock& clock = time::system_clock())
      : AuditService(db, clock, bound_key(db)) {}
  // Uses `key` (null: unkeyed, format v1).
  AuditService(db::Database& db, const time::Clock& clock, std::shared_ptr<const ChainKey> key)
      : store_(db), db_(db), clock_(clock), key_(std::move(key)) {}

  [[nodiscard]] const std::shared_ptr<const ChainKey>& key() const { return key_; }

  // Appends `e` to its tenant's chain inside the caller's write transaction `tx`: if the transaction
  // rolls back, so does the entry. Errors (nothing written): audit.tenant, audit.actor, audit.action,
  // audit.details; audit.key when this service has no key and the chain is already keyed.
  // Database failures throw db::DbError, which aborts the caller's transaction too.
  Result<Appended> record(db::Conn& tx, const Entry& e);
  // The same in a write transaction of its own.
  Result<Appended> record(const Entry& e);
  // record(tx, e) for changes that must not happen without their audit entry: a refused entry throws
  // std::runtime_error, which rolls the caller's transaction back.
  void record_or_throw(db::Conn& tx, const Entry& e);
  // Several entries appended in order inside `tx`, all or none: each tenant's chain is locked and its
  // head read once (one round trip on PostgreSQL), the entries written in one INSERT. Errors as record();
  // one invalid entry refuses them all. The same entries as record() called for each in turn.
  Result<std::vector<Appended>> record_all(db::Conn& tx, const std::vector<Entry>& entries);
  void record_all_or_throw(db::Conn& tx, const std::vector<Entry>& entries);

  // Walks one tenant's chain in seq order and reports the first broken link (the rules above). An empty
  // chain without anchors is intact. `anchors` may hold other tenants' anchors too: they are skipped.
  ChainReport verify(tenants::TenantId tenant, const std::vector<Anchor>& anchors = {});
  // verify() for every tenant that has entries or anchors, ascending by tenant id: a tenant whose
  // anchored chain was deleted whole is reported too.
  std::vector<ChainReport> verify_all(const std::vector<Anchor>& anchors = {});

  // The tenant's entries matching `q`, newest first. `tenant` comes from the request context.
  Page entries(tenants::TenantId tenant, const Query& q);
  // Reads of a person's data across all bodies (entries on their behalf or about their person record
  // whose action is a read), newest first: the citizen's "who accessed my data".
  std::vector<StoredEntry> accesses_to_person(const std::string& fiscal_code, int limit = 200);
  // What a staff member did at the counter on a citizen's behalf between two instants (UTC ISO 8601,
  // inclusive), in every body, oldest first: the assisted session's receipt.
  std::vector<StoredEntry> counter_actions(const std::string& staff_id, const std::string& citizen_cf,
                                           const std::string& from, const std::string& until);
  // The first entry of `action` on a record of the tenant (e.g. a case's "case.submit"), if any.
  std::optional<StoredEntry> first_on_record(tenants::TenantId tenant, const std::string& action,
                                             const std::string& record_type, const std::string& record_id);

  // The head of `tenant`'s chain as seen by the caller's transaction or read `c` (seq 0 and the genesis
  // hash when the chain is empty): what a record of the registry captures alongside its own rows.
  static Head head(db::Conn& c, tenants::TenantId tenant);
  // The tenant's entry number `seq`, if it exists.
  std::optional<StoredEntry> entry_at(tenants::TenantId tenant, std::int64_t seq);

  // Validation shared by both record() overloads; exposed for tests.
  static Status validate(const Entry& e);
  // "2026-11-23T19:15:00.123Z": UTC, milliseconds, the form stored in `at` and hashed.
  static std::string format_at(time::TimePoint tp);

 private:
  AuditStore store_;
  db::Database& db_;
  const time::Clock& clock_;
  std::shared_ptr<const ChainKey> key_;
};

}  // namespace sp::audit
