#pragma once
// bench_protocollo: protocol registrations per second against the database's own figure (bench/run-protocollo
// drives it; see bench/README.md). Each command prints its results as `key=value` lines on stdout for the
// script to tabulate, and diagnostics on stderr.
#include <cstdint>
#include <string>
#include <vector>

namespace sp::bench {

// How long and how wide one measurement runs.
struct RunOptions {
  double seconds = 10;
  int threads = 8;
  std::string latencies_file;  // when set, every transaction's latency in microseconds, one per line
};

// ProtocolService::register_entry from `threads` threads on one AOO of a freshly migrated database
// (`url`: sqlite:PATH or postgresql://...), durable commits; then the numbering check. Returns the
// process exit status: 0 when measured and the numbering is gapless.
int run_registrations(const std::string& url, const std::string& migrations_root, const RunOptions& options);

// The anchor on SQLite: one thread, a prepared INSERT of one protocol_entries-shaped row per transaction,
// WAL + synchronous=FULL, through the sqlite3 C API with nothing of ours in between.
int run_raw_sqlite(const std::string& path, const RunOptions& options);

// Runs check_numbering on made-up gapless and broken numberings; 0 when it tells them apart.
int run_selftest();

// Rows per Rome calendar year as the database holds them, and what the writers were told.
struct YearNumbers {
  int year = 0;
  std::int64_t rows = 0;
  std::int64_t distinct = 0;
  std::int64_t min = 0;
  std::int64_t max = 0;
};
struct Acknowledged {
  int year = 0;
  std::int64_t number = 0;
  auto operator<=>(const Acknowledged&) const = default;
};

// Gapless means: per year the stored numbers are exactly 1..rows (no gap, no duplicate), and the numbers
// acknowledged to the callers are exactly the stored ones. `detail` says what was found either way.
struct GapCheck {
  bool ok = false;
  std::string detail;
};
GapCheck check_numbering(const std::vector<YearNumbers>& stored, std::vector<Acknowledged> acknowledged);

// Latency percentile (0..100) of durations in microseconds, in milliseconds; 0 when empty. Sorts `us`.
double percentile_ms(std::vector<std::int64_t>& us, double pct);
// Writes `us` to RunOptions::latencies_file (if set), so that several runs' percentiles can be merged.
void write_latencies(const RunOptions& options, const std::vector<std::int64_t>& us);

}  // namespace sp::bench
