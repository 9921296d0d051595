#pragma once
// Service levels of the help desk (docs/helpdesk.md, "SLA"): targets count business time only, the
// service centre's office hours on working days (Monday to Friday, not the national holidays of
// core/holidays.hpp), in Rome's time. A ticket's clock runs while the hub has work to do (new, open)
// and stands still while the ticket waits for the body or is resolved; what has run is kept, so a
// change of priority or category changes the target, never the time already spent.
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>

#include "core/time.hpp"

namespace sp::helpdesk {

struct OfficeHours {
  int open_minute = 9 * 60;                  // 09:00 in Rome
  int close_minute = 18 * 60;                // 18:00 in Rome
  std::set<std::chrono::sys_days> holidays;  // the centre's own closing days (besides the national ones)
};

// Monday to Friday, not a national holiday and not one of `hours.holidays`.
bool is_business_day(time::Date d, const OfficeHours& hours = {});
// Business seconds between `from` and `to` (0 when to <= from).
std::int64_t business_seconds(time::TimePoint from, time::TimePoint to, const OfficeHours& hours = {});
// The instant when `seconds` of business time have passed from `from` (`from` itself for 0).
time::TimePoint add_business(time::TimePoint from, std::int64_t seconds, const OfficeHours& hours = {});

// A ticket's SLA clock: business seconds counted until `since`, and whether it runs from there.
struct SlaClock {
  std::int64_t elapsed_s = 0;
  bool running = true;
  time::TimePoint since{};
};
// Business seconds spent at `now`.
std::int64_t elapsed(const SlaClock& c, time::TimePoint now, const OfficeHours& hours = {});
// Stops the clock at `now` (no-op when stopped).
SlaClock paused(const SlaClock& c, time::TimePoint now, const OfficeHours& hours = {});
// Starts it again from `now` (no-op when running).
SlaClock resumed(const SlaClock& c, time::TimePoint now);

// Where a target stands at `now`: business seconds left (negative: breached by that much), and the
// instant it falls due while the clock runs (none while it stands still).
struct TargetStatus {
  std::int64_t left_s = 0;
  bool breached = false;
  std::optional<time::TimePoint> due;
};
TargetStatus target_status(const SlaClock& c, std::int64_t target_s, time::TimePoint now,
                           const OfficeHours& hours = {});

}  // namespace sp::helpdesk
