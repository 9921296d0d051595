// The albo's acceptance (issue 16) on SQLite and PostgreSQL: the 15 days counted from day 1 with the job
// runner on an injected clock, the server stopped across the boundary, the outage extension, the relata
// confirmed into the protocol, gapless repertory numbers under concurrent publishing, annulment, the
// period-ended refusal, the personal-data warning, idempotency, the right to be forgotten and another
// body's attempts.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "albo_fixture.hpp"
#include "support/pdf_inspect.hpp"

namespace sp::albo::testing {
namespace {

using namespace std::chrono_literals;

class AlboAcceptanceTest : public AlboTest {
 protected:
  void SetUp() override {
    // A running node beats every minute; these tests move the clock in steps of hours, so they call a
    // silence of more than six hours an outage (the server "stopped" below is silent for far longer).
    AlboService::Options o;
    o.heartbeat_gap = 6h;
    make(o);
    runner_->run_until_idle();  // the first heartbeat, at day 1 10:00
  }
};

std::string relata_text(AlboService& albo, const identity::Principal& who, const std::string& id) {
  auto pdf = albo.relata_pdf(&who, kBody, id, "Comune di Asti");
  EXPECT_TRUE(pdf.ok());
  return pdf.ok() ? sp::testing::pdf_text(*pdf) : std::string();
}

TEST_P(AlboAcceptanceTest, FifteenDaysFromDayOneThenOffTheBoardWithARelataConfirmedIntoTheProtocol) {
  auto pub = publish(act());
  EXPECT_EQ(pub.year, 2026);
  auto p = albo_->public_publication(kBody, 2026, pub.number);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->start_day, day(2026, 3, 2));
  EXPECT_EQ(p->last_day(), day(2026, 3, 16));        // the first day counts: 2 + 15 - 1
  EXPECT_EQ(p->enforceable_on(), day(2026, 3, 12));  // a resolution: after the tenth day
  EXPECT_TRUE(on_board(pub.id)) << "day 1";
  EXPECT_TRUE(albo_->public_document(kBody, 2026, pub.number, 0).ok());

  run_until(rome(2026, 3, 16, 23, 59), 5h);  // day 15, one minute before 24:00
  EXPECT_TRUE(on_board(pub.id)) << "day 15";
  auto v = albo_->view(&staff_, kBody, pub.id);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->relata);

  run_until(rome(2026, 3, 17, 0, 1), 1min);  // day 16
  EXPECT_FALSE(on_board(pub.id)) << "day 16";
  auto gone = albo_->public_document(kBody, 2026, pub.number, 0);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "albo.period_ended");
  EXPECT_EQ(gone.error().http_status, 410);
  v = albo_->view(&staff_, kBody, pub.id);
  ASSERT_TRUE(v.ok() && v->relata);
  EXPECT_EQ(v->relata->status, RelataStatus::waiting);
  EXPECT_EQ(v->publication.extension_days, 0);
  auto waiting = albo_->relate(&staff_, kBody, RelataStatus::waiting);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().publication.id, pub.id);

  // The desk operator may not confirm; the responsible officer does, and the relata goes to the protocol.
  EXPECT_EQ(albo_->confirm_relata(&staff_, kBody, pub.id, "Comune di Asti").error().code, "forbidden");
  EXPECT_EQ(albo_->confirm_relata(&other_manager_, kBody, pub.id, "Comune di Asti").error().code,
            "forbidden");
  auto r = albo_->confirm_relata(&manager_, kBody, pub.id, "Comune di Asti");
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  EXPECT_EQ(r->status, RelataStatus::confirmed);
  auto entry = protocol_->get(&manager_, kBody, r->protocol_id);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->direction, protocollo::Direction::outgoing);
  ASSERT_EQ(entry->documents.size(), 1u);
  EXPECT_EQ(entry->documents[0].sha256, r->sha256);
  auto stored = albo_->relata_pdf(&staff_, kBody, pub.id, "Comune di Asti");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(digest::sha256_hex(*stored), r->sha256);
  const auto text = sp::testing::pdf_text(*stored);
  EXPECT_NE(text.find("Si attesta l'avvenuta pubblicazione"), std::string::npos) << text;
  EXPECT_NE(text.find("dal 02/03/2026 al 16/03/2026"), std::string::npos) << text;
  EXPECT_NE(text.find(format_number(pub.number) + "/2026"), std::string::npos);
  EXPECT_NE(text.find(p->documents[0].sha256), std::string::npos) << "the documents' digests";
  EXPECT_NE(text.find("Registrata al protocollo: " + r->protocol_text), std::string::npos) << text;
  EXPECT_EQ(albo_->confirm_relata(&manager_, kBody, pub.id, "Comune di Asti").error().code, "albo.relata");
}

TEST_P(AlboAcceptanceTest, AServerStoppedFromTheEndOfDayFifteenToDaySeventeenFindsItEndedAtRestart) {
  auto pub = publish(act());
  run_until(rome(2026, 3, 16, 23, 30), 5h);  // the last beat: day 15, 23:30
  EXPECT_TRUE(on_board(pub.id));
  // Stopped; restarted on day 17 at 10:00 with a new runner (a new process).
  clock_.set(rome(2026, 3, 18, 10));
  runner_ = std::make_unique<jobs::Runner>(db(), clock_);
  register_tick_job(*runner_, *albo_);
  runner_->run_until_idle();
  EXPECT_FALSE(on_board(pub.id));
  auto outages = albo_->outages(&staff_, kBody);
  ASSERT_TRUE(outages.ok());
  ASSERT_EQ(outages->size(), 1u) << "the silence is recorded as an outage of the hub";
  EXPECT_EQ(outages->front().source, OutageSource::heartbeat);
  auto v = albo_->view(&staff_, kBody, pub.id);
  ASSERT_TRUE(v.ok() && v->relata);
  EXPECT_EQ(v->publication.extension_days, 0) << "30 minutes of day 15 are not a day of outage";
  EXPECT_EQ(v->relata->status, RelataStatus::waiting);
  auto r = albo_->confirm_relata(&manager_, kBody, pub.id, "Comune di Asti");
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_FALSE(r->protocol_text.empty());
}

TEST_P(AlboAcceptanceTest, ARecordedOutageOnDaysFourteenAndFifteenMovesTheEndToDaySeventeen) {
  auto pub = publish(act());
  run_until(rome(2026, 3, 10, 12), 5h);
  EXPECT_EQ(albo_->record_outage(&staff_, kBody, "2026-03-15", "2026-03-16", "Decreto n. 5").error().code,
            "forbidden");
  EXPECT_EQ(albo_->record_outage(&manager_, kBody, "2026-03-16", "2026-03-15", "Decreto n. 5").error().code,
            "albo.outage");
  ASSERT_TRUE(albo_->record_outage(&manager_, kBody, "2026-03-15", "2026-03-16", "Decreto n. 5").ok());
  auto v = albo_->view(&staff_, kBody, pub.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->publication.extension_days, 2);
  EXPECT_EQ(v->publication.last_day(), day(2026, 3, 18));  // day 17
  run_until(rome(2026, 3, 18, 23, 0), 5h);
  EXPECT_TRUE(on_board(pub.id)) << "day 17";
  run_until(rome(2026, 3, 19, 0, 1), 1min);
  EXPECT_FALSE(on_board(pub.id)) << "day 18";
  const auto text = relata_text(*albo_, staff_, pub.id);
  EXPECT_NE(text.find("prorogato di 2 giorni"), std::string::npos) << text;
  EXPECT_NE(text.find("dal 02/03/2026 al 18/03/2026"), std::string::npos) << text;
  // Another body's outage moves nothing of this body's.
  auto other = publish(act("Altro atto"), kBody);
  ASSERT_TRUE(
      albo_->record_outage(&other_manager_, kOtherBody, "2026-03-20", "2026-03-25", "Decreto 1").ok());
  EXPECT_EQ(albo_->view(&staff_, kBody, other.id)->publication.extension_days, 0);
}

TEST_P(AlboAcceptanceTest, ADowntimeInsideThePeriodDetectedByTheHeartbeatExtendsIt) {
  auto pub = publish(act());
  run_until(rome(2026, 3, 6, 8), 5h);  // day 5, 08:00
  clock_.set(rome(2026, 3, 8, 12));    // down until day 7 at noon: days 5, 6 and 7 lost
  runner_->run_until_idle();
  auto v = albo_->view(&staff_, kBody, pub.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->publication.extension_days, 3);
  EXPECT_EQ(v->publication.last_day(), day(2026, 3, 19));
  EXPECT_TRUE(on_board(pub.id));
}

TEST_P(AlboAcceptanceTest, AnAnnulledActShowsAsAnnulledAndIsNeverDeleted) {
  auto pub = publish(act());
  EXPECT_EQ(albo_->annul(&staff_, kBody, pub.id, "errore").error().code, "forbidden");
  EXPECT_EQ(albo_->annul(&other_manager_, kBody, pub.id, "errore").error().code, "forbidden");
  EXPECT_EQ(albo_->annul(&other_manager_, kOtherBody, pub.id, "errore").error().code, "not_found");
  EXPECT_EQ(albo_->annul(&manager_, kBody, pub.id, " ").error().code, "albo.annulment_reason");
  ASSERT_TRUE(albo_->annul(&manager_, kBody, pub.id, "Allegato errato").ok());
  EXPECT_EQ(albo_->annul(&manager_, kBody, pub.id, "di nuovo").error().code, "albo.annulled");
  auto p = albo_->public_publication(kBody, pub.year, pub.number);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->annulled());
  EXPECT_EQ(p->annulment->reason, "Allegato errato");
  EXPECT_TRUE(on_board(pub.id)) << "shown, as annulled, until the end of its period";
  EXPECT_THROW(db().write([&](db::Conn& tx) { tx.exec("DELETE FROM albo_publications"); }), db::DbError);
  run_until(rome(2026, 3, 17, 0, 1), 5h);
  auto v = albo_->view(&staff_, kBody, pub.id);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->relata) << "nothing to attest for an annulled publication";
  EXPECT_EQ(albo_->annul(&manager_, kBody, publish(act("Altro")).id, "x").ok(), true);
}

TEST_P(AlboTest, RepertoryNumbersAreGaplessUnderConcurrentPublishing) {
  AlboService::Options o;
  o.pdf_text = [](std::string_view) { return std::string(); };
  make(o);
  ASSERT_TRUE(albo_->set_start_number(&manager_, kBody, 2026, 1000).ok());  // moved to the hub mid-year
  EXPECT_EQ(albo_->set_start_number(&manager_, kBody, 2026, 5).error().code, "albo.start_number");
  EXPECT_EQ(albo_->set_start_number(&staff_, kBody, 2027, 5).error().code, "forbidden");
  constexpr int kThreads = 8;
  constexpr int kTotal = 160;
  std::unique_ptr<db::Database> second_node;
  if (GetParam() == db::Dialect::postgres) second_node = db::open(database_->url());
  files::FileService other_files(second_node ? *second_node : db(), clock_);
  protocollo::ProtocolService other_protocol(second_node ? *second_node : db(), clock_);
  AlboService other_node(second_node ? *second_node : db(), clock_, other_files, other_protocol,
                         sp::testing::locales(), o);
  const auto base = act();
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<std::int64_t> numbers;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SystemActor actor{"delibere-" + std::to_string(t)};
      while (next.fetch_add(1) < kTotal) {
        try {
          auto r = (t % 2 == 0 ? *albo_ : other_node).publish(actor, kBody, base);
          if (!r.ok() || !r->published) {
            ++failures;
            continue;
          }
          std::lock_guard lock(mu);
          numbers.push_back(r->published->number);
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  if (second_node) second_node->close();
  EXPECT_EQ(failures.load(), 0);
  std::sort(numbers.begin(), numbers.end());
  ASSERT_EQ(numbers.size(), static_cast<std::size_t>(kTotal));
  for (int i = 0; i < kTotal; ++i) ASSERT_EQ(numbers[i], 1000 + i);
  auto stored =
      db::read_all(db(), "SELECT number FROM albo_publications WHERE tenant_id = $1 ORDER BY number", {kBody},
                   [](const db::Row& r) { return r.i64(0); });
  ASSERT_EQ(stored.size(), static_cast<std::size_t>(kTotal));
  EXPECT_EQ(stored.front(), 1000);
  EXPECT_EQ(stored.back(), 1000 + kTotal - 1);
  // Another body has its own repertory; the number has seven digits.
  auto other = albo_->publish(SystemActor{"t"}, kOtherBody, base);
  ASSERT_TRUE(other.ok() && other->published);
  EXPECT_EQ(other->published->number, 1);
  EXPECT_EQ(format_number(1), "0000001");
  // A new year in Rome starts again at 1.
  clock_.set(rome(2027, 1, 1, 0, 0));
  auto y = albo_->publish(SystemActor{"t"}, kBody, base);
  ASSERT_TRUE(y.ok() && y->published);
  EXPECT_EQ(y->published->year, 2027);
  EXPECT_EQ(y->published->number, 1);
}

TEST_P(AlboTest, ThePublishingFormWarnsOfPersonalDataAndRecordsTheConfirmation) {
  auto p = act("Contributo a Mario Rossi, codice fiscale RSSMRA80A01H501U, nato il 01/01/1980");
  p.publication.act_type = "determinazione";
  p.documents[0].bytes = pdf_saying("Accredito su IBAN IT60X0542811101000000123456 per la diagnosi.");
  auto r = albo_->publish(&staff_, kBody, p);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->published);
  std::set<std::string> kinds;
  for (const auto& f : r->findings) kinds.insert(f.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"codice_fiscale", "birth_date", "iban", "health"}));
  p.publication.personal_data_confirmed = true;
  auto ok = albo_->publish(&staff_, kBody, p);
  ASSERT_TRUE(ok.ok() && ok->published);
  auto v = albo_->view(&staff_, kBody, ok->published->id);
  EXPECT_EQ(v->publication.personal_data_confirmed_by, "staff:op-7");
  EXPECT_NE(v->publication.personal_data_flags.find("RSSMRA80A01H501U"), std::string::npos);
  // Marriage banns publish names and dates of birth by law: no warning.
  auto banns =
      act("Pubblicazione di matrimonio tra Mario Rossi (RSSMRA80A01H501U) e Anna Verdi", "matrimonio");
  auto b = albo_->publish(&staff_, kBody, banns);
  ASSERT_TRUE(b.ok() && b->published);
  EXPECT_EQ(albo_->view(&staff_, kBody, b->published->id)->publication.days, 8);
  // Nothing personal in an ordinary act.
  EXPECT_TRUE(
      scan_personal_data("Lavori in via Roma 12, Asti; determinazione n. 4 del 01/02/2026", "s").empty());
}

TEST_P(AlboTest, IdempotencyKeysAndAnotherBodysAttempts) {
  auto p = act();
  p.idempotency_key = "delibera-42";
  p.request_sha256 = std::string(64, 'a');
  auto first = albo_->publish(SystemActor{"api-key:1"}, kBody, p);
  auto again = albo_->publish(SystemActor{"api-key:1"}, kBody, p);
  ASSERT_TRUE(first.ok() && again.ok() && first->published && again->published);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(first->published->number, again->published->number);
  p.request_sha256 = std::string(64, 'b');
  EXPECT_EQ(albo_->publish(SystemActor{"api-key:1"}, kBody, p).error().code, "albo.idempotency_conflict");
  const auto id = first->published->id;
  EXPECT_EQ(albo_->view(&other_manager_, kOtherBody, id).error().code, "not_found");
  EXPECT_EQ(albo_->view(&other_manager_, kBody, id).error().code, "forbidden");
  EXPECT_EQ(albo_->publish(&other_manager_, kBody, act()).error().code, "forbidden");
  EXPECT_FALSE(albo_->public_publication(kOtherBody, first->published->year, first->published->number));
  EXPECT_EQ(albo_->confirm_relata(&other_manager_, kOtherBody, id, "Comune di Novara").error().code,
            "not_found");
  // Validation.
  auto bad = act();
  bad.publication.act_type = "nessuno";
  EXPECT_EQ(albo_->publish(&staff_, kBody, bad).error().code, "albo.act_type");
  bad = act();
  bad.publication.start_day = "2026-03-01";
  EXPECT_EQ(albo_->publish(&staff_, kBody, bad).error().code, "albo.start_day");
  bad = act();
  bad.documents[0].bytes = "not a pdf at all";
  EXPECT_EQ(albo_->publish(&staff_, kBody, bad).error().code, "files.type_not_allowed");
  bad = act();
  bad.documents.clear();
  EXPECT_EQ(albo_->publish(&staff_, kBody, bad).error().code, "albo.documents");
  // A publication starting tomorrow is not on the board today, nor public.
  auto later = act();
  later.publication.start_day = "2026-03-03";
  auto l = albo_->publish(&staff_, kBody, later);
  ASSERT_TRUE(l.ok() && l->published);
  EXPECT_FALSE(on_board(l->published->id));
  EXPECT_FALSE(albo_->public_publication(kBody, 2026, l->published->number));
  clock_.set(rome(2026, 3, 3, 0, 0));
  EXPECT_TRUE(on_board(l->published->id));
}

TEST_P(AlboTest, AfterTheRightToBeForgottenDateOnlyAManagerWithAReasonOpensTheDocuments) {
  auto p = act();
  p.publication.forget_on = "2026-04-01";
  auto pub = publish(p);
  ASSERT_FALSE(albo_->view(&staff_, kBody, pub.id)->documents_hidden);
  clock_.set(rome(2026, 4, 1, 9));
  auto v = albo_->view(&staff_, kBody, pub.id);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->documents_hidden);
  EXPECT_EQ(albo_->staff_document(&staff_, kBody, pub.id, 0, "").error().code, "albo.forgotten");
  EXPECT_EQ(albo_->open_archive(&staff_, kBody, pub.id, "accesso").error().code, "forbidden");
  EXPECT_EQ(albo_->open_archive(&manager_, kBody, pub.id, "").error().code, "albo.open_reason");
  auto bytes = albo_->staff_document(&manager_, kBody, pub.id, 0, "Richiesta di accesso prot. 123");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(digest::sha256_hex(*bytes), v->publication.documents[0].sha256);
  auto audited =
      db::read_all(db(), "SELECT details FROM audit_log WHERE tenant_id = $1 AND action = $2",
                   {kBody, std::string("albo.archive_open")}, [](const db::Row& r) { return r.text(0); });
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_NE(audited[0].find("Richiesta di accesso"), std::string::npos);
}

TEST(AlboRules, OutageDaysAndExtensions) {
  auto manager = [](time::Date from, time::Date to) {
    return Outage{0,
                  1,
                  time::rome_day_start(from),
                  time::rome_day_start(time::add_calendar_days(to, 1)),
                  OutageSource::manager,
                  "Decreto",
                  "x",
                  {}};
  };
  auto detected = [](time::TimePoint from, time::TimePoint to) {
    return Outage{0, 0, from, to, OutageSource::heartbeat, "", "x", {}};
  };
  EXPECT_EQ(extension_for(day(2026, 3, 2), 15, {}), 0);
  EXPECT_EQ(extension_for(day(2026, 3, 2), 15, {manager(day(2026, 3, 15), day(2026, 3, 16))}), 2);
  // The extension's own days count too: an outage on the first day of the extension adds one more.
  EXPECT_EQ(extension_for(
                day(2026, 3, 2), 15,
                {manager(day(2026, 3, 16), day(2026, 3, 16)), manager(day(2026, 3, 17), day(2026, 3, 17))}),
            2);
  // Detected: at least an hour of a day.
  EXPECT_EQ(outage_days(day(2026, 3, 2), day(2026, 3, 16),
                        {detected(rome(2026, 3, 5, 10), rome(2026, 3, 5, 10, 59))}),
            0);
  EXPECT_EQ(outage_days(day(2026, 3, 2), day(2026, 3, 16),
                        {detected(rome(2026, 3, 5, 10), rome(2026, 3, 5, 11, 0))}),
            1);
  EXPECT_EQ(outage_days(day(2026, 3, 2), day(2026, 3, 16),
                        {detected(rome(2026, 3, 20, 10), rome(2026, 3, 22, 11))}),
            0);
}

INSTANTIATE_TEST_SUITE_P(Databases, AlboAcceptanceTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);
INSTANTIATE_TEST_SUITE_P(Databases, AlboTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::albo::testing

TEST(AlboRules, ABodysOwnTypeCodeComesFromItsItalianName) {
  EXPECT_EQ(sp::albo::custom_type_code("Avviso di deposito atti"), "x_avviso_di_deposito_atti");
  EXPECT_EQ(sp::albo::custom_type_code("  Pubblicità dell'esito — gara "), "x_pubblicita_dell_esito_gara");
  EXPECT_EQ(sp::albo::custom_type_code("!!!"), "");
  EXPECT_EQ(sp::albo::custom_type_code(std::string(100, 'a')).size(), 40u);
  EXPECT_TRUE(sp::albo::is_custom_type_code("x_avviso"));
  EXPECT_FALSE(sp::albo::is_custom_type_code("avviso"));
}
