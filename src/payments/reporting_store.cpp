#include "payments/reporting_store.hpp"

#include <sqlite3.h>

#include <chrono>

namespace sp::payments::reporting {
namespace {

constexpr const char* kCreate =
    "CREATE TABLE IF NOT EXISTS fdr_staged_rows ("
    " iuv TEXT NOT NULL, iur TEXT NOT NULL, transfer_index INTEGER NOT NULL,"
    " amount_cents INTEGER NOT NULL, outcome INTEGER NOT NULL, outcome_day INTEGER NOT NULL,"
    " ordinal INTEGER NOT NULL,"
    " PRIMARY KEY (iuv, iur, transfer_index)) WITHOUT ROWID";
constexpr const char* kClear = "DELETE FROM fdr_staged_rows";
constexpr const char* kInsert =
    "INSERT OR IGNORE INTO fdr_staged_rows (iuv, iur, transfer_index, amount_cents, outcome, outcome_day, "
    "ordinal)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

Error staging_error(sqlite3* db, const char* what) {
  return Error::make("fdr.staging", 500,
                     std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "no database"));
}

class SqliteStaging final : public RowStaging {
 public:
  ~SqliteStaging() override {
    if (insert_ != nullptr) sqlite3_finalize(insert_);
    if (db_ != nullptr) sqlite3_close(db_);
  }

  Status open(const std::string& path, const SqliteStagingOptions& options) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
      return staging_error(db_, "open");
    const std::string pragmas =
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
        " PRAGMA temp_store=FILE; PRAGMA cache_size=-" +
        std::to_string(options.cache_kib) + ";";
    if (auto st = exec(pragmas.c_str(), "settings"); !st) return st;
    if (auto st = exec(kCreate, "create"); !st) return st;
    if (sqlite3_prepare_v3(db_, kInsert, -1, SQLITE_PREPARE_PERSISTENT, &insert_, nullptr) != SQLITE_OK)
      return staging_error(db_, "prepare");
    return Ok{};
  }

  Status begin_flow() override {
    if (in_flow_) {
      if (auto st = exec("COMMIT", "commit"); !st) return st;
      in_flow_ = false;
    }
    if (auto st = exec("BEGIN", "begin"); !st) return st;
    in_flow_ = true;
    return exec(kClear, "clear");
  }

  Result<bool> add(const FlowRow& row) override {
    // Days since 1970-01-01: no text to format per row (the staging table is scratch, not a record).
    const auto day = std::chrono::sys_days(row.outcome_date).time_since_epoch().count();
    sqlite3_bind_text(insert_, 1, row.iuv.data(), static_cast<int>(row.iuv.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 2, row.iur.data(), static_cast<int>(row.iur.size()), SQLITE_STATIC);
    sqlite3_bind_int(insert_, 3, row.index);
    sqlite3_bind_int64(insert_, 4, row.amount);
    sqlite3_bind_int(insert_, 5, static_cast<int>(row.outcome));
    sqlite3_bind_int64(insert_, 6, day);
    sqlite3_bind_int64(insert_, 7, row.ordinal);
    const int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE) return staging_error(db_, "insert");
    return sqlite3_changes(db_) == 1;
  }

  Status end_flow() override {
    if (!in_flow_) return Ok{};
    in_flow_ = false;
    return exec("COMMIT", "commit");
  }

 private:
  Status exec(const char* sql, const char* what) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      Error e =
          Error::make("fdr.staging", 500, std::string(what) + ": " + (message != nullptr ? message : "?"));
      sqlite3_free(message);
      return e;
    }
    return Ok{};
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  bool in_flow_ = false;
};

}  // namespace

Result<std::unique_ptr<RowStaging>> open_sqlite_staging(const std::string& path,
                                                        SqliteStagingOptions options) {
  auto staging = std::make_unique<SqliteStaging>();
  if (auto st = staging->open(path, options); !st) return st.error();
  return std::unique_ptr<RowStaging>(std::move(staging));
}

}  // namespace sp::payments::reporting
