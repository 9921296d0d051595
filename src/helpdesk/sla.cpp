#include "helpdesk/sla.hpp"

#include <algorithm>

#include "core/holidays.hpp"

namespace sp::helpdesk {
namespace {

// The office's opening and closing instants (UTC) on civil day `d` in Rome.
std::pair<time::TimePoint, time::TimePoint> office_of(time::Date d, const OfficeHours& h) {
  const date::local_days day{date::year{static_cast<int>(d.year())} / static_cast<unsigned>(d.month()) /
                             static_cast<unsigned>(d.day())};
  const auto open = time::from_rome_local(date::local_seconds{day} + std::chrono::minutes(h.open_minute));
  const auto close = time::from_rome_local(date::local_seconds{day} + std::chrono::minutes(h.close_minute));
  return {open, close};
}

}  // namespace

bool is_business_day(time::Date d, const OfficeHours& hours) {
  const std::chrono::weekday wd{std::chrono::sys_days{d}};
  if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) return false;
  if (hours.holidays.count(std::chrono::sys_days{d}) > 0) return false;
  return !time::is_national_holiday(d);
}

std::int64_t business_seconds(time::TimePoint from, time::TimePoint to, const OfficeHours& hours) {
  if (to <= from) return 0;
  std::int64_t total = 0;
  const auto last = time::rome_date(to);
  for (auto d = time::rome_date(from); std::chrono::sys_days{d} <= std::chrono::sys_days{last};
       d = time::add_calendar_days(d, 1)) {
    if (!is_business_day(d, hours)) continue;
    auto [open, close] = office_of(d, hours);
    const auto a = std::max(open, from);
    const auto b = std::min(close, to);
    if (b > a) total += std::chrono::duration_cast<std::chrono::seconds>(b - a).count();
  }
  return total;
}

time::TimePoint add_business(time::TimePoint from, std::int64_t seconds, const OfficeHours& hours) {
  if (seconds <= 0) return from;
  auto d = time::rome_date(from);
  // At most a few years of calendar: a target is days, never years.
  for (int i = 0; i < 3660; ++i, d = time::add_calendar_days(d, 1)) {
    if (!is_business_day(d, hours)) continue;
    auto [open, close] = office_of(d, hours);
    const auto start = std::max(open, from);
    if (start >= close) continue;
    const auto avail = std::chrono::duration_cast<std::chrono::seconds>(close - start).count();
    if (seconds <= avail) return start + std::chrono::seconds(seconds);
    seconds -= avail;
  }
  return from + std::chrono::seconds(seconds);
}

std::int64_t elapsed(const SlaClock& c, time::TimePoint now, const OfficeHours& hours) {
  return c.elapsed_s + (c.running ? business_seconds(c.since, now, hours) : 0);
}

SlaClock paused(const SlaClock& c, time::TimePoint now, const OfficeHours& hours) {
  if (!c.running) return c;
  return SlaClock{elapsed(c, now, hours), false, now};
}

SlaClock resumed(const SlaClock& c, time::TimePoint now) {
  if (c.running) return c;
  return SlaClock{c.elapsed_s, true, now};
}

TargetStatus target_status(const SlaClock& c, std::int64_t target_s, time::TimePoint now,
                           const OfficeHours& hours) {
  TargetStatus s;
  const auto spent = elapsed(c, now, hours);
  s.left_s = target_s - spent;
  s.breached = s.left_s < 0;
  if (c.running) s.due = add_business(c.since, std::max<std::int64_t>(target_s - c.elapsed_s, 0), hours);
  return s;
}

}  // namespace sp::helpdesk
