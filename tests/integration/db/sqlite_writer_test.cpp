// SQLite only: the single writer groups queued transactions into one commit, isolates a failing one in
// its savepoint, and read() connections are read-only.
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "db_test.hpp"

namespace sp::db::test {
namespace {

using Clock = std::chrono::steady_clock;

class SqliteWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    db().write([](Conn& c) { c.exec_script("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"); });
  }
  Database& db() { return tdb_.db(false); }

  // Waits (bounded) until `n` transactions sit in the writer's queue.
  void wait_until_queued(std::int64_t n) {
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (db().stats().writes_queued < n) {
      ASSERT_LT(Clock::now(), deadline) << "only " << db().stats().writes_queued << " of " << n << " queued";
      std::this_thread::yield();
    }
  }

  sp::testing::TestDatabase tdb_{Dialect::sqlite};
};

// Holds the writer busy inside a first transaction until the others are queued, so the grouping that
// follows is certain, not a matter of timing.
TEST_F(SqliteWriter, QueuedTransactionsCommitTogetherAndAFailingOneIsRolledBackAlone) {
  const auto before = db().stats();
  std::promise<void> blocker_running, release_blocker;
  auto blocker = std::async(std::launch::async, [&] {
    db().write([&](Conn& c) {
      c.exec("INSERT INTO t (id, who) VALUES (1, 'blocker')");
      blocker_running.set_value();
      release_blocker.get_future().wait();
    });
  });
  blocker_running.get_future().wait();

  constexpr int kQueued = 7;
  constexpr int kFailing = 4;  // the fourth of the group throws after writing
  std::vector<std::future<void>> writers;
  for (int i = 0; i < kQueued; ++i) {
    writers.push_back(std::async(std::launch::async, [&, i] {
      db().write([&, i](Conn& c) {
        c.exec("INSERT INTO t (id, who) VALUES ($1, 'queued')", {std::int64_t{100 + i}});
        if (i == kFailing) throw std::runtime_error("job " + std::to_string(i) + " fails");
      });
    }));
  }
  wait_until_queued(kQueued);
  release_blocker.set_value();
  blocker.get();

  int failures = 0;
  for (int i = 0; i < kQueued; ++i) {
    if (i == kFailing) {
      EXPECT_THROW(writers[i].get(), std::runtime_error);
      ++failures;
    } else {
      EXPECT_NO_THROW(writers[i].get());
    }
  }
  EXPECT_EQ(failures, 1);

  const auto after = db().stats();
  EXPECT_EQ(after.writes_committed - before.writes_committed, 1 + kQueued - 1);
  EXPECT_EQ(after.commits - before.commits, 2) << "the blocker's commit, then one for the whole queue";
  db().read([&](Conn& c) {
    EXPECT_EQ(c.query_one("SELECT count(*) FROM t WHERE who = 'queued'")->i64(0), kQueued - 1);
    EXPECT_FALSE(c.query_one("SELECT 1 FROM t WHERE id = $1", {std::int64_t{100 + kFailing}}).has_value());
  });
}

TEST_F(SqliteWriter, GroupsAreCappedByGroupCommitMax) {
  sp::testing::TempDir dir;
  Options opt;
  opt.group_commit_max = 2;
  auto small = open("sqlite:" + (dir.path() / "g.db").string(), opt);
  small->write([](Conn& c) { c.exec_script("CREATE TABLE t (id INTEGER PRIMARY KEY)"); });
  const auto before = small->stats();
  std::promise<void> running, release;
  auto blocker = std::async(std::launch::async, [&] {
    small->write([&](Conn&) {
      running.set_value();
      release.get_future().wait();
    });
  });
  running.get_future().wait();
  std::vector<std::future<void>> writers;
  for (int i = 0; i < 5; ++i) {
    writers.push_back(std::async(std::launch::async, [&, i] {
      small->write([i](Conn& c) { c.exec("INSERT INTO t (id) VALUES ($1)", {std::int64_t{i}}); });
    }));
  }
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (small->stats().writes_queued < 5) {
    ASSERT_LT(Clock::now(), deadline);
    std::this_thread::yield();
  }
  release.set_value();
  blocker.get();
  for (auto& w : writers) w.get();
  EXPECT_EQ(small->stats().commits - before.commits, 1 + 3);  // blocker, then groups of 2, 2, 1
}

TEST_F(SqliteWriter, ReadConnectionsAreReadOnly) {
  EXPECT_THROW(db().read([](Conn& c) { c.exec("INSERT INTO t (id, who) VALUES (1, 'x')"); }), DbError);
  db().read([](Conn& c) { EXPECT_EQ(c.query_one("SELECT count(*) FROM t")->i64(0), 0); });
}

TEST_F(SqliteWriter, CheckpointsRunInTheBackground) {
  // Enough pages to pass the checkpointer's threshold; it must catch up without any write paying for it.
  std::string filler(4000, 'x');
  for (int batch = 0; batch < 20; ++batch) {
    db().write([&](Conn& c) {
      for (int i = 0; i < 100; ++i) {
        c.exec("INSERT INTO t (id, who) VALUES ($1, $2)", {std::int64_t{batch * 100 + i + 1}, filler});
      }
    });
  }
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (db().stats().checkpoints == 0) {
    ASSERT_LT(Clock::now(), deadline) << "no checkpoint ran";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST_F(SqliteWriter, ALongWalIsRestartedUnderAWriterThatNeverPauses) {
  // A bulk import writes without pause: PASSIVE checkpoints never reach the last frame, so the WAL would
  // never start over. Past wal_restart_frames the checkpointer waits for the writer and truncates it.
  sp::testing::TempDir dir;
  Options o;
  o.wal_restart_frames = 1000;  // the floor (kThresholdPages): about 4 MB
  const auto path = (dir.path() / "restart.db").string();
  auto busy = open("sqlite:" + path, o);
  busy->write([](Conn& c) { c.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"); });
  std::string filler(4000, 'x');
  std::int64_t id = 0;
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (busy->stats().wal_restarts == 0) {
    ASSERT_LT(Clock::now(), deadline) << "the WAL was never restarted";
    busy->write([&](Conn& c) {
      for (int i = 0; i < 50; ++i) c.exec("INSERT INTO t (id, who) VALUES ($1, $2)", {++id, filler});
    });
  }
  // Everything written is there, and the WAL holds far less than everything written.
  busy->read([&](Conn& c) { EXPECT_EQ(c.query_one("SELECT count(*) FROM t")->i64(0), id); });
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), static_cast<std::uintmax_t>(id) * 4000);
  busy->close();
}

}  // namespace
}  // namespace sp::db::test
