// A bulk request of the largest size the API takes (1,000 positions, 2 options each): one transaction,
// every IUV distinct, and the time it takes (printed, not asserted: the machine is shared).
#include <chrono>
#include <iostream>
#include <set>

#include "payments_fixture.hpp"

namespace sp::payments::testing {
namespace {

using BulkTest = PaymentsTest;

TEST_P(BulkTest, AThousandPositionsInOneCall) {
  std::vector<NewPosition> rows;
  for (int i = 0; i < static_cast<int>(kMaxBulk); ++i) {
    auto p = tari("TARI-2026-" + std::to_string(i));
    p.options.resize(2);
    rows.push_back(std::move(p));
  }
  const auto start = std::chrono::steady_clock::now();
  auto out = payments().create_bulk(system_, kBody, rows);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(out.ok()) << out.error().code;
  ASSERT_TRUE(out->errors.empty()) << out->errors[0].error.code;
  EXPECT_EQ(out->created.size(), kMaxBulk);
  std::set<std::string> iuvs;
  for (const auto& p : out->created)
    for (const auto& o : p.options) iuvs.insert(o.iuv);
  EXPECT_EQ(iuvs.size(), 2 * kMaxBulk);
  EXPECT_EQ(count("payment_options"), static_cast<std::int64_t>(2 * kMaxBulk));
  std::cout << "[ payments ] bulk of " << kMaxBulk << " positions (" << 2 * kMaxBulk << " options) in "
            << secs << " s on " << (GetParam() == db::Dialect::sqlite ? "SQLite" : "PostgreSQL") << "\n";
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, BulkTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::testing
