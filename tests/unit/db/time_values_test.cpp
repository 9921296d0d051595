// Instants and dates at the SQL boundary (db/time_values.hpp): what a store writes back is the text it read,
// so records whose bytes are hashed (the daily register, audit payloads) keep their bytes.
#include "db/time_values.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sp::db {
namespace {

Row row_of(std::vector<Value> cols) {
  auto names = std::make_shared<const std::vector<std::string>>(cols.size(), "c");
  return Row(std::move(cols), names);
}

TEST(TimeValues, AStoredInstantReadsBackToTheSameText) {
  for (const char* text :
       {"2026-11-23T19:15:00.123Z", "2026-03-29T00:30:00.000Z", "1999-12-31T23:59:59.999Z"}) {
    const auto r = row_of({std::string(text)});
    EXPECT_EQ(std::get<std::string>(instant_text(instant(r, 0))), text);
    EXPECT_EQ(std::get<std::string>(instant_or_null(opt_instant(r, 0))), text);
  }
}

TEST(TimeValues, AnInstantIsWrittenWithMillisecondsOnly) {
  const auto tp = time::parse_iso_utc("2026-11-23T19:15:00.123456789Z").value();
  EXPECT_EQ(std::get<std::string>(instant_text(tp)), "2026-11-23T19:15:00.123Z");
}

TEST(TimeValues, AStoredDateReadsBackToTheSameText) {
  const auto r = row_of({std::string("2026-02-28")});
  EXPECT_EQ(std::get<std::string>(date_text(date(r, 0))), "2026-02-28");
  EXPECT_EQ(std::get<std::string>(date_or_null(opt_date(r, 0))), "2026-02-28");
}

TEST(TimeValues, NullAndEmptyAreAbsent) {
  const auto r = row_of({nullptr, std::string()});
  EXPECT_FALSE(opt_instant(r, 0).has_value());
  EXPECT_FALSE(opt_instant(r, 1).has_value());
  EXPECT_FALSE(opt_date(r, 0).has_value());
  EXPECT_FALSE(opt_date(r, 1).has_value());
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(instant_or_null(std::nullopt)));
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(date_or_null(std::nullopt)));
}

TEST(TimeValues, TextThatIsNotAnInstantOrADateIsADatabaseError) {
  const auto r = row_of({std::string("ieri"), nullptr});
  EXPECT_THROW((void)instant(r, 0), DbError);
  EXPECT_THROW((void)instant(r, 1), DbError);
  EXPECT_THROW((void)opt_instant(r, 0), DbError);
  EXPECT_THROW((void)date(r, 0), DbError);
  EXPECT_THROW((void)opt_date(r, 0), DbError);
}

}  // namespace
}  // namespace sp::db
