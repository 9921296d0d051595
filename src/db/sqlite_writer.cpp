#include "db/sqlite_writer.hpp"

#include <algorithm>
#include <stdexcept>

namespace sp::db {
namespace {

constexpr const char* kSavepoint = "SAVEPOINT sp_writer_job";
constexpr const char* kRollbackToSavepoint = "ROLLBACK TO sp_writer_job";
constexpr const char* kReleaseSavepoint = "RELEASE sp_writer_job";
// The single writer's page cache: 128 MiB (readers keep SQLite's 2 MB). The writer touches every index a
// write changes; with the default, an import of a million residents re-read its indexes' pages from the
// file for each batch (docs/anagrafe.md, "Performance"). A ceiling, not an allocation: pages are cached
// as they are used.
constexpr const char* kWriterCacheSize = "PRAGMA cache_size=-131072";

}  // namespace

SqliteWriter::SqliteWriter(const std::string& path, const Options& options,
                           std::function<void(int)> on_wal_pages)
    : group_max_(std::max(1, options.group_commit_max)),
      conn_(std::make_unique<SqliteConn>(path, SqliteConn::Mode::read_write, options)),
      on_wal_pages_(std::move(on_wal_pages)) {
  // Replaces SQLite's own auto-checkpoint hook (already off via wal_autocheckpoint=0).
  sqlite3_wal_hook(conn_->handle(), &SqliteWriter::wal_hook, this);
  conn_->exec_script(kWriterCacheSize);
  thread_ = std::thread([this] { loop(); });
}

SqliteWriter::~SqliteWriter() {
  stop();
}

int SqliteWriter::wal_hook(void* self, sqlite3*, const char*, int pages) {
  auto* w = static_cast<SqliteWriter*>(self);
  if (w->on_wal_pages_) w->on_wal_pages_(pages);
  return SQLITE_OK;
}

void SqliteWriter::submit(const std::function<void(Conn&)>& fn) {
  if (std::this_thread::get_id() == thread_.get_id()) {
    // The writer would wait for itself forever.
    throw std::logic_error("db: write() called from inside a write() callback; use the Conn you were given");
  }
  Job job{&fn, {}, nullptr, false};
  auto done = job.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw DbError(DbError::Kind::other, "db: database is closed");
    queue_.push_back(&job);
    queued_.fetch_add(1);
  }
  wake_.notify_one();
  done.get();
}

void SqliteWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  conn_.reset();
}

void SqliteWriter::loop() {
  std::vector<Job*> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued before has been written
      auto n = std::min<std::size_t>(queue_.size(), static_cast<std::size_t>(group_max_));
      group.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queued_.fetch_sub(static_cast<std::int64_t>(n));
    }
    busy_ = true;
    run_group(group);  // clears busy_ before waking the callers
    group.clear();
  }
}

void SqliteWriter::run_group(const std::vector<Job*>& jobs) {
  // Each round either ends the group (committed, or every job failed) or settles at least one job as
  // failed, so this terminates.
  while (!run_round(jobs)) {
  }
  std::int64_t ok = 0;
  for (Job* job : jobs) ok += job->error ? 0 : 1;
  writes_committed_.fetch_add(ok);
  busy_ = false;  // before any caller wakes up and looks at stats()
  // Futures are fulfilled only now, after the COMMIT: a caller never sees its write before it is
  // durable. A Job lives on its caller's stack and may vanish as soon as it is fulfilled: touch it no more.
  for (Job* job : jobs) {
    if (job->error) {
      job->done.set_exception(std::move(job->error));  // no copy left to release here
    } else {
      job->done.set_value();
    }
  }
}

bool SqliteWriter::run_round(const std::vector<Job*>& jobs) {
  std::vector<Job*> pending;
  for (Job* job : jobs) {
    if (!job->finished) pending.push_back(job);
  }
  if (pending.empty()) return true;

  auto fail_all = [&](std::exception_ptr e) {
    if (conn_->in_transaction()) {
      try {
        conn_->exec("ROLLBACK");
      } catch (...) {  // the error being reported matters more
      }
    }
    for (Job* job : pending) {
      if (!job->finished) {
        job->error = e;
        job->finished = true;
      }
    }
    return true;
  };

  try {
    conn_->exec("BEGIN IMMEDIATE");
    std::size_t succeeded = 0;
    for (Job* job : pending) {
      conn_->exec(kSavepoint);
      try {
        (*job->fn)(*conn_);
      } catch (...) {
        job->error = std::current_exception();
      }
      if (!conn_->in_transaction()) {
        // SQLite rolled back the whole transaction (I/O error, disk full, ...): this job is at fault,
        // the ones that ran before it in this round lost their work and run again in a new round.
        if (!job->error) {
          job->error = std::make_exception_ptr(
              DbError(DbError::Kind::other, "sqlite: the transaction was rolled back by the engine"));
        }
        job->finished = true;
        return false;
      }
      if (job->error) {
        conn_->exec(kRollbackToSavepoint);
        conn_->exec(kReleaseSavepoint);
        job->finished = true;
      } else {
        conn_->exec(kReleaseSavepoint);
        ++succeeded;
      }
    }
    if (succeeded == 0) {
      conn_->exec("ROLLBACK");
      return true;
    }
    conn_->exec("COMMIT");
    commits_.fetch_add(1);
    return true;
  } catch (...) {
    return fail_all(std::current_exception());
  }
}

}  // namespace sp::db
