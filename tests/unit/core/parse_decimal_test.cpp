// Ids and numbers from URLs and forms are parsed strictly (issue 10, point 8: std::stoll took "3abc" and
// "+3" for 3, so two URLs named the same record).
#include <gtest/gtest.h>

#include "core/text.hpp"

namespace sp::text {
namespace {

TEST(ParseDecimal, DigitsOnly) {
  EXPECT_EQ(parse_decimal("0"), 0);
  EXPECT_EQ(parse_decimal("3"), 3);
  EXPECT_EQ(parse_decimal("0042"), 42);
  EXPECT_EQ(parse_decimal("999999999999999999"), 999999999999999999LL);
}

TEST(ParseDecimal, AnythingElseIsNotANumber) {
  for (const char* bad :
       {"", "3abc", "+3", "-1", " 3", "3 ", "0x10", "1e3", "3.0", "١٢", "9999999999999999999", "3\n", "\t3"})
    EXPECT_FALSE(parse_decimal(bad).has_value()) << bad;
}

}  // namespace
}  // namespace sp::text
