// Acceptance test of the job runner with the real binary: `sportello serve` is killed with SIGKILL just
// after days have passed (the fake clock of test builds moves the servers' time: no sleeping), so the
// daily register's jobs are due, maybe claimed, maybe half done, when the process dies. After the restart
// every missed period has run exactly once: one job per day (none dead, none left), and each AOO has one
// register for every day. On SQLite with one node; on PostgreSQL with two nodes sharing the database and
// the clock, one killed while the other goes on, then both killed at once.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/config.hpp"
#include "integration/protocollo_stress/stress_fixture.hpp"
#include "jobs/schedule.hpp"
#include "protocollo/register_job.hpp"
#include "support/testing.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const sp::jobs::Schedule kDailyRegister = sp::jobs::DailyAt{5min};  // as protocollo/register_job.cpp

// Polls `f` until it holds or `timeout` passes (the servers' runners look for due jobs every second).
template <class F>
bool eventually(F f, std::chrono::milliseconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return f();
}

class JobsCrashTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    seeded_ = sp::protocollo_stress::seed(database_->url());
    ASSERT_FALSE(seeded_.key.empty());
    clock_file_ = dir_.path() / "clock";
    // Noon in Rome of today: the day counts below must not depend on the hour the suite runs (started at
    // 00:02 Rome, the first due period was still the day before and the count came out one more).
    const auto real_now = std::chrono::system_clock::now();
    first_day_ = sp::time::rome_date(real_now);  // the AOOs were made today: their registers start today
    now_ = std::chrono::time_point_cast<std::chrono::seconds>(sp::time::rome_day_start(first_day_) +
                                                              std::chrono::hours(12));
    set_clock(now_);
    db_ = sp::db::open(database_->url());
  }
  void TearDown() override {
    nodes_.clear();
    if (db_) db_->close();
  }

  // The servers' time: written to a new file renamed over the old one, so a reader never sees half.
  void set_clock(sp::time::TimePoint t) {
    now_ = t;
    const auto tmp = dir_.path() / "clock.tmp";
    {
      std::ofstream out(tmp);
      out << sp::time::format_iso_utc(t) << "\n";
    }
    fs::rename(tmp, clock_file_);
  }

  std::unique_ptr<sp::testing::ServerProcess> start_node(int n) {
    const auto dir = dir_.path() / ("node" + std::to_string(n));
    fs::create_directories(dir);
    std::set<std::string> known;
    for (const auto& s : sp::config_settings()) known.insert(s.env);
    std::vector<std::string> env{"SPORTELLO_FAKE_CLOCK_FILE=" + clock_file_.string()};
    for (const auto& kv : std::vector<std::string>{
             "SPORTELLO_DATABASE=" + database_->url(), "SPORTELLO_PORT=0", "SPORTELLO_THREADS=2",
             "SPORTELLO_ACCESS_LOG=false", "SPORTELLO_LOG_LEVEL=warn", "SPORTELLO_DEMO=false",
             "SPORTELLO_SIM_IDP=false", "SPORTELLO_KEYS_DIR=" + (dir / "keys").string(),
             "SPORTELLO_OIDC_RP_KEY_FILE=" + (dir / "rp.pem").string(),
             "SPORTELLO_FILES_DIR=" + (dir / "files").string(),
             "SPORTELLO_AUDIT_KEY_FILE=" + (dir_.path() / "audit.key").string(),
             "SPORTELLO_AUDIT_ANCHOR_FILE=" + (dir / "anchors.jsonl").string()}) {
      if (known.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
    }
    auto p = std::make_unique<sp::testing::ServerProcess>(
        std::vector<std::string>{sp::testing::binary(), "serve"}, env);
    EXPECT_TRUE(p->wait_ready(60000)) << "node " << n << " did not become ready";
    return p;
  }

  // The daily register's periods from the first one queued up to the latest due now.
  std::vector<std::string> periods_until_now(const std::string& first) {
    std::vector<std::string> out;
    const auto last = sp::jobs::latest_due(kDailyRegister, now_);
    for (auto p = *sp::jobs::period_of(kDailyRegister, first);; p = sp::jobs::next_after(kDailyRegister, p)) {
      out.push_back(p.key);
      if (p.key == last.key) break;
    }
    return out;
  }

  struct JobRow {
    std::string key, state;
    std::int64_t attempts;
  };
  std::vector<JobRow> register_jobs() {
    std::vector<JobRow> out;
    db_->read([&](sp::db::Conn& c) {
      for (const auto& r :
           c.query("SELECT unique_key, state, attempts FROM jobs WHERE kind = $1 ORDER BY unique_key, id",
                   {std::string(sp::protocollo::kDailyRegisterKind)}))
        out.push_back({r.text(0), r.text(1), r.i64(2)});
    });
    return out;
  }
  bool all_done(const std::vector<std::string>& keys) {
    auto jobs = register_jobs();
    if (jobs.size() != keys.size()) return false;
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (jobs[i].key != keys[i] || jobs[i].state != "done") return false;
    return true;
  }

  // Every period once, done; every AOO one register per day from its first day to the day before the
  // latest period.
  void check_exactly_once(const std::vector<std::string>& keys) {
    auto jobs = register_jobs();
    ASSERT_EQ(jobs.size(), keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ(jobs[i].key, keys[i]);
      EXPECT_EQ(jobs[i].state, "done") << keys[i];
      EXPECT_GE(jobs[i].attempts, 1);
    }
    const auto last_day = sp::time::add_calendar_days(*sp::time::parse_iso_date(keys.back()), -1);
    for (auto aoo : {seeded_.aoo, seeded_.novara_aoo}) {
      std::vector<std::string> days, expected;
      db_->read([&](sp::db::Conn& c) {
        for (const auto& r :
             c.query("SELECT day FROM protocol_daily_registers WHERE aoo_id = $1 ORDER BY day", {aoo}))
          days.push_back(r.text(0));
      });
      for (auto d = first_day_; d <= last_day; d = sp::time::add_calendar_days(d, 1))
        expected.push_back(sp::time::format_iso_date(d));
      EXPECT_EQ(days, expected) << "AOO " << aoo;
    }
  }

  sp::testing::TempDir dir_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  sp::protocollo_stress::Seeded seeded_;
  fs::path clock_file_;
  sp::time::TimePoint now_;
  sp::time::Date first_day_;
  std::unique_ptr<sp::db::Database> db_;
  std::vector<std::unique_ptr<sp::testing::ServerProcess>> nodes_;
};

TEST_P(JobsCrashTest, AfterASigkillEveryMissedDayIsRegisteredExactlyOnce) {
  const int node_count = GetParam() == sp::db::Dialect::postgres ? 2 : 1;
  for (int n = 0; n < node_count; ++n) nodes_.push_back(start_node(n));
  const std::string first = sp::jobs::latest_due(kDailyRegister, now_).key;
  ASSERT_TRUE(eventually([&] { return all_done({first}); })) << "the first start queues the current period";

  // Three days pass; node 0 dies at once, with the three days' jobs due (claimed or not, done or not).
  set_clock(now_ + 72h);
  nodes_[0]->kill_hard();
  // It stays down an hour (longer than a claim's lease), then comes back.
  set_clock(now_ + 1h);
  nodes_[0] = start_node(0);
  auto keys = periods_until_now(first);
  ASSERT_EQ(keys.size(), 4u);
  ASSERT_TRUE(eventually([&] { return all_done(keys); }));
  check_exactly_once(keys);

  // Two more days; every node dies at once (PostgreSQL: both), and all come back an hour later.
  set_clock(now_ + 48h);
  for (auto& node : nodes_) node->kill_hard();
  set_clock(now_ + 1h);
  for (int n = 0; n < node_count; ++n) nodes_[n] = start_node(n);
  keys = periods_until_now(first);
  ASSERT_EQ(keys.size(), 6u);
  ASSERT_TRUE(eventually([&] { return all_done(keys); }));
  check_exactly_once(keys);

  // And a day while all run: still once.
  set_clock(now_ + 24h);
  keys = periods_until_now(first);
  ASSERT_TRUE(eventually([&] { return all_done(keys); }));
  check_exactly_once(keys);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, JobsCrashTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
