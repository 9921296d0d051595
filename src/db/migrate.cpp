// db::migrate: applies migrations/<dialect>/NNNN_name.sql in numeric order, each file in its own write
// transaction together with its row in schema_migrations, so a file is either fully applied and
// recorded or not at all. Safe to run from several processes at once: each file re-checks, inside its
// transaction, whether someone else applied it (PostgreSQL also takes an advisory lock; SQLite's
// single writer and BEGIN IMMEDIATE already serialise).
#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "db/database.hpp"

namespace sp::db {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
constexpr const char* kAppliedVersions = "SELECT version FROM schema_migrations";
constexpr const char* kIsApplied = "SELECT 1 FROM schema_migrations WHERE version = $1";
constexpr const char* kRecord =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";
// Any constant works; it only has to be the same for every process migrating this database.
constexpr const char* kPgLock = "SELECT pg_advisory_xact_lock(7243061155)";

struct MigrationFile {
  std::string version;  // "0007": the digits as written
  std::string name;     // "add_payments"
  fs::path path;
  unsigned long long number = 0;
};

std::vector<MigrationFile> list_files(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error("migrate: no migrations directory " + dir.string());
  std::vector<MigrationFile> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::string stem = entry.path().stem().string();
    auto underscore = stem.find('_');
    std::string digits = stem.substr(0, underscore);
    if (underscore == std::string::npos || underscore == 0 || underscore + 1 == stem.size() ||
        !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })) {
      throw std::runtime_error("migrate: " + entry.path().string() + " is not named NNNN_name.sql");
    }
    files.push_back({digits, stem.substr(underscore + 1), entry.path(), std::stoull(digits)});
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].number == files[i - 1].number) {
      throw std::runtime_error("migrate: " + files[i - 1].path.filename().string() + " and " +
                               files[i].path.filename().string() + " have the same number");
    }
  }
  return files;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("migrate: cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string utc_now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void apply(Database& db, const MigrationFile& file, bool& applied) {
  std::string sql = read_file(file.path);
  db.write([&](Conn& c) {
    if (c.dialect() == Dialect::postgres) c.query(kPgLock);
    if (c.query_one(kIsApplied, {file.version})) return;  // another process got here first
    c.exec_script(sql);
    c.exec(kRecord, {file.version, file.name, utc_now_iso8601()});
    applied = true;
  });
}

}  // namespace

std::vector<std::string> migrate(Database& db, const std::string& migrations_root) {
  fs::path dir = fs::path(migrations_root) / (db.dialect() == Dialect::sqlite ? "sqlite" : "postgres");
  auto files = list_files(dir);

  db.write([](Conn& c) {
    if (c.dialect() == Dialect::postgres) c.query(kPgLock);  // concurrent CREATE TABLE IF NOT EXISTS races
    c.exec_script(kCreateTable);
  });
  std::set<std::string> done;
  db.read([&](Conn& c) {
    for (const auto& row : c.query(kAppliedVersions)) done.insert(row.text(0));
  });

  std::vector<std::string> applied_now;
  for (const auto& file : files) {
    if (done.contains(file.version)) continue;
    bool applied = false;
    try {
      apply(db, file, applied);
    } catch (const DbError& e) {
      throw DbError(e.kind, "migrate: " + file.path.filename().string() + " failed: " + e.what());
    } catch (const std::exception& e) {
      throw std::runtime_error("migrate: " + file.path.filename().string() + " failed: " + e.what());
    }
    if (applied) applied_now.push_back(file.version);
  }
  return applied_now;
}

}  // namespace sp::db
