#include "db/postgres_driver.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "db/pg_conn.hpp"
#include "db/unavailable.hpp"

namespace sp::db {
namespace {

// How long a caller waits for a free connection before giving up with Kind::busy. Long enough for
// any burst; short enough that a leak or a nested read-inside-read deadlock shows up as an error.
constexpr std::chrono::seconds kPoolWait{30};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, const Options& options)
      : url_(std::move(url)), max_(std::max(1, options.pool_size)) {}

  ~PostgresDatabase() override { close(); }

  [[nodiscard]] Dialect dialect() const override { return Dialect::postgres; }

  // Statements run in autocommit (each sees the latest committed state); callers needing one snapshot
  // over several queries can issue BEGIN ISOLATION LEVEL REPEATABLE READ themselves.
  void read(const std::function<void(Conn&)>& fn) override {
    Lease lease(*this);
    try {
      fn(*lease.conn);
    } catch (const DbError& e) {
      if (e.kind == DbError::Kind::connection) lease.degrade();
      throw;
    }
  }
  // Read-only sessions and recovery. After a failover the old connections fail (Kind::connection) and
  // are dropped; a connection that lands on a standby, or on a database set default_transaction_read_only,
  // fails its first write with db::Unavailable. From then on the pool is degraded: every idle
  // connection is dropped and none is pooled again (each was opened read-only), until a connection
  // opened since accepts a write or ping() finds it writable.
  void write(const std::function<void(Conn&)>& fn) override {
    // Same rule as the SQLite writer: a nested write() would be a second transaction that can wait on
    // the first one's locks forever.
    if (writing_here == this) {
      throw std::logic_error(
          "db: write() called from inside a write() callback; use the Conn you were given");
    }
    WritingHere mark(this);
    Lease lease(*this);
    PgConn& c = *lease.conn;
    try {
      c.begin();  // sent with the first statement, in the same round trip
      fn(c);
      // A statement that failed inside fn (and was caught there) aborted the transaction; COMMIT then
      // quietly rolls back. Never report that as success.
      if (c.commit() != "COMMIT") {
        throw DbError(DbError::Kind::other,
                      "postgres: transaction rolled back: a statement in it failed (use ON CONFLICT or a "
                      "savepoint to continue after an expected error)");
      }
    } catch (const DbError& e) {
      if (e.kind == DbError::Kind::connection) lease.degrade();  // db::Unavailable included
      rollback_quietly(c);
      throw;
    } catch (...) {
      rollback_quietly(c);
      throw;
    }
    writes_committed_.fetch_add(1);
    if (lease.opened_degraded) degraded_ = false;
  }

  bool ping() override {
    try {
      Lease lease(*this);
      try {
        auto row = lease.conn->query_one(
            "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'");
        if (!row || row->boolean(0)) {
          lease.degrade();
          return false;
        }
      } catch (const DbError& e) {
        if (e.kind == DbError::Kind::connection) lease.degrade();
        return false;
      }
      if (lease.opened_degraded) degraded_ = false;
      return true;
    } catch (const std::exception&) {
      return false;  // no connection to be had
    }
  }

  PoolStats stats() override {
    PoolStats s;
    std::lock_guard lock(mutex_);
    s.connections_total = total_;
    s.connections_busy = total_ - static_cast<int>(idle_.size());
    s.writes_committed = s.commits = writes_committed_.load();
    return s;
  }

  void close() override {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    total_ -= static_cast<int>(idle_.size());
    idle_.clear();
    freed_.notify_all();
  }

 private:
  static thread_local const PostgresDatabase* writing_here;
  struct WritingHere {
    explicit WritingHere(const PostgresDatabase* db) { writing_here = db; }
    ~WritingHere() { writing_here = nullptr; }
  };

  // A connection borrowed from the pool for one read() or write().
  struct Lease {
    explicit Lease(PostgresDatabase& db) : db(db), opened_degraded(db.degraded_), conn(db.acquire()) {}
    ~Lease() { db.release(std::move(conn), discard || opened_degraded); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PostgresDatabase& db;
    bool opened_degraded;  // taken while the pool was degraded: its session may be read-only
    bool discard = false;
    std::unique_ptr<PgConn> conn;
    void degrade() {
      discard = true;
      db.enter_degraded();
    }
  };

  static void rollback_quietly(PgConn& c) { c.abandon(); }  // discarded on release if still not idle

  void enter_degraded() {
    std::lock_guard lock(mutex_);
    degraded_ = true;
    total_ -= static_cast<int>(idle_.size());
    idle_.clear();
    freed_.notify_all();
  }

  std::unique_ptr<PgConn> acquire() {
    {
      std::unique_lock lock(mutex_);
      bool got =
          freed_.wait_for(lock, kPoolWait, [this] { return closed_ || !idle_.empty() || total_ < max_; });
      if (closed_) throw DbError(DbError::Kind::other, "db: database is closed");
      if (!got) {
        throw DbError(DbError::Kind::busy,
                      "postgres: all " + std::to_string(max_) + " pooled connections stayed busy");
      }
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      ++total_;  // reserve the slot, connect outside the lock
    }
    try {
      return std::make_unique<PgConn>(url_);
    } catch (...) {
      std::lock_guard lock(mutex_);
      --total_;
      freed_.notify_one();
      throw;
    }
  }

  void release(std::unique_ptr<PgConn> conn, bool discard) {
    // A callback may leave a transaction open (read() doing BEGIN) or the server may have gone away:
    // only clean, idle connections go back to the pool; broken ones are replaced on demand.
    if (conn) conn->abandon();
    bool reusable = !discard && !degraded_ && conn && conn->healthy() && conn->idle();
    std::lock_guard lock(mutex_);
    if (reusable && !closed_) {
      idle_.push_back(std::move(conn));
    } else {
      --total_;
    }
    freed_.notify_one();
  }

  std::string url_;
  int max_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  int total_ = 0;
  bool closed_ = false;
  std::atomic<std::int64_t> writes_committed_{0};
  std::atomic<bool> degraded_{false};
};

thread_local const PostgresDatabase* PostgresDatabase::writing_here = nullptr;

}  // namespace

std::unique_ptr<Database> open_postgres(const std::string& url, const Options& options) {
  return std::make_unique<PostgresDatabase>(url, options);
}

}  // namespace sp::db
