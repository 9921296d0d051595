#pragma once
// Retention of the personal data that is not a legal record (docs/privacy.md, "Retention"): how long
// each kind is kept (data/privacy/retention.json, days, with the defaults below), and the purge that
// deletes what is older. The purge never touches protocol, albo, payments, audit, cases, stamps,
// certificates or self-declarations: its statements (privacy/store.cpp, store::purge) name only the tables
// it is about, and tests/integration/export proves the legal records are all still there after a purge.
// (The SPID/CIE message log has its own purge at 24 months, oidc.log_purge; done jobs jobs.prune.)
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"

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
  // The longest period a body may choose for its own data (docs/privacy.md, "A body's own periods"):
  // "<field>_max" in the file. The shortest is the legal minimum below (kMin*), never less.
  std::int64_t drafts_max_days = 730;
  std::int64_t messages_max_days = 3650;
  std::int64_t register_history_max_days = 7300;
};

// The least each period may be, for the hub's file and for a body's own choice.
inline constexpr std::int64_t kMinDraftsDays = 1;
inline constexpr std::int64_t kMinMessagesDays = 30;
inline constexpr std::int64_t kMinRegisterHistoryDays = 365;

// A body's own periods for its own data (body_retention): drafts, messages, register-mirror history; an
// empty one follows the hub's. Sessions and contact verifications are the hub's (a person's session
// spans bodies); protocol, albo, payments and audit are legal records no period ever touches.
struct BodyRetention {
  std::optional<std::int64_t> drafts_days;
  std::optional<std::int64_t> messages_days;
  std::optional<std::int64_t> register_history_days;
  std::string updated_at;
  std::string updated_by;
};

// What the body's administrators read and set (/backoffice/{slug}/registro-trattamenti). Errors:
// forbidden (403), privacy.retention_days (400, field the period's, detail "min–max").
class BodyRetentionService {
 public:
  BodyRetentionService(db::Database& db, audit::AuditService& audit, const time::Clock& clock, Retention hub)
      : db_(db), audit_(audit), clock_(clock), hub_(hub) {}
  [[nodiscard]] const Retention& hub() const { return hub_; }
  BodyRetention get(std::int64_t tenant);
  // `typed`: the three periods as typed (drafts_days, messages_days, register_history_days); empty: the
  // hub's. Audited on the body's chain (privacy.retention_set, before and after).
  Status save(const identity::Principal* who, std::int64_t tenant,
              const std::map<std::string, std::string>& typed);

 private:
  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  Retention hub_;
};

// Reads `file` (JSON object of the fields above); absent fields keep their default. Error
// privacy.retention (the field, and why: not a number, or below its minimum).
Result<Retention> load_retention(const std::string& file);

class Purger {
 public:
  Purger(db::Database& db, audit::AuditService& audit, Retention retention)
      : db_(db), audit_(audit), retention_(retention) {}
  // Deletes what is past its retention at `now`, in one transaction, with an audit entry on the hub's
  // chain (privacy.purge, the counts per table). A body's own periods (body_retention) apply to its
  // drafts, messages and register history; the hub's to every other body's. Returns the counts.
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
