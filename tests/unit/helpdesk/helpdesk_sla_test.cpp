// The help desk's SLA arithmetic (src/helpdesk/sla.hpp): business hours 09:00-18:00 in Rome, Monday to
// Friday, national holidays off; the clock paused and resumed; a change of target keeps the time spent.
#include <gtest/gtest.h>

#include "helpdesk/model.hpp"
#include "helpdesk/sla.hpp"

namespace sp::helpdesk {
namespace {

using namespace std::chrono_literals;

time::TimePoint at(const char* iso) {
  return time::parse_iso_utc(iso).value();
}

// December 2026: Rome is UTC+1. Friday 4, Monday 7, Tuesday 8 (Immacolata, a holiday), Wednesday 9.
TEST(HelpdeskSla, BusinessTimeSkipsTheWeekendAndNightHours) {
  // Friday 17:00 to Monday 11:00 (Rome): one hour on Friday, two on Monday.
  EXPECT_EQ(business_seconds(at("2026-12-04T16:00:00Z"), at("2026-12-07T10:00:00Z")), 3 * 3600);
  // Two business hours from Friday 17:00: Monday 10:00.
  EXPECT_EQ(add_business(at("2026-12-04T16:00:00Z"), 2 * 3600), at("2026-12-07T09:00:00Z"));
  // From a Saturday night: the first office hour is Monday's.
  EXPECT_EQ(add_business(at("2026-12-05T22:00:00Z"), 1800), at("2026-12-07T08:30:00Z"));
  EXPECT_EQ(business_seconds(at("2026-12-05T08:00:00Z"), at("2026-12-06T20:00:00Z")), 0);
}

TEST(HelpdeskSla, NationalHolidaysAreNotBusinessDays) {
  EXPECT_FALSE(is_business_day(std::chrono::year{2026} / 12 / 8));
  EXPECT_TRUE(is_business_day(std::chrono::year{2026} / 12 / 9));
  // Monday 7 at 17:00 plus two hours: Tuesday 8 is the Immacolata, so Wednesday 9 at 10:00.
  EXPECT_EQ(add_business(at("2026-12-07T16:00:00Z"), 2 * 3600), at("2026-12-09T09:00:00Z"));
  // Thursday 24 December 17:00 plus two hours: Christmas, Santo Stefano, Sunday, then Monday 28 at 10:00.
  EXPECT_EQ(add_business(at("2026-12-24T16:00:00Z"), 2 * 3600), at("2026-12-28T09:00:00Z"));
  // Easter Monday 2027 is 29 March.
  EXPECT_FALSE(is_business_day(std::chrono::year{2027} / 3 / 29));
  // Across summer time (Rome UTC+2 in July): 09:00 is 07:00Z.
  EXPECT_EQ(business_seconds(at("2026-07-06T07:00:00Z"), at("2026-07-06T16:00:00Z")), 9 * 3600);
}

TEST(HelpdeskSla, PausedWhileWaitingAndResumedWithTheTimeAlreadySpent) {
  // Opened Monday 14 December at 09:00; waiting for the body from 10:30; the body replies on Wednesday
  // 16 at 09:00; at 09:30 the clock shows two hours.
  SlaClock c{0, true, at("2026-12-14T08:00:00Z")};
  c = paused(c, at("2026-12-14T09:30:00Z"));
  EXPECT_FALSE(c.running);
  EXPECT_EQ(c.elapsed_s, 90 * 60);
  EXPECT_EQ(elapsed(c, at("2026-12-16T08:00:00Z")), 90 * 60) << "nothing runs while waiting";
  auto s = target_status(c, 8 * 3600, at("2026-12-15T12:00:00Z"));
  EXPECT_FALSE(s.due.has_value()) << "no due time while paused";
  c = resumed(c, at("2026-12-16T08:00:00Z"));
  EXPECT_EQ(elapsed(c, at("2026-12-16T08:30:00Z")), 2 * 3600);
  // Target eight hours: six left, due Wednesday 16 at 15:30 Rome (six and a half hours after 09:00).
  s = target_status(c, 8 * 3600, at("2026-12-16T08:30:00Z"));
  EXPECT_EQ(s.left_s, 6 * 3600);
  EXPECT_FALSE(s.breached);
  ASSERT_TRUE(s.due.has_value());
  EXPECT_EQ(*s.due, at("2026-12-16T14:30:00Z"));
  // Pausing twice or resuming twice changes nothing.
  EXPECT_EQ(resumed(c, at("2026-12-16T09:00:00Z")).since, c.since);
}

TEST(HelpdeskSla, APriorityChangeKeepsTheTimeSpentAndChangesTheTarget) {
  // Two business hours spent; the resolution target goes from 8 h (normal) to 1 h (urgent): breached by
  // one hour, and due when the hour was reached.
  SlaClock c{0, true, at("2026-12-14T08:00:00Z")};
  const auto now = at("2026-12-14T10:00:00Z");
  auto normal = target_status(c, 8 * 3600, now);
  EXPECT_EQ(normal.left_s, 6 * 3600);
  auto urgent = target_status(c, 3600, now);
  EXPECT_EQ(urgent.left_s, -3600);
  EXPECT_TRUE(urgent.breached);
  EXPECT_EQ(*urgent.due, at("2026-12-14T09:00:00Z"));
}

TEST(HelpdeskSla, TheStateMachine) {
  EXPECT_TRUE(agent_may_set(State::new_, State::waiting));
  EXPECT_TRUE(agent_may_set(State::resolved, State::open));
  EXPECT_FALSE(agent_may_set(State::resolved, State::waiting));
  EXPECT_FALSE(agent_may_set(State::closed, State::open));
  EXPECT_TRUE(clock_runs(State::open));
  EXPECT_FALSE(clock_runs(State::waiting));
  EXPECT_FALSE(clock_runs(State::resolved));
}

}  // namespace
}  // namespace sp::helpdesk
