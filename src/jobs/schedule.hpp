#pragma once
// The schedule math of periodic jobs and the backoff of retried ones: pure functions of their arguments,
// no database, no clock of their own (unit-tested in tests/unit/jobs).
//
// A periodic kind runs once per *period*. A period has a key (what the jobs table stores in unique_key,
// so two nodes cannot both queue it) and a due instant:
//   Every{15min}       periods aligned on the Unix epoch; key "2026-11-23T10:15:00Z" (its start, UTC),
//                      due at its start.
//   DailyAt{00:05}     one period per Rome calendar day; key "2026-11-23", due at 00:05 Rome time that
//                      day. A wall-clock time that does not exist (02:30 on the last Sunday of March,
//                      when Rome jumps from 02:00 to 03:00) is due at the jump (03:00 CEST); one that
//                      happens twice (02:30 on the last Sunday of October) is due at the first one. The
//                      key is the day, so either way the period runs once.
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/time.hpp"

namespace sp::jobs {

struct Every {
  std::chrono::minutes interval{1};  // > 0
};
struct DailyAt {
  std::chrono::minutes time_of_day{0};  // Rome wall-clock time after midnight, 0 .. 23:59
};
using Schedule = std::variant<Every, DailyAt>;

// What a periodic kind does about the periods it missed while no node was running.
enum class CatchUp {
  every_period,  // each missed period once, oldest first (the daily register: every missed day)
  latest_only,   // only the most recent due period (a poller, a clean-up: once is enough)
};

struct Period {
  std::string key;
  time::TimePoint due;
  bool operator==(const Period&) const = default;
};

// The period with key `key`, or nullopt when the key is not one of this schedule's.
std::optional<Period> period_of(const Schedule& s, const std::string& key);
// The latest period due at or before `now`.
Period latest_due(const Schedule& s, time::TimePoint now);
// The period after `p`.
Period next_after(const Schedule& s, const Period& p);

// The periods to queue now: those due at or before `now` and after the period `last_key` (the last one
// queued; empty when the kind has never been scheduled, which queues only the latest due period: a new
// kind does not replay history). For CatchUp::latest_only at most one. At most `limit` periods (the most
// recent ones) so that a clock gone wild cannot queue millions of rows.
std::vector<Period> periods_to_queue(const Schedule& s, CatchUp c, const std::string& last_key,
                                     time::TimePoint now, std::size_t limit = 400);

// Retries: the wait after the `attempts`-th failed attempt (1 → base, 2 → 2·base, 3 → 4·base ...),
// capped at `max`.
std::chrono::seconds backoff_after(int attempts, std::chrono::seconds base, std::chrono::seconds max);

}  // namespace sp::jobs
