// The SQLite anchor: what SQLite itself does for "one durable row per transaction" on this machine and
// file system. One thread, three statements prepared once (BEGIN, INSERT, COMMIT), a row shaped like a
// protocol_entries row (same columns, same keys, similar values), WAL + synchronous=FULL, SQLite's
// default automatic checkpoints. Nothing of sportello sits in between.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "bench_protocollo.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace sp::bench {
namespace {

// protocol_entries' columns and keys (migrations/sqlite/0007_protocollo.sql), without the triggers.
constexpr const char* kSchema = R"(
CREATE TABLE raw_entries (
  id TEXT PRIMARY KEY, tenant_id INTEGER NOT NULL, aoo_id INTEGER NOT NULL, year INTEGER NOT NULL,
  number INTEGER NOT NULL, registered_at TEXT NOT NULL, direction TEXT NOT NULL, subject TEXT NOT NULL,
  correspondents TEXT NOT NULL, sender_protocol_number TEXT, sender_protocol_date TEXT, classification TEXT,
  fascicolo TEXT, office TEXT, registered_by TEXT NOT NULL, channel TEXT NOT NULL,
  UNIQUE (aoo_id, year, number));
CREATE INDEX raw_entries_tenant_time ON raw_entries(tenant_id, registered_at);
)";

constexpr const char* kInsert =
    "INSERT INTO raw_entries (id, tenant_id, aoo_id, year, number, registered_at, direction, subject, "
    "correspondents, sender_protocol_number, sender_protocol_date, classification, fascicolo, office, "
    "registered_by, channel) VALUES (?1, 1, 1, ?2, ?3, ?4, 'incoming', ?5, ?6, '123', '2026-03-01', '6.3', "
    "'2026-6.3-12', 'Ufficio tecnico', 'system:bench-0', 'online')";

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
      fail("open");
  }
  ~Sqlite() {
    for (auto* s : statements_) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  std::string text(const char* sql) {
    sqlite3_stmt* s = prepare(sql);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return out;
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) fail(sql);
    statements_.push_back(s);
    return s;
  }
  void step_done(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) fail(sqlite3_sql(s));
    sqlite3_reset(s);
  }
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

}  // namespace

int run_raw_sqlite(const std::string& path, const RunOptions& options) {
  Sqlite db(path);
  const std::string journal = db.text("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=FULL");
  const std::string sync = db.text("PRAGMA synchronous");
  std::printf("durability=journal_mode=%s synchronous=%s\n", journal.c_str(),
              sync == "2" ? "FULL" : sync.c_str());
  if (journal != "wal" || sync != "2") {
    std::fprintf(stderr, "bench_protocollo: raw SQLite is not WAL + synchronous=FULL: refusing to measure\n");
    return 2;
  }
  db.exec(kSchema);

  sqlite3_stmt* begin = db.prepare("BEGIN IMMEDIATE");
  sqlite3_stmt* insert = db.prepare(kInsert);
  sqlite3_stmt* commit = db.prepare("COMMIT");
  const std::string subject = "Istanza di accesso agli atti - pratica edilizia (scrittore 0)";
  // What correspondents_to_json writes for the registration's one correspondent.
  const std::string correspondents =
      R"([{"kind":"person","name":"Mario Rossi","fiscal_code":"RSSMRA80A01H501U",)"
      R"("pec":"mario.rossi@pec.example.it"}])";
  const int year = static_cast<int>(time::rome_date(time::system_clock().now()).year());

  std::vector<std::int64_t> latency;
  std::int64_t number = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(options.seconds));
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    if (t0 >= deadline) break;
    db.step_done(begin);
    bind_text(insert, 1, ids::uuid_v7());
    sqlite3_bind_int(insert, 2, year);
    sqlite3_bind_int64(insert, 3, number + 1);
    bind_text(insert, 4, time::format_iso_utc(time::system_clock().now()));
    bind_text(insert, 5, subject);
    bind_text(insert, 6, correspondents);
    db.step_done(insert);
    db.step_done(commit);
    ++number;
    latency.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_latencies(options, latency);

  std::vector<YearNumbers> stored;
  sqlite3_stmt* numbers = db.prepare(
      "SELECT year, COUNT(*), COUNT(DISTINCT number), MIN(number), MAX(number) FROM raw_entries GROUP BY "
      "year");
  while (sqlite3_step(numbers) == SQLITE_ROW)
    stored.push_back({sqlite3_column_int(numbers, 0), sqlite3_column_int64(numbers, 1),
                      sqlite3_column_int64(numbers, 2), sqlite3_column_int64(numbers, 3),
                      sqlite3_column_int64(numbers, 4)});
  sqlite3_reset(numbers);
  std::vector<Acknowledged> acknowledged;
  acknowledged.reserve(static_cast<std::size_t>(number));
  for (std::int64_t n = 1; n <= number; ++n) acknowledged.push_back({year, n});
  auto check = check_numbering(stored, std::move(acknowledged));

  std::printf("dialect=sqlite-raw\n");
  std::printf("engine=SQLite %s\n", sqlite3_libversion());
  std::printf("threads=1\n");
  std::printf("seconds=%.3f\n", elapsed);
  std::printf("registrations=%lld\n", static_cast<long long>(number));
  std::printf("per_second=%.1f\n", elapsed > 0 ? static_cast<double>(number) / elapsed : 0.0);
  std::printf("commits=%lld\n", static_cast<long long>(number));
  std::printf("per_commit=1.00\n");
  std::printf("p50_ms=%.2f\n", percentile_ms(latency, 50));
  std::printf("p99_ms=%.2f\n", percentile_ms(latency, 99));
  std::printf("failures=0\n");
  std::printf("numbers_checked=%lld\n", static_cast<long long>(number));
  std::printf("gap_check=%s\n", check.ok ? "ok" : "FAILED");
  std::printf("gap_detail=%s\n", check.detail.c_str());
  std::fflush(stdout);
  return check.ok ? 0 : 1;
}

}  // namespace sp::bench
