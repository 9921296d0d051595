// Latency figures of one run, and the raw samples for the script to merge over several runs.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "bench_protocollo.hpp"

namespace sp::bench {

double percentile_ms(std::vector<std::int64_t>& us, double pct) {
  if (us.empty()) return 0;
  std::sort(us.begin(), us.end());
  auto rank = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(us.size())));
  rank = std::clamp<std::size_t>(rank, 1, us.size());
  return static_cast<double>(us[rank - 1]) / 1000.0;
}

void write_latencies(const RunOptions& options, const std::vector<std::int64_t>& us) {
  if (options.latencies_file.empty()) return;
  std::ofstream out(options.latencies_file, std::ios::trunc);
  for (auto v : us) out << v << '\n';
  if (!out.flush()) throw std::runtime_error("cannot write " + options.latencies_file);
}

}  // namespace sp::bench
