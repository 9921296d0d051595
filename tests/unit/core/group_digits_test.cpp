#include <gtest/gtest.h>

#include <limits>

#include "core/money.hpp"
#include "core/text_numbers.hpp"

namespace sp {
namespace {

TEST(GroupDigits, GroupsThousandsInThePagesLanguage) {
  EXPECT_EQ(text::group_digits(0, "it"), "0");
  EXPECT_EQ(text::group_digits(999, "it"), "999");
  EXPECT_EQ(text::group_digits(4999, "it"), "4.999");
  EXPECT_EQ(text::group_digits(4999, "en"), "4,999");
  EXPECT_EQ(text::group_digits(50000, "it"), "50.000");
  EXPECT_EQ(text::group_digits(1'000, "en"), "1,000");
  EXPECT_EQ(text::group_digits(12'345'678'901, "it"), "12.345.678.901");
  EXPECT_EQ(text::group_digits(-1234, "it"), "-1.234");
  // Any language but English is written the Italian way (the default).
  EXPECT_EQ(text::group_digits(4999), "4.999");
  EXPECT_EQ(text::group_digits(4999, "de"), "4.999");
  EXPECT_EQ(text::group_digits(std::numeric_limits<std::int64_t>::min(), "en"), "-9,223,372,036,854,775,808");
  // Money groups its euros with the same function.
  EXPECT_EQ(money::format(123'456'789, "it"), "€ 1.234.567,89");
  EXPECT_EQ(money::format(123'456'789, "en"), "€1,234,567.89");
}

}  // namespace
}  // namespace sp
