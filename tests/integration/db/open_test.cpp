// db::open(): URL schemes.
#include <gtest/gtest.h>

#include "db/database.hpp"
#include "support/testing.hpp"

namespace sp::db {
namespace {

std::string message_of(const std::string& url) {
  try {
    open(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Open, RejectsUnknownSchemesNamingThem) {
  EXPECT_NE(message_of("mysql://user:secret@localhost/db").find("mysql"), std::string::npos);
  EXPECT_EQ(message_of("mysql://user:secret@localhost/db").find("secret"), std::string::npos)
      << "the message must not leak the password";
  EXPECT_NE(message_of("file.db").find("no scheme"), std::string::npos);
  EXPECT_THROW(open("sqlite::memory:"), std::invalid_argument);
  EXPECT_THROW(open("sqlite:"), std::invalid_argument);
}

TEST(Open, SqliteCreatesTheParentDirectory) {
  sp::testing::TempDir dir;
  auto path = dir.path() / "nested" / "deeper" / "app.db";
  auto db = open("sqlite:" + path.string());
  EXPECT_EQ(db->dialect(), Dialect::sqlite);
  EXPECT_TRUE(db->ping());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(Open, PostgresSchemesBothWork) {
  sp::testing::TestDatabase tdb(Dialect::postgres);
  std::string url = tdb.url();
  ASSERT_TRUE(url.starts_with("postgresql://"));
  for (const std::string& u : {url, "postgres://" + url.substr(std::string("postgresql://").size())}) {
    auto db = open(u);
    EXPECT_EQ(db->dialect(), Dialect::postgres);
    EXPECT_TRUE(db->ping()) << u;
  }
}

TEST(Open, UnreachablePostgresIsAConnectionError) {
  auto db = open("postgresql://postgres@127.0.0.1:" + std::to_string(sp::testing::free_port()) + "/none");
  EXPECT_FALSE(db->ping());
  try {
    db->read([](Conn&) {});
    FAIL() << "expected a connection error";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbError::Kind::connection) << e.what();
  }
}

}  // namespace
}  // namespace sp::db
