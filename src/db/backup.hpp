#pragma once
// A consistent copy of a live SQLite database (`sportello backup`, docs/deployment.md "Backups").
// PostgreSQL is backed up by its own tools (pg_basebackup and WAL archiving: scripts/pg-backup).
#include <cstdint>
#include <string>

namespace sp::db {

struct BackupReport {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
};

// Copies the SQLite database of `url` ("sqlite:PATH") into the new file `dest` with SQLite's online backup
// API in one step: one read transaction, so the copy is the database as of one commit, while the server's
// writer goes on (WAL). The copy is written to `dest`.partial in rollback-journal mode (one self-contained
// file), checked with PRAGMA quick_check, synced and renamed: `dest` is whole or absent. Throws DbError
// (Kind::other for a PostgreSQL URL or an existing `dest`).
BackupReport backup_sqlite(const std::string& url, const std::string& dest);

}  // namespace sp::db
