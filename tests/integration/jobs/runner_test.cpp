// The job runner on both databases: exclusive claims, leases taken over after a runner dies, effects and
// completion in one transaction, retries with backoff, dead jobs and the operator's retry, periodic
// kinds run once per period by several runners at once (across the DST weekends), catch-up after
// downtime, and the job's tenant handed to its handler.
#include "jobs/runner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "core/ids.hpp"
#include "jobs/store.hpp"
#include "support/testing.hpp"

namespace {

using namespace sp::jobs;
using namespace std::chrono_literals;

sp::time::TimePoint at(const char* iso) {
  return sp::time::parse_iso_utc(iso).value();
}

class RunnerTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(at("2026-11-23T10:00:00Z"));
    // What the test kinds do: one row per run that committed, so a second run of the same job shows.
    db().write([](sp::db::Conn& tx) {
      tx.exec_script(
          "CREATE TABLE job_effects (job_id BIGINT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL, "
          "tenant_id BIGINT NOT NULL, runner TEXT NOT NULL)");
    });
  }
  sp::db::Database& db() { return database_->db(); }

  // A kind whose run records its effect in the job's transaction.
  Kind recording_kind(const std::string& name, const std::string& runner, RetryPolicy retry = {}) {
    Kind k;
    k.name = name;
    k.retry = retry;
    k.run = [runner](JobRun& run) -> sp::Status {
      const auto& j = run.job();
      run.commit([&](sp::db::Conn& tx) {
        tx.exec(
            "INSERT INTO job_effects (job_id, kind, period, tenant_id, runner) VALUES ($1, $2, $3, $4, $5)",
            {j.id, j.kind, j.unique_key, std::int64_t{j.tenant_id}, runner});
      });
      return sp::Ok{};
    };
    return k;
  }
  JobId queue(const NewJob& j) {
    JobId id = 0;
    db().write([&](sp::db::Conn& tx) { id = enqueue(tx, j, clock_->now()).value().value(); });
    return id;
  }
  std::int64_t effects(const std::string& where = "1 = 1") {
    std::int64_t n = 0;
    db().read(
        [&](sp::db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM job_effects WHERE " + where)->i64(0); });
    return n;
  }
  std::vector<std::string> periods_run(const std::string& kind) {
    std::vector<std::string> out;
    db().read([&](sp::db::Conn& c) {
      for (auto& r : c.query("SELECT period FROM job_effects WHERE kind = $1 ORDER BY period", {kind}))
        out.push_back(r.text(0));
    });
    return out;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
};

TEST_P(RunnerTest, AQueuedJobRunsOnceWithItsTenantAndIsDone) {
  Runner r(db(), *clock_);
  r.add(recording_kind("test.record", "a"));
  const auto id = queue(NewJob{"test.record", 7, "payload", "", std::nullopt});
  EXPECT_EQ(r.run_once(), 1);
  EXPECT_EQ(r.run_once(), 0);
  EXPECT_EQ(effects("tenant_id = 7 AND job_id = " + std::to_string(id)), 1);
  auto j = find(db(), id).value();
  EXPECT_EQ(j.state, State::done);
  EXPECT_EQ(j.attempts, 1);
  EXPECT_EQ(j.tenant_id, 7);
  EXPECT_EQ(j.claimed_by, r.worker_id());
  EXPECT_FALSE(j.finished_at.empty());
}

TEST_P(RunnerTest, AUniqueKeyQueuesOneJob) {
  db().write([&](sp::db::Conn& tx) {
    EXPECT_TRUE(enqueue(tx, NewJob{"test.record", 0, "", "k1", std::nullopt}, clock_->now()).value());
    EXPECT_FALSE(enqueue(tx, NewJob{"test.record", 0, "", "k1", std::nullopt}, clock_->now()).value());
    EXPECT_TRUE(enqueue(tx, NewJob{"test.other", 0, "", "k1", std::nullopt}, clock_->now()).value());
    EXPECT_EQ(enqueue(tx, NewJob{"", 0, "", "", std::nullopt}, clock_->now()).error().code, "jobs.kind");
  });
  EXPECT_EQ(list(db(), {}).size(), 2u);
}

TEST_P(RunnerTest, ARunnerClaimsOnlyTheKindsItHandlesAndOnlyWhenDue) {
  Runner r(db(), *clock_);
  r.add(recording_kind("test.mine", "a"));
  queue(NewJob{"test.theirs", 0, "", "", std::nullopt});
  queue(NewJob{"test.mine", 0, "", "", clock_->now() + 1h});
  EXPECT_EQ(r.run_once(), 0);
  clock_->advance(1h);
  EXPECT_EQ(r.run_once(), 1);
  EXPECT_EQ(list(db(), {.state = State::queued}).size(), 1u) << "test.theirs waits for a runner that has it";
}

TEST_P(RunnerTest, AFailingJobIsRetriedWithBackoffThenDeadThenRetriedByTheOperator) {
  std::atomic<int> calls{0};
  std::atomic<bool> fixed{false};
  Kind k;
  k.name = "test.flaky";
  k.retry = RetryPolicy{3, 30s, 3600s, 300s};
  k.run = [&](JobRun&) -> sp::Status {
    ++calls;
    if (fixed) return sp::Ok{};
    return sp::Error::make("test.down", 503, "gateway down");
  };
  Runner r(db(), *clock_);
  r.add(k);
  const auto t0 = clock_->now();
  const auto id = queue(NewJob{"test.flaky", 2, "", "", std::nullopt});
  EXPECT_EQ(r.run_once(), 1);
  auto j = find(db(), id).value();
  EXPECT_EQ(j.state, State::queued);
  EXPECT_EQ(j.attempts, 1);
  EXPECT_EQ(j.run_at, sp::time::format_iso_utc(t0 + 30s));
  EXPECT_EQ(j.last_error, "test.down: gateway down");
  clock_->advance(29s);
  EXPECT_EQ(r.run_once(), 0) << "not before the backoff ends";
  clock_->advance(1s);
  EXPECT_EQ(r.run_once(), 1);
  EXPECT_EQ(find(db(), id)->run_at, sp::time::format_iso_utc(t0 + 30s + 60s)) << "the wait doubles";
  clock_->advance(60s);
  EXPECT_EQ(r.run_once(), 1);
  j = find(db(), id).value();
  EXPECT_EQ(j.state, State::dead);
  EXPECT_EQ(j.attempts, 3);
  clock_->advance(48h);
  EXPECT_EQ(r.run_once(), 0) << "a dead job is never claimed again by itself";
  EXPECT_EQ(calls, 3);
  auto dead = list(db(), {.state = State::dead, .tenant = 2});
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_TRUE(list(db(), {.state = State::dead, .tenant = 3}).empty());

  fixed = true;
  ASSERT_TRUE(retry(db(), id, clock_->now()).ok());
  EXPECT_EQ(r.run_once(), 1);
  j = find(db(), id).value();
  EXPECT_EQ(j.state, State::done);
  EXPECT_EQ(j.attempts, 1) << "attempts start over";
  EXPECT_TRUE(j.last_error.empty());
  EXPECT_EQ(retry(db(), id, clock_->now()).error().code, "jobs.not_dead");
}

TEST_P(RunnerTest, APermanentErrorIsDeadAtOnceAndAnExceptionIsRetried) {
  Kind k;
  k.name = "test.refused";
  k.run = [](JobRun& run) -> sp::Status {
    if (run.job().payload == "throw") throw std::runtime_error("boom");
    return sp::Error::make("test.refused", 400);
  };
  k.permanent = [](const sp::Error& e) { return e.code == "test.refused"; };
  Runner r(db(), *clock_);
  r.add(k);
  const auto refused = queue(NewJob{"test.refused", 0, "", "", std::nullopt});
  const auto thrown = queue(NewJob{"test.refused", 0, "throw", "", std::nullopt});
  EXPECT_EQ(r.run_once(), 2);
  EXPECT_EQ(find(db(), refused)->state, State::dead);
  auto j = find(db(), thrown).value();
  EXPECT_EQ(j.state, State::queued);
  EXPECT_EQ(j.last_error, "jobs.exception: boom");
}

TEST_P(RunnerTest, ALeaseThatEndsLetsAnotherRunnerTakeOverAndTheFirstCommitsNothing) {
  Runner b(db(), *clock_, RunnerOptions{.worker_id = "b"});
  b.add(recording_kind("test.record", "b", RetryPolicy{5, 30s, 3600s, 300s}));
  const auto id = queue(NewJob{"test.record", 0, "", "", std::nullopt});
  // Runner "a" claims the job and dies (its process is gone: nothing more happens on its side).
  std::vector<Job> claimed;
  const std::string token_a = sp::ids::random_token(16);
  db().write([&](sp::db::Conn& tx) {
    claimed = claim(tx, Claim{{"test.record"}, "a", token_a, clock_->now(), clock_->now() + 300s, 10});
  });
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(b.run_once(), 0) << "leased to a";
  clock_->advance(299s);
  EXPECT_EQ(b.run_once(), 0);
  clock_->advance(1s);
  EXPECT_EQ(b.run_once(), 1) << "the lease ended";
  auto j = find(db(), id).value();
  EXPECT_EQ(j.state, State::done);
  EXPECT_EQ(j.attempts, 2);
  EXPECT_EQ(j.claimed_by, "b");
  // "a" comes back to life and tries to record its work: its claim is gone, so its effects roll back.
  EXPECT_THROW(db().write([&](sp::db::Conn& tx) {
    tx.exec(
        "INSERT INTO job_effects (job_id, kind, period, tenant_id, runner) VALUES ($1, 'test.record', '', 0, "
        "'a')",
        {id});
    mark_done(tx, id, token_a, clock_->now());
  }),
               LostClaim);
  EXPECT_EQ(effects(), 1);
  EXPECT_EQ(effects("runner = 'b'"), 1);
}

TEST_P(RunnerTest, EachKindIsClaimedWithItsOwnLeaseNotTheLongestOfTheRunners) {
  // A runner that handles a short kind (messages: 5 min) and a long one (an export: 1 h) claims each job
  // with its kind's lease, so that if it dies another node takes its messages over after 5 minutes, not
  // after the export's hour (the alerts crash test waits exactly that long).
  std::map<std::string, std::string> leases;  // kind -> lease_until of the claim it ran under
  Runner r(db(), *clock_, RunnerOptions{.worker_id = "r"});
  for (const auto& [name, lease] :
       {std::pair{std::string("test.short"), 300s}, std::pair{std::string("test.long"), 3600s}}) {
    Kind k;
    k.name = name;
    k.retry = RetryPolicy{5, 30s, 3600s, lease};
    k.run = [&leases](JobRun& run) -> sp::Status {
      leases[run.job().kind] = run.job().lease_until;
      run.commit([](sp::db::Conn&) {});
      return sp::Ok{};
    };
    r.add(k);
  }
  queue(NewJob{"test.short", 0, "", "", std::nullopt});
  queue(NewJob{"test.long", 0, "", "", std::nullopt});
  const auto now = clock_->now();
  EXPECT_EQ(r.run_once(), 2);
  ASSERT_EQ(leases.size(), 2u);
  const auto short_lease = sp::time::parse_iso_utc(leases["test.short"]);
  const auto long_lease = sp::time::parse_iso_utc(leases["test.long"]);
  ASSERT_TRUE(short_lease.ok()) << leases["test.short"];
  ASSERT_TRUE(long_lease.ok()) << leases["test.long"];
  EXPECT_EQ(*short_lease, now + 300s);
  EXPECT_EQ(*long_lease, now + 3600s);
}

TEST_P(RunnerTest, AJobClaimedTooOftenWithoutAnOutcomeIsDead) {
  Runner r(db(), *clock_);
  r.add(recording_kind("test.record", "r", RetryPolicy{2, 30s, 3600s, 60s}));
  const auto id = queue(NewJob{"test.record", 0, "", "", std::nullopt});
  for (int i = 0; i < 2; ++i) {  // two runners die holding it
    db().write([&](sp::db::Conn& tx) {
      claim(
          tx,
          Claim{{"test.record"}, "dying", sp::ids::random_token(16), clock_->now(), clock_->now() + 60s, 1});
    });
    clock_->advance(60s);
  }
  EXPECT_EQ(r.run_once(), 1);
  auto j = find(db(), id).value();
  EXPECT_EQ(j.state, State::dead);
  EXPECT_EQ(j.last_error.rfind("jobs.lease_expired", 0), 0u) << j.last_error;
  EXPECT_EQ(effects(), 0);
}

TEST_P(RunnerTest, APeriodicKindRunsOncePerPeriodAcrossRunnersAndTheDstWeekends) {
  // Two nodes' runners, each in its own thread, race on every round while days pass (both DST changes
  // of 2026 included); a daily 02:30 kind must run exactly once per day, every day.
  clock_->set(at("2026-03-25T12:00:00Z"));
  std::vector<std::unique_ptr<Runner>> runners;
  for (const char* name : {"a", "b"}) {
    runners.push_back(std::make_unique<Runner>(db(), *clock_, RunnerOptions{.worker_id = name}));
    runners.back()->add_periodic(recording_kind("test.daily", name),
                                 Periodic{DailyAt{2h + 30min}, CatchUp::every_period});
  }
  auto round = [&] {
    std::vector<std::thread> threads;
    for (auto& r : runners) threads.emplace_back([&r] { r->run_until_idle(); });
    for (auto& t : threads) t.join();
  };
  round();  // first start: only the current period
  std::vector<std::string> expected{"2026-03-25"};
  // Hour by hour over the spring-forward weekend.
  for (int h = 0; h < 24 * 5; ++h) {
    clock_->advance(1h);
    round();
  }
  for (const char* d : {"2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"})
    expected.push_back(d);
  EXPECT_EQ(periods_run("test.daily"), expected);
  // Half-hour steps over the fall-back night: 02:30 happens twice on 25 October.
  clock_->set(at("2026-10-24T12:00:00Z"));
  round();  // the days in between are caught up, once each
  for (int i = 0; i < 2 * 30; ++i) {
    clock_->advance(30min);
    round();
  }
  const auto all = periods_run("test.daily");
  EXPECT_EQ(all.size(), expected.size() + 208u + 1u)
      << "every day from 31 March to 24 October, and 25 October once";  // days of the year 90..297, then 298
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_NE(all[i], all[i - 1]) << "twice: " << all[i];
  EXPECT_EQ(all.back(), "2026-10-25");
  EXPECT_EQ(effects("kind = 'test.daily' AND runner = 'a'") + effects("kind = 'test.daily' AND runner = 'b'"),
            static_cast<std::int64_t>(all.size()));
}

TEST_P(RunnerTest, APollerCatchesUpOnceAndADailyKindEveryMissedDay) {
  clock_->set(at("2026-11-20T12:00:00Z"));
  Runner r(db(), *clock_);
  r.add_periodic(recording_kind("test.poll", "r"), Periodic{Every{10min}, CatchUp::latest_only});
  r.add_periodic(recording_kind("test.day", "r"), Periodic{DailyAt{5min}, CatchUp::every_period});
  r.run_until_idle();
  EXPECT_EQ(periods_run("test.poll"), std::vector<std::string>{"2026-11-20T12:00:00Z"});
  EXPECT_EQ(periods_run("test.day"), std::vector<std::string>{"2026-11-20"});
  // Four days of downtime; a new runner (the restarted node) finds the cursors in the database.
  clock_->set(at("2026-11-24T09:01:00Z"));
  Runner restarted(db(), *clock_);
  restarted.add_periodic(recording_kind("test.poll", "r2"), Periodic{Every{10min}, CatchUp::latest_only});
  restarted.add_periodic(recording_kind("test.day", "r2"), Periodic{DailyAt{5min}, CatchUp::every_period});
  restarted.run_until_idle();
  EXPECT_EQ(periods_run("test.poll"),
            (std::vector<std::string>{"2026-11-20T12:00:00Z", "2026-11-24T09:00:00Z"}));
  EXPECT_EQ(periods_run("test.day"),
            (std::vector<std::string>{"2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"}));
  restarted.run_until_idle();
  EXPECT_EQ(effects(), 7) << "nothing runs twice";
  // Done jobs can be pruned: the cursor, not the rows, remembers what was queued.
  db().write([&](sp::db::Conn& tx) { EXPECT_EQ(prune_done(tx, clock_->now() + 1s), 7); });
  restarted.run_until_idle();
  EXPECT_EQ(effects(), 7);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, RunnerTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
