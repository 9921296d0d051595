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
  std::string to;       // relative to the backup folder
};

// A new folder readable by its owner alone (keys and personal data inside).
void make_private_folder(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);
}

// Copies a file or a folder (recursively, keeping permissions) when it exists; false otherwise.
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

void write_manifest(const fs::path& dir, const std::vector<Copied>& items, const std::string& extra) {
  std::ofstream manifest(dir / "MANIFEST");
  manifest << "# sportello backup, " << time::format_iso_utc(time::system_clock().now()) << "\n"
           << "# setting\toriginal\tin this folder (restore: stop the service, copy each back)\n";
  for (const auto& c : items) manifest << c.setting << "\t" << c.from << "\t" << c.to << "\n";
  manifest << extra;
  manifest.close();
  if (!manifest) throw std::runtime_error("cannot write " + (dir / "MANIFEST").string());
}

}  // namespace

BackupCommand::BackupCommand(CLI::App& cli) {
  backup_ = cli.add_subcommand(
      "backup", "Copy the database (SQLite, while the server runs) and, apart, the keys into new folders");
  backup_->add_option("dest", dest_, "New folder for the database and the uploaded files");
  backup_->add_option("--keys", keys_dest_,
                      "New folder for the keys and the audit anchors: keep it on another medium than DEST");
}

bool BackupCommand::parsed() const {
  return backup_->parsed();
}

int BackupCommand::run(const Config& config, std::ostream& out, std::ostream& err) const {
  if (dest_.empty() && keys_dest_.empty()) {
    err << "backup: give a folder for the database (DEST), one for the keys (--keys), or both\n";
    return 1;
  }
  for (const auto& d : {dest_, keys_dest_}) {
    if (!d.empty() && fs::exists(d)) {
      err << "backup: " << d << " already exists; give a new folder\n";
      return 1;
    }
  }
  if (!dest_.empty() && dest_ == keys_dest_) {
    err << "backup: the keys must not go with the database (docs/keys.md): give two folders\n";
    return 1;
  }
  const bool postgres = config.database.rfind("sqlite:", 0) != 0;
  try {
    // The keys first: anchors copied before the database snapshot name no entry the copy lacks (an
    // anchor beyond the database would read as a truncated chain on restore).
    if (!keys_dest_.empty()) {
      const fs::path keys(keys_dest_);
      make_private_folder(keys);
      std::vector<Copied> copied;
      auto keep = [&](const std::string& setting, const std::string& from, const std::string& to) {
        if (copy_if_there(from, keys / to)) copied.push_back({setting, from, to});
      };
      keep("audit_anchor_file", config.audit_anchor_file, "audit-anchors.jsonl");
      keep("audit_key_file", config.audit_key_file, "audit-hmac.key");
      keep("oidc_rp_key_file", config.oidc_rp_key_file, "oidc-rp-key.pem");
      keep("keys_dir", config.keys_dir, "keys");
      write_manifest(keys, copied, "");
      for (const auto& c : copied)
        out << c.setting << ": " << c.from << " -> " << (keys / c.to).string() << "\n";
    }
    if (!dest_.empty()) {
      const fs::path dest(dest_);
      make_private_folder(dest);
      std::vector<Copied> copied;
      std::string extra;
      if (postgres) {
        extra = "database\t(PostgreSQL: pg_basebackup and the WAL archive, scripts/pg-backup)\t-\n";
        out << "database: PostgreSQL is backed up with pg_basebackup and WAL archiving (scripts/pg-backup, "
               "docs/deployment.md)\n";
      } else {
        auto report = db::backup_sqlite(config.database, (dest / "sportello.db").string());
        copied.push_back({"database", config.database.substr(7), "sportello.db"});
        out << "database: " << report.pages << " pages, " << report.bytes << " bytes, as of one commit -> "
            << (dest / "sportello.db").string() << "\n";
      }
      // Uploaded files after the snapshot: a superset of what its rows name.
      if (copy_if_there(config.files_dir, dest / "files")) {
        copied.push_back({"files_dir", config.files_dir, "files"});
        out << "files_dir: " << config.files_dir << " -> " << (dest / "files").string() << "\n";
      }
      write_manifest(dest, copied, extra);
    }
    if (keys_dest_.empty()) {
      out << "keys: not copied; back them up apart from the database (--keys on another medium)\n";
    }
    out << "backup done\n";
    return 0;
  } catch (const std::exception& e) {
    err << "backup: " << e.what() << " (a folder without MANIFEST is incomplete)\n";
    return 1;
  }
}

}  // namespace sp::app
