#include "jobs/runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "core/ids.hpp"

namespace sp::jobs {

void JobRun::commit(const std::function<void(db::Conn&)>& fn) {
  db_.write([&](db::Conn& tx) {
    fn(tx);
    mark_done(tx, job_.id, token_, clock_.now());
  });
  committed_ = true;
}

Runner::Runner(db::Database& db, const time::Clock& clock, RunnerOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {
  if (options_.worker_id.empty()) options_.worker_id = ids::request_id(4);
  options_.batch = std::max(1, options_.batch);
}

Runner::~Runner() {
  stop();
}

void Runner::add(Kind kind) {
  if (kind.name.empty() || kind.name.find(',') != std::string::npos || !kind.run)
    throw std::logic_error("jobs::Runner::add: a kind needs a name without commas and a handler");
  kind.retry.max_attempts = std::max(1, kind.retry.max_attempts);
  if (!kinds_.contains(kind.name)) kind_names_.push_back(kind.name);
  kinds_[kind.name] = std::move(kind);
}

void Runner::add_periodic(Kind kind, Periodic periodic) {
  const std::string name = kind.name;
  add(std::move(kind));
  periodic_[name] = periodic;
}

void Runner::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Runner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Runner::notify() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Runner::loop() {
  for (;;) {
    int claimed = 0;
    try {
      claimed = run_once();
    } catch (const std::exception& e) {  // the database went away: the next round tries again
      spdlog::warn("job runner {}: {}", options_.worker_id, e.what());
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (claimed >= options_.batch) continue;  // more may be due: go on at once
    cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

int Runner::schedule_due() {
  int queued = 0;
  const auto now = clock_.now();
  for (const auto& [name, periodic] : periodic_) {
    const Period latest = latest_due(periodic.schedule, now);
    // Most rounds find the current period queued already: skip the write transaction then.
    if (auto it = scheduled_.find(name); it != scheduled_.end() && it->second == latest.key) continue;
    int here = 0;
    db_.write([&](db::Conn& tx) {
      here = 0;  // the writer may run the callback again after a conflict
      const std::string last = lock_schedule(tx, name, now);
      const auto periods = periods_to_queue(periodic.schedule, periodic.catch_up, last, now);
      for (const auto& p : periods) {
        auto id = enqueue(tx, NewJob{name, 0, "", p.key, p.due}, now);
        if (id && *id) ++here;
      }
      if (!periods.empty()) set_schedule(tx, name, periods.back().key, now);
    });
    queued += here;
    scheduled_[name] = latest.key;
  }
  return queued;
}

int Runner::run_once() {
  schedule_due();
  if (kind_names_.empty()) return 0;
  const auto now = clock_.now();
  // Each kind's jobs are claimed with that kind's own lease, shortest first: one long kind (an export's
  // hour) must not make the messages a crashed node had claimed wait as long before another node takes
  // them over.
  std::map<std::chrono::seconds, std::vector<std::string>> by_lease;
  for (const auto& [name, k] : kinds_) by_lease[k.retry.lease].push_back(name);
  std::vector<std::pair<Job, std::string>> batch;  // each job with its claim's token
  for (const auto& [lease, names] : by_lease) {
    const int room = options_.batch - static_cast<int>(batch.size());
    if (room <= 0) break;
    Claim c{names, options_.worker_id, ids::random_token(16), now, now + lease, room};
    db_.write([&](db::Conn& tx) {
      for (auto& job : claim(tx, c)) batch.emplace_back(std::move(job), c.token);
    });
  }
  for (auto& [job, token] : batch) {
    const auto& kind = kinds_.at(job.kind);
    run_job(kind, std::move(job), token);
  }
  return static_cast<int>(batch.size());
}

int Runner::run_until_idle(int max_rounds) {
  int total = 0;
  for (int i = 0; i < max_rounds; ++i) {
    const int n = run_once();
    if (n == 0) break;
    total += n;
  }
  return total;
}

void Runner::run_job(const Kind& kind, Job job, const std::string& token) {
  JobRun run(db_, clock_, job, token);
  Status result = Ok{};
  if (job.attempts > kind.retry.max_attempts) {
    // Claimed again and again without an outcome: each runner holding it died (or hung past the lease).
    result = Error::make("jobs.lease_expired", 500,
                         "no outcome after " + std::to_string(job.attempts - 1) + " claim(s)");
  } else {
    try {
      result = kind.run(run);
    } catch (const LostClaim& e) {
      spdlog::warn("job runner {}: {} ({})", options_.worker_id, e.what(), job.kind);
      return;
    } catch (const std::exception& e) {
      result = Error::make("jobs.exception", 500, e.what());
    }
  }
  try {
    if (result.ok()) {
      if (run.committed()) return;
      if (run.idle_) {
        db_.write([&](db::Conn& tx) { forget_idle(tx, run.job_.id, run.token_); });
        return;
      }
      run.commit([](db::Conn&) {});
      return;
    }
    const auto& err = result.error();
    Failed f;
    f.error = err.code + (err.detail.empty() ? "" : ": " + err.detail);
    f.dead = job.attempts >= kind.retry.max_attempts || err.code == "jobs.lease_expired" ||
             (kind.permanent && kind.permanent(err));
    const auto now = clock_.now();
    if (!f.dead)
      f.retry_at = now + backoff_after(job.attempts, kind.retry.base_backoff, kind.retry.max_backoff);
    db_.write([&](db::Conn& tx) {
      if (f.dead) {
        mark_dead(tx, job.id, token, now, f.error);
      } else {
        mark_retry(tx, job.id, token, *f.retry_at, f.error);
      }
      if (kind.on_failure) kind.on_failure(tx, job, f);
    });
    if (f.dead) {
      spdlog::warn("job {} ({}) is dead after {} attempt(s): {}", job.id, job.kind, job.attempts, f.error);
    } else {
      spdlog::info("job {} ({}) attempt {} failed, retried at {}: {}", job.id, job.kind, job.attempts,
                   time::format_iso_utc(*f.retry_at), f.error);
    }
  } catch (const LostClaim& e) {
    spdlog::warn("job runner {}: {} ({})", options_.worker_id, e.what(), job.kind);
  }
}

void add_pruning(Runner& runner, std::chrono::hours keep) {
  Kind k;
  k.name = "jobs.prune";
  k.run = [keep](JobRun& run) -> Status {
    std::int64_t n = 0;
    run.commit([&](db::Conn& tx) { n = prune_done(tx, run.now() - keep); });
    if (n > 0) spdlog::info("jobs.prune: deleted {} done job(s)", n);
    return Ok{};
  };
  runner.add_periodic(std::move(k), Periodic{DailyAt{std::chrono::hours(3) + std::chrono::minutes(30)},
                                             CatchUp::latest_only});
}

}  // namespace sp::jobs
