// db::transact(): commits on a value, rolls back on an error (returning it), rolls back and rethrows on
// an exception; on both databases.
#include <stdexcept>
#include <thread>
#include <vector>

#include "db_test.hpp"

namespace sp::db::test {
namespace {

class Transact : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    ddl("CREATE TABLE t (id " + bigint() + " PRIMARY KEY, note TEXT)");
  }
  static void add(Conn& c, std::int64_t id) { c.exec("INSERT INTO t (id) VALUES ($1)", {id}); }
};

TEST_P(Transact, ValueCommitsAndIsReturned) {
  Result<std::int64_t> r = transact(db(), [&](Conn& c) -> Result<std::int64_t> {
    add(c, 1);
    add(c, 2);
    return c.query_one("SELECT count(*) FROM t")->i64(0);
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  EXPECT_EQ(count("t"), 2);
}

TEST_P(Transact, ErrorRollsBackWhatWasWrittenBeforeItAndIsReturned) {
  db().write([&](Conn& c) { add(c, 1); });
  Status r = transact(db(), [&](Conn& c) -> Status {
    add(c, 2);
    c.exec("UPDATE t SET note = $1 WHERE id = 1", {"changed"});
    return Error::make("test.refused", 409, "detail");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "test.refused");
  EXPECT_EQ(r.error().http_status, 409);
  EXPECT_EQ(r.error().detail, "detail");
  EXPECT_EQ(count("t"), 1);  // row 2 is gone
  db().read([&](Conn& c) { EXPECT_TRUE(c.query_one("SELECT note FROM t WHERE id = 1")->is_null(0)); });
  // The database is usable afterwards.
  EXPECT_TRUE(transact(db(), [&](Conn& c) -> Status {
                add(c, 3);
                return Ok{};
              }).ok());
  EXPECT_EQ(count("t"), 2);
}

TEST_P(Transact, ExceptionRollsBackAndPropagates) {
  struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
  };
  EXPECT_THROW((void)transact(db(),
                              [&](Conn& c) -> Status {
                                add(c, 1);
                                throw Boom();
                              }),
               Boom);
  EXPECT_EQ(count("t"), 0);
}

TEST_P(Transact, DriverErrorRollsBackAndPropagates) {
  db().write([&](Conn& c) { add(c, 1); });
  EXPECT_THROW((void)transact(db(),
                              [&](Conn& c) -> Status {
                                add(c, 2);
                                add(c, 1);  // duplicate key
                                return Ok{};
                              }),
               DbError);
  EXPECT_EQ(count("t"), 1);
}

// One caller's error does not undo other callers' work, also when they run at the same time (on SQLite
// the writer may group them into one commit, with a savepoint each).
TEST_P(Transact, AnErrorLeavesConcurrentTransactionsAlone) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<int> ok(kThreads, -1);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Status r = transact(db(), [&](Conn& c) -> Status {
        add(c, i);
        if (i % 2 == 1) return Error::make("test.refused");
        return Ok{};
      });
      ok[i] = r.ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(ok[i], i % 2 == 1 ? 0 : 1) << i;
  EXPECT_EQ(count("t"), kThreads / 2);
  db().read([&](Conn& c) { EXPECT_EQ(c.query_one("SELECT count(*) FROM t WHERE id % 2 = 1")->i64(0), 0); });
}

}  // namespace

SP_BOTH_DIALECTS(Transact);

}  // namespace sp::db::test
