#include "app/backup_cli.hpp"

#include <filesystem>
#include <fstream>
#include <vector>

#include "core/time.hpp"
#include "db/backup.hpp"

namespace sp::app {
namespace {

namespace fs = std::filesystem;

struct Copied {
  std::string setting;  // the configuration setting that names the original
  std::string from;     // the original path
  std::string to;       // relative to DEST
};

// Copies a file or a folder (recursively, keeping permissions) when it exists; says nothing otherwise.
bool copy_if_there(const std::string& from, const fs::path& to) {
  if (from.empty() || !fs::exists(from)) return false;
  fs::create_directories(to.parent_path());
  if (fs::is_directory(from)) {
    fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  } else {
    fs::copy_file(from, to);
  }
  return true;
}

}  // namespace

BackupCommand::BackupCommand(CLI::App& cli) {
  backup_ = cli.add_subcommand(
      "backup", "Copy the database (SQLite, while the server runs) and the keys into a new folder");
  backup_->add_option("dest", dest_, "The folder to create (must not exist)")->required();
}

bool BackupCommand::parsed() const {
  return backup_->parsed();
}

int BackupCommand::run(const Config& config, std::ostream& out, std::ostream& err) const {
  const fs::path dest(dest_);
  if (fs::exists(dest)) {
    err << "backup: " << dest_ << " already exists; give a new folder\n";
    return 1;
  }
  try {
    fs::create_directories(dest);
    fs::permissions(dest, fs::perms::owner_all);  // keys inside: the operator's alone
    std::vector<Copied> copied;
    auto keep = [&](const std::string& setting, const std::string& from, const std::string& to) {
      if (copy_if_there(from, dest / to)) copied.push_back({setting, from, to});
    };
    // The anchors first: copied before the snapshot, no anchor names an entry the copy lacks (an anchor
    // beyond the database would read as a truncated chain on restore).
    keep("audit_anchor_file", config.audit_anchor_file, "audit-anchors.jsonl");
    keep("audit_key_file", config.audit_key_file, "audit-hmac.key");
    keep("oidc_rp_key_file", config.oidc_rp_key_file, "oidc-rp-key.pem");
    keep("keys_dir", config.keys_dir, "keys");
    bool postgres = config.database.rfind("sqlite:", 0) != 0;
    if (!postgres) {
      auto report = db::backup_sqlite(config.database, (dest / "sportello.db").string());
      copied.push_back({"database", config.database.substr(7), "sportello.db"});
      out << "database: " << report.pages << " pages, " << report.bytes << " bytes, as of one commit\n";
    }
    // Uploaded files after the snapshot: a superset of what its rows name.
    keep("files_dir", config.files_dir, "files");

    std::ofstream manifest(dest / "MANIFEST");
    manifest << "# sportello backup, " << time::format_iso_utc(time::system_clock().now()) << "\n"
             << "# setting\toriginal\tin this folder (restore: stop the service, copy each back)\n";
    for (const auto& c : copied) manifest << c.setting << "\t" << c.from << "\t" << c.to << "\n";
    if (postgres) manifest << "database\t(PostgreSQL: pg_basebackup and WAL archive)\t-\n";
    manifest.close();
    if (!manifest) throw std::runtime_error("cannot write MANIFEST");
    for (const auto& c : copied) out << c.setting << ": " << c.from << " -> " << (dest / c.to).string() << "\n";
    if (postgres) {
      out << "database: PostgreSQL is backed up with pg_basebackup and WAL archiving (scripts/pg-backup, "
             "docs/deployment.md); this folder holds the keys that go with it\n";
    }
    out << "backup written to " << dest_ << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "backup: " << e.what() << " (" << dest_ << " is incomplete: it has no MANIFEST)\n";
    fs::remove(dest / "MANIFEST");
    return 1;
  }
}

}  // namespace sp::app
