#pragma once
// WAL checkpoints off the request path (DESIGN.md: a committing writer that checkpoints showed p99
// spikes of 60-250 ms). Auto-checkpointing is off on the write connection; this thread, with its own
// connection, runs PRAGMA wal_checkpoint(PASSIVE) soon after the WAL passes a size threshold and
// otherwise every interval while there are new commits. PASSIVE never blocks readers or the writer.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "db/sqlite_conn.hpp"

namespace sp::db {

class SqliteCheckpointer {
 public:
  SqliteCheckpointer(const std::string& path, const Options& options);
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Called by the writer after each commit (from its WAL hook): cheap, never blocks on a checkpoint.
  void wal_grew(int pages);
  void stop();
  [[nodiscard]] std::int64_t checkpoints() const { return checkpoints_.load(); }
  [[nodiscard]] std::int64_t restarts() const { return restarts_.load(); }

  static constexpr int kThresholdPages = 1000;  // SQLite's own default auto-checkpoint size

  static constexpr std::chrono::milliseconds kInterval{1000};

 private:
  void loop();

  std::unique_ptr<SqliteConn> conn_;
  int restart_frames_;  // Options::wal_restart_frames (default 1 GiB of 4 KiB pages)
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool dirty_ = false;   // commits since the last checkpoint
  bool urgent_ = false;  // the WAL passed the threshold
  std::atomic<std::int64_t> checkpoints_{0};
  std::atomic<std::int64_t> restarts_{0};
  std::thread thread_;
};

}  // namespace sp::db
