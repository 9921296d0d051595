#pragma once
// `sportello backup DEST --keys KEYS_DEST` (docs/deployment.md, "Backups"): what a node needs to come back,
// in two new folders meant for two different media, because a backup holding both the database and the
// keys lets whoever restores it forge the audit chain and the stamps (docs/keys.md):
//   DEST       the SQLite database as of one commit (db::backup_sqlite, while the server runs) and the
//              uploaded files (files_dir);
//   KEYS_DEST  the audit chain's key and anchors, the sign-in key and the key ring of core/keys
//              (keys_dir) — copied first, so no anchor names an entry the database copy lacks.
// Each folder gets a MANIFEST saying where each item came from. Either may be left out (at least one is
// needed). On PostgreSQL the database is left to pg_basebackup and WAL archiving (scripts/pg-backup).
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "core/config.hpp"

namespace sp::app {

class BackupCommand {
 public:
  explicit BackupCommand(CLI::App& cli);
  [[nodiscard]] bool parsed() const;
  // Exit codes: 0 done; 1 failed (a folder without MANIFEST is incomplete).
  int run(const Config& config, std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* backup_ = nullptr;
  std::string dest_;
  std::string keys_dest_;
};

}  // namespace sp::app
