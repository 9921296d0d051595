// Expected Rome times were cross-checked with Python's zoneinfo (IANA tz database). In 2026 DST starts
// on Sunday 29 March at 01:00 UTC and ends on Sunday 25 October at 01:00 UTC.
#include "core/time.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace {

using namespace std::chrono;
using sp::time::TimePoint;

TimePoint utc(std::string_view iso) {
  auto r = sp::time::parse_iso_utc(iso);
  EXPECT_TRUE(r.ok()) << iso;
  return r ? *r : TimePoint{};
}

// A Rome wall-clock time as text, to compare with expectations readably.
std::string rome(std::string_view iso) {
  return date::format("%F %T", sp::time::to_rome_local(utc(iso)));
}

date::local_seconds local(int y, unsigned m, unsigned d, int h, int mi) {
  return date::local_days{date::year{y} / date::month{m} / date::day{d}} + hours{h} + minutes{mi};
}

TEST(Time, ParseAndFormatIsoUtc) {
  auto tp = utc("2026-11-23T19:15:00Z");
  EXPECT_EQ(tp.time_since_epoch(), seconds{1795461300});  // date -d 2026-11-23T19:15:00Z +%s
  EXPECT_EQ(sp::time::format_iso_utc(tp), "2026-11-23T19:15:00Z");
  EXPECT_EQ(sp::time::format_iso_utc(utc("2026-11-23t19:15:00.999z")), "2026-11-23T19:15:00Z");
  EXPECT_EQ(utc("2026-11-23T19:15:00.5Z") - tp, milliseconds{500});
  EXPECT_EQ(utc("2026-11-23T19:15:00.123456789Z") - tp, nanoseconds{123456789});
  EXPECT_EQ(utc("2026-11-23T20:15:00+01:00"), tp);
  EXPECT_EQ(utc("2026-11-23T17:45:00-01:30"), tp);
  EXPECT_EQ(utc("1970-01-01T00:00:00Z"), TimePoint{});
  EXPECT_EQ(sp::time::format_iso_utc(utc("1969-12-31T23:59:59.5Z")), "1969-12-31T23:59:59Z");
}

TEST(Time, ParseIsoUtcErrors) {
  auto code = [](std::string_view s) {
    auto r = sp::time::parse_iso_utc(s);
    return r ? std::string("ok") : r.error().code;
  };
  EXPECT_EQ(code("2026-11-23T19:15:00"), "time.format");  // no zone
  EXPECT_EQ(code("2026-11-23 19:15:00Z"), "time.format");
  EXPECT_EQ(code("2026-11-23T19:15Z"), "time.format");
  EXPECT_EQ(code("2026-11-23T19:15:00Zjunk"), "time.format");
  EXPECT_EQ(code("2026-11-23T19:15:00.Z"), "time.format");
  EXPECT_EQ(code("26-11-23T19:15:00Z"), "time.format");
  EXPECT_EQ(code(""), "time.format");
  EXPECT_EQ(code("2026-13-01T00:00:00Z"), "time.range");
  EXPECT_EQ(code("2026-02-29T00:00:00Z"), "time.range");
  EXPECT_EQ(code("2026-11-23T24:00:00Z"), "time.range");
  EXPECT_EQ(code("2026-11-23T23:60:00Z"), "time.range");
  EXPECT_EQ(code("2028-02-29T00:00:00Z"), "ok");
  // Beyond what a nanosecond TimePoint holds: refused, not overflowed (UBSan caught "2999" once).
  EXPECT_EQ(code("2999-01-01T00:00:00Z"), "time.range");
  EXPECT_EQ(code("1600-01-01T00:00:00Z"), "time.range");
  EXPECT_EQ(code("2261-12-31T23:59:59Z"), "ok");
  EXPECT_EQ(sp::time::parse_iso_utc("x").error().message_key, "error.time.format");
}

TEST(Time, ParseIsoDate) {
  auto d = sp::time::parse_iso_date("2026-11-23");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, year{2026} / November / 23);
  EXPECT_EQ(sp::time::format_iso_date(*d), "2026-11-23");
  EXPECT_EQ(sp::time::parse_iso_date("2026-11-23T00:00:00Z").error().code, "time.format");
  EXPECT_EQ(sp::time::parse_iso_date("23/11/2026").error().code, "time.format");
  EXPECT_EQ(sp::time::parse_iso_date("2026-11-31").error().code, "time.range");
  EXPECT_EQ(sp::time::parse_iso_date("2026-00-10").error().code, "time.range");
}

TEST(Time, ItalianFormats) {
  EXPECT_EQ(sp::time::format_it_date(utc("2026-11-23T19:15:00Z")), "23/11/2026");
  EXPECT_EQ(sp::time::format_it_datetime(utc("2026-11-23T19:15:00Z")), "23/11/2026 20:15");  // CET
  EXPECT_EQ(sp::time::format_it_datetime(utc("2026-07-01T10:00:59Z")), "01/07/2026 12:00");  // CEST
  EXPECT_EQ(sp::time::format_it_date(year{2026} / March / 5), "05/03/2026");
}

TEST(Time, YearBoundaryInRome) {
  auto tp = utc("2026-12-31T23:30:00Z");
  EXPECT_EQ(sp::time::rome_date(tp), year{2027} / January / 1);
  EXPECT_EQ(sp::time::format_it_date(tp), "01/01/2027");
  EXPECT_EQ(sp::time::format_it_datetime(tp), "01/01/2027 00:30");
  EXPECT_EQ(sp::time::rome_date(utc("2026-12-31T22:59:59Z")), year{2026} / December / 31);
}

TEST(Time, SpringForward) {
  EXPECT_EQ(rome("2026-03-29T00:59:59Z"), "2026-03-29 01:59:59");
  EXPECT_EQ(rome("2026-03-29T01:00:00Z"), "2026-03-29 03:00:00");
  // 02:30 does not exist that night: the instant of the jump.
  EXPECT_EQ(sp::time::from_rome_local(local(2026, 3, 29, 2, 30)), utc("2026-03-29T01:00:00Z"));
  EXPECT_EQ(sp::time::from_rome_local(local(2026, 3, 29, 3, 0)), utc("2026-03-29T01:00:00Z"));
  EXPECT_EQ(sp::time::from_rome_local(local(2026, 3, 29, 1, 30)), utc("2026-03-29T00:30:00Z"));
  // The day has 23 hours.
  auto start = sp::time::rome_day_start(year{2026} / March / 29);
  auto next = sp::time::rome_day_start(year{2026} / March / 30);
  EXPECT_EQ(start, utc("2026-03-28T23:00:00Z"));
  EXPECT_EQ(next, utc("2026-03-29T22:00:00Z"));
  EXPECT_EQ(next - start, hours{23});
}

TEST(Time, FallBack) {
  EXPECT_EQ(rome("2026-10-25T00:30:00Z"), "2026-10-25 02:30:00");
  EXPECT_EQ(rome("2026-10-25T01:30:00Z"), "2026-10-25 02:30:00");
  // 02:30 happens twice: the earlier (CEST) instant.
  EXPECT_EQ(sp::time::from_rome_local(local(2026, 10, 25, 2, 30)), utc("2026-10-25T00:30:00Z"));
  EXPECT_EQ(sp::time::from_rome_local(local(2026, 10, 25, 3, 30)), utc("2026-10-25T02:30:00Z"));
  auto start = sp::time::rome_day_start(year{2026} / October / 25);
  auto next = sp::time::rome_day_start(year{2026} / October / 26);
  EXPECT_EQ(start, utc("2026-10-24T22:00:00Z"));
  EXPECT_EQ(next, utc("2026-10-25T23:00:00Z"));
  EXPECT_EQ(next - start, hours{25});
  EXPECT_EQ(sp::time::rome_date(utc("2026-10-25T22:59:59Z")), year{2026} / October / 25);
  EXPECT_EQ(sp::time::rome_date(utc("2026-10-25T23:00:00Z")), year{2026} / October / 26);
}

TEST(Time, RomeDayStartRoundTrips) {
  for (auto d = year{2026} / January / 1; d != year{2027} / January / 1;
       d = sp::time::add_calendar_days(d, 1)) {
    auto start = sp::time::rome_day_start(d);
    ASSERT_EQ(sp::time::rome_date(start), d) << sp::time::format_iso_date(d);
    ASSERT_EQ(sp::time::rome_date(start - seconds{1}), sp::time::add_calendar_days(d, -1));
  }
}

TEST(Time, AddCalendarDays) {
  using sp::time::add_calendar_days;
  EXPECT_EQ(add_calendar_days(year{2026} / December / 31, 1), year{2027} / January / 1);
  EXPECT_EQ(add_calendar_days(year{2028} / February / 28, 1), year{2028} / February / 29);
  EXPECT_EQ(add_calendar_days(year{2026} / February / 28, 1), year{2026} / March / 1);
  EXPECT_EQ(add_calendar_days(year{2026} / March / 1, -1), year{2026} / February / 28);
  EXPECT_EQ(add_calendar_days(year{2026} / January / 1, 365), year{2027} / January / 1);
  EXPECT_EQ(add_calendar_days(year{2026} / March / 20, 30), year{2026} / April / 19);  // L. 241/1990 style
  EXPECT_EQ(add_calendar_days(year{2026} / March / 20, 0), year{2026} / March / 20);
}

TEST(Time, TestClockIsSettableAndThreadSafe) {
  sp::time::TestClock clock(utc("2026-01-01T00:00:00Z"));
  const sp::time::Clock& as_clock = clock;
  EXPECT_EQ(as_clock.now(), utc("2026-01-01T00:00:00Z"));
  clock.advance(hours{1});
  EXPECT_EQ(clock.now(), utc("2026-01-01T01:00:00Z"));
  clock.set(utc("2030-06-01T12:00:00Z"));
  EXPECT_EQ(clock.now(), utc("2030-06-01T12:00:00Z"));

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) clock.advance(milliseconds{1});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.now(), utc("2030-06-01T12:00:40Z"));
}

TEST(Time, SystemClockMoves) {
  auto before = std::chrono::system_clock::now();
  auto now = sp::time::system_clock().now();
  EXPECT_GE(now, before);
  EXPECT_LE(now - before, seconds{5});
}

}  // namespace
