#include "jobs/store.hpp"

#include <algorithm>
#include <tuple>

namespace sp::jobs {
namespace {

constexpr const char* kColumns =
    "id, kind, tenant_id, payload, unique_key, state, run_at, attempts, claimed_by, lease_until, last_error, "
    "created_at, finished_at";

// $1 kind, $2 tenant, $3 payload, $4 unique key (or NULL), $5 run_at, $6 now.
constexpr const char* kInsert =
    "INSERT INTO jobs (kind, tenant_id, payload, unique_key, state, run_at, attempts, created_at) "
    "VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6) ON CONFLICT (kind, unique_key) DO NOTHING RETURNING id";

// $1 now, $2 lease end, $3 owner, $4 claim token, $5 kinds (comma-separated), $6 limit.
// The kinds travel as one text parameter so that the statement's text (and its prepared plan) is the
// same whatever kinds a runner handles.
constexpr const char* kClaimPostgres =
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_by = $3, claim_token = $4, "
    "lease_until = $2 WHERE id IN (SELECT id FROM jobs WHERE "
    "((state = 'queued' AND run_at <= $1) OR (state = 'running' AND lease_until <= $1)) "
    "AND kind = ANY (string_to_array($5, ',')) ORDER BY run_at, id LIMIT $6 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, kind, tenant_id, payload, unique_key, state, run_at, attempts, claimed_by, lease_until, "
    "last_error, created_at, finished_at";
constexpr const char* kClaimSqlite =
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_by = $3, claim_token = $4, "
    "lease_until = $2 WHERE id IN (SELECT id FROM jobs WHERE "
    "((state = 'queued' AND run_at <= $1) OR (state = 'running' AND lease_until <= $1)) "
    "AND instr(',' || $5 || ',', ',' || kind || ',') > 0 ORDER BY run_at, id LIMIT $6) "
    "RETURNING id, kind, tenant_id, payload, unique_key, state, run_at, attempts, claimed_by, lease_until, "
    "last_error, created_at, finished_at";

constexpr const char* kDone =
    "UPDATE jobs SET state = 'done', finished_at = $3, lease_until = NULL, claim_token = NULL, "
    "last_error = NULL WHERE id = $1 AND claim_token = $2 AND state = 'running'";
constexpr const char* kForgetIdle =
    "DELETE FROM jobs WHERE id = $1 AND claim_token = $2 AND state = 'running'";
constexpr const char* kRetry =
    "UPDATE jobs SET state = 'queued', run_at = $3, last_error = $4, lease_until = NULL, claim_token = NULL "
    "WHERE id = $1 AND claim_token = $2 AND state = 'running'";
constexpr const char* kDead =
    "UPDATE jobs SET state = 'dead', finished_at = $3, last_error = $4, lease_until = NULL, "
    "claim_token = NULL WHERE id = $1 AND claim_token = $2 AND state = 'running'";

const std::string kById = std::string("SELECT ") + kColumns + " FROM jobs WHERE id = $1";
// $1 state or NULL, $2 kind or NULL, $3 tenant or NULL, $4 limit.
const std::string kList = std::string("SELECT ") + kColumns +
                          " FROM jobs WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR kind = $2) "
                          "AND ($3 IS NULL OR tenant_id = $3) ORDER BY id DESC LIMIT $4";
// PostgreSQL must know the parameters' types when they are only compared with NULL.
const std::string kListPostgres =
    std::string("SELECT ") + kColumns +
    " FROM jobs WHERE ($1::text IS NULL OR state = $1::text) AND ($2::text IS NULL OR kind = $2::text) "
    "AND ($3::bigint IS NULL OR tenant_id = $3::bigint) ORDER BY id DESC LIMIT $4";

constexpr const char* kRetryDead =
    "UPDATE jobs SET state = 'queued', run_at = $2, attempts = 0, last_error = NULL, finished_at = NULL, "
    "claim_token = NULL, lease_until = NULL WHERE id = $1 AND state = 'dead'";

constexpr const char* kRequeueDead =
    "UPDATE jobs SET state = 'queued', run_at = $3, attempts = 0, last_error = NULL, finished_at = NULL, "
    "claim_token = NULL, lease_until = NULL WHERE kind = $1 AND unique_key = $2 AND state = 'dead'";

constexpr const char* kScheduleInsert =
    "INSERT INTO job_schedules (kind, last_period, updated_at) VALUES ($1, '', $2) "
    "ON CONFLICT (kind) DO NOTHING";
constexpr const char* kScheduleLockPostgres =
    "SELECT last_period FROM job_schedules WHERE kind = $1 FOR UPDATE";
constexpr const char* kScheduleLockSqlite = "SELECT last_period FROM job_schedules WHERE kind = $1";
constexpr const char* kScheduleSet =
    "UPDATE job_schedules SET last_period = $2, updated_at = $3 WHERE kind = $1";

constexpr const char* kPrune = "DELETE FROM jobs WHERE state = 'done' AND finished_at < $1";

std::string iso(time::TimePoint t) {
  return time::format_iso_utc(t);
}

Job from_row(const db::Row& r) {
  Job j;
  j.id = r.i64(0);
  j.kind = r.text(1);
  j.tenant_id = r.i64(2);
  j.payload = r.text(3);
  j.unique_key = r.text(4);
  j.state = parse_state(r.text(5)).value_or(State::queued);
  j.run_at = r.text(6);
  j.attempts = static_cast<int>(r.i64(7));
  j.claimed_by = r.text(8);
  j.lease_until = r.text(9);
  j.last_error = r.text(10);
  j.created_at = r.text(11);
  j.finished_at = r.text(12);
  return j;
}

void require_claim(std::int64_t changed, JobId id) {
  if (changed != 1) throw LostClaim(id);
}

std::string clip(std::string s) {
  if (s.size() > 1000) s.resize(1000);
  return s;
}

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::queued:
      return "queued";
    case State::running:
      return "running";
    case State::done:
      return "done";
    case State::dead:
      return "dead";
  }
  return "queued";
}

std::optional<State> parse_state(std::string_view s) {
  for (auto st : {State::queued, State::running, State::done, State::dead})
    if (s == to_string(st)) return st;
  return std::nullopt;
}

Result<std::optional<JobId>> enqueue(db::Conn& tx, const NewJob& j, time::TimePoint now) {
  if (j.kind.empty() || j.kind.find(',') != std::string::npos) return Error::make("jobs.kind", 400, j.kind);
  auto row = tx.query_one(kInsert, {j.kind, std::int64_t{j.tenant_id}, j.payload,
                                    db::text_or_null(j.unique_key), iso(j.run_at.value_or(now)), iso(now)});
  if (!row) return std::optional<JobId>{};
  return std::optional<JobId>{row->i64(0)};
}

std::vector<Job> claim(db::Conn& tx, const Claim& c) {
  std::string kinds;
  for (const auto& k : c.kinds) kinds += (kinds.empty() ? "" : ",") + k;
  if (kinds.empty()) return {};
  const char* sql = tx.dialect() == db::Dialect::postgres ? kClaimPostgres : kClaimSqlite;
  std::vector<Job> out;
  for (const auto& r : tx.query(sql, {iso(c.now), iso(c.lease_until), c.owner, c.token, kinds,
                                      std::int64_t{std::max(1, c.limit)}})) {
    out.push_back(from_row(r));
  }
  // RETURNING gives no order: run the oldest first.
  std::sort(out.begin(), out.end(),
            [](const Job& a, const Job& b) { return std::tie(a.run_at, a.id) < std::tie(b.run_at, b.id); });
  return out;
}

void mark_done(db::Conn& tx, JobId id, const std::string& token, time::TimePoint now) {
  require_claim(tx.exec(kDone, {id, token, iso(now)}), id);
}

void forget_idle(db::Conn& tx, JobId id, const std::string& token) {
  require_claim(tx.exec(kForgetIdle, {id, token}), id);
}

void mark_retry(db::Conn& tx, JobId id, const std::string& token, time::TimePoint run_at,
                const std::string& error) {
  require_claim(tx.exec(kRetry, {id, token, iso(run_at), clip(error)}), id);
}

void mark_dead(db::Conn& tx, JobId id, const std::string& token, time::TimePoint now,
               const std::string& error) {
  require_claim(tx.exec(kDead, {id, token, iso(now), clip(error)}), id);
}

std::vector<Job> list(db::Database& db, const ListQuery& q) {
  db::Params p{q.state ? db::Value{std::string(to_string(*q.state))} : db::Value{nullptr},
               db::text_or_null(q.kind), db::int_or_null(q.tenant),
               std::int64_t{std::clamp(q.limit, 1, 1000)}};
  return db::read_all(db, db.dialect() == db::Dialect::postgres ? kListPostgres : kList, p, from_row);
}

std::optional<Job> find(db::Database& db, JobId id) {
  return db::read_one(db, kById, {id}, from_row);
}

bool requeue_dead(db::Conn& tx, const std::string& kind, const std::string& unique_key, time::TimePoint now) {
  return tx.exec(kRequeueDead, {kind, unique_key, iso(now)}) > 0;
}

Result<Job> retry(db::Conn& tx, JobId id, time::TimePoint now) {
  auto row = tx.query_one(kById, {id});
  if (!row) return Error::not_found("job " + std::to_string(id));
  if (tx.exec(kRetryDead, {id, iso(now)}) != 1) return Error::make("jobs.not_dead", 409, std::to_string(id));
  return from_row(*tx.query_one(kById, {id}));
}

Result<Job> retry(db::Database& db, JobId id, time::TimePoint now) {
  return db::transact(db, [&](db::Conn& tx) -> Result<Job> { return retry(tx, id, now); });
}

std::string lock_schedule(db::Conn& tx, const std::string& kind, time::TimePoint now) {
  tx.exec(kScheduleInsert, {kind, iso(now)});
  auto row = tx.query_one(tx.dialect() == db::Dialect::postgres ? kScheduleLockPostgres : kScheduleLockSqlite,
                          {kind});
  return row ? row->text(0) : std::string();
}

void set_schedule(db::Conn& tx, const std::string& kind, const std::string& last_period,
                  time::TimePoint now) {
  tx.exec(kScheduleSet, {kind, last_period, iso(now)});
}

std::int64_t prune_done(db::Conn& tx, time::TimePoint before) {
  return tx.exec(kPrune, {iso(before)});
}

}  // namespace sp::jobs
