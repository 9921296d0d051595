// migrate(): order, idempotence, and a broken file stopping the run with its name in the error.
#include <fstream>

#include "db_test.hpp"

namespace sp::db::test {
namespace {

class Migrate : public DbTest {
 protected:
  // Writes root/<dialect>/<file> (both dialects get the same file: this SQL is portable).
  void file(const std::string& name, const std::string& sql) {
    for (const char* d : {"sqlite", "postgres"}) {
      std::filesystem::create_directories(root_.path() / d);
      std::ofstream(root_.path() / d / name) << sql;
    }
  }
  std::vector<std::string> run() { return migrate(db(), root_.path().string()); }
  std::vector<std::string> steps() {
    std::vector<std::string> out;
    db().read([&](Conn& c) {
      for (const auto& r : c.query("SELECT step FROM steps ORDER BY seq")) out.push_back(r.text(0));
    });
    return out;
  }
  bool table_exists(const std::string& name) {
    bool exists = false;
    db().read([&](Conn& c) {
      exists = c.query_one(is_pg() ? "SELECT 1 FROM pg_tables WHERE tablename = $1"
                                   : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
                           {name})
                   .has_value();
    });
    return exists;
  }

  sp::testing::TempDir root_;
};

TEST_P(Migrate, AppliesInNumericOrderOnceAndRecordsEach) {
  file("0010_third.sql", "INSERT INTO steps (seq, step) VALUES (3, 'third');");
  file("0001_first.sql",
       "CREATE TABLE steps (seq INTEGER PRIMARY KEY, step TEXT NOT NULL);\n"
       "INSERT INTO steps (seq, step) VALUES (1, 'first');");
  file("0002_second.sql", "-- a comment\nINSERT INTO steps (seq, step) VALUES (2, 'second');\n");
  std::filesystem::create_directories(root_.path() / "sqlite");
  std::ofstream(root_.path() / "sqlite" / "README.txt") << "not a migration";

  EXPECT_EQ(run(), (std::vector<std::string>{"0001", "0002", "0010"}));
  EXPECT_EQ(steps(), (std::vector<std::string>{"first", "second", "third"}));
  db().read([&](Conn& c) {
    auto rows = c.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].text(1), "first");
    EXPECT_EQ(rows[2].text(0), "0010");
    EXPECT_EQ(rows[2].text(2).size(), 20u) << rows[2].text(2);  // 2024-01-02T03:04:05Z
  });

  EXPECT_TRUE(run().empty()) << "a second run applies nothing";
  EXPECT_EQ(steps().size(), 3u);

  file("0011_fourth.sql", "INSERT INTO steps (seq, step) VALUES (4, 'fourth');");
  EXPECT_EQ(run(), std::vector<std::string>{"0011"});
  EXPECT_EQ(steps().size(), 4u);
}

TEST_P(Migrate, BrokenFileStopsTheRunNamesTheFileAndLeavesNothingBehind) {
  file("0001_base.sql", "CREATE TABLE steps (seq INTEGER PRIMARY KEY, step TEXT NOT NULL);");
  file("0002_broken.sql",
       "CREATE TABLE half_done (x INTEGER);\n"
       "INSERT INTO steps (seq, step) VALUES (2, 'broken');\n"
       "THIS IS NOT SQL;\n");
  file("0003_after.sql", "INSERT INTO steps (seq, step) VALUES (3, 'after');");

  try {
    run();
    FAIL() << "expected migrate() to throw";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("0002_broken.sql"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(table_exists("steps")) << "0001 was applied before the failure";
  EXPECT_FALSE(table_exists("half_done")) << "the broken file's statements were rolled back";
  EXPECT_TRUE(steps().empty());
  db().read([&](Conn& c) {
    auto rows = c.query("SELECT version FROM schema_migrations ORDER BY version");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].text(0), "0001");
  });

  file("0002_broken.sql", "INSERT INTO steps (seq, step) VALUES (2, 'fixed');");
  EXPECT_EQ(run(), (std::vector<std::string>{"0002", "0003"}));
  EXPECT_EQ(steps(), (std::vector<std::string>{"fixed", "after"}));
}

TEST_P(Migrate, RejectsBadNamesDuplicatesAndAMissingDirectory) {
  EXPECT_THROW(run(), std::runtime_error);  // no root/<dialect> yet
  file("0001_a.sql", "SELECT 1;");
  file("1_b.sql", "SELECT 1;");
  EXPECT_THROW(run(), std::runtime_error) << "0001 and 1 are the same number";
  std::filesystem::remove(root_.path() / "sqlite" / "1_b.sql");
  std::filesystem::remove(root_.path() / "postgres" / "1_b.sql");
  file("create_things.sql", "SELECT 1;");
  try {
    run();
    FAIL() << "expected a naming error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("create_things.sql"), std::string::npos) << e.what();
  }
}

SP_BOTH_DIALECTS(Migrate);

}  // namespace
}  // namespace sp::db::test
