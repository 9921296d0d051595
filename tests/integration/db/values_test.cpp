// Parameter binding and result decoding: every Value type survives a round trip in both dialects.
#include <limits>

#include "db_test.hpp"

namespace sp::db::test {
namespace {

class Values : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    ddl("CREATE TABLE v (id INTEGER PRIMARY KEY, i " + bigint() + ", d " + real() + ", s TEXT, b " + blob() +
        ", flag BOOLEAN)");
  }
  void insert(std::int64_t id, Value i, Value d, Value s, Value b) {
    db().write([&](Conn& c) {
      EXPECT_EQ(c.exec("INSERT INTO v (id, i, d, s, b) VALUES ($1, $2, $3, $4, $5)", {id, i, d, s, b}), 1);
    });
  }
  Row get(std::int64_t id) {
    std::optional<Row> row;
    db().read([&](Conn& c) { row = c.query_one("SELECT i, d, s, b FROM v WHERE id = $1", {id}); });
    if (!row) throw std::runtime_error("row " + std::to_string(id) + " missing");
    return std::move(*row);
  }
};

std::string all_bytes() {
  std::string b;
  for (int i = 0; i < 256; ++i) b.push_back(static_cast<char>(i));
  return b + std::string("\0\0end\0", 7);
}

TEST_P(Values, NullsRoundTripInEveryColumn) {
  insert(1, nullptr, nullptr, nullptr, nullptr);
  Row r = get(1);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(r.is_null(i)) << i;
    EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(r.raw(i))) << i;
  }
  EXPECT_EQ(r.text(2), "");
  EXPECT_EQ(r.opt_text(2), std::nullopt);
  EXPECT_EQ(r.opt_i64(0), std::nullopt);
}

TEST_P(Values, Int64ExtremesRoundTrip) {
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  insert(1, lo, nullptr, nullptr, nullptr);
  insert(2, hi, nullptr, nullptr, nullptr);
  insert(3, std::int64_t{0}, nullptr, nullptr, nullptr);
  EXPECT_EQ(get(1).i64(0), lo);
  EXPECT_EQ(get(2).i64(0), hi);
  EXPECT_EQ(get(3).i64(0), 0);
  EXPECT_EQ(std::get<std::int64_t>(get(2).raw(0)), hi);  // decoded as an integer, not text
  EXPECT_EQ(get(2).opt_i64(0), hi);
}

TEST_P(Values, DoublesRoundTripExactly) {
  const double values[] = {0.1, -1e300, 3.141592653589793, 5e-324, 1.0 / 3.0, -0.0};
  std::int64_t id = 0;
  for (double d : values) insert(++id, nullptr, d, nullptr, nullptr);
  id = 0;
  for (double d : values) EXPECT_EQ(get(++id).f64(1), d);
}

TEST_P(Values, Utf8TextRoundTrips) {
  const std::string text = "Città di Forlì — perché sì: àèéìòù ÀÈÉ ß € ✓ 😀";
  insert(1, nullptr, nullptr, text, nullptr);
  EXPECT_EQ(get(1).text(2), text);
  EXPECT_EQ(get(1).opt_text(2), text);
  insert(2, nullptr, nullptr, std::string(), nullptr);
  EXPECT_FALSE(get(2).is_null(2));  // an empty string is not NULL
  EXPECT_EQ(get(2).text(2), "");
}

TEST_P(Values, BlobWithNulBytesRoundTrips) {
  insert(1, nullptr, nullptr, nullptr, Blob{all_bytes()});
  Row r = get(1);
  EXPECT_EQ(r.blob(3), all_bytes());
  ASSERT_TRUE(std::holds_alternative<Blob>(r.raw(3)));
  insert(2, nullptr, nullptr, nullptr, Blob{""});
  EXPECT_FALSE(get(2).is_null(3));
  EXPECT_EQ(get(2).blob(3), "");
}

TEST_P(Values, ParametersMayRepeatAndComeInAnyOrder) {
  insert(1, std::int64_t{7}, nullptr, std::string("x"), nullptr);
  insert(2, std::int64_t{7}, nullptr, std::string("y"), nullptr);
  db().read([&](Conn& c) {
    auto rows =
        c.query("SELECT id FROM v WHERE s = $2 AND i = $1 AND (i = $1 OR id = $1)", {std::int64_t{7}, "y"});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].i64(0), 2);
  });
}

TEST_P(Values, WrongParameterCountIsAnError) {
  db().read([&](Conn& c) {
    EXPECT_THROW(c.query("SELECT id FROM v WHERE id = $1", {}), DbError);
    EXPECT_THROW(c.query("SELECT id FROM v WHERE id = $1", {std::int64_t{1}, std::int64_t{2}}), DbError);
  });
}

TEST_P(Values, QueryExecAndQueryOne) {
  db().write([&](Conn& c) {
    for (std::int64_t id = 1; id <= 5; ++id) {
      c.exec("INSERT INTO v (id, i, s) VALUES ($1, $2, $3)", {id, id * 10, "n" + std::to_string(id)});
    }
    EXPECT_EQ(c.exec("UPDATE v SET s = $1 WHERE i > $2", {"big", std::int64_t{25}}), 3);
    EXPECT_EQ(c.exec("DELETE FROM v WHERE id = $1", {std::int64_t{99}}), 0);
  });
  db().read([&](Conn& c) {
    auto rows = c.query("SELECT id, s FROM v ORDER BY id");
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[0].text(1), "n1");
    EXPECT_EQ(rows[4].text(rows[4].index("s")), "big");
    EXPECT_EQ(rows[4].index("id"), 0u);
    EXPECT_THROW((void)rows[0].index("nope"), std::out_of_range);
    EXPECT_EQ(c.query_one("SELECT s FROM v WHERE id = $1", {std::int64_t{2}})->text(0), "n2");
    EXPECT_FALSE(c.query_one("SELECT s FROM v WHERE id = $1", {std::int64_t{42}}).has_value());
    // Aggregates: count is bigint on PostgreSQL, sum(bigint) is numeric (text here); i64 reads both.
    auto agg = c.query_one("SELECT count(*), sum(i) FROM v");
    EXPECT_EQ(agg->i64(0), 5);
    EXPECT_EQ(agg->i64(1), 150);
  });
}

TEST_P(Values, BooleansReadTheSameInBothDialects) {
  db().write([&](Conn& c) {
    c.exec("INSERT INTO v (id, flag) VALUES ($1, " + std::string(is_pg() ? "true" : "1") + ")",
           {std::int64_t{1}});
    c.exec("INSERT INTO v (id, flag) VALUES ($1, " + std::string(is_pg() ? "false" : "0") + ")",
           {std::int64_t{2}});
  });
  db().read([&](Conn& c) {
    auto rows = c.query("SELECT flag FROM v ORDER BY id");
    EXPECT_TRUE(rows.at(0).boolean(0));
    EXPECT_FALSE(rows.at(1).boolean(0));
  });
}

SP_BOTH_DIALECTS(Values);

}  // namespace
}  // namespace sp::db::test
