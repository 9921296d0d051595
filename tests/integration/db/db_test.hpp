#pragma once
// Shared fixture for the database suites: every TEST_P runs once on SQLite and once on PostgreSQL, each
// time on a fresh, unmigrated database (these tests create the tables they need).
#include <gtest/gtest.h>

#include <string>

#include "db/database.hpp"
#include "support/testing.hpp"

namespace sp::db::test {

class DbTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override { tdb_ = std::make_unique<sp::testing::TestDatabase>(GetParam()); }
  void TearDown() override { tdb_.reset(); }

  Database& db() { return tdb_->db(false); }
  [[nodiscard]] bool is_pg() const { return GetParam() == Dialect::postgres; }
  // The few DDL words that differ between the dialects.
  [[nodiscard]] std::string bigint() const { return is_pg() ? "BIGINT" : "INTEGER"; }
  [[nodiscard]] std::string real() const { return is_pg() ? "DOUBLE PRECISION" : "REAL"; }
  [[nodiscard]] std::string blob() const { return is_pg() ? "BYTEA" : "BLOB"; }
  [[nodiscard]] std::string serial_pk() const {
    return is_pg() ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  }

  void ddl(const std::string& sql) {
    db().write([&](Conn& c) { c.exec_script(sql); });
  }
  std::int64_t count(const std::string& table) {
    std::int64_t n = -1;
    db().read([&](Conn& c) { n = c.query_one("SELECT count(*) FROM " + table)->i64(0); });
    return n;
  }

  std::unique_ptr<sp::testing::TestDatabase> tdb_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<Dialect>& info) {
  return info.param == Dialect::sqlite ? "sqlite" : "postgres";
}

#define SP_BOTH_DIALECTS(Suite)                                                                       \
  INSTANTIATE_TEST_SUITE_P(Dialects, Suite,                                                           \
                           ::testing::Values(::sp::db::Dialect::sqlite, ::sp::db::Dialect::postgres), \
                           ::sp::db::test::dialect_name)

}  // namespace sp::db::test
