// `make bench`, scenario reconcile (issue 13, "Performance"): reconciling a pagoPA reporting flow
// (schema-validating streaming reader + per-flow checks + SQLite staging, exactly what `sportello
// reconcile` runs) against merely parsing and validating the same file with the same library, the same
// schema and the same reader settings; and the peak resident memory of each run for 100,000 and
// 1,000,000 rows. Each measured run is a forked child, so its peak RSS (wait4) is its own.
//
//   bench_reconcile [--rows N,M,...] [--rounds R] [--keep]
//
// Targets: reconcile rows/s >= 0.5 x parse+validate rows/s; peak RSS of the largest flow within 20 % of
// the smallest's. Prints a table and machine-readable BENCH lines; exit 0 when measured (targets are
// reported, not enforced), 1 when a run fails.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "payments/reporting_reconcile.hpp"
#include "support/fdr_flow_generator.hpp"

namespace rep = sp::payments::reporting;

namespace {

struct Measure {
  bool ok = false;
  double seconds = 0;      // wall clock
  double cpu_seconds = 0;  // the child's user + system time (steadier on a shared machine)
  long max_rss_kib = 0;
};

// Runs `work` in a forked child; wall time and the child's peak RSS.
template <class F>
Measure in_child(F work) {
  Measure m;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return m;
  if (pid == 0) ::_exit(work() ? 0 : 1);
  int status = 0;
  rusage usage{};
  if (::wait4(pid, &status, 0, &usage) != pid) return m;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  m.max_rss_kib = usage.ru_maxrss;
  const auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  m.cpu_seconds = secs(usage.ru_utime) + secs(usage.ru_stime);
  return m;
}

std::vector<long> parse_rows(const char* s) {
  std::vector<long> out;
  for (const char* p = s; *p != 0;) {
    char* end = nullptr;
    out.push_back(std::strtol(p, &end, 10));
    p = *end == ',' ? end + 1 : end;
    if (end == p && *p != 0) break;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> sizes = {100'000, 1'000'000};
  int rounds = 2;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc)
      sizes = parse_rows(argv[++i]);
    else if (a == "--rounds" && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
    else if (a == "--keep")
      keep = true;
    else {
      std::fprintf(stderr, "usage: bench_reconcile [--rows N,M] [--rounds R] [--keep]\n");
      return 2;
    }
  }
  auto schema = rep::FlowSchema::load(rep::default_schema_path(sp::built_in_share_dir()));
  if (!schema) {
    std::fprintf(stderr, "bench_reconcile: %s\n", schema.error().detail.c_str());
    return 1;
  }
  std::string templ = (std::filesystem::temp_directory_path() / "sportello-bench-reconcile-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) return 1;
  const std::filesystem::path dir = templ;

  std::printf("%10s %14s %14s %7s %10s %13s %13s\n", "rows", "validate r/s", "reconcile r/s", "ratio",
              "cpu ratio", "RSS valid.", "RSS recon.");
  int failures = 0;
  long first_rss = 0;
  long last_rss = 0;
  double worst_ratio = 1e9;
  for (long n : sizes) {
    sp::testing::GeneratedFlow g;
    g.rows = n;
    g.revoked_every = 50;
    const auto file = dir / ("flow-" + std::to_string(n) + ".xml");
    sp::testing::write_generated_flow(file, g);
    Measure best_v, best_r;
    for (int r = 0; r < rounds; ++r) {
      // Parse + validate only: the same reader and schema, nothing handed over.
      Measure v = in_child([&] { return rep::validate_flow_file(file.string(), **schema).ok(); });
      // Reconcile: reader + checks + staging in a fresh SQLite file, as `sportello reconcile` does.
      const auto staging_file = dir / "staging.db";
      std::filesystem::remove(staging_file);
      Measure c = in_child([&] {
        auto staging = rep::open_sqlite_staging(staging_file.string());
        if (!staging) {
          std::fprintf(stderr, "bench_reconcile: %s\n", staging.error().detail.c_str());
          return false;
        }
        auto report = rep::reconcile_flow_file(file.string(), **schema, {}, **staging);
        if (!report) std::fprintf(stderr, "bench_reconcile: %s\n", report.error().detail.c_str());
        return report.ok() && report->verdict() == "ok" && report->rows == n;
      });
      if (!v.ok || !c.ok) {
        std::fprintf(stderr, "bench_reconcile: a run of %ld rows failed\n", n);
        ++failures;
        continue;
      }
      if (best_v.seconds == 0 || v.seconds < best_v.seconds) best_v = v;
      if (best_r.seconds == 0 || c.seconds < best_r.seconds) best_r = c;
    }
    if (best_v.seconds == 0 || best_r.seconds == 0) continue;
    const double v_rps = static_cast<double>(n) / best_v.seconds;
    const double r_rps = static_cast<double>(n) / best_r.seconds;
    const double ratio = r_rps / v_rps;
    const double cpu_ratio =
        best_v.cpu_seconds / best_r.cpu_seconds;  // rows/s per CPU second, reconcile/validate
    worst_ratio = std::min(worst_ratio, ratio);
    if (first_rss == 0) first_rss = best_r.max_rss_kib;
    last_rss = best_r.max_rss_kib;
    std::printf("%10ld %14.0f %14.0f %7.2f %10.2f %9ld KiB %9ld KiB\n", n, v_rps, r_rps, ratio, cpu_ratio,
                best_v.max_rss_kib, best_r.max_rss_kib);
    std::printf("BENCH scenario=reconcile rows=%ld figure=validate value=%.0f unit=rows/s\n", n, v_rps);
    std::printf("BENCH scenario=reconcile rows=%ld figure=reconcile value=%.0f unit=rows/s\n", n, r_rps);
    std::printf("BENCH scenario=reconcile rows=%ld figure=ratio value=%.2f unit=reconcile/validate\n", n,
                ratio);
    std::printf("BENCH scenario=reconcile rows=%ld figure=cpu_ratio value=%.2f unit=reconcile/validate\n", n,
                cpu_ratio);
    std::printf("BENCH scenario=reconcile rows=%ld figure=peak_rss value=%ld unit=KiB\n", n,
                best_r.max_rss_kib);
    std::filesystem::remove(file);
  }
  if (first_rss > 0 && sizes.size() > 1) {
    const double rss_ratio = static_cast<double>(last_rss) / static_cast<double>(first_rss);
    std::printf("BENCH scenario=reconcile figure=peak_rss_ratio value=%.3f unit=largest/smallest\n",
                rss_ratio);
    std::printf(
        "reconcile/validate >= 0.5: %s (worst %.2f); peak RSS %ld rows vs %ld rows within 20 %%: %s (%.3f)\n",
        worst_ratio >= 0.5 ? "yes" : "NO", worst_ratio, sizes.back(), sizes.front(),
        rss_ratio <= 1.2 ? "yes" : "NO", rss_ratio);
  }
  if (!keep) std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
