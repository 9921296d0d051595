#pragma once
// Audit rules: appending to a tenant's hash chain (inside the caller's transaction, so an action and
// its trace commit together or not at all), walking the chains to find the first broken link, and the
// queries behind a body's audit page and a citizen's "who accessed my data".
#include <string>
#include <vector>

#include "audit/model.hpp"
#include "audit/store.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::audit {

class AuditService {
 public:
  explicit AuditService(db::Database& db, const time::Clock& clock = time::system_clock())
      : store_(db), db_(db), clock_(clock) {}

  // Appends `e` to its tenant's chain inside the caller's write transaction `tx`: if the transaction
  // rolls back, so does the entry. Errors (nothing written): audit.tenant, audit.actor, audit.action,
  // audit.details. Database failures throw db::DbError, which aborts the caller's transaction too.
  Result<Appended> record(db::Conn& tx, const Entry& e);
  // The same in a write transaction of its own.
  Result<Appended> record(const Entry& e);
  // record(tx, e) for changes that must not happen without their audit entry: a refused entry throws
  // std::runtime_error, which rolls the caller's transaction back.
  void record_or_throw(db::Conn& tx, const Entry& e);

  // Walks one tenant's chain in seq order: recomputes each hash, checks the prev_hash links and that
  // seq runs 1, 2, 3... without gaps. Reports the first broken link. An empty chain is intact.
  ChainReport verify(tenants::TenantId tenant);
  // verify() for every tenant that has entries, ascending by tenant id.
  std::vector<ChainReport> verify_all();

  // The tenant's entries matching `q`, newest first. `tenant` comes from the request context.
  Page entries(tenants::TenantId tenant, const Query& q);
  // Reads of a person's data across all bodies (entries on their behalf or about their person record
  // whose action is a read), newest first: the citizen's "who accessed my data".
  std::vector<StoredEntry> accesses_to_person(const std::string& fiscal_code, int limit = 200);

  // Validation shared by both record() overloads; exposed for tests.
  static Status validate(const Entry& e);
  // "2026-11-23T19:15:00.123Z": UTC, milliseconds, the form stored in `at` and hashed.
  static std::string format_at(time::TimePoint tp);

 private:
  AuditStore store_;
  db::Database& db_;
  const time::Clock& clock_;
};

}  // namespace sp::audit
