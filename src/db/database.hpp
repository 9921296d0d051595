#pragma once
// The database layer: one small interface, two drivers (SQLite embedded, PostgreSQL via libpq).
// It knows nothing of domains. SQL uses PostgreSQL-style positional parameters ($1, $2, ...) in both
// dialects; the SQLite driver binds them by name. Stores keep their SQL as named constants.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace sp::db {

enum class Dialect { sqlite, postgres };

// A bound parameter or a column value. Text is UTF-8; blobs are raw bytes in a std::string tagged Blob.
struct Blob {
  std::string bytes;
};
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

// Thrown for driver failures (connection lost, constraint violation, syntax). Stores translate the
// ones they expect (e.g. unique violations) into domain errors; the rest become HTTP 500 at the edge.
struct DbError : std::runtime_error {
  enum class Kind { other, unique_violation, busy, connection };
  Kind kind;
  DbError(Kind k, const std::string& msg) : std::runtime_error(msg), kind(k) {}
};

// The start of a statement, for DbError messages (the drivers' own messages rarely quote it).
inline std::string sql_excerpt(std::string_view sql) {
  constexpr std::size_t kMax = 200;
  return sql.size() <= kMax ? std::string(sql) : std::string(sql.substr(0, kMax)) + "...";
}

class Row {
 public:
  explicit Row(std::vector<Value> cols, std::shared_ptr<const std::vector<std::string>> names)
      : cols_(std::move(cols)), names_(std::move(names)) {}
  [[nodiscard]] std::size_t size() const { return cols_.size(); }
  [[nodiscard]] bool is_null(std::size_t i) const {
    return std::holds_alternative<std::nullptr_t>(cols_.at(i));
  }
  [[nodiscard]] std::int64_t i64(std::size_t i) const;  // integer column (text digits accepted)
  [[nodiscard]] double f64(std::size_t i) const;
  [[nodiscard]] std::string text(std::size_t i) const;  // "" for NULL
  [[nodiscard]] std::optional<std::string> opt_text(std::size_t i) const;
  [[nodiscard]] std::optional<std::int64_t> opt_i64(std::size_t i) const;
  [[nodiscard]] std::string blob(std::size_t i) const;
  [[nodiscard]] bool boolean(std::size_t i) const;                 // 0/1, t/f, true/false
  [[nodiscard]] std::size_t index(std::string_view column) const;  // throws std::out_of_range
  [[nodiscard]] const Value& raw(std::size_t i) const { return cols_.at(i); }

 private:
  std::vector<Value> cols_;
  std::shared_ptr<const std::vector<std::string>> names_;
};

using Params = std::vector<Value>;

// A connection (or a transaction on one). Not thread-safe: use it from the callback it was given to.
class Conn {
 public:
  virtual ~Conn() = default;
  [[nodiscard]] virtual Dialect dialect() const = 0;
  // Runs a statement (prepared and cached by its text) and returns all rows.
  virtual std::vector<Row> query(std::string_view sql, const Params& params = {}) = 0;
  // Runs a statement and returns the number of rows changed.
  virtual std::int64_t exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs one or more statements without parameters (migrations, DDL).
  virtual void exec_script(std::string_view sql) = 0;

  std::optional<Row> query_one(std::string_view sql, const Params& params = {}) {
    auto rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
};

struct PoolStats {
  int connections_total = 0;
  int connections_busy = 0;
  std::int64_t writes_committed = 0;
  std::int64_t commits = 0;        // less than writes when the SQLite writer groups transactions
  std::int64_t writes_queued = 0;  // SQLite: transactions waiting for the writer right now
  std::int64_t checkpoints = 0;    // SQLite: WAL checkpoints run by the background checkpointer
  std::int64_t wal_restarts = 0;   // SQLite: of which restarted (truncated) a WAL past wal_restart_frames
};

class Database {
 public:
  virtual ~Database() = default;
  [[nodiscard]] virtual Dialect dialect() const = 0;

  // Runs `fn` on a read connection. No writes. SQLite: a pooled read-only connection, the whole callback
  // in one snapshot. PostgreSQL: a pooled connection in autocommit (each statement sees the latest
  // commit). Do not call write() from inside read() on PostgreSQL with a full pool: it waits for a
  // connection (and fails with Kind::busy after 30 s).
  virtual void read(const std::function<void(Conn&)>& fn) = 0;

  // Runs `fn` inside a transaction and commits it; if `fn` throws, the transaction (or, when the
  // SQLite writer groups several callers into one commit, only this caller's savepoint) is rolled back
  // and the exception is rethrown to the caller. Returns after the commit is durable.
  // Calling write() from inside a write() callback throws std::logic_error (use the Conn you were given).
  // PostgreSQL: a statement that fails aborts the whole transaction, even if `fn` catches the error;
  // write() then throws instead of reporting the rolled-back work as committed.
  virtual void write(const std::function<void(Conn&)>& fn) = 0;

  // True when a trivial query succeeds (for /readyz).
  virtual bool ping() = 0;
  virtual PoolStats stats() = 0;
  // Stops background threads and closes connections; further calls throw.
  virtual void close() = 0;
};

// Reads every row of one query and maps each with `map(row)`; the common shape of a store's list query.
template <class Map>
auto read_all(Database& db, std::string_view sql, const Params& params, Map map) {
  std::vector<decltype(map(std::declval<const Row&>()))> out;
  db.read([&](Conn& c) {
    for (const auto& r : c.query(sql, params)) out.push_back(map(r));
  });
  return out;
}

// Reads at most one row and maps it; nullopt when there is none.
template <class Map>
auto read_one(Database& db, std::string_view sql, const Params& params, Map map) {
  std::optional<decltype(map(std::declval<const Row&>()))> out;
  db.read([&](Conn& c) {
    if (auto r = c.query_one(sql, params)) out = map(*r);
  });
  return out;
}

namespace detail {
template <class R>
struct is_result : std::false_type {};
template <class T>
struct is_result<Result<T>> : std::true_type {};
// Thrown through Database::write() to roll the transaction back when the callback returned an error;
// caught by transact() alone, never seen by callers.
struct RollbackForError {};
}  // namespace detail

// Runs `fn(Conn&)`, which returns a Result<T>, inside one write transaction: commits when it returns a
// value, rolls back when it returns an error, and returns that Result either way. An exception thrown
// by `fn` (or by the driver) still rolls back and propagates, as with write(). The shape of a service
// operation that must leave nothing behind when a rule refuses it halfway:
//   return db::transact(db_, [&](db::Conn& tx) -> Result<Registered> {
//     if (auto st = check(tx); !st) return st.error();  // nothing written is kept
//     ...
//   });
template <class Fn>
auto transact(Database& db, Fn&& fn) -> std::invoke_result_t<Fn&, Conn&> {
  using R = std::invoke_result_t<Fn&, Conn&>;
  static_assert(detail::is_result<R>::value, "db::transact: the callback must return a Result<T>");
  std::optional<R> out;
  try {
    db.write([&](Conn& c) {
      out.emplace(fn(c));
      if (!out->ok()) throw detail::RollbackForError{};
    });
  } catch (const detail::RollbackForError&) {
    // the error is in `out`; the transaction (or this caller's savepoint) was rolled back
  }
  return std::move(*out);
}

// Parameter helpers: empty text and absent numbers are stored as NULL.
inline Value text_or_null(const std::string& s) {
  return s.empty() ? Value{nullptr} : Value{s};
}
inline Value int_or_null(const std::optional<std::int64_t>& v) {
  return v ? Value{*v} : Value{nullptr};
}

struct Options {
  int pool_size = 8;                 // PostgreSQL connections
  int busy_timeout_ms = 5000;        // SQLite
  int group_commit_max = 64;         // SQLite writer: most transactions in one commit
  bool synchronous_full = true;      // SQLite: durable commits (synchronous=FULL in WAL)
  int wal_restart_frames = 262'144;  // SQLite: a WAL this long is restarted even if the writer waits
};

// Opens "sqlite:PATH" (":memory:" not supported: readers need a file) or "postgresql://..." /
// "postgres://...".
std::unique_ptr<Database> open(const std::string& url, const Options& options = {});

// Applies migrations/<dialect>/NNNN_name.sql in order, each in its own transaction, recording applied
// ones in schema_migrations(version, name, applied_at). Returns the versions applied now.
std::vector<std::string> migrate(Database& db, const std::string& migrations_root);

}  // namespace sp::db
