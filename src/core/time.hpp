#pragma once
// Time: stored and exchanged in UTC, shown and counted in Europe/Rome (DESIGN.md, "Conventions").
// Civil dates are std::chrono::year_month_day; wall-clock times in Rome are date::local_seconds from
// howardhinnant date (GCC 12 has no std::chrono time zones), backed by the OS tz database.
#include <date/date.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::time {

using TimePoint = std::chrono::system_clock::time_point;
using Date = std::chrono::year_month_day;

// Where "now" comes from. Code that reads the time takes a Clock& so tests can control it.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// The process-wide clock: the system's, or in a test build the fake clock installed below.
Clock& system_clock();

// Test builds only (CMake option SPORTELLO_FAKE_CLOCK, ON by default, OFF for release packages): makes
// system_clock() read the time from `file`, which holds one UTC instant ("2026-03-29T00:30:00Z"). The
// clock stands still until the file changes (re-read when its inode, size or mtime changes), so an
// end-to-end test moves time for the real binary, and for several nodes at once, by rewriting the file
// (write a temporary file and rename it over). Called once at start, before any thread reads the clock
// (`sportello --fake-clock FILE ...` or SPORTELLO_FAKE_CLOCK_FILE). Errors: time.fake_clock (a build
// without it, or a file that does not hold an instant).
Status install_fake_clock(const std::string& file);
// True when this build can install a fake clock.
bool fake_clock_available();

// A clock that only moves when told to. Safe to read and move from several threads.
class TestClock final : public Clock {
 public:
  explicit TestClock(TimePoint start = TimePoint{}) : ticks_(start.time_since_epoch().count()) {}
  [[nodiscard]] TimePoint now() const override { return TimePoint{TimePoint::duration{ticks_.load()}}; }
  void set(TimePoint tp) { ticks_.store(tp.time_since_epoch().count()); }
  void advance(TimePoint::duration d) { ticks_.fetch_add(d.count()); }

 private:
  std::atomic<TimePoint::rep> ticks_;
};

// Wall-clock time in Rome at `tp` (truncated to seconds).
date::local_seconds to_rome_local(TimePoint tp);
// The UTC instant of a wall-clock time in Rome. When the clocks go back (last Sunday of October,
// 02:00-03:00 happens twice) the earlier instant is chosen; when they go forward (last Sunday of March,
// 02:00-03:00 does not exist) the instant of the jump, i.e. 03:00 CEST, is returned.
TimePoint from_rome_local(date::local_seconds local);

// The civil date in Rome at `tp`.
Date rome_date(TimePoint tp);
// The first instant (UTC) of a civil day in Rome; correct on DST days (00:00 always exists in Rome,
// the transitions happen at 02:00/03:00, but the code does not rely on it).
TimePoint rome_day_start(Date d);
// `d` plus `n` calendar days (n may be negative). Precondition: d.ok().
Date add_calendar_days(Date d, int n);

// "23/11/2026": the civil date in Rome at `tp`, or the date itself.
std::string format_it_date(TimePoint tp);
std::string format_it_date(Date d);
// "23/11/2026 20:15": date and time in Rome.
std::string format_it_datetime(TimePoint tp);
// `tp` in Rome, whole seconds, in the date library's strftime-like format: "%z" is the offset in force
// ("+0100" in winter, "+0200" in summer), as certified-mail data and mail headers write it.
std::string format_rome(TimePoint tp, const char* format);
// "2026-11-23T19:15:00Z": UTC, truncated to whole seconds.
std::string format_iso_utc(TimePoint tp);
// "2026-11-23T19:15:00.123Z": UTC with milliseconds and fixed width, so text order is time order (the
// form of instants stored in legal records).
std::string format_iso_utc_millis(TimePoint tp);
// "2026-11-23".
std::string format_iso_date(Date d);

// For pages and letters that show stored texts: "23/11/2026 20:15" (Rome) for a stored UTC instant,
// "23/11/2026" for a stored "YYYY-MM-DD" day; a text that does not parse is shown as stored.
std::string it_datetime_text(std::string_view utc_iso);
std::string it_date_text(std::string_view iso_day);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" ('T' and 'Z' also lower-case); an offset is applied
// to give UTC. Error: time.format (detail says what), time.range (a field out of range, e.g. month 13,
// 30 February, hour 24).
Result<TimePoint> parse_iso_utc(std::string_view text);
// Parses "YYYY-MM-DD". Errors: time.format, time.range.
Result<Date> parse_iso_date(std::string_view text);

}  // namespace sp::time
