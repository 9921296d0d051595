#include "core/money.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace {

using sp::money::Cents;

std::string parse_code(std::string_view s, sp::money::ParseOptions o = {}) {
  auto r = sp::money::parse(s, o);
  return r ? "ok" : r.error().code;
}

Cents parse_ok(std::string_view s, sp::money::ParseOptions o = {}) {
  auto r = sp::money::parse(s, o);
  EXPECT_TRUE(r.ok()) << "'" << s << "': " << (r ? "" : r.error().detail);
  return r ? *r : -999999;
}

TEST(Money, FormatsItalian) {
  EXPECT_EQ(sp::money::format(123456), "\u20AC 1.234,56");
  EXPECT_EQ(sp::money::format(1600, "it"), "\u20AC 16,00");
  EXPECT_EQ(sp::money::format(5), "\u20AC 0,05");
  EXPECT_EQ(sp::money::format(0), "\u20AC 0,00");
  EXPECT_EQ(sp::money::format(100000000), "\u20AC 1.000.000,00");
  EXPECT_EQ(sp::money::format(99999), "\u20AC 999,99");
  EXPECT_EQ(sp::money::format(-1600), "-\u20AC 16,00");
}

TEST(Money, FormatsEnglish) {
  EXPECT_EQ(sp::money::format(123456, "en"), "\u20AC1,234.56");
  EXPECT_EQ(sp::money::format(1600, "en"), "\u20AC16.00");
  EXPECT_EQ(sp::money::format(-123456789, "en"), "-\u20AC1,234,567.89");
}

TEST(Money, FormatsExtremes) {
  EXPECT_EQ(sp::money::format(std::numeric_limits<Cents>::max()), "\u20AC 92.233.720.368.547.758,07");
  EXPECT_EQ(sp::money::format(std::numeric_limits<Cents>::min()), "-\u20AC 92.233.720.368.547.758,08");
}

TEST(Money, ParsesWhatPeopleType) {
  EXPECT_EQ(parse_ok("16"), 1600);
  EXPECT_EQ(parse_ok("16,00"), 1600);
  EXPECT_EQ(parse_ok("16.00"), 1600);
  EXPECT_EQ(parse_ok("16,5"), 1650);
  EXPECT_EQ(parse_ok("0,05"), 5);
  EXPECT_EQ(parse_ok("1.234,56"), 123456);
  EXPECT_EQ(parse_ok("1,234.56"), 123456);
  EXPECT_EQ(parse_ok("1234,56"), 123456);
  EXPECT_EQ(parse_ok("1.234"), 123400);  // Italian thousands separator
  EXPECT_EQ(parse_ok("1.234.567"), 123456700);
  EXPECT_EQ(parse_ok("16,001"), 1600100);  // three digits after one separator: thousands, by the rule
  EXPECT_EQ(parse_ok("1.234.567,8"), 123456780);
  EXPECT_EQ(parse_ok("\u20AC 16"), 1600);
  EXPECT_EQ(parse_ok("\u20AC16,00"), 1600);
  EXPECT_EQ(parse_ok("16 \u20AC"), 1600);
  EXPECT_EQ(parse_ok("EUR 16"), 1600);
  EXPECT_EQ(parse_ok("  16,00\u00A0\u20AC "), 1600);  // no-break space from copy-paste
  EXPECT_EQ(parse_ok("0"), 0);
  EXPECT_EQ(parse_ok("-0"), 0);
}

TEST(Money, RoundTripsFormat) {
  for (Cents c : {Cents{0}, Cents{1}, Cents{99}, Cents{100}, Cents{123456}, Cents{100000000}}) {
    EXPECT_EQ(parse_ok(sp::money::format(c, "it")), c);
    EXPECT_EQ(parse_ok(sp::money::format(c, "en")), c);
  }
}

TEST(Money, FormatErrors) {
  EXPECT_EQ(parse_code(""), "money.format");
  EXPECT_EQ(parse_code("\u20AC"), "money.format");
  EXPECT_EQ(parse_code("abc"), "money.format");
  EXPECT_EQ(parse_code("16,0001"), "money.format");
  EXPECT_EQ(parse_code("1.234,567"), "money.format");
  EXPECT_EQ(parse_code("12.34.56"), "money.format");
  EXPECT_EQ(parse_code("1.2345"), "money.format");
  EXPECT_EQ(parse_code("1,234,56"), "money.format");
  EXPECT_EQ(parse_code(",50"), "money.format");
  EXPECT_EQ(parse_code("16,"), "money.format");
  EXPECT_EQ(parse_code("16 00"), "money.format");
  EXPECT_EQ(parse_code("1e3"), "money.format");
  EXPECT_EQ(parse_code("16-"), "money.format");
  EXPECT_EQ(parse_code("$16"), "money.format");
  EXPECT_EQ(sp::money::parse("x").error().message_key, "error.money.format");
}

TEST(Money, NegativeIsConfigurable) {
  EXPECT_EQ(parse_code("-16"), "money.negative");
  EXPECT_EQ(parse_code("\u20AC -16,00"), "money.negative");
  sp::money::ParseOptions allow{.allow_negative = true};
  EXPECT_EQ(parse_ok("-16", allow), -1600);
  EXPECT_EQ(parse_ok("-\u20AC 1.234,56", allow), -123456);
  EXPECT_EQ(parse_ok("\u20AC -16,00", allow), -1600);
}

TEST(Money, Overflow) {
  EXPECT_EQ(parse_ok("92233720368547758,07"), std::numeric_limits<Cents>::max());
  EXPECT_EQ(parse_code("92233720368547758,08"), "money.overflow");
  EXPECT_EQ(parse_code("92233720368547759"), "money.overflow");
  EXPECT_EQ(parse_code("99999999999999999999999"), "money.overflow");
}

}  // namespace
