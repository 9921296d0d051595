// Easter dates cross-checked with python-dateutil's easter() (Gregorian), which matches the published
// tables; the extremes are the earliest (22 March: 1818, 2285) and the latest (25 April: 2038) Easters.
#include "core/holidays.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono;
using sp::time::Date;

Date day(int y, unsigned m, unsigned d) {
  return Date{year{y}, month{m}, std::chrono::day{d}};
}

std::string iso(Date d) {
  return sp::time::format_iso_date(d);
}

TEST(Holidays, EasterMondayIsComputedForAnyYear) {
  const std::vector<std::pair<int, std::string>> mondays{
      {1818, "1818-03-23"}, {2000, "2000-04-24"}, {2008, "2008-03-24"}, {2011, "2011-04-25"},
      {2019, "2019-04-22"}, {2024, "2024-04-01"}, {2025, "2025-04-21"}, {2026, "2026-04-06"},
      {2027, "2027-03-29"}, {2028, "2028-04-17"}, {2029, "2029-04-02"}, {2030, "2030-04-22"},
      {2038, "2038-04-26"}, {2285, "2285-03-23"}};
  for (const auto& [y, monday] : mondays) {
    const Date easter = sp::time::easter_sunday(year{y});
    EXPECT_TRUE(sp::time::is_sunday(easter)) << y;
    const Date next = Date{sys_days{easter} + days{1}};
    EXPECT_EQ(iso(next), monday) << y;
    EXPECT_TRUE(sp::time::is_national_holiday(next)) << monday;
    // The Tuesday is not, unless it is 25 April (as in 2000).
    const Date tuesday{sys_days{easter} + days{2}};
    EXPECT_EQ(sp::time::is_national_holiday(tuesday),
              tuesday.month() == April && tuesday.day() == std::chrono::day{25})
        << y;
  }
}

TEST(Holidays, TheNationalHolidaysAndNothingElse) {
  int holidays = 0;
  for (sys_days d = sys_days{day(2027, 1, 1)}; d < sys_days{day(2028, 1, 1)}; d += days{1}) {
    if (sp::time::is_national_holiday(Date{d})) ++holidays;
  }
  EXPECT_EQ(holidays, 12);  // the 11 of L. 260/1949 as amended, and 4 October
  for (auto d : {day(2027, 1, 1), day(2027, 1, 6), day(2027, 4, 25), day(2027, 5, 1), day(2027, 6, 2),
                 day(2027, 8, 15), day(2027, 11, 1), day(2027, 12, 8), day(2027, 12, 25), day(2027, 12, 26),
                 day(2027, 10, 4)}) {
    EXPECT_TRUE(sp::time::is_national_holiday(d)) << iso(d);
  }
  EXPECT_FALSE(sp::time::is_national_holiday(day(2025, 10, 4)));  // before 2026
  EXPECT_FALSE(sp::time::is_national_holiday(day(2027, 11, 2)));
  EXPECT_FALSE(sp::time::is_national_holiday(day(2027, 8, 16)));
  EXPECT_FALSE(sp::time::is_national_holiday(day(2027, 3, 28)));  // Easter Sunday: a Sunday, not in the list
  EXPECT_TRUE(sp::time::is_sunday(day(2027, 3, 28)));
}

TEST(Holidays, ATermEndingOnASundayOrAHolidayMovesToTheNextWorkingDay) {
  auto next = [](Date d) { return iso(sp::time::next_working_day(d)); };
  EXPECT_EQ(next(day(2026, 3, 31)), "2026-03-31");  // a Tuesday stays
  EXPECT_EQ(next(day(2026, 4, 4)), "2026-04-04");   // Saturday is a working day for terms
  EXPECT_EQ(next(day(2026, 4, 5)), "2026-04-07");   // Easter Sunday, then Easter Monday
  EXPECT_EQ(next(day(2026, 4, 6)), "2026-04-07");
  EXPECT_EQ(next(day(2026, 5, 1)), "2026-05-02");    // a Friday holiday: Saturday
  EXPECT_EQ(next(day(2026, 12, 25)), "2026-12-28");  // Christmas (Fri), St Stephen (Sat), Sunday
  EXPECT_EQ(next(day(2027, 4, 25)), "2027-04-26");   // Liberation Day on a Sunday
  EXPECT_EQ(next(day(2027, 10, 4)), "2027-10-05");
  EXPECT_EQ(next(day(2026, 11, 1)), "2026-11-02");  // All Saints' on a Sunday
  EXPECT_EQ(next(day(2026, 12, 31)), "2026-12-31");
  EXPECT_EQ(next(day(2028, 1, 1)), "2028-01-03");  // Saturday holiday, then Sunday
}

}  // namespace
