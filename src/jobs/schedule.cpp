#include "jobs/schedule.hpp"

#include <algorithm>

namespace sp::jobs {
namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};

time::TimePoint daily_due(const DailyAt& d, time::Date day) {
  const date::local_days midnight{std::chrono::sys_days{day}.time_since_epoch()};
  return time::from_rome_local(midnight + d.time_of_day);
}

std::chrono::minutes interval_of(const Every& e) {
  return std::max(e.interval, std::chrono::minutes(1));
}

Period every_period_at(const Every& e, time::TimePoint start) {
  auto t = std::chrono::time_point_cast<std::chrono::seconds>(start);
  return Period{time::format_iso_utc(t), t};
}

}  // namespace

std::optional<Period> period_of(const Schedule& s, const std::string& key) {
  return std::visit(overloaded{[&](const Every& e) -> std::optional<Period> {
                                 auto t = time::parse_iso_utc(key);
                                 if (!t) return std::nullopt;
                                 const auto step = interval_of(e);
                                 if (t->time_since_epoch() % step != time::TimePoint::duration::zero())
                                   return std::nullopt;
                                 return every_period_at(e, *t);
                               },
                               [&](const DailyAt& d) -> std::optional<Period> {
                                 auto day = time::parse_iso_date(key);
                                 if (!day) return std::nullopt;
                                 return Period{key, daily_due(d, *day)};
                               }},
                    s);
}

Period latest_due(const Schedule& s, time::TimePoint now) {
  return std::visit(overloaded{[&](const Every& e) {
                                 const auto step =
                                     std::chrono::duration_cast<time::TimePoint::duration>(interval_of(e));
                                 auto since = now.time_since_epoch();
                                 auto start = since - ((since % step) + step) % step;  // floor, also < 0
                                 return every_period_at(e, time::TimePoint{start});
                               },
                               [&](const DailyAt& d) {
                                 auto day = time::rome_date(now);
                                 if (daily_due(d, day) > now) day = time::add_calendar_days(day, -1);
                                 return Period{time::format_iso_date(day), daily_due(d, day)};
                               }},
                    s);
}

Period next_after(const Schedule& s, const Period& p) {
  return std::visit(overloaded{[&](const Every& e) { return every_period_at(e, p.due + interval_of(e)); },
                               [&](const DailyAt& d) {
                                 auto day = time::add_calendar_days(*time::parse_iso_date(p.key), 1);
                                 return Period{time::format_iso_date(day), daily_due(d, day)};
                               }},
                    s);
}

std::vector<Period> periods_to_queue(const Schedule& s, CatchUp c, const std::string& last_key,
                                     time::TimePoint now, std::size_t limit) {
  const Period latest = latest_due(s, now);
  auto last = last_key.empty() ? std::nullopt : period_of(s, last_key);
  if (!last) return {latest};  // never scheduled (or another schedule's key): the current period only
  if (last->due >= latest.due) return {};
  if (c == CatchUp::latest_only) return {latest};
  std::vector<Period> out;
  limit = std::max<std::size_t>(limit, 1);
  // Walk back from the latest so that a huge gap costs `limit` steps, not one per missed period.
  for (Period p = latest; p.due > last->due && out.size() < limit;) {
    out.push_back(p);
    // The period before p: for Every one interval back; for DailyAt the day before.
    if (std::holds_alternative<Every>(s)) {
      p = every_period_at(std::get<Every>(s), p.due - interval_of(std::get<Every>(s)));
    } else {
      auto day = time::add_calendar_days(*time::parse_iso_date(p.key), -1);
      p = Period{time::format_iso_date(day), daily_due(std::get<DailyAt>(s), day)};
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::chrono::seconds backoff_after(int attempts, std::chrono::seconds base, std::chrono::seconds max) {
  auto d = base;
  for (int i = 1; i < attempts && d < max; ++i) d *= 2;
  return std::min(d, max);
}

}  // namespace sp::jobs
