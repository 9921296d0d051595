#include "db/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "db/database.hpp"

namespace sp::db {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw DbError(DbError::Kind::other,
                "backup: " + what + (db ? std::string(": ") + sqlite3_errmsg(db) : std::string()));
}

DbHandle open_file(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) fail(raw, "cannot open '" + path + "'");
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

void exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
}

void sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw DbError(DbError::Kind::other, "backup: cannot open '" + path + "' to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw DbError(DbError::Kind::other, "backup: cannot sync '" + path + "'");
}

}  // namespace

BackupReport backup_sqlite(const std::string& url, const std::string& dest) {
  namespace fs = std::filesystem;
  if (url.rfind("sqlite:", 0) != 0) {
    throw DbError(DbError::Kind::other,
                  "backup: not a SQLite database; PostgreSQL is backed up with pg_basebackup and WAL "
                  "archiving (scripts/pg-backup, docs/deployment.md)");
  }
  const std::string source = url.substr(7);
  if (!fs::exists(source)) throw DbError(DbError::Kind::other, "backup: no database at '" + source + "'");
  if (fs::exists(dest)) throw DbError(DbError::Kind::other, "backup: '" + dest + "' already exists");
  const std::string partial = dest + ".partial";
  fs::remove(partial);

  BackupReport report;
  {
    // Read-write without create: a reader of a WAL database may need to write its -shm file.
    DbHandle src = open_file(source, SQLITE_OPEN_READWRITE);
    DbHandle dst = open_file(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3_backup* b = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
    if (!b) fail(dst.get(), "cannot start");
    // -1: every page in one step, under one read transaction of the source (a snapshot; the writer is
    // not blocked in WAL mode). Busy only while another connection holds an exclusive lock: wait.
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 50; ++attempt) {
      rc = sqlite3_backup_step(b, -1);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      sqlite3_sleep(100);
    }
    report.pages = sqlite3_backup_pagecount(b);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      fs::remove(partial);
      throw DbError(DbError::Kind::other, std::string("backup: copy failed: ") + sqlite3_errstr(rc));
    }
    exec(dst.get(), "PRAGMA journal_mode=DELETE");
    sqlite3_stmt* st = nullptr;
    std::string verdict;
    if (sqlite3_prepare_v2(dst.get(), "PRAGMA quick_check", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(st, 0);
      verdict = text ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(st);
    if (verdict != "ok") {
      fs::remove(partial);
      throw DbError(DbError::Kind::other, "backup: the copy fails its check: " + verdict);
    }
  }
  sync_path(partial, O_RDONLY);
  fs::rename(partial, dest);
  sync_path(fs::path(dest).parent_path().empty() ? "." : fs::path(dest).parent_path().string(),
            O_RDONLY | O_DIRECTORY);
  report.bytes = static_cast<std::int64_t>(fs::file_size(dest));
  return report;
}

}  // namespace sp::db
