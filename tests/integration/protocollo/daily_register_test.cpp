// The daily register of protocol on real SQLite and PostgreSQL: which entries and changes a Rome day
// holds (around Rome midnight too), digests, PDF pages and encoding, catch-up of missing days,
// append-only storage, concurrent producers, access across bodies, and the recorded audit head.
#include "protocollo/daily_register.hpp"

#include <atomic>
#include <boost/json.hpp>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "audit/model.hpp"
#include "audit/service.hpp"
#include "audit/store.hpp"
#include "core/digest.hpp"
#include "protocollo/daily_register_pdf.hpp"
#include "protocollo_fixture.hpp"
#include "support/pdf_inspect.hpp"

namespace sp::protocollo::testing {
namespace {

// Page objects in a PDF: "/Type /Page" not followed by "s" (that is the page tree).
int count_pages(const std::string& pdf) {
  int n = 0;
  const std::string key = "/Type /Page";
  for (auto p = pdf.find(key); p != std::string::npos; p = pdf.find(key, p + 1)) {
    if (p + key.size() < pdf.size() && pdf[p + key.size()] != 's') ++n;
  }
  return n;
}

boost::json::object parse(const std::string& json) {
  return boost::json::parse(json).as_object();
}

std::vector<std::int64_t> numbers_in(const boost::json::object& reg) {
  std::vector<std::int64_t> out;
  for (const auto& e : reg.at("entries").as_array()) out.push_back(e.as_object().at("number").as_int64());
  return out;
}

class DailyRegisterTest : public ProtocolloTest {
 protected:
  void SetUp() override {
    ProtocolloTest::SetUp();
    registers_ = std::make_unique<DailyRegisterService>(db(), clock_, sp::testing::locales());
  }
  DailyRegisterService& registers() { return *registers_; }

  Registered register_at(time::TimePoint tp, const std::string& subject = "Istanza") {
    clock_.set(tp);
    return register_one(incoming(aoo_, subject));
  }

  DailyRegister produce_ok(AooId aoo, const std::string& day, tenants::TenantId tenant = kBody) {
    auto r = registers().produce(tenant, aoo, day);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + " " + r.error().detail);
    return r.ok() ? *r : DailyRegister{};
  }

  std::vector<std::string> days_of(AooId aoo) {
    return db::read_all(db(), "SELECT day FROM protocol_daily_registers WHERE aoo_id = $1 ORDER BY day",
                        {aoo}, [](const db::Row& r) { return r.text(0); });
  }

  std::int64_t count_registers() {
    std::int64_t n = 0;
    db().read([&](db::Conn& c) { n = c.query_one("SELECT COUNT(*) FROM protocol_daily_registers")->i64(0); });
    return n;
  }

  std::unique_ptr<DailyRegisterService> registers_;
};

TEST_P(DailyRegisterTest, HoldsTheEntriesOfTheRomeDayInNumberOrderAndNoOthers) {
  // March 2026: Rome is UTC+1. The AOOs were created on 2 March (fixture clock: 10:00 UTC).
  auto a = register_at(utc(2026, 3, 2, 22, 59, 59));  // 23:59:59 on 2 March in Rome
  auto b = register_at(utc(2026, 3, 2, 23, 0, 0));    // 00:00 on 3 March in Rome
  auto c = register_at(utc(2026, 3, 2, 23, 30));      // 00:30 on 3 March in Rome, still the 2nd in UTC
  auto d = register_at(utc(2026, 3, 3, 22, 59));      // 23:59 on 3 March in Rome
  auto e = register_at(utc(2026, 3, 3, 23, 0));       // 00:00 on 4 March in Rome
  // Another body's entry on the same day is not in this AOO's register.
  clock_.set(utc(2026, 3, 3, 10, 0));
  ASSERT_TRUE(protocol().register_entry(&other_staff_, kOtherBody, incoming(other_aoo_)).ok());

  clock_.set(utc(2026, 3, 5, 12, 0));
  auto day3 = produce_ok(aoo_, "2026-03-03");
  EXPECT_EQ(day3.info.day, "2026-03-03");
  EXPECT_EQ(day3.info.aoo_code, "AOO_ROMA");
  EXPECT_EQ(day3.info.entry_count, 3);
  EXPECT_EQ(day3.info.first_number, b.number);
  EXPECT_EQ(day3.info.last_number, d.number);
  auto json3 = parse(day3.json);
  EXPECT_EQ(numbers_in(json3), (std::vector<std::int64_t>{b.number, c.number, d.number}));
  EXPECT_EQ(json3.at("entries").as_array()[0].as_object().at("id").as_string(), b.id);
  EXPECT_EQ(json3.at("from").as_string(), "2026-03-02T23:00:00.000Z");
  EXPECT_EQ(json3.at("to").as_string(), "2026-03-03T23:00:00.000Z");
  // All fields, with the documents' digests.
  const auto& first = json3.at("entries").as_array()[0].as_object();
  EXPECT_EQ(first.at("subject").as_string(), "Istanza");
  EXPECT_EQ(first.at("classification").as_string(), "6.3");
  EXPECT_EQ(first.at("correspondents").as_array()[0].as_object().at("name").as_string(), "Mario Rossi");
  ASSERT_EQ(first.at("documents").as_array().size(), 2U);
  EXPECT_EQ(first.at("documents").as_array()[0].as_object().at("sha256").as_string(),
            digest::sha256_hex("hello"));
  EXPECT_TRUE(first.at("annulment").is_null());

  auto day2 = produce_ok(aoo_, "2026-03-02");
  EXPECT_EQ(numbers_in(parse(day2.json)), (std::vector<std::int64_t>{a.number}));
  auto day4 = produce_ok(aoo_, "2026-03-04");
  EXPECT_EQ(numbers_in(parse(day4.json)), (std::vector<std::int64_t>{e.number}));
  auto other = produce_ok(other_aoo_, "2026-03-03", kOtherBody);
  EXPECT_EQ(other.info.entry_count, 1);
}

TEST_P(DailyRegisterTest, DaysWhenTheClocksChangeHaveTheirRealLength) {
  // 25 October 2026: Rome goes from UTC+2 to UTC+1 at 03:00, so the day lasts 25 hours.
  auto a = register_at(utc(2026, 10, 24, 21, 59));  // 23:59 on the 24th (CEST)
  auto b = register_at(utc(2026, 10, 24, 22, 0));   // 00:00 on the 25th (CEST)
  auto c = register_at(utc(2026, 10, 25, 22, 59));  // 23:59 on the 25th (CET)
  auto d = register_at(utc(2026, 10, 25, 23, 0));   // 00:00 on the 26th (CET)
  clock_.set(utc(2026, 10, 27, 10, 0));
  auto r = produce_ok(aoo_, "2026-10-25");
  auto json = parse(r.json);
  EXPECT_EQ(numbers_in(json), (std::vector<std::int64_t>{b.number, c.number}));
  EXPECT_EQ(json.at("from").as_string(), "2026-10-24T22:00:00.000Z");
  EXPECT_EQ(json.at("to").as_string(), "2026-10-25T23:00:00.000Z");
  EXPECT_EQ(numbers_in(parse(produce_ok(aoo_, "2026-10-24").json)), (std::vector<std::int64_t>{a.number}));
  EXPECT_EQ(numbers_in(parse(produce_ok(aoo_, "2026-10-26").json)), (std::vector<std::int64_t>{d.number}));
  // 29 March 2026: from UTC+1 to UTC+2, a day of 23 hours.
  auto march = parse(produce_ok(aoo_, "2026-03-29").json);
  EXPECT_EQ(march.at("from").as_string(), "2026-03-28T23:00:00.000Z");
  EXPECT_EQ(march.at("to").as_string(), "2026-03-29T22:00:00.000Z");
}

TEST_P(DailyRegisterTest, DigestsMatchTheBytesAndProducingAgainReturnsTheSameRegister) {
  register_at(utc(2026, 3, 2, 11, 0), "Richiesta di agibilità — perché è urgente");
  clock_.set(utc(2026, 3, 3, 8, 0));
  auto r = produce_ok(aoo_, "2026-03-02");
  EXPECT_EQ(digest::sha256_hex(r.json), r.info.json_sha256);
  EXPECT_EQ(digest::sha256_hex(r.pdf), r.info.pdf_sha256);
  EXPECT_EQ(static_cast<std::int64_t>(r.pdf.size()), r.info.pdf_size);
  EXPECT_EQ(r.pdf.rfind("%PDF-", 0), 0U);
  EXPECT_EQ(r.info.produced_at, "2026-03-03T08:00:00.000Z");
  // Deterministic JSON: nothing in it comes from the clock of production.
  EXPECT_EQ(r.json.find("2026-03-03T08:00"), std::string::npos);
  EXPECT_NE(r.json.find("agibilità"), std::string::npos);  // UTF-8 kept in the JSON

  clock_.set(utc(2026, 3, 4, 9, 0));
  auto again = produce_ok(aoo_, "2026-03-02");
  EXPECT_EQ(again.info.id, r.info.id);
  EXPECT_EQ(again.info.produced_at, r.info.produced_at);
  EXPECT_EQ(again.json, r.json);
  EXPECT_EQ(again.pdf, r.pdf);
  EXPECT_EQ(count_registers(), 1);

  auto check = registers().verify(kBody, r.info.id);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->json_ok);
  EXPECT_TRUE(check->pdf_ok);
  EXPECT_TRUE(check->audit_ok);
  EXPECT_TRUE(check->content_ok);  // the JSON rebuilt now is the same bytes
  EXPECT_EQ(check->json_sha256, r.info.json_sha256);
  EXPECT_EQ(DailyRegisterService::file_name(r.info, "pdf"), "registro_giornaliero_AOO_ROMA_2026-03-02.pdf");
}

TEST_P(DailyRegisterTest, ManyEntriesMakeAPdfOfSeveralPages) {
  clock_.set(utc(2026, 3, 2, 11, 0));
  for (int i = 0; i < 60; ++i) {
    clock_.advance(std::chrono::seconds(1));
    register_one(incoming(aoo_, "Domanda n. " + std::to_string(i)));
  }
  clock_.set(utc(2026, 3, 3, 8, 0));
  auto many = produce_ok(aoo_, "2026-03-02");
  EXPECT_EQ(many.info.entry_count, 60);
  EXPECT_GT(count_pages(many.pdf), 1);
  auto empty = produce_ok(other_aoo_, "2026-03-02", kOtherBody);
  EXPECT_EQ(empty.info.entry_count, 0);
  EXPECT_FALSE(empty.info.first_number.has_value());
  EXPECT_EQ(count_pages(empty.pdf), 1);
  EXPECT_EQ(empty.pdf.rfind("%PDF-", 0), 0U);
}

TEST_P(DailyRegisterTest, AnAnnulmentOnALaterDayIsInThatDaysChangesNotInTheEarlierEntry) {
  auto a = register_at(utc(2026, 3, 2, 11, 0));
  clock_.set(utc(2026, 3, 4, 9, 0));  // 10:00 on 4 March in Rome
  ClassificationChange change;
  change.classification = "7.1";
  ASSERT_TRUE(protocol().update_classification(&staff_, kBody, a.id, change).ok());
  clock_.advance(std::chrono::minutes(5));
  ASSERT_TRUE(protocol().annul(&staff_, kBody, a.id, "Errore materiale", "Provv. 12/2026").ok());

  clock_.set(utc(2026, 3, 6, 9, 0));
  // The register of the 2nd shows the entry as it was at the end of the 2nd.
  auto r2 = produce_ok(aoo_, "2026-03-02");
  auto day2 = parse(r2.json);
  const auto& entry = day2.at("entries").as_array()[0].as_object();
  EXPECT_TRUE(entry.at("annulment").is_null());
  EXPECT_EQ(entry.at("classification").as_string(), "6.3");
  EXPECT_EQ(day2.at("changes_count").as_int64(), 0);

  auto r4 = produce_ok(aoo_, "2026-03-04");
  EXPECT_EQ(r4.info.entry_count, 0);
  EXPECT_EQ(r4.info.changes_count, 3);  // reason, authorising act, classification
  auto day4 = parse(r4.json);
  std::set<std::string> fields;
  for (const auto& v : day4.at("changes").as_array()) {
    const auto& c = v.as_object();
    EXPECT_EQ(c.at("number").as_int64(), a.number);
    EXPECT_EQ(c.at("year").as_int64(), 2026);
    EXPECT_NE(std::string(c.at("who").as_string()).find("staff-7"), std::string::npos);  // the operator
    fields.insert(std::string(c.at("field").as_string()));
    if (c.at("field").as_string() == "annulment_reason") {
      EXPECT_EQ(c.at("kind").as_string(), "annulment");
      EXPECT_EQ(c.at("new").as_string(), "Errore materiale");
    }
    if (c.at("field").as_string() == "classification") {
      EXPECT_EQ(c.at("old").as_string(), "6.3");
      EXPECT_EQ(c.at("new").as_string(), "7.1");
    }
  }
  EXPECT_EQ(fields, (std::set<std::string>{"annulment_reason", "annulment_authorisation", "classification"}));
  // The 3rd had neither entries nor changes.
  EXPECT_EQ(produce_ok(aoo_, "2026-03-03").info.changes_count, 0);
  // Rebuilt later, both registers are the same bytes: the later changes are rolled back for the 2nd.
  EXPECT_TRUE(registers().verify(kBody, r2.info.id)->content_ok);
  EXPECT_TRUE(registers().verify(kBody, r4.info.id)->content_ok);
}

TEST_P(DailyRegisterTest, AnEntryAnnulledTheSameDayIsShownAnnulled) {
  auto a = register_at(utc(2026, 3, 2, 11, 0));
  clock_.set(utc(2026, 3, 2, 15, 0));
  ASSERT_TRUE(protocol().annul(&staff_, kBody, a.id, "Duplicato", "Provv. 1/2026").ok());
  clock_.set(utc(2026, 3, 3, 9, 0));
  auto day2 = parse(produce_ok(aoo_, "2026-03-02").json);
  const auto& annulment = day2.at("entries").as_array()[0].as_object().at("annulment");
  ASSERT_TRUE(annulment.is_object());
  EXPECT_EQ(annulment.as_object().at("reason").as_string(), "Duplicato");
  EXPECT_EQ(day2.at("changes_count").as_int64(), 2);
}

TEST_P(DailyRegisterTest, CatchUpProducesExactlyTheMissingDaysUpToYesterdayAndIsIdempotent) {
  // An entry dated before the AOO was set up here (clock behind): registers start from that day.
  register_at(utc(2026, 2, 27, 10, 0));
  register_at(utc(2026, 3, 3, 10, 0));
  clock_.set(utc(2026, 3, 5, 10, 0));
  auto made_by_hand = produce_ok(aoo_, "2026-03-03");

  clock_.set(utc(2026, 3, 6, 10, 0));  // today is the 6th in Rome: registers up to the 5th
  auto first = registers().catch_up();
  EXPECT_TRUE(first.errors.empty()) << first.errors.front();
  // AOO_ROMA: 27 Feb .. 5 Mar is 7 days, the 3rd existed; AOO_MI: 2 .. 5 Mar.
  EXPECT_EQ(first.produced, 6 + 4);
  EXPECT_EQ(days_of(aoo_), (std::vector<std::string>{"2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02",
                                                     "2026-03-03", "2026-03-04", "2026-03-05"}));
  EXPECT_EQ(days_of(other_aoo_),
            (std::vector<std::string>{"2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"}));
  EXPECT_EQ(registers().get_day_for(kBody, aoo_, "2026-03-03")->info.id, made_by_hand.info.id);
  EXPECT_EQ(registers().get_day_for(kBody, aoo_, "2026-02-27")->info.entry_count, 1);
  auto empty_day = registers().get_day_for(kBody, aoo_, "2026-03-01");
  ASSERT_TRUE(empty_day.ok());
  EXPECT_EQ(empty_day->info.entry_count, 0);
  EXPECT_EQ(count_pages(empty_day->pdf), 1);

  auto second = registers().catch_up();
  EXPECT_EQ(second.produced, 0);
  EXPECT_TRUE(second.errors.empty());

  // Around Rome midnight: 00:01 on the 7th is not yet past the settling time, 00:03 is.
  clock_.set(utc(2026, 3, 6, 23, 1));
  EXPECT_EQ(registers().catch_up().produced, 0);
  clock_.set(utc(2026, 3, 6, 23, 3));
  EXPECT_EQ(registers().catch_up().produced, 2);
  EXPECT_EQ(days_of(aoo_).back(), "2026-03-06");
  EXPECT_EQ(count_registers(), 7 + 1 + 4 + 1);
}

TEST_P(DailyRegisterTest, RefusesOpenDaysInvalidDaysAndDaysBeforeTheAoo) {
  clock_.set(utc(2026, 3, 5, 10, 0));
  auto today = registers().produce(kBody, aoo_, "2026-03-05");
  ASSERT_FALSE(today.ok());
  EXPECT_EQ(today.error().code, "protocollo_registro.day_open");
  EXPECT_EQ(today.error().http_status, 409);
  EXPECT_EQ(registers().produce(kBody, aoo_, "2026-03-06").error().code, "protocollo_registro.day_open");
  EXPECT_EQ(registers().produce(kBody, aoo_, "2026-02-30").error().code, "protocollo_registro.day");
  EXPECT_EQ(registers().produce(kBody, aoo_, "2026-03-01").error().code, "protocollo_registro.before_start");
  EXPECT_EQ(registers().produce(kBody, 999999, "2026-03-02").error().code, "protocollo.aoo");
  EXPECT_EQ(count_registers(), 0);
}

TEST_P(DailyRegisterTest, StoredRegistersCannotBeUpdatedOrDeleted) {
  clock_.set(utc(2026, 3, 3, 10, 0));
  auto r = produce_ok(aoo_, "2026-03-02");
  EXPECT_THROW(db().write([&](db::Conn& c) {
    c.exec("UPDATE protocol_daily_registers SET json = '{}' WHERE id = $1", {r.info.id});
  }),
               db::DbError);
  EXPECT_THROW(db().write([&](db::Conn& c) {
    c.exec("UPDATE protocol_daily_registers SET pdf_sha256 = json_sha256 WHERE id = $1", {r.info.id});
  }),
               db::DbError);
  EXPECT_THROW(db().write([&](db::Conn& c) {
    c.exec("DELETE FROM protocol_daily_registers WHERE id = $1", {r.info.id});
  }),
               db::DbError);
  if (GetParam() == db::Dialect::postgres) {
    EXPECT_THROW(db().write([&](db::Conn& c) { c.exec_script("TRUNCATE protocol_daily_registers"); }),
                 db::DbError);
  }
  auto still = registers().get_for(kBody, r.info.id);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->json, r.json);
  EXPECT_TRUE(registers().verify(kBody, r.info.id)->ok());
}

TEST_P(DailyRegisterTest, VerifySeesAnEntryAlteredAfterItsRegister) {
  auto a = register_at(utc(2026, 3, 2, 11, 0));
  clock_.set(utc(2026, 3, 3, 10, 0));
  auto r = produce_ok(aoo_, "2026-03-02");
  ASSERT_TRUE(registers().verify(kBody, r.info.id)->ok());
  // Someone with database access rewrites the subject, past the registry's trigger.
  db().write([&](db::Conn& c) {
    c.exec_script(GetParam() == db::Dialect::sqlite
                      ? "DROP TRIGGER protocol_entries_immutable"
                      : "ALTER TABLE protocol_entries DISABLE TRIGGER protocol_entries_immutable");
    c.exec("UPDATE protocol_entries SET subject = 'Altro' WHERE id = $1", {a.id});
  });
  auto check = registers().verify(kBody, r.info.id);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->json_ok);      // the register itself is intact...
  EXPECT_FALSE(check->content_ok);  // ...but no longer what the registry says
  EXPECT_FALSE(check->ok());
}

TEST_P(DailyRegisterTest, TwoProducersOfTheSameDayEndWithOneRow) {
  for (int i = 0; i < 5; ++i) register_at(utc(2026, 3, 2, 11, i));
  clock_.set(utc(2026, 3, 3, 10, 0));
  // PostgreSQL: the second producer has its own connection pool, as a second server node would.
  std::unique_ptr<db::Database> second_node;
  if (GetParam() == db::Dialect::postgres) second_node = db::open(database_->url());
  DailyRegisterService other_node(second_node ? *second_node : db(), clock_, sp::testing::locales());
  for (int round = 0; round < 3; ++round) {
    const std::string day = "2026-03-0" + std::to_string(2 + round);
    if (round > 0) clock_.advance(std::chrono::hours(24));
    std::atomic<int> ready{0};
    std::vector<Result<DailyRegister>> results(2, Error::internal("not run"));
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        results[t] = (t == 0 ? registers() : other_node).produce(kBody, aoo_, day);
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(results[0].ok()) << results[0].error().code << " " << results[0].error().detail;
    ASSERT_TRUE(results[1].ok()) << results[1].error().code << " " << results[1].error().detail;
    EXPECT_EQ(results[0]->info.id, results[1]->info.id);
    EXPECT_EQ(results[0]->info.pdf_sha256, results[1]->info.pdf_sha256);
    EXPECT_EQ(results[0]->json, results[1]->json);
  }
  if (second_node) second_node->close();
  EXPECT_EQ(days_of(aoo_), (std::vector<std::string>{"2026-03-02", "2026-03-03", "2026-03-04"}));
}

TEST_P(DailyRegisterTest, AnotherBodyCannotListOrGetTheRegisters) {
  register_at(utc(2026, 3, 2, 11, 0));
  clock_.set(utc(2026, 3, 4, 10, 0));
  ASSERT_EQ(registers().catch_up().produced, 4);
  auto mine = registers().get_day_for(kBody, aoo_, "2026-03-02");
  ASSERT_TRUE(mine.ok());
  const auto id = mine->info.id;

  auto own = registers().list(&staff_, kBody, {});
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->size(), 2U);
  EXPECT_EQ((*own)[0].day, "2026-03-03");  // newest first
  EXPECT_EQ((*own)[1].day, "2026-03-02");
  ASSERT_TRUE(registers().get(&staff_, kBody, id).ok());
  DailyRegisterQuery one_day;
  one_day.aoo_id = aoo_;
  one_day.from_day = "2026-03-02";
  one_day.to_day = "2026-03-02";
  EXPECT_EQ(registers().list(&staff_, kBody, one_day)->size(), 1U);

  // Staff of the other body, on our body: refused; on their own body with our id: not found.
  EXPECT_EQ(registers().list(&other_staff_, kBody, {}).error().code, "forbidden");
  EXPECT_EQ(registers().get(&other_staff_, kBody, id).error().code, "forbidden");
  EXPECT_EQ(registers().get(&other_staff_, kOtherBody, id).error().code, "not_found");
  EXPECT_EQ(registers().get_day(&other_staff_, kOtherBody, aoo_, "2026-03-02").error().code, "not_found");
  auto theirs = registers().list(&other_staff_, kOtherBody, {});
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->size(), 2U);
  for (const auto& i : *theirs) EXPECT_EQ(i.aoo_id, other_aoo_);
  DailyRegisterQuery ours_by_aoo;
  ours_by_aoo.aoo_id = aoo_;
  EXPECT_TRUE(registers().list_for(kOtherBody, ours_by_aoo)->empty());
  // Callers with the tenant already checked are still scoped to it.
  EXPECT_EQ(registers().get_for(kOtherBody, id).error().code, "not_found");
  EXPECT_EQ(registers().verify(kOtherBody, id).error().code, "not_found");
  // A body cannot have another body's AOO produced under its name.
  clock_.set(utc(2026, 3, 10, 10, 0));
  EXPECT_EQ(registers().produce(kOtherBody, aoo_, "2026-03-05").error().code, "protocollo.aoo");
  // Anonymous callers.
  EXPECT_EQ(registers().list(nullptr, kBody, {}).error().code, "auth.required");
  EXPECT_EQ(registers().get(nullptr, kBody, id).error().code, "auth.required");
  DailyRegisterQuery bad;
  bad.from_day = "ieri";
  EXPECT_EQ(registers().list(&staff_, kBody, bad).error().code, "protocollo_registro.day");
}

TEST_P(DailyRegisterTest, RecordsTheAuditHeadAndDetectsATruncatedLog) {
  register_at(utc(2026, 3, 2, 11, 0));
  // The body's audit chain has entries of its own whatever the registry audits.
  audit::AuditService log(db(), clock_);
  for (int i = 0; i < 2; ++i) {
    audit::Entry e;
    e.tenant_id = kBody;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = "staff-7";
    e.channel = audit::Channel::web;
    e.action = "protocollo.test";
    ASSERT_TRUE(log.record(e).ok());
  }
  std::optional<audit::Head> head;
  db().read([&](db::Conn& c) { head = audit::AuditStore::head(c, kBody); });
  ASSERT_TRUE(head.has_value());
  ASSERT_GE(head->seq, 2);

  clock_.set(utc(2026, 3, 3, 10, 0));
  auto r = produce_ok(aoo_, "2026-03-02");
  EXPECT_EQ(r.info.audit_head_seq, head->seq);
  EXPECT_EQ(r.info.audit_head_hash, head->hash);
  auto json = parse(r.json);
  EXPECT_EQ(json.at("audit_head").as_object().at("seq").as_int64(), head->seq);
  EXPECT_EQ(json.at("audit_head").as_object().at("hash").as_string(), head->hash);
  EXPECT_TRUE(registers().verify(kBody, r.info.id)->audit_ok);

  // The other body's chain is separate: its register records its own head.
  std::optional<audit::Head> other_head;
  db().read([&](db::Conn& c) { other_head = audit::AuditStore::head(c, kOtherBody); });
  auto other = produce_ok(other_aoo_, "2026-03-02", kOtherBody);
  EXPECT_EQ(other.info.audit_head_seq, other_head ? other_head->seq : 0);
  EXPECT_TRUE(registers().verify(kOtherBody, other.info.id)->audit_ok);

  // Someone with database access removes the last audit entries (past the append-only trigger): the
  // head published in the register is gone, and verify() says so.
  db().write([&](db::Conn& c) {
    c.exec_script(GetParam() == db::Dialect::sqlite
                      ? "DROP TRIGGER audit_log_no_delete"
                      : "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
    c.exec("DELETE FROM audit_log WHERE tenant_id = $1 AND seq >= $2", {kBody, head->seq});
  });
  auto check = registers().verify(kBody, r.info.id);
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->audit_ok);
  EXPECT_TRUE(check->json_ok);
  EXPECT_TRUE(check->pdf_ok);
  EXPECT_FALSE(check->ok());
}

// The PDF's text as a reader extracts it: Italian labels, accented letters as written, a page footer on
// every page; the document is tagged (headings, tables) and says it is in Italian.
TEST(DailyRegisterPdf, PrintsItalianTextOnEveryPageAndIsTagged) {
  RegisterContent c;
  c.aoo.aoo = Aoo{1, kBody, "c_h501", "AOO_ROMA", "Protocollo generale", true};
  c.from = time::parse_iso_utc("2026-03-01T23:00:00.000Z").value();
  c.to = time::parse_iso_utc("2026-03-02T23:00:00.000Z").value();
  for (int i = 1; i <= 80; ++i) {
    Entry e;
    e.id = "id-" + std::to_string(i);
    e.year = 2026;
    e.number = i;
    e.registered_at = time::parse_iso_utc("2026-03-02T09:00:00.000Z").value();
    e.subject = "Richiesta di agibilità dell'immobile in via Località Città n. " + std::to_string(i);
    e.correspondents = {{protocollo::CorrespondentKind::person, "Niccolò Mazzà", "", "", ""}};
    e.documents = {{DocumentRole::primary, "domanda.pdf", "application/pdf", 10, std::string(64, 'a')}};
    c.entries.push_back(e);
  }
  c.changes.push_back({time::parse_iso_utc("2026-03-02T10:00:00.000Z").value(), "id-1", 2026, 1,
                       HistoryField::classification, "6.3", "7.1", "staff-7", HistoryKind::edit});
  DailyRegisterInfo info;
  info.day = "2026-03-02";
  info.produced_at = "2026-03-03T00:05:00.000Z";
  info.entry_count = 80;
  info.first_number = 1;
  info.last_number = 80;
  info.changes_count = 1;
  info.json_sha256 = std::string(64, 'b');
  info.audit_head_hash = std::string(audit::kGenesisHash);
  const auto pdf = render_daily_register_pdf(c, info, sp::testing::locales(), PdfOptions{false});
  ASSERT_EQ(pdf.rfind("%PDF-", 0), 0U);
  const int pages = count_pages(pdf);
  EXPECT_GT(pages, 1);
  const std::string text = sp::testing::pdf_text(pdf);
  EXPECT_NE(text.find("agibilità"), std::string::npos);
  EXPECT_NE(text.find("Niccolò Mazzà"), std::string::npos);
  EXPECT_NE(text.find("REGISTRO GIORNALIERO DI PROTOCOLLO"), std::string::npos);
  EXPECT_NE(text.find("Giornata: 02/03/2026"), std::string::npos);
  EXPECT_NE(text.find("0000080"), std::string::npos);
  EXPECT_NE(text.find("Modifiche e annullamenti registrati nella giornata"), std::string::npos);
  EXPECT_NE(text.find("Classificazione"), std::string::npos);
  EXPECT_NE(text.find(std::string(64, 'b')), std::string::npos);  // the JSON's digest
  EXPECT_NE(text.find("Sistema"), std::string::npos);         // "staff-7" is not a staff actor
  EXPECT_EQ(text.find("registro_pdf."), std::string::npos);  // no raw locale key
  for (int p = 1; p <= pages; ++p) {
    EXPECT_NE(text.find("Pagina " + std::to_string(p) + " di " + std::to_string(pages)), std::string::npos);
  }
  const auto facts = sp::testing::pdf_facts(pdf);
  EXPECT_EQ(facts.pages, pages);
  EXPECT_TRUE(facts.struct_tree);
  EXPECT_TRUE(facts.marked);
  EXPECT_EQ(facts.lang, "it-IT");
  EXPECT_EQ(facts.tags.count("H1"), 1U);
  EXPECT_EQ(facts.tags.count("H2"), 2U);
  EXPECT_EQ(facts.tags.count("Table"), 2U);
  EXPECT_EQ(facts.tags.count("TR"), 83U);  // a header row and 80 entries, a header row and 1 change
  EXPECT_GE(facts.tags.count("TD"), 80U);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, DailyRegisterTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::testing
