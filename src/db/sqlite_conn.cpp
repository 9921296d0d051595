#include "db/sqlite_conn.hpp"

#include <algorithm>
#include <charconv>
#include <memory>

#include "db/unavailable.hpp"

namespace sp::db {
namespace {

// Dynamic SQL (e.g. IN lists of varying length) must not grow the cache without bound.
constexpr std::size_t kMaxCachedSqliteStatements = 512;

DbError::Kind kind_of(int extended) {
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return DbError::Kind::unique_violation;
    default:
      break;
  }
  switch (extended & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return DbError::Kind::busy;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
      return DbError::Kind::connection;

    default:
      return DbError::Kind::other;
  }
}

// Resets a statement and drops its bindings when a query/exec ends, however it ends: bindings point
// into the caller's Params (SQLITE_STATIC) and must not outlive the call.
struct ResetOnExit {
  sqlite3_stmt* stmt;
  ~ResetOnExit() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

bool only_trailing_noise(const char* p, const char* end) {
  return std::all_of(p, end,
                     [](char c) { return c == ';' || c == ' ' || c == '\n' || c == '\t' || c == '\r'; });
}

Value column_value(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
      return Blob{p ? std::string(p, n) : std::string()};
    }
    default:
      return nullptr;
  }
}

}  // namespace

void throw_sqlite_error(sqlite3* db, int rc, std::string_view sql) {
  int extended = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!sql.empty()) msg += " (in: " + sql_excerpt(sql) + ")";
  switch (extended & 0xff) {
    case SQLITE_FULL:  // the disk, or PRAGMA max_page_count
    case SQLITE_READONLY:
    case SQLITE_IOERR:
      throw Unavailable("sqlite: " + msg);
    default:
      throw DbError(kind_of(extended), "sqlite: " + msg);
  }
}

SqliteConn::SqliteConn(const std::string& path, Mode mode, const Options& options) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= mode == Mode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw DbError(DbError::Kind::connection, "sqlite: cannot open '" + path + "': " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  try {
    exec_script("PRAGMA foreign_keys=ON");
    if (mode == Mode::read_write) {
      auto jm = query("PRAGMA journal_mode=WAL");
      if (jm.empty() || jm.front().text(0) != "wal") {
        throw DbError(DbError::Kind::other, "sqlite: cannot switch '" + path + "' to WAL mode");
      }
      exec_script(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      // Checkpoints are run by the background checkpointer, never by a committing writer.
      exec_script("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864");
    }
  } catch (...) {
    clear_cache();
    sqlite3_close_v2(db_);
    throw;
  }
}

SqliteConn::~SqliteConn() {
  clear_cache();
  sqlite3_close_v2(db_);
}

void SqliteConn::clear_cache() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st.stmt);
  cache_.clear();
}

SqliteConn::Statement& SqliteConn::prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  if (cache_.size() >= kMaxCachedSqliteStatements) clear_cache();

  Statement st;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &st.stmt, &tail);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, sql);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(st.stmt, sqlite3_finalize);
  if (!st.stmt) throw DbError(DbError::Kind::other, "sqlite: empty statement");
  if (tail && !only_trailing_noise(tail, sql.data() + sql.size())) {
    throw DbError(DbError::Kind::other,
                  "sqlite: more than one statement (use exec_script for scripts): " + sql_excerpt(sql));
  }
  int count = sqlite3_bind_parameter_count(st.stmt);
  for (int k = 1; k <= count; ++k) {
    const char* name = sqlite3_bind_parameter_name(st.stmt, k);
    int n = 0;
    std::string_view nm = name ? name : "";
    bool ok = nm.size() >= 2 && nm[0] == '$' &&
              std::from_chars(nm.data() + 1, nm.data() + nm.size(), n).ptr == nm.data() + nm.size() && n > 0;
    if (!ok) {
      throw DbError(DbError::Kind::other,
                    "sqlite: parameters must be written $1, $2, ... (found '" + std::string(nm) + "')");
    }
    st.numbers.push_back(n);
    st.expected = std::max(st.expected, n);
  }
  guard.release();
  return cache_.emplace(std::string(sql), std::move(st)).first->second;
}

void SqliteConn::bind(const Statement& st, const Params& params, std::string_view sql) {
  // PostgreSQL rejects a parameter count that does not match; do the same so both dialects agree.
  if (static_cast<int>(params.size()) != st.expected) {
    throw DbError(DbError::Kind::other, "sqlite: statement takes " + std::to_string(st.expected) +
                                            " parameters, " + std::to_string(params.size()) +
                                            " given (in: " + sql_excerpt(sql) + ")");
  }
  for (std::size_t k = 0; k < st.numbers.size(); ++k) {
    int idx = static_cast<int>(k) + 1;
    const Value& v = params[static_cast<std::size_t>(st.numbers[k] - 1)];
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(v)) {
      rc = sqlite3_bind_null(st.stmt, idx);
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(st.stmt, idx, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(st.stmt, idx, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      rc = sqlite3_bind_text64(st.stmt, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      const auto& b = std::get<Blob>(v).bytes;
      rc = sqlite3_bind_blob64(st.stmt, idx, b.data(), b.size(), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, sql);
  }
}

std::vector<Row> SqliteConn::query(std::string_view sql, const Params& params) {
  Statement& st = prepare(sql);
  ResetOnExit reset{st.stmt};
  bind(st, params, sql);

  int ncols = sqlite3_column_count(st.stmt);
  auto names = std::make_shared<std::vector<std::string>>();
  names->reserve(static_cast<std::size_t>(ncols));
  for (int i = 0; i < ncols; ++i) names->emplace_back(sqlite3_column_name(st.stmt, i));

  std::vector<Row> rows;
  for (;;) {
    int rc = sqlite3_step(st.stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) throw_sqlite_error(db_, rc, sql);
    std::vector<Value> cols;
    cols.reserve(static_cast<std::size_t>(ncols));
    for (int i = 0; i < ncols; ++i) cols.push_back(column_value(st.stmt, i));
    rows.emplace_back(std::move(cols), names);
  }
  return rows;
}

std::int64_t SqliteConn::exec(std::string_view sql, const Params& params) {
  Statement& st = prepare(sql);
  ResetOnExit reset{st.stmt};
  bind(st, params, sql);
  for (;;) {  // a statement with RETURNING yields rows; run it to the end
    int rc = sqlite3_step(st.stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) throw_sqlite_error(db_, rc, sql);
  }
  return sqlite3_changes64(db_);
}

void SqliteConn::exec_script(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, sql);
}

}  // namespace sp::db
