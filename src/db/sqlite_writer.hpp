#pragma once
// The single SQLite writer (DESIGN.md, "Writes on SQLite"). One thread owns the write connection;
// callers enqueue a transaction body and block until it is durable. The thread takes up to
// Options::group_commit_max queued bodies at a time and commits them together: one BEGIN IMMEDIATE, each
// body in its own SAVEPOINT (a body that throws is rolled back alone and its exception goes to its
// caller), one COMMIT, so one fsync for the whole group.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "db/sqlite_conn.hpp"

namespace sp::db {

class SqliteWriter {
 public:
  // `on_wal_pages` is called on the writer thread after each commit with the WAL size in pages.
  SqliteWriter(const std::string& path, const Options& options, std::function<void(int)> on_wal_pages);
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  // Runs `fn` in the next group and returns once it is committed; rethrows what `fn` threw.
  void submit(const std::function<void(Conn&)>& fn);
  // Finishes the queued work, then stops the thread and closes the connection. Idempotent.
  void stop();

  [[nodiscard]] std::int64_t writes_committed() const { return writes_committed_.load(); }
  [[nodiscard]] std::int64_t commits() const { return commits_.load(); }
  [[nodiscard]] std::int64_t queued() const { return queued_.load(); }
  [[nodiscard]] bool busy() const { return busy_.load(); }

 private:
  struct Job {
    const std::function<void(Conn&)>* fn;
    std::promise<void> done;
    std::exception_ptr error;
    bool finished = false;  // failed for good (committed jobs are settled after the COMMIT)
  };

  void loop();
  void run_group(const std::vector<Job*>& jobs);
  bool run_round(const std::vector<Job*>& jobs);
  static int wal_hook(void* self, sqlite3* db, const char* name, int pages);

  int group_max_;
  std::unique_ptr<SqliteConn> conn_;
  std::function<void(int)> on_wal_pages_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<std::int64_t> writes_committed_{0};
  std::atomic<std::int64_t> commits_{0};
  std::atomic<std::int64_t> queued_{0};
  std::atomic<bool> busy_{false};
};

}  // namespace sp::db
