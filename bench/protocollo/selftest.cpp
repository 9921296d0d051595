// `bench_protocollo selftest`: shows the numbering check can fail before any figure relies on it passing.
#include <cstdio>

#include "bench_protocollo.hpp"

namespace sp::bench {

int run_selftest() {
  struct Case {
    const char* name;
    std::vector<YearNumbers> stored;
    std::vector<Acknowledged> acknowledged;
    bool expect_ok;
  };
  const std::vector<Case> cases = {
      {"gapless", {{2026, 3, 3, 1, 3}}, {{2026, 2}, {2026, 1}, {2026, 3}}, true},
      {"two years", {{2026, 2, 2, 1, 2}, {2027, 1, 1, 1, 1}}, {{2026, 1}, {2026, 2}, {2027, 1}}, true},
      {"gap", {{2026, 3, 3, 1, 4}}, {{2026, 1}, {2026, 2}, {2026, 4}}, false},
      {"duplicate number", {{2026, 3, 2, 1, 2}}, {{2026, 1}, {2026, 2}, {2026, 2}}, false},
      {"not starting at 1", {{2026, 2, 2, 2, 3}}, {{2026, 2}, {2026, 3}}, false},
      {"stored, never acknowledged", {{2026, 3, 3, 1, 3}}, {{2026, 1}, {2026, 2}}, false},
      {"acknowledged, not stored", {{2026, 2, 2, 1, 2}}, {{2026, 1}, {2026, 2}, {2026, 3}}, false},
      {"acknowledged twice", {{2026, 2, 2, 1, 2}}, {{2026, 1}, {2026, 1}}, false},
      {"acknowledged in another year", {{2026, 2, 2, 1, 2}}, {{2026, 1}, {2027, 2}}, false},
  };
  int wrong = 0;
  for (const auto& c : cases) {
    const auto got = check_numbering(c.stored, c.acknowledged);
    if (got.ok != c.expect_ok) {
      ++wrong;
      std::fprintf(stderr, "numbering check self-test: '%s' gave %s (%s)\n", c.name,
                   got.ok ? "ok" : "failure", got.detail.c_str());
    }
  }
  std::printf("selftest=%s\n", wrong == 0 ? "ok" : "FAILED");
  std::printf("selftest_cases=%zu\n", cases.size());
  return wrong == 0 ? 0 : 1;
}

}  // namespace sp::bench
