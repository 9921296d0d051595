#pragma once
// `sportello backup DEST` (docs/deployment.md, "Backups"): everything a node needs to come back, in a new
// folder DEST — the SQLite database as of one commit (db::backup_sqlite, while the server runs), the audit
// chain's key and anchors, the sign-in key, the key ring of core/keys (keys_dir) and the uploaded files
// (files_dir) — with a MANIFEST saying where each came from. On PostgreSQL the database is left to
// pg_basebackup and WAL archiving (scripts/pg-backup); the command still copies the keys and says so.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "core/config.hpp"

namespace sp::app {

class BackupCommand {
 public:
  explicit BackupCommand(CLI::App& cli);
  [[nodiscard]] bool parsed() const;
  // Exit codes: 0 done; 1 failed (DEST is left incomplete and says so in no MANIFEST).
  int run(const Config& config, std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* backup_ = nullptr;
  std::string dest_;
};

}  // namespace sp::app
