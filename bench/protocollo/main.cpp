// bench_protocollo: see bench_protocollo.hpp; driven by bench/run-protocollo.
//
//   bench_protocollo registrations URL [--migrations DIR] [--seconds S] [--threads N] [--latencies FILE]
//   bench_protocollo raw-sqlite PATH [--seconds S] [--latencies FILE]
//   bench_protocollo selftest
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "bench_protocollo.hpp"
#include "core/config.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: bench_protocollo registrations URL [--migrations DIR] [--seconds S] [--threads N]"
               " [--latencies FILE]\n"
               "       bench_protocollo raw-sqlite PATH [--seconds S] [--latencies FILE]\n"
               "       bench_protocollo selftest\n");
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "selftest") return sp::bench::run_selftest();
  if (argc < 3) return usage();
  const std::string command = argv[1];
  const std::string target = argv[2];
  sp::bench::RunOptions options;
  std::string migrations = sp::built_in_share_dir() + "/migrations";
  for (int i = 3; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (flag == "--seconds") {
      options.seconds = std::atof(value);
    } else if (flag == "--threads") {
      options.threads = std::atoi(value);
    } else if (flag == "--latencies") {
      options.latencies_file = value;
    } else if (flag == "--migrations") {
      migrations = value;
    } else {
      return usage();
    }
  }
  if (options.seconds <= 0 || options.threads < 1) return usage();
  try {
    if (command == "registrations") return sp::bench::run_registrations(target, migrations, options);
    if (command == "raw-sqlite") return sp::bench::run_raw_sqlite(target, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_protocollo: %s\n", e.what());
    return 1;
  }
  return usage();
}
