// The schedule math of periodic jobs (src/jobs/schedule.hpp): periods every N minutes and at a Rome
// wall-clock time across the DST changes, catch-up lists after downtime, the retry backoff.
#include "jobs/schedule.hpp"

#include <gtest/gtest.h>

namespace {

using namespace sp::jobs;
using namespace std::chrono_literals;

sp::time::TimePoint at(const char* iso) {
  return sp::time::parse_iso_utc(iso).value();
}

std::vector<std::string> keys(const std::vector<Period>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.key);
  return out;
}

const Schedule kAt0230 = DailyAt{2h + 30min};

TEST(DailySchedule, AWallClockTimeIsRomeTimeInWinterAndInSummer) {
  EXPECT_EQ(period_of(kAt0230, "2026-01-15")->due, at("2026-01-15T01:30:00Z"));  // CET, UTC+1
  EXPECT_EQ(period_of(kAt0230, "2026-07-15")->due, at("2026-07-15T00:30:00Z"));  // CEST, UTC+2
}

TEST(DailySchedule, OnTheSpringForwardSundayAMissingTimeIsDueAtTheJump) {
  // 29 March 2026: Rome goes from 02:00 CET straight to 03:00 CEST (01:00 UTC); 02:30 does not exist.
  EXPECT_EQ(period_of(kAt0230, "2026-03-28")->due, at("2026-03-28T01:30:00Z"));
  EXPECT_EQ(period_of(kAt0230, "2026-03-29")->due, at("2026-03-29T01:00:00Z"));
  EXPECT_EQ(period_of(kAt0230, "2026-03-30")->due, at("2026-03-30T00:30:00Z"));
  // The day is neither skipped nor run twice: three days, three periods, in order.
  auto ps = periods_to_queue(kAt0230, CatchUp::every_period, "2026-03-27", at("2026-03-30T12:00:00Z"));
  EXPECT_EQ(keys(ps), (std::vector<std::string>{"2026-03-28", "2026-03-29", "2026-03-30"}));
  EXPECT_LT(ps[0].due, ps[1].due);
  EXPECT_LT(ps[1].due, ps[2].due);
  // Just before the jump nothing of the 29th is due; at the jump it is.
  EXPECT_EQ(latest_due(kAt0230, at("2026-03-29T00:59:59Z")).key, "2026-03-28");
  EXPECT_EQ(latest_due(kAt0230, at("2026-03-29T01:00:00Z")).key, "2026-03-29");
}

TEST(DailySchedule, OnTheFallBackSundayATimeThatHappensTwiceRunsOnce) {
  // 25 October 2026: Rome goes back from 03:00 CEST to 02:00 CET (01:00 UTC); 02:30 happens at 00:30
  // and again at 01:30 UTC.
  EXPECT_EQ(period_of(kAt0230, "2026-10-25")->due, at("2026-10-25T00:30:00Z")) << "the first 02:30";
  EXPECT_EQ(latest_due(kAt0230, at("2026-10-25T00:29:59Z")).key, "2026-10-24");
  EXPECT_EQ(latest_due(kAt0230, at("2026-10-25T00:30:00Z")).key, "2026-10-25");
  // Queued at the first 02:30; at the second one (and after it) there is nothing more to queue.
  EXPECT_EQ(keys(periods_to_queue(kAt0230, CatchUp::every_period, "2026-10-24", at("2026-10-25T00:30:00Z"))),
            std::vector<std::string>{"2026-10-25"});
  EXPECT_TRUE(
      periods_to_queue(kAt0230, CatchUp::every_period, "2026-10-25", at("2026-10-25T01:30:00Z")).empty());
  EXPECT_TRUE(
      periods_to_queue(kAt0230, CatchUp::every_period, "2026-10-25", at("2026-10-25T01:45:00Z")).empty());
  EXPECT_EQ(period_of(kAt0230, "2026-10-26")->due, at("2026-10-26T01:30:00Z"));
  EXPECT_EQ(next_after(kAt0230, *period_of(kAt0230, "2026-10-25")).key, "2026-10-26");
}

TEST(DailySchedule, BeforeTheTimeOfDayTheLatestPeriodIsYesterdays) {
  const Schedule s = DailyAt{5min};
  EXPECT_EQ(latest_due(s, at("2026-11-23T23:03:00Z")).key, "2026-11-23") << "00:03 on the 24th in Rome";
  EXPECT_EQ(latest_due(s, at("2026-11-23T23:05:00Z")).key, "2026-11-24");
}

TEST(CatchUpList, EveryMissedDayOnceOldestFirstOrOnlyTheLatest) {
  const Schedule s = DailyAt{5min};
  const auto now = at("2026-11-26T10:00:00Z");
  EXPECT_EQ(keys(periods_to_queue(s, CatchUp::every_period, "2026-11-22", now)),
            (std::vector<std::string>{"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"}));
  EXPECT_EQ(keys(periods_to_queue(s, CatchUp::latest_only, "2026-11-22", now)),
            std::vector<std::string>{"2026-11-26"});
  EXPECT_TRUE(periods_to_queue(s, CatchUp::every_period, "2026-11-26", now).empty()) << "up to date";
  EXPECT_TRUE(periods_to_queue(s, CatchUp::every_period, "2026-11-27", now).empty()) << "clock went back";
  EXPECT_EQ(keys(periods_to_queue(s, CatchUp::every_period, "", now)), std::vector<std::string>{"2026-11-26"})
      << "a new kind does not replay history";
  EXPECT_EQ(keys(periods_to_queue(s, CatchUp::every_period, "not-a-day", now)),
            std::vector<std::string>{"2026-11-26"});
}

TEST(CatchUpList, AHugeGapIsCappedToTheMostRecentPeriods) {
  const Schedule s = DailyAt{5min};
  auto ps = periods_to_queue(s, CatchUp::every_period, "2020-01-01", at("2026-11-26T10:00:00Z"), 400);
  ASSERT_EQ(ps.size(), 400u);
  EXPECT_EQ(ps.back().key, "2026-11-26");
  EXPECT_EQ(ps.front().key, "2025-10-23");
}

TEST(IntervalSchedule, PeriodsAreAlignedOnTheEpochInUtc) {
  const Schedule s = Every{15min};
  EXPECT_EQ(latest_due(s, at("2026-11-23T10:07:31Z")).key, "2026-11-23T10:00:00Z");
  EXPECT_EQ(latest_due(s, at("2026-11-23T10:15:00Z")).key, "2026-11-23T10:15:00Z");
  EXPECT_EQ(
      keys(periods_to_queue(s, CatchUp::every_period, "2026-11-23T09:15:00Z", at("2026-11-23T10:07:00Z"))),
      (std::vector<std::string>{"2026-11-23T09:30:00Z", "2026-11-23T09:45:00Z", "2026-11-23T10:00:00Z"}));
  EXPECT_EQ(
      keys(periods_to_queue(s, CatchUp::latest_only, "2026-11-23T09:15:00Z", at("2026-11-23T10:07:00Z"))),
      std::vector<std::string>{"2026-11-23T10:00:00Z"});
  EXPECT_FALSE(period_of(s, "2026-11-23T10:07:00Z")) << "not a period start";
  EXPECT_EQ(next_after(s, *period_of(s, "2026-11-23T23:45:00Z")).key, "2026-11-24T00:00:00Z");
  // The DST change does not touch UTC periods: four per hour through the night of 25 October.
  EXPECT_EQ(
      periods_to_queue(s, CatchUp::every_period, "2026-10-24T23:45:00Z", at("2026-10-25T01:45:00Z")).size(),
      8u);
}

TEST(Backoff, DoublesFromTheBaseUpToTheCap) {
  EXPECT_EQ(backoff_after(0, 30s, 3600s), 30s);
  EXPECT_EQ(backoff_after(1, 30s, 3600s), 30s);
  EXPECT_EQ(backoff_after(2, 30s, 3600s), 60s);
  EXPECT_EQ(backoff_after(3, 30s, 3600s), 120s);
  EXPECT_EQ(backoff_after(7, 30s, 3600s), 1920s);
  EXPECT_EQ(backoff_after(8, 30s, 3600s), 3600s);
  EXPECT_EQ(backoff_after(1000, 30s, 3600s), 3600s) << "no overflow";
}

}  // namespace
