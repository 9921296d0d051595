#pragma once
// Retention of the personal data that is not a legal record (docs/privacy.md, "Retention"): how long
// each kind is kept (data/privacy/retention.json, days, with the defaults below), and the purge that
// deletes what is older. The purge never touches protocol, albo, payments, audit, cases, stamps,
// certificates or self-declarations: its statements (privacy/store.cpp, store::purge) name only the tables
// it is about, and tests/integration/export proves the legal records are all still there after a purge.
// (The SPID/CIE message log has its own purge at 24 months, oidc.log_purge; done jobs jobs.prune.)
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::jobs {
class Runner;
}

namespace sp::privacy {

struct Retention {
  std::int64_t drafts_days = 180;             // open application drafts not saved since
  std::int64_t sessions_days = 30;            // sign-in sessions after they ended; sign-ins never finished
  std::int64_t messages_days = 730;           // messages in a final delivery state, and their attempts
  std::int64_t verifications_days = 30;       // contact verification codes after they expired
  std::int64_t register_history_days = 3650;  // register mirror versions superseded for longer than this
  std::int64_t tickets_days = 730;            // help-desk tickets once closed (no ticket module yet)
};

// Reads `file` (JSON object of the fields above); absent fields keep their default. Error
// privacy.retention (the field, and why: not a number, or below its minimum).
Result<Retention> load_retention(const std::string& file);

class Purger {
 public:
  Purger(db::Database& db, audit::AuditService& audit, Retention retention)
      : db_(db), audit_(audit), retention_(retention) {}
  // Deletes what is past its retention at `now`, in one transaction, with an audit entry on the hub's
  // chain (privacy.purge, the counts per table). Returns the counts.
  std::map<std::string, std::int64_t> purge(db::Conn& tx, time::TimePoint now);
  std::map<std::string, std::int64_t> purge(time::TimePoint now);
  [[nodiscard]] const Retention& retention() const { return retention_; }

 private:
  db::Database& db_;
  audit::AuditService& audit_;
  Retention retention_;
};

// The daily job privacy.purge (04:10 Rome, latest period only; docs/jobs.md).
void register_purge_job(jobs::Runner& runner, Purger& purger);

}  // namespace sp::privacy
