// Import of residents into the register mirror (issue 15, "Performance"): rows per second of
// `AnagrafeService::import` (streamed JSONL, every row checked, versions appended in batches through the
// database layer, idempotence by key and digest) against the database's own bulk-load rate of the same
// rows into the same table (SQLite: one transaction of prepared INSERTs through the C API; PostgreSQL:
// COPY FROM STDIN), on fresh databases. Target: 1,000,000 residents in under 30 s. Prints BENCH lines.
//
//   bench_anagrafe --rows N [--sqlite DIR] [--postgres URL] [--batch N]
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "anagrafe/import_reader.hpp"
#include "anagrafe/service.hpp"
#include "anagrafe/synthetic.hpp"
#include "audit/service.hpp"
#include "core/config.hpp"
#include "db/database.hpp"
#include "tenants/service.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace sp;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The process's CPU time (user + system, every thread): on a shared machine the steadier figure.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void emit(const char* db, const char* figure, double value, const char* unit) {
  std::printf("BENCH scenario=anagrafe_import db=%s figure=%s value=%.0f unit=%s\n", db, figure, value, unit);
}

// The rows as the store writes them (the import's checks applied): the anchor loads exactly these.
std::vector<anagrafe::PersonVersion> parsed_rows(const std::string& file) {
  std::vector<anagrafe::PersonVersion> out;
  std::ifstream in(file, std::ios::binary);
  (void)anagrafe::read_rows(in, anagrafe::Format::jsonl, [&](anagrafe::RawRow&& r) {
    if (!r.error && !anagrafe::check_row(r.values, "005005")) out.push_back(std::move(r.values));
    return true;
  });
  return out;
}

std::string column_list() {
  std::string s = "tenant_id, import_id";
  for (auto k : anagrafe::kKeys) s += ", " + std::string(k);
  return s + ", content_hash";
}

// SQLite's own rate: one transaction, one prepared INSERT, WAL + synchronous=FULL as the server opens it.
double sqlite_anchor(const std::string& path, const std::vector<anagrafe::PersonVersion>& rows) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
  std::string sql = "INSERT INTO anagrafe_versions (" + column_list() + ") VALUES (1, 1";
  for (std::size_t i = 0; i <= anagrafe::kFieldCount; ++i) sql += ", ?" + std::to_string(i + 1);
  sql += ")";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    std::cerr << "anchor: " << sqlite3_errmsg(db) << "\n";
    return 0;
  }
  const auto t = Clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < anagrafe::kFieldCount; ++i)
      sqlite3_bind_text(st, static_cast<int>(i + 1), r.f[i].data(), static_cast<int>(r.f[i].size()),
                        SQLITE_STATIC);
    const std::string hash = r.content_hash();
    sqlite3_bind_text(st, static_cast<int>(anagrafe::kFieldCount + 1), hash.data(),
                      static_cast<int>(hash.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) std::cerr << "anchor: " << sqlite3_errmsg(db) << "\n";
    sqlite3_reset(st);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  const double s = since(t);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return static_cast<double>(rows.size()) / s;
}

// PostgreSQL's own rate: COPY FROM STDIN (text format) of the same rows.
double postgres_anchor(const std::string& url, const std::vector<anagrafe::PersonVersion>& rows) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::cerr << "anchor: " << PQerrorMessage(c);
    PQfinish(c);
    return 0;
  }
  const auto t = Clock::now();
  PQclear(PQexec(c, "BEGIN"));
  PQclear(PQexec(c, ("COPY anagrafe_versions (" + column_list() + ") FROM STDIN").c_str()));
  std::string buf;
  for (const auto& r : rows) {
    buf += "1\t1";
    for (const auto& v : r.f) {
      buf += '\t';
      for (char ch : v) {
        if (ch == '\\' || ch == '\t' || ch == '\n') buf += '\\';
        buf += ch == '\n' ? 'n' : ch;
      }
    }
    buf += '\t' + r.content_hash() + '\n';
    if (buf.size() > (1 << 20)) {
      PQputCopyData(c, buf.data(), static_cast<int>(buf.size()));
      buf.clear();
    }
  }
  PQputCopyData(c, buf.data(), static_cast<int>(buf.size()));
  PQputCopyEnd(c, nullptr);
  while (PGresult* res = PQgetResult(c)) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK) std::cerr << "anchor: " << PQresultErrorMessage(res);
    PQclear(res);
  }
  PQclear(PQexec(c, "COMMIT"));
  const double s = since(t);
  PQfinish(c);
  return static_cast<double>(rows.size()) / s;
}

// A migrated database with the hub and one comune (ISTAT 005005), and the import of the file into it.
double sportello_import(const std::string& url, const std::string& file, std::size_t batch,
                        std::size_t& rows) {
  auto db = db::open(url);
  db::migrate(*db, sp::built_in_share_dir() + "/migrations");
  tenants::TenantService tenants(*db);
  auto hub = tenants.create_hub({0, "bench", "Polo", "00743110157", "", "", ""});
  tenants::Body b;
  b.hub_id = hub ? *hub : 1;
  b.slug = "asti";
  b.name = "Comune di Asti";
  b.istat_code = "005005";
  b.fiscal_code = "00743110157";
  auto tenant = tenants.create_body(b);
  audit::AuditService audit(*db, time::system_clock());
  anagrafe::AnagrafeService svc(*db, audit, tenants, time::system_clock());
  std::ifstream in(file, std::ios::binary);
  anagrafe::ImportOptions o;
  o.batch_size = batch;
  const auto t = Clock::now();
  auto report = svc.import(anagrafe::ImportActor{nullptr, "bench"}, tenant ? *tenant : 1,
                           anagrafe::Format::jsonl, "bench.jsonl", in, o);
  const double s = since(t);
  rows = report ? report->inserted : 0;
  if (!report || report->error_count) std::cerr << "import: refused rows or failed\n";
  // Empty the table for the anchor (the triggers forbid DELETE: drop and recreate by migrating afresh).
  db->close();
  return static_cast<double>(rows) / s;
}

void reset_versions(const std::string& url) {
  auto db = db::open(url);
  db->write([](db::Conn& tx) {
    tx.exec_script(
        tx.dialect() == db::Dialect::sqlite
            ? "DROP TRIGGER anagrafe_versions_no_delete; DELETE FROM anagrafe_versions;"
            : "ALTER TABLE anagrafe_versions DISABLE TRIGGER USER; DELETE FROM anagrafe_versions;");
  });
  db->close();
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t residents = 1000000;
  std::string sqlite_dir = std::filesystem::temp_directory_path().string();
  std::string pg_url;
  std::size_t batch = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) residents = std::stoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--sqlite")) sqlite_dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--postgres")) pg_url = argv[i + 1];
    if (!std::strcmp(argv[i], "--batch")) batch = std::stoul(argv[i + 1]);
  }
  const std::string file = sqlite_dir + "/bench-anagrafe.jsonl";
  {
    // One comune (Asti's codes), so that every row is the importing body's.
    anagrafe::SyntheticPopulation g({{"005005", "A479", "ASTI", "14100", 1}}, residents, 15);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    std::string line;
    while (g.next(line)) out << line << '\n';
    std::printf("generated %lld residents, %lld versions\n", static_cast<long long>(g.people_written()),
                static_cast<long long>(g.lines_written()));
  }
  const auto rows = parsed_rows(file);
  auto run = [&](const char* name, const std::string& url, bool postgres) {
    std::size_t imported = 0;
    const double cpu0 = cpu_seconds();
    const double rate = sportello_import(url, file, batch, imported);
    const double cpu1 = cpu_seconds();
    reset_versions(url);
    const double cpu2 = cpu_seconds();
    const double anchor = postgres ? postgres_anchor(pg_url, rows) : sqlite_anchor(url.substr(7), rows);
    const double cpu3 = cpu_seconds();
    std::printf(
        "%s: import %zu rows at %.0f rows/s (%.1f s, this process's CPU %.1f s); the database's bulk load "
        "%.0f rows/s (CPU %.1f s); ratio %.2f\n",
        name, imported, rate, rate > 0 ? imported / rate : 0.0, cpu1 - cpu0, anchor, cpu3 - cpu2,
        anchor > 0 ? rate / anchor : 0.0);
    emit(name, "import", rate, "rows/s");
    emit(name, "bulk_load", anchor, "rows/s");
  };
  const std::string sqlite_path = sqlite_dir + "/bench-anagrafe.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(sqlite_path + suffix);
  run("sqlite", "sqlite:" + sqlite_path, false);
  if (!pg_url.empty()) run("postgres", pg_url, true);
  std::filesystem::remove(file);
  return 0;
}
