#include "db/sqlite_driver.hpp"

#include <atomic>
#include <mutex>
#include <vector>

#include "db/sqlite_checkpointer.hpp"
#include "db/sqlite_conn.hpp"
#include "db/sqlite_writer.hpp"
#include "db/unavailable.hpp"

namespace sp::db {
namespace {

// Readers are read-only connections kept in a small free list owned by the database (not thread_local):
// whichever thread calls read() borrows one, so nothing outlives the Database and nested reads work.
class SqliteDatabase final : public Database {
  struct ProbeRolledBack {};

 public:
  SqliteDatabase(std::string path, const Options& options)
      : path_(std::move(path)),
        options_(options),
        checkpointer_(std::make_unique<SqliteCheckpointer>(path_, options_)),
        writer_(std::make_unique<SqliteWriter>(
            path_, options_, [cp = checkpointer_.get()](int pages) { cp->wal_grew(pages); })) {}

  ~SqliteDatabase() override { close(); }

  [[nodiscard]] Dialect dialect() const override { return Dialect::sqlite; }

  void read(const std::function<void(Conn&)>& fn) override {
    auto conn = borrow_reader();
    // One snapshot for the whole callback: every query in it sees the same committed state.
    try {
      conn->exec("BEGIN");
      fn(*conn);
      conn->exec("COMMIT");
    } catch (...) {
      if (conn->in_transaction()) {
        try {
          conn->exec("ROLLBACK");
        } catch (...) {
          conn.reset();  // in an unknown state: do not reuse it
        }
      }
      give_back(std::move(conn));
      throw;
    }
    give_back(std::move(conn));
  }

  void write(const std::function<void(Conn&)>& fn) override {
    if (closed_) throw closed_error();
    try {
      writer_->submit(fn);
    } catch (const Unavailable&) {
      refusing_writes_ = true;
      throw;
    }
  }

  bool ping() override {
    try {
      bool ok = false;
      read([&](Conn& c) { ok = c.query_one("SELECT 1").has_value(); });
      if (!ok || !refusing_writes_) return ok;
      // A write failed for want of space or of write access: ready again only once a write that needs a
      // new page would succeed. The probe creates a table (a new root page) and is always rolled back.
      try {
        writer_->submit([](Conn& c) {
          c.exec("CREATE TABLE sp_readyz_probe (x INTEGER)");
          throw ProbeRolledBack{};
        });
      } catch (const ProbeRolledBack&) {
        refusing_writes_ = false;
        return true;
      }
      return false;
    } catch (const std::exception&) {
      return false;
    }
  }

  PoolStats stats() override {
    PoolStats s;
    {
      std::lock_guard lock(readers_mutex_);
      s.connections_total = readers_total_ + 1;  // + the writer
      s.connections_busy = readers_busy_;
    }
    if (!closed_) {
      s.connections_busy += writer_->busy() ? 1 : 0;
      s.writes_committed = writer_->writes_committed();
      s.commits = writer_->commits();
      s.writes_queued = writer_->queued();
      s.checkpoints = checkpointer_->checkpoints();
      s.wal_restarts = checkpointer_->restarts();
    }
    return s;
  }

  void close() override {
    std::lock_guard close_lock(close_mutex_);
    if (closed_.exchange(true)) return;
    writer_->stop();  // finishes what is queued first; SQLite checkpoints the WAL when the last connection
                      // closes
    checkpointer_->stop();
    std::lock_guard lock(readers_mutex_);
    readers_total_ -= static_cast<int>(idle_readers_.size());
    idle_readers_.clear();
  }

 private:
  static DbError closed_error() { return DbError(DbError::Kind::other, "db: database is closed"); }

  std::unique_ptr<SqliteConn> borrow_reader() {
    {
      std::lock_guard lock(readers_mutex_);
      if (closed_) throw closed_error();
      ++readers_busy_;
      if (!idle_readers_.empty()) {
        auto conn = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return conn;
      }
      ++readers_total_;
    }
    try {  // opening takes a while: not under the lock
      return std::make_unique<SqliteConn>(path_, SqliteConn::Mode::read_only, options_);
    } catch (...) {
      std::lock_guard lock(readers_mutex_);
      --readers_total_;
      --readers_busy_;
      throw;
    }
  }

  void give_back(std::unique_ptr<SqliteConn> conn) {
    std::lock_guard lock(readers_mutex_);
    --readers_busy_;
    // Keep at most pool_size idle readers; a burst of concurrent reads does not pin connections forever.
    if (conn && !closed_ && static_cast<int>(idle_readers_.size()) < std::max(1, options_.pool_size)) {
      idle_readers_.push_back(std::move(conn));
    } else {
      --readers_total_;
    }
  }

  std::string path_;
  Options options_;
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
  std::unique_ptr<SqliteWriter> writer_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> refusing_writes_{false};  // a write failed with db::Unavailable; ping() probes
  std::mutex close_mutex_;

  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqliteConn>> idle_readers_;
  int readers_total_ = 0;
  int readers_busy_ = 0;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, const Options& options) {
  return std::make_unique<SqliteDatabase>(path, options);
}

}  // namespace sp::db
