// The numbering check run after every measurement: a benchmark that silently broke gapless numbering
// would be measuring something the registry must never do.
#include <algorithm>
#include <map>

#include "bench_protocollo.hpp"

namespace sp::bench {

GapCheck check_numbering(const std::vector<YearNumbers>& stored, std::vector<Acknowledged> acknowledged) {
  GapCheck out{true, {}};
  auto fail = [&](const std::string& why) {
    out.ok = false;
    out.detail += (out.detail.empty() ? "" : "; ") + why;
  };
  std::map<int, std::int64_t> acked_per_year;
  for (const auto& a : acknowledged) ++acked_per_year[a.year];
  std::sort(acknowledged.begin(), acknowledged.end());
  if (std::adjacent_find(acknowledged.begin(), acknowledged.end()) != acknowledged.end())
    fail("a number was acknowledged to two callers");

  std::int64_t total = 0;
  std::string summary;
  for (const auto& y : stored) {
    total += y.rows;
    const std::string tag = std::to_string(y.year) + ": ";
    if (y.distinct != y.rows) fail(tag + std::to_string(y.rows - y.distinct) + " duplicate numbers");
    if (y.rows > 0 && (y.min != 1 || y.max != y.rows))
      fail(tag + std::to_string(y.rows) + " rows but numbers " + std::to_string(y.min) + ".." +
           std::to_string(y.max) + " (a gap)");
    if (acked_per_year[y.year] != y.rows)
      fail(tag + std::to_string(y.rows) + " rows stored, " + std::to_string(acked_per_year[y.year]) +
           " acknowledged");
    summary += (summary.empty() ? "" : ", ") + tag + "1.." + std::to_string(y.max);
  }
  // Every acknowledged number must be a stored one: with counts equal and both sides 1..rows per year,
  // comparing per-year counts and the range of the acknowledged numbers is enough.
  for (const auto& a : acknowledged) {
    auto it =
        std::find_if(stored.begin(), stored.end(), [&](const YearNumbers& y) { return y.year == a.year; });
    if (it == stored.end() || a.number < 1 || a.number > it->max) {
      fail("acknowledged number " + std::to_string(a.year) + "/" + std::to_string(a.number) +
           " is not stored");
      break;
    }
  }
  if (out.ok)
    out.detail = std::to_string(total) + " rows, numbers " + (summary.empty() ? "none" : summary) +
                 ", each acknowledged exactly once";
  return out;
}

}  // namespace sp::bench
