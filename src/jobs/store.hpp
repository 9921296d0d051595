#pragma once
// The jobs table: every SQL statement of the job runner, the scheduler and the operator commands.
// Claims take FOR UPDATE SKIP LOCKED on PostgreSQL (runners on several nodes never take the same row and
// never wait for each other); on SQLite every write goes through the single writer, which serialises
// claims. A claim bumps `attempts`, sets a fresh claim token and a lease; every later change to the row
// names that token, so a runner whose lease ran out and was taken over changes nothing (its transaction
// is rolled back: see LostClaim).
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "db/database.hpp"
#include "jobs/model.hpp"

namespace sp::jobs {

// Thrown inside a write transaction when the job's claim is no longer ours (the lease ran out and
// another runner took the job): the transaction, with the job's effects, is rolled back.
struct LostClaim : std::runtime_error {
  explicit LostClaim(JobId id) : std::runtime_error("job " + std::to_string(id) + ": claim lost") {}
};

// Queues `j` in the caller's transaction. Returns the new id, or nullopt when a job with the same
// (kind, unique_key) exists already. Errors: jobs.kind (empty kind).
Result<std::optional<JobId>> enqueue(db::Conn& tx, const NewJob& j, time::TimePoint now);

struct Claim {
  std::vector<std::string> kinds;  // only these kinds (a runner claims what it can run)
  std::string owner;               // the runner's name, kept in claimed_by
  std::string token;               // fresh per claim
  time::TimePoint now;
  time::TimePoint lease_until;
  int limit = 20;
};
// Claims up to `limit` due jobs: queued ones whose run_at has come and running ones whose lease ended.
// Oldest first.
std::vector<Job> claim(db::Conn& tx, const Claim& c);

// Outcomes, each only while `token` is still the job's claim (else LostClaim is thrown).
void mark_done(db::Conn& tx, JobId id, const std::string& token, time::TimePoint now);
// A claimed run that found nothing to do leaves no row (a periodic kind that mostly idles, like the
// albo's minute tick, would otherwise add a done row per run: ~1,440 a day until pruning).
void forget_idle(db::Conn& tx, JobId id, const std::string& token);
void mark_retry(db::Conn& tx, JobId id, const std::string& token, time::TimePoint run_at,
                const std::string& error);
void mark_dead(db::Conn& tx, JobId id, const std::string& token, time::TimePoint now,
               const std::string& error);

struct ListQuery {
  std::optional<State> state;
  std::string kind;                    // empty: any
  std::optional<std::int64_t> tenant;  // nullopt: any body (the hub's operators)
  int limit = 100;                     // clamped to 1..1000; newest first
};
std::vector<Job> list(db::Database& db, const ListQuery& q);
std::optional<Job> find(db::Database& db, JobId id);

// An operator's retry of a dead job: queued again, due now, attempts from zero. Errors: not_found (no
// such job), jobs.not_dead (409: only a dead job can be retried; a queued or running one will run anyway).
Result<Job> retry(db::Database& db, JobId id, time::TimePoint now);
// The same inside the caller's transaction (the jobs page records its audit entry in it: a retry is never
// made without its entry, nor the entry without the retry).
Result<Job> retry(db::Conn& tx, JobId id, time::TimePoint now);
// The same inside the caller's transaction, for the dead job of (kind, unique_key): a module retrying
// its own record together with its job (the outbox's retry of a dead message). False: no such dead job.
bool requeue_dead(db::Conn& tx, const std::string& kind, const std::string& unique_key, time::TimePoint now);

// The scheduler's cursor for a periodic kind, read for update (PostgreSQL: the row is locked until the
// transaction ends, so a second node waits and then sees the advanced cursor). Empty when never set.
std::string lock_schedule(db::Conn& tx, const std::string& kind, time::TimePoint now);
void set_schedule(db::Conn& tx, const std::string& kind, const std::string& last_period, time::TimePoint now);

// Deletes done jobs finished before `before`. Returns how many.
std::int64_t prune_done(db::Conn& tx, time::TimePoint before);

}  // namespace sp::jobs
