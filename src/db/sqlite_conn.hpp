#pragma once
// One SQLite connection as a db::Conn: pragmas at open, a statement cache keyed by SQL text, and
// PostgreSQL-style $N parameters bound by name. Used by one thread at a time (opened NOMUTEX).
#include <sqlite3.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/database.hpp"

namespace sp::db {

// Throws the DbError matching SQLite's (extended) result code; `sql` only feeds the message.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view sql);

class SqliteConn final : public Conn {
 public:
  enum class Mode { read_only, read_write };
  SqliteConn(const std::string& path, Mode mode, const Options& options);
  ~SqliteConn() override;
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  [[nodiscard]] Dialect dialect() const override { return Dialect::sqlite; }
  std::vector<Row> query(std::string_view sql, const Params& params = {}) override;
  std::int64_t exec(std::string_view sql, const Params& params = {}) override;
  void exec_script(std::string_view sql) override;

  [[nodiscard]] sqlite3* handle() const { return db_; }
  // False once SQLite itself rolled the transaction back (I/O errors, SQLITE_FULL, ...).
  [[nodiscard]] bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  struct Statement {
    sqlite3_stmt* stmt = nullptr;
    std::vector<int> numbers;  // numbers[k] = N of the k-th SQLite parameter, named "$N"
    int expected = 0;          // highest N: how many Params the caller must pass
  };
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Statement& prepare(std::string_view sql);
  void bind(const Statement& st, const Params& params, std::string_view sql);
  void clear_cache();

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Statement, TextHash, std::equal_to<>> cache_;
};

}  // namespace sp::db
