// text::percent_encode: RFC 3986 unreserved characters stay, every other byte becomes %XX (upper case),
// and the caller may keep a few more (a path carried in a query parameter keeps its slashes).
#include <gtest/gtest.h>

#include "core/text.hpp"

namespace {

TEST(PercentEncode, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(sp::text::percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(sp::text::percent_encode("a b:c/d?e&f=g"), "a%20b%3Ac%2Fd%3Fe%26f%3Dg");
  EXPECT_EQ(sp::text::percent_encode("Comune di Forlì"), "Comune%20di%20Forl%C3%AC");
  EXPECT_EQ(sp::text::percent_encode(std::string_view("\0\xff", 2)), "%00%FF");
}

TEST(PercentEncode, KeepsWhatTheCallerAsksFor) {
  EXPECT_EQ(sp::text::percent_encode("/asti/servizi?x=1", "/"), "/asti/servizi%3Fx%3D1");
  // A NUL byte is never kept, even though string_view::find would match the terminator of a literal.
  EXPECT_EQ(sp::text::percent_encode(std::string_view("a\0", 2), "/"), "a%00");
}

}  // namespace
