#include "core/holidays.hpp"

namespace sp::time {
namespace {

namespace chr = std::chrono;

// National holidays on a fixed day of the year (month, day).
constexpr unsigned kFixedHolidays[][2] = {{1, 1},  {1, 6},  {4, 25}, {5, 1},   {6, 2},
                                          {8, 15}, {11, 1}, {12, 8}, {12, 25}, {12, 26}};

// 4 October is a national holiday again from this year *(check)*.
constexpr int kSaintFrancisFrom = 2026;

}  // namespace

Date easter_sunday(chr::year y) {
  // The anonymous Gregorian algorithm (Meeus/Jones/Butcher): integers only.
  const int year = static_cast<int>(y);
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return Date{y, chr::month{static_cast<unsigned>(month)}, chr::day{static_cast<unsigned>(day)}};
}

bool is_national_holiday(Date d) {
  const auto month = static_cast<unsigned>(d.month());
  const auto day = static_cast<unsigned>(d.day());
  for (const auto& md : kFixedHolidays) {
    if (md[0] == month && md[1] == day) return true;
  }
  if (month == 10 && day == 4 && static_cast<int>(d.year()) >= kSaintFrancisFrom) return true;
  return chr::sys_days{d} == chr::sys_days{easter_sunday(d.year())} + chr::days{1};  // Easter Monday
}

bool is_sunday(Date d) {
  return chr::weekday{chr::sys_days{d}} == chr::Sunday;
}

bool is_working_day(Date d) {
  return !is_sunday(d) && !is_national_holiday(d);
}

Date next_working_day(Date d) {
  while (!is_working_day(d)) d = Date{chr::sys_days{d} + chr::days{1}};
  return d;
}

}  // namespace sp::time
