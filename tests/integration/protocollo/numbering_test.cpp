// Numbering against real SQLite and PostgreSQL: gapless and never reused per AOO and Rome calendar year,
// under 8 concurrent writers, across the new year in Rome, and when the caller's transaction rolls back.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "protocollo_fixture.hpp"

namespace sp::protocollo::testing {
namespace {

class ProtocolNumberingTest : public ProtocolloTest {};

struct Stored {
  std::int64_t number;
  int year;
  std::string registered_at;
};

std::vector<Stored> stored(db::Database& db, AooId aoo) {
  return db::read_all(db,
                      "SELECT number, year, registered_at FROM protocol_entries WHERE aoo_id = $1 "
                      "ORDER BY year, number",
                      {aoo}, [](const db::Row& r) {
                        return Stored{r.i64(0), static_cast<int>(r.i64(1)), r.text(2)};
                      });
}

TEST_P(ProtocolNumberingTest, EightConcurrentWritersGetEveryNumberExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kTotal = 5000;
  // The real clock, so that "times never decrease with numbers" is a real check.
  ProtocolService live(db(), time::system_clock());
  // PostgreSQL: half the writers go through a second database handle with its own connection pool, as a
  // second server node would (the advisory lock, not anything in this process, keeps numbers apart).
  std::unique_ptr<db::Database> second_node;
  if (GetParam() == db::Dialect::postgres) second_node = db::open(database_->url());
  ProtocolService other_node(second_node ? *second_node : db(), time::system_clock());
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<std::int64_t> acknowledged;
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SystemActor actor{"writer-" + std::to_string(t)};
      while (next.fetch_add(1) < kTotal) {
        try {
          auto& service = t % 2 == 0 ? live : other_node;
          auto r = service.register_entry(actor, kBody, incoming(aoo_));
          if (!r.ok()) {
            ++failures;
            continue;
          }
          std::lock_guard lock(mu);
          acknowledged.push_back(r->number);
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  if (second_node) second_node->close();
  const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ protocollo ] " << kTotal << " registrations by " << kThreads << " threads in " << secs
            << " s (" << kTotal / secs << "/s)\n";
  EXPECT_EQ(failures.load(), 0);

  std::sort(acknowledged.begin(), acknowledged.end());
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(kTotal));
  for (int i = 0; i < kTotal; ++i) ASSERT_EQ(acknowledged[i], i + 1) << "acknowledged numbers";

  auto rows = stored(db(), aoo_);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kTotal));
  for (int i = 0; i < kTotal; ++i) {
    ASSERT_EQ(rows[i].number, i + 1);
    ASSERT_EQ(rows[i].year, rows[0].year) << "the test assumes it does not run across a new year in Rome";
    if (i > 0) ASSERT_LE(rows[i - 1].registered_at, rows[i].registered_at) << "number " << i + 1;
  }
}

TEST_P(ProtocolNumberingTest, NumbersHaveSevenDigitsAndAreGaplessPerAoo) {
  EXPECT_EQ(format_number(1), "0000001");
  EXPECT_EQ(format_number(42), "0000042");
  EXPECT_EQ(format_number(12345678), "12345678");
  auto a = register_one(incoming(aoo_));
  auto b = register_one(incoming(aoo_));
  EXPECT_EQ(a.number, 1);
  EXPECT_EQ(b.number, 2);
  EXPECT_EQ(a.year, 2026);
  EXPECT_EQ(b.segnatura, "AOO_ROMA - 2026 - 0000002 - 02/03/2026");
  // Another AOO has its own sequence.
  auto r = protocol().register_entry(&other_staff_, kOtherBody, incoming(other_aoo_));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->number, 1);
  EXPECT_EQ(register_one(incoming(aoo_)).number, 3);
}

TEST_P(ProtocolNumberingTest, TheNumberRestartsAtOneOnTheFirstOfJanuaryInRome) {
  clock_.set(utc(2026, 12, 31, 22, 59));  // 23:59 on 31 December in Rome (CET, UTC+1)
  auto a = register_one(incoming(aoo_));
  auto b = register_one(incoming(aoo_));
  EXPECT_EQ(a.year, 2026);
  EXPECT_EQ(b.number, 2);
  EXPECT_EQ(b.segnatura, "AOO_ROMA - 2026 - 0000002 - 31/12/2026");

  clock_.set(utc(2026, 12, 31, 23, 0));  // 00:00 on 1 January 2027 in Rome
  auto c = register_one(incoming(aoo_));
  EXPECT_EQ(c.year, 2027);
  EXPECT_EQ(c.number, 1);
  EXPECT_EQ(c.segnatura, "AOO_ROMA - 2027 - 0000001 - 01/01/2027");
  EXPECT_EQ(time::format_iso_utc_millis(c.registered_at), "2026-12-31T23:00:00.000Z");

  clock_.set(utc(2026, 12, 31, 23, 30));  // still 31 December in UTC, already 1 January in Rome
  auto d = register_one(incoming(aoo_));
  EXPECT_EQ(d.year, 2027);
  EXPECT_EQ(d.number, 2);

  auto rows = stored(db(), aoo_);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].year, 2026);
  EXPECT_EQ(rows[1].year, 2026);
  EXPECT_EQ(rows[1].number, 2);
  EXPECT_EQ(rows[2].year, 2027);
  EXPECT_EQ(rows[2].number, 1);
  EXPECT_EQ(rows[3].number, 2);
}

TEST_P(ProtocolNumberingTest, ARolledBackRegistrationLeavesNoEntryAndNoGap) {
  register_one(incoming(aoo_));
  register_one(incoming(aoo_));
  EXPECT_THROW(db().write([&](db::Conn& tx) {
    // As the cases module does: the case and its entry in one transaction; here the case part fails.
    auto r = protocol().register_entry(tx, &staff_, kBody, incoming(aoo_, "Domanda poi fallita"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->number, 3);
    throw std::runtime_error("creating the case failed after the registration");
  }),
               std::runtime_error);
  EXPECT_EQ(count_entries(), 2);
  auto docs = db::read_all(db(), "SELECT COUNT(*) FROM protocol_documents", {},
                           [](const db::Row& r) { return r.i64(0); });
  EXPECT_EQ(docs, std::vector<std::int64_t>{4});
  auto found = protocol().search(&staff_, kBody, {.subject = "poi fallita"});
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());

  // The next registration gets the number the failed one would have had.
  EXPECT_EQ(register_one(incoming(aoo_)).number, 3);
  auto rows = stored(db(), aoo_);
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].number, static_cast<std::int64_t>(i + 1));
}

TEST_P(ProtocolNumberingTest, AnEntryCommitsWithTheCallersWork) {
  db().write([&](db::Conn& tx) {
    auto a = protocol().register_entry(tx, SystemActor{"cases"}, kBody, incoming(aoo_));
    auto b = protocol().register_entry(tx, SystemActor{"cases"}, kBody, incoming(aoo_));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->number, 1);
    EXPECT_EQ(b->number, 2);
  });
  EXPECT_EQ(count_entries(), 2);
  auto rows = db::read_all(db(), "SELECT registered_by FROM protocol_entries ORDER BY number", {},
                           [](const db::Row& r) { return r.text(0); });
  EXPECT_EQ(rows, (std::vector<std::string>{"system:cases", "system:cases"}));
}

TEST_P(ProtocolNumberingTest, InvalidEntriesAreRefusedAndTakeNoNumber) {
  auto e = incoming(aoo_);
  e.subject = "  ";
  EXPECT_EQ(protocol().register_entry(&staff_, kBody, e).error().code, "protocollo.subject");
  e = incoming(aoo_);
  e.correspondents.clear();
  EXPECT_EQ(protocol().register_entry(&staff_, kBody, e).error().code, "protocollo.correspondents");
  e = incoming(aoo_);
  e.documents.erase(e.documents.begin());  // only the attachment is left
  EXPECT_EQ(protocol().register_entry(&staff_, kBody, e).error().code, "protocollo.documents");
  e = incoming(aoo_);
  e.direction = Direction::outgoing;
  e.documents.clear();
  EXPECT_EQ(protocol().register_entry(&staff_, kBody, e).error().code, "protocollo.documents");
  e = incoming(aoo_);
  e.documents[0].sha256 = "ABC";
  EXPECT_EQ(protocol().register_entry(&staff_, kBody, e).error().code, "protocollo.document");
  e = incoming(aoo_);
  e.sender_protocol_date = "2026-02-30";
  EXPECT_EQ(protocol().register_entry(&staff_, kBody, e).error().code, "protocollo.sender_protocol_date");
  e = incoming(other_aoo_);  // another body's AOO
  EXPECT_EQ(protocol().register_entry(&staff_, kBody, e).error().code, "protocollo.aoo");
  EXPECT_EQ(protocol().register_entry(nullptr, kBody, incoming(aoo_)).error().code, "auth.required");
  EXPECT_EQ(protocol().register_entry(&other_staff_, kBody, incoming(aoo_)).error().code, "forbidden");
  EXPECT_EQ(count_entries(), 0);

  // An internal note may have no document.
  e = incoming(aoo_);
  e.direction = Direction::internal;
  e.documents.clear();
  EXPECT_EQ(register_one(e).number, 1);
}

TEST_P(ProtocolNumberingTest, AClockSteppedBackNeverMakesALaterNumberOlder) {
  auto a = register_one(incoming(aoo_));
  clock_.advance(-std::chrono::minutes(10));  // e.g. NTP correcting a fast clock
  auto b = register_one(incoming(aoo_));
  EXPECT_EQ(b.number, 2);
  EXPECT_EQ(b.registered_at, a.registered_at);
  EXPECT_EQ(time::format_iso_utc_millis(a.registered_at), "2026-03-02T10:00:00.000Z");
  clock_.advance(std::chrono::minutes(20));
  EXPECT_EQ(time::format_iso_utc_millis(register_one(incoming(aoo_)).registered_at),
            "2026-03-02T10:10:00.000Z");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ProtocolNumberingTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::testing
