#pragma once
// The job runner: one thread per process that runs every kind of background work from the durable queue
// in the database (the `jobs` table; SQL in store.cpp). How to add a kind: docs/jobs.md.
//
// - A *kind* is registered once with its handler and retry policy. Jobs of a kind are queued by business
//   transactions (jobs::enqueue in the caller's transaction) or, for a *periodic* kind, by the runner's
//   scheduler: once per period (every N minutes, or daily at a Rome wall-clock time) across all nodes,
//   catching up the periods missed while no node ran as the kind declares (schedule.hpp).
// - A runner claims only the kinds it has handlers for, a batch at a time, with a lease; a job whose
//   runner died is claimed again when the lease ends (so handlers must be safe to run again: see below).
// - A handler returns Ok (done), or an error: retried after an exponential backoff, until the kind's
//   max_attempts, then the job is 'dead' and waits for an operator (`sportello jobs retry ID`, or the
//   hub's page /backoffice/lavori). An error the kind calls permanent goes dead at once.
// - Effects and completion commit together: a handler calls run.commit(fn) and `fn`'s writes commit in
//   the same transaction that marks the job done (if the claim was lost meanwhile, both roll back). A
//   handler that calls nothing outside the database is thus exactly-once in its effects. One that calls
//   an outside system first (SMTP, an SMS gateway) is at-least-once there, and sends an idempotency key
//   (the outbox: the message id) so that the other side can drop a repeat.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "jobs/model.hpp"
#include "jobs/schedule.hpp"
#include "jobs/store.hpp"

namespace sp::jobs {

struct RetryPolicy {
  int max_attempts = 5;                    // then 'dead'
  std::chrono::seconds base_backoff{30};   // wait after the first failure; doubles each time
  std::chrono::seconds max_backoff{3600};  // cap
  std::chrono::seconds lease{300};         // a claimed job is claimable again after this
};

class Runner;

// One attempt at one job, handed to the kind's handler.
class JobRun {
 public:
  [[nodiscard]] const Job& job() const { return job_; }
  [[nodiscard]] time::TimePoint now() const { return clock_.now(); }
  // For reads before the work (writes belong in commit()).
  [[nodiscard]] db::Database& db() const { return db_; }
  // Runs `fn` and marks the job done in one write transaction. Throws LostClaim (nothing committed) if
  // another runner took the job over; rethrows what `fn` throws (nothing committed either).
  void commit(const std::function<void(db::Conn&)>& fn);
  [[nodiscard]] bool committed() const { return committed_; }
  // Says the run found nothing to do: when it returns Ok without having committed, its row is deleted
  // instead of marked done (the schedule's own bookkeeping still knows the period ran). For frequent
  // periodic kinds; a run that did something keeps its row like any other.
  void nothing_done() { idle_ = true; }

 private:
  friend class Runner;
  JobRun(db::Database& db, const time::Clock& clock, Job job, std::string token)
      : db_(db), clock_(clock), job_(std::move(job)), token_(std::move(token)) {}
  db::Database& db_;
  const time::Clock& clock_;
  Job job_;
  std::string token_;
  bool committed_ = false;
  bool idle_ = false;
};

// What the runner decided after a failed attempt, for a kind that mirrors it in its own rows.
struct Failed {
  std::string error;
  bool dead = false;                        // no more attempts
  std::optional<time::TimePoint> retry_at;  // when not dead
};

struct Kind {
  std::string name;  // "messaging.send": module.action, no commas
  RetryPolicy retry;
  // The work. Return Ok when done (having called run.commit for the effects, or not: the runner then
  // marks the job done itself), or an error. An exception counts as a transient error.
  std::function<Status(JobRun&)> run;
  // Errors that no retry can mend (a refused recipient): the job goes dead at once. Optional.
  std::function<bool(const Error&)> permanent;
  // Called inside the transaction that records a failure (retry or dead), for kinds that keep a state
  // of their own in step with the job's (the outbox's message rows). Optional.
  std::function<void(db::Conn&, const Job&, const Failed&)> on_failure;
};

struct Periodic {
  Schedule schedule;
  CatchUp catch_up = CatchUp::latest_only;
};

struct RunnerOptions {
  std::chrono::milliseconds poll_interval{1000};  // how often the thread looks for due jobs
  int batch = 20;                                 // jobs per claim
  std::string worker_id;                          // claimed_by and logs; random when empty
};

class Runner {
 public:
  Runner(db::Database& db, const time::Clock& clock = time::system_clock(), RunnerOptions options = {});
  ~Runner();  // stops the thread
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Registers a kind (before start()). The Kind's functions must outlive the runner's use of them.
  void add(Kind kind);
  // Registers a periodic kind: its jobs are queued by the scheduler, one per period (unique_key = the
  // period's key, payload empty, tenant 0).
  void add_periodic(Kind kind, Periodic periodic);

  // Starts / stops the background thread, which schedules, claims and runs in a loop (at once after
  // start, then every poll_interval or when notified). stop() waits for the job in hand.
  void start();
  void stop();
  // Wakes the thread now (after queuing something urgent).
  void notify();

  // Queues the due periods of every periodic kind (each in its own short transaction). Returns how many
  // jobs were queued.
  int schedule_due();
  // One round on the calling thread: schedule_due(), then claims one batch and runs it. Returns the number
  // of jobs claimed. What the thread does in a loop; tests call it directly for determinism.
  int run_once();
  // run_once() until nothing is due (bounded by `max_rounds`); returns the jobs claimed in all.
  int run_until_idle(int max_rounds = 1000);

  [[nodiscard]] const std::string& worker_id() const { return options_.worker_id; }

 private:
  void loop();
  void run_job(const Kind& kind, Job job, const std::string& token);

  db::Database& db_;
  const time::Clock& clock_;
  RunnerOptions options_;
  std::map<std::string, Kind, std::less<>> kinds_;
  std::map<std::string, Periodic, std::less<>> periodic_;
  std::map<std::string, std::string, std::less<>> scheduled_;  // kind → last period this runner saw queued
  std::vector<std::string> kind_names_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
};

// The runner's own housekeeping: a periodic kind "jobs.prune" (daily at 03:30 Rome, latest period only)
// deleting done jobs finished more than `keep` ago. Periodic jobs are safe to delete: the scheduler's
// cursor (job_schedules), not the done rows, says which periods were queued.
void add_pruning(Runner& runner, std::chrono::hours keep = std::chrono::hours(24 * 30));

}  // namespace sp::jobs
