// write(): commit, rollback on exception, unique violations, visibility to readers on other threads.
#include <future>
#include <thread>

#include "db/exec_later.hpp"
#include "db_test.hpp"

namespace sp::db::test {
namespace {

class Transactions : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    ddl("CREATE TABLE t (id " + bigint() + " PRIMARY KEY, code TEXT UNIQUE, note TEXT)");
  }
  void add(Conn& c, std::int64_t id, const std::string& code) {
    c.exec("INSERT INTO t (id, code) VALUES ($1, $2)", {id, code});
  }
};

TEST_P(Transactions, WriteCommits) {
  db().write([&](Conn& c) {
    add(c, 1, "a");
    add(c, 2, "b");
  });
  EXPECT_EQ(count("t"), 2);
  auto s = db().stats();
  EXPECT_GE(s.writes_committed, 2);  // the DDL and this write
  EXPECT_GE(s.commits, 1);
}

TEST_P(Transactions, ExceptionRollsBackEverythingAndIsRethrown) {
  struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
  };
  EXPECT_THROW(db().write([&](Conn& c) {
    add(c, 1, "a");
    c.exec("UPDATE t SET note = $1", {"changed"});
    throw Boom();
  }),
               Boom);
  EXPECT_EQ(count("t"), 0);
  // The connection is usable afterwards.
  db().write([&](Conn& c) { add(c, 1, "a"); });
  EXPECT_EQ(count("t"), 1);
}

TEST_P(Transactions, UniqueViolationIsMappedAndNothingOfTheTransactionPersists) {
  db().write([&](Conn& c) { add(c, 1, "a"); });
  try {
    db().write([&](Conn& c) {
      add(c, 2, "b");
      add(c, 3, "a");  // duplicate code
    });
    FAIL() << "expected a unique violation";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbError::Kind::unique_violation) << e.what();
  }
  try {
    db().write([&](Conn& c) { add(c, 1, "z"); });  // duplicate primary key
    FAIL() << "expected a unique violation";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbError::Kind::unique_violation) << e.what();
  }
  EXPECT_EQ(count("t"), 1);
  db().write([&](Conn& c) { add(c, 2, "b"); });
  EXPECT_EQ(count("t"), 2);
}

TEST_P(Transactions, SwallowedStatementErrorNeverReportsSuccessForLostWork) {
  // On PostgreSQL a failed statement aborts the whole transaction: write() must say so rather than
  // return as if the other statements were committed. On SQLite only the statement fails.
  db().write([&](Conn& c) { add(c, 1, "a"); });
  auto body = [&](Conn& c) {
    add(c, 2, "b");
    try {
      add(c, 3, "a");
    } catch (const DbError&) {
    }
  };
  if (is_pg()) {
    EXPECT_THROW(db().write(body), DbError);
    EXPECT_EQ(count("t"), 1);
  } else {
    db().write(body);
    EXPECT_EQ(count("t"), 2);
  }
}

TEST_P(Transactions, ReadersOnOtherThreadsSeeOnlyCommittedWrites) {
  std::promise<void> inserted, release;
  auto release_future = release.get_future().share();
  auto writer = std::async(std::launch::async, [&] {
    db().write([&](Conn& c) {
      add(c, 1, "a");
      inserted.set_value();
      release_future.wait();  // hold the transaction open while another thread reads
    });
  });
  inserted.get_future().wait();
  std::int64_t seen_before = -1;
  std::thread([&] { seen_before = count("t"); }).join();
  EXPECT_EQ(seen_before, 0) << "an uncommitted row was visible";
  release.set_value();
  writer.get();  // write() returned: the commit is done
  std::int64_t seen_after = -1;
  std::thread([&] { seen_after = count("t"); }).join();
  EXPECT_EQ(seen_after, 1);
}

TEST_P(Transactions, PingStatsAndClose) {
  EXPECT_TRUE(db().ping());
  auto s = db().stats();
  EXPECT_GE(s.connections_total, 1);
  EXPECT_EQ(s.connections_busy, 0);
  db().close();
  EXPECT_FALSE(db().ping());
  EXPECT_THROW(db().write([](Conn&) {}), DbError);
  EXPECT_THROW(db().read([](Conn&) {}), DbError);
  db().close();  // idempotent
}

TEST_P(Transactions, WriteInsideWriteIsRejectedNotDeadlocked) {
  EXPECT_THROW(db().write([&](Conn&) { db().write([](Conn&) {}); }), std::logic_error);
  db().write([&](Conn& c) { add(c, 1, "a"); });  // and the database still works
  EXPECT_EQ(count("t"), 1);
}

// db::exec_later(): on PostgreSQL the statement goes out with the next one or with the COMMIT (one round
// trip), still first and in the same transaction; SQLite runs it at once. Either way nothing of it is lost.
TEST_P(Transactions, ExecLaterRunsBeforeTheNextStatementAndCommitsWithTheTransaction) {
  db().write([&](Conn&) {});  // a write that runs nothing commits (PostgreSQL: without a round trip)
  db().write([&](Conn& c) {
    exec_later(c, "INSERT INTO t (id, code) VALUES ($1, $2)", {std::int64_t{1}, std::string("a")});
    // The held INSERT is sent before this query, in the same transaction: the query sees its row.
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM t")->i64(0), 1);
    exec_later(c, "INSERT INTO t (id, code) VALUES ($1, $2)", {std::int64_t{2}, std::string("b")});
    exec_later(c, "UPDATE t SET note = $1 WHERE id = $2", {std::string("later"), std::int64_t{2}});
  });  // the last two go with the COMMIT
  EXPECT_EQ(count("t"), 2);
  db().read([&](Conn& c) {
    EXPECT_EQ(c.query_one("SELECT note FROM t WHERE id = 2")->text(0), "later");
    if (!is_pg()) return;  // SQLite's read connections are read-only
    // Outside write() it runs at once, in autocommit (no transaction is left open on a read connection).
    exec_later(c, "UPDATE t SET note = $1 WHERE id = $2", {std::string("now"), std::int64_t{1}});
    EXPECT_EQ(c.query_one("SELECT note FROM t WHERE id = 1")->text(0), "now");
  });
  // DDL after a held statement (migrations run scripts inside write()).
  db().write([&](Conn& c) {
    exec_later(c, "INSERT INTO t (id, code) VALUES ($1, $2)", {std::int64_t{3}, std::string("c")});
    c.exec_script("CREATE TABLE u (id " + bigint() + " PRIMARY KEY)");
  });
  EXPECT_EQ(count("t"), 3);
  EXPECT_EQ(count("u"), 0);
}

TEST_P(Transactions, AFailedExecLaterRollsBackTheTransactionAndIsNeverTakenForTheNextStatementsOwn) {
  db().write([&](Conn& c) { add(c, 1, "a"); });
  auto duplicate = [](Conn& c) {
    exec_later(c, "INSERT INTO t (id, code) VALUES ($1, $2)", {std::int64_t{9}, std::string("a")});
  };
  // Held to the COMMIT: the commit fails and nothing of the transaction stays.
  try {
    db().write([&](Conn& c) {
      add(c, 2, "b");
      duplicate(c);
    });
    FAIL() << "expected the held INSERT's failure";
  } catch (const DbError& e) {
    // SQLite ran it at once: its own unique violation. PostgreSQL reports it with the COMMIT, as "other".
    EXPECT_EQ(e.kind, is_pg() ? DbError::Kind::other : DbError::Kind::unique_violation) << e.what();
  }
  EXPECT_EQ(count("t"), 1);
  // Held to the next statement: that statement reports it, not as a unique violation of its own (a
  // store translating its own duplicate into a domain error would misread it).
  if (is_pg()) {
    try {
      db().write([&](Conn& c) {
        duplicate(c);
        add(c, 3, "c");
      });
      FAIL() << "expected the held INSERT's failure";
    } catch (const DbError& e) {
      EXPECT_EQ(e.kind, DbError::Kind::other) << e.what();
      EXPECT_NE(std::string(e.what()).find("sent with this one"), std::string::npos) << e.what();
    }
    EXPECT_EQ(count("t"), 1);
  }
  // The pooled connections are clean afterwards.
  for (int i = 0; i < 3; ++i) db().write([&](Conn& c) { add(c, 10 + i, "n" + std::to_string(i)); });
  EXPECT_EQ(count("t"), 4);
  EXPECT_EQ(db().stats().connections_busy, 0);
}

TEST_P(Transactions, QueryLaterRowsComeWithTheNextRoundTripInOrder) {
  db().write([&](Conn& c) { add(c, 1, "a"); });
  std::uint64_t first = 0;
  db().write([&](Conn& c) {
    first = write_serial(c);
    // Held with an INSERT before it: it sees that row, and the next statement carries both.
    exec_later(c, "INSERT INTO t (id, code) VALUES ($1, $2)", {std::int64_t{2}, std::string("b")});
    auto later = query_later(c, "SELECT code FROM t ORDER BY id", {});
    auto one = query_later(c, "SELECT code FROM t WHERE id = $1", {std::int64_t{1}});
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM t")->i64(0), 2);
    ASSERT_EQ(later.rows().size(), 2u);
    EXPECT_EQ(later.rows()[1].text(0), "b");
    EXPECT_EQ(one.rows().at(0).text(0), "a");
    // Asked for before anything else went out: rows() sends it (and what is held with it) itself.
    exec_later(c, "UPDATE t SET note = $1 WHERE id = $2", {std::string("x"), std::int64_t{1}});
    auto note = query_later(c, "SELECT note FROM t WHERE id = $1", {std::int64_t{1}});
    EXPECT_EQ(note.rows().at(0).text(0), "x");
    EXPECT_TRUE(query_later(c, "SELECT note FROM t WHERE id = $1", {std::int64_t{99}}).rows().empty());
  });
  // Each PostgreSQL write transaction has a number of its own; nothing outside one (nor on SQLite).
  std::uint64_t second = 0;
  db().write([&](Conn& c) { second = write_serial(c); });
  db().read([&](Conn& c) {
    EXPECT_EQ(write_serial(c), 0u);
    EXPECT_EQ(query_later(c, "SELECT COUNT(*) FROM t", {}).rows().at(0).i64(0), 2);  // at once
  });
  if (is_pg()) {
    EXPECT_NE(first, 0u);
    EXPECT_NE(second, first);
  } else {
    EXPECT_EQ(first, 0u);
  }
  // A held query that fails: reported by what carried it, and its rows are never there.
  if (is_pg()) {
    Later bad;
    EXPECT_THROW(db().write([&](Conn& c) {
      bad = query_later(c, "SELECT CAST($1 AS INTEGER)", {std::string("not a number")});
      c.query("SELECT 1");
    }),
                 DbError);
    EXPECT_THROW(bad.rows(), DbError);
  }
  EXPECT_EQ(count("t"), 2);
  EXPECT_EQ(db().stats().connections_busy, 0);
}

SP_BOTH_DIALECTS(Transactions);

}  // namespace
}  // namespace sp::db::test
