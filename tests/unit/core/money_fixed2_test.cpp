// money::parse_fixed2: the `\d+\.\d{2}` amounts of pagoPA reporting flows, to integer cents exactly
// (a sum through doubles gave another product false "total mismatch" anomalies).
#include <gtest/gtest.h>

#include "core/money.hpp"

namespace sp::money {
namespace {

TEST(MoneyFixed2, ExactCents) {
  EXPECT_EQ(parse_fixed2("20.00").value(), 2000);
  EXPECT_EQ(parse_fixed2("0.01").value(), 1);
  EXPECT_EQ(parse_fixed2("1234.56").value(), 123456);
  EXPECT_EQ(parse_fixed2("007.50").value(), 750);
  EXPECT_EQ(parse_fixed2("999999999.99").value(), 99999999999);
  // 0.1 + 0.2 is not 0.3 in binary floating point; here it is.
  EXPECT_EQ(parse_fixed2("0.10").value() + parse_fixed2("0.20").value(), parse_fixed2("0.30").value());
  EXPECT_EQ(parse_fixed2("92233720368547758.07").value(), 9223372036854775807LL);
}

TEST(MoneyFixed2, AnythingButTwoDecimalsIsRefused) {
  for (const char* bad : {"", "20", "20.0", "20.000", ".00", "-1.00", "+1.00", "1,00", " 1.00", "1.00 ",
                          "1e3.00", "1.0a", "1.-1", "1..00", "1 000.00"}) {
    auto r = parse_fixed2(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "money.format") << bad;
  }
}

TEST(MoneyFixed2, Overflow) {
  auto r = parse_fixed2("92233720368547758.08");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "money.overflow");
  EXPECT_EQ(parse_fixed2("99999999999999999999.00").error().code, "money.overflow");
}

}  // namespace
}  // namespace sp::money
