// Many writers at once: exact results on both drivers; on SQLite, the single writer's group commit.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "db_test.hpp"

namespace sp::db::test {
namespace {

class Concurrency : public DbTest {};

TEST_P(Concurrency, EightThreadsTimesFiveHundredIncrementsAreExact) {
  ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, n " + bigint() + " NOT NULL)");
  db().write([](Conn& c) { c.exec("INSERT INTO counter (id, n) VALUES (1, 0)"); });
  const auto before = db().stats();

  constexpr int kThreads = 8;
  constexpr int kIncrements = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        db().write([](Conn& c) { c.exec("UPDATE counter SET n = n + 1 WHERE id = 1"); });
      }
    });
  }
  for (auto& t : threads) t.join();

  std::int64_t n = -1;
  db().read([&](Conn& c) { n = c.query_one("SELECT n FROM counter WHERE id = 1")->i64(0); });
  EXPECT_EQ(n, kThreads * kIncrements);

  const auto after = db().stats();
  EXPECT_EQ(after.writes_committed - before.writes_committed, kThreads * kIncrements);
  if (!is_pg()) {
    // Eight threads that each wait for a durable commit queue up behind each other's fsync.
    EXPECT_LT(after.commits - before.commits, after.writes_committed - before.writes_committed);
  }
}

TEST_P(Concurrency, ConcurrentReadersAndWritersAgree) {
  ddl("CREATE TABLE log (id " + bigint() + " PRIMARY KEY)");
  std::atomic<std::int64_t> last_written{0};
  std::atomic<bool> stale{false};
  std::thread writer([&] {
    for (std::int64_t i = 1; i <= 200; ++i) {
      db().write([&](Conn& c) { c.exec("INSERT INTO log (id) VALUES ($1)", {i}); });
      last_written = i;
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (last_written < 200) {
        std::int64_t committed = last_written;  // write() returned for all of these
        std::int64_t seen = 0;
        db().read([&](Conn& c) { seen = c.query_one("SELECT count(*) FROM log")->i64(0); });
        if (seen < committed) stale = true;
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_FALSE(stale) << "a reader missed a write whose write() had returned";
  EXPECT_EQ(count("log"), 200);
}

SP_BOTH_DIALECTS(Concurrency);

}  // namespace
}  // namespace sp::db::test
