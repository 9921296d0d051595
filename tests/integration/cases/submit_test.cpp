// Submission against real SQLite and PostgreSQL: the case and its incoming protocol entry in one
// transaction, idempotency (also under concurrent duplicates), and nothing left behind by a failure.
#include <algorithm>
#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "audit/service.hpp"
#include "cases_fixture.hpp"
#include "core/digest.hpp"
#include "core/keys/key_ring.hpp"
#include "stamp/service.hpp"

namespace sp::cases::testing {
namespace {

class SubmitTest : public CasesTest {};

TEST_P(SubmitTest, CreatesTheCaseAndItsIncomingProtocolEntryTogether) {
  auto r = cases().submit(&mario_, body_, submission("key-1"));
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  const Case& c = r->c;
  EXPECT_FALSE(r->replayed);
  EXPECT_EQ(c.state, State::registered);
  EXPECT_EQ(c.applicant_cf, mario_.subject);
  EXPECT_EQ(c.applicant_name, "Mario Rossi");
  EXPECT_EQ(c.office, "Ufficio scuola");  // routed to the service's office
  EXPECT_EQ(c.protocol_number, 1);
  EXPECT_EQ(c.protocol_year, 2026);
  EXPECT_EQ(c.protocol_label(), "0000001/2026");
  EXPECT_NE(r->segnatura.find("AOO_ASTI"), std::string::npos) << r->segnatura;
  EXPECT_EQ(c.deadline_days, 30);
  EXPECT_EQ(time::format_iso_date(c.due_date), "2026-04-01");  // 2 March + 30 calendar days
  EXPECT_FALSE(c.silence_consent);
  EXPECT_FALSE(c.fee_cents_due.has_value());
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries WHERE direction = 'incoming'"), 1);

  // The protocol entry holds the application document the case keeps, with the same digest.
  auto entry = protocol_->get(protocollo::SystemActor{"test"}, body_, c.protocol_entry_id);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->number, 1);
  EXPECT_EQ(entry->office, "Ufficio scuola");
  ASSERT_EQ(entry->correspondents.size(), 1U);
  EXPECT_EQ(entry->correspondents[0].fiscal_code, mario_.subject);
  auto view = cases().get(&mario_, body_, c.id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->documents.size(), 1U);
  const Document& app = view->documents[0];
  EXPECT_EQ(app.kind, DocumentKind::application);
  EXPECT_EQ(app.mime_type, "application/pdf");
  EXPECT_EQ(app.protocol_number, 1);
  ASSERT_EQ(entry->documents.size(), 1U);
  EXPECT_EQ(entry->documents[0].sha256, app.sha256);
  auto bytes = cases().document(&mario_, body_, c.id, app.id);
  ASSERT_TRUE(bytes.ok()) << bytes.error().code;
  EXPECT_EQ(bytes->bytes.rfind("%PDF", 0), 0U);
  EXPECT_EQ(digest::sha256_hex(bytes->bytes), app.sha256);

  // submitted, then submitted → registered, each with who and when.
  ASSERT_EQ(view->transitions.size(), 2U);
  EXPECT_FALSE(view->transitions[0].from.has_value());
  EXPECT_EQ(view->transitions[0].to, State::submitted);
  EXPECT_EQ(view->transitions[0].who, "person:" + mario_.subject);
  EXPECT_EQ(view->transitions[1].from, State::submitted);
  EXPECT_EQ(view->transitions[1].to, State::registered);
  EXPECT_EQ(view->transitions[1].who, "system:cases");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.submit'"), 1);
  EXPECT_TRUE(audit::AuditService(db()).verify(body_).intact);
}

TEST_P(SubmitTest, KeepsTheAttachmentsAndTheServiceFeeAndSilenceConsent) {
  auto f = files_->put(body_, "planimetria.pdf", "%PDF-1.4\n%plan\n", {});
  ASSERT_TRUE(f.ok()) << f.error().code;
  Submission s = submission("key-land", kLand);
  s.attachments = {f->id, f->id};  // a repeated id counts once
  auto r = cases().submit(&mario_, body_, s);
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->c.fee_cents_due, 1600);
  EXPECT_TRUE(r->c.silence_consent);
  EXPECT_EQ(time::format_iso_date(r->c.due_date),
            "2026-05-02");  // 60 days end on 1 May, a holiday: the next day
  EXPECT_EQ(r->c.office, "Ufficio tecnico");
  auto entry = protocol_->get(protocollo::SystemActor{"test"}, body_, r->c.protocol_entry_id);
  ASSERT_TRUE(entry.ok());
  ASSERT_EQ(entry->documents.size(), 2U);
  EXPECT_EQ(entry->documents[1].role, protocollo::DocumentRole::attachment);
  EXPECT_EQ(entry->documents[1].sha256, f->sha256);
}

TEST_P(SubmitTest, TheDayOfSubmissionIsARomeDay) {
  // 23:30 UTC on 2 March is 00:30 on 3 March in Rome: the term runs from 3 March.
  clock_.set(utc(2026, 3, 2, 23, 30));
  Case c = submit_ok(mario_, "late-night");
  EXPECT_EQ(time::format_iso_date(c.due_date), "2026-04-02");
}

TEST_P(SubmitTest, TheSameKeyGivesBackTheFirstCase) {
  auto first = cases().submit(&mario_, body_, submission("double-click"));
  ASSERT_TRUE(first.ok());
  auto again = cases().submit(&mario_, body_, submission("double-click"));
  ASSERT_TRUE(again.ok()) << again.error().code;
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->c.id, first->c.id);
  EXPECT_EQ(again->c.protocol_number, first->c.protocol_number);
  EXPECT_EQ(again->segnatura, first->segnatura);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries"), 1);
  // Another applicant may use the same key: it is theirs.
  Case annas = submit_ok(anna_, "double-click");
  EXPECT_NE(annas.id, first->c.id);
  EXPECT_EQ(annas.protocol_number, 2);
}

TEST_P(SubmitTest, ConcurrentDuplicatesMakeOneCaseAndOneProtocolNumber) {
  constexpr int kThreads = 8;
  // PostgreSQL: half the threads go through a second handle with its own pool, as a second node would.
  std::unique_ptr<db::Database> second;
  std::unique_ptr<protocollo::ProtocolService> protocol2;
  std::unique_ptr<files::FileService> files2;
  std::unique_ptr<catalog::CatalogService> catalog2;
  std::unique_ptr<CaseService> cases2;
  if (GetParam() == db::Dialect::postgres) {
    second = db::open(database_->url());
    protocol2 = std::make_unique<protocollo::ProtocolService>(*second, clock_);
    files2 = std::make_unique<files::FileService>(*second, clock_);
    catalog2 = std::make_unique<catalog::CatalogService>(*second);
    cases2 = std::make_unique<CaseService>(*second, clock_, *protocol2, *files2, *catalog2, *tenants_);
  }
  for (int round = 0; round < 5; ++round) {
    const std::string key = "retried-post-" + std::to_string(round);
    std::latch go(kThreads);
    std::mutex mu;
    std::vector<std::string> ids;
    std::vector<std::int64_t> numbers;
    std::atomic<int> failures{0};
    std::atomic<int> replays{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        CaseService& service = (cases2 && t % 2 == 1) ? *cases2 : cases();
        go.arrive_and_wait();
        try {
          auto r = service.submit(&mario_, body_, submission(key));
          if (!r.ok()) {
            ++failures;
            return;
          }
          if (r->replayed) ++replays;
          std::lock_guard lock(mu);
          ids.push_back(r->c.id);
          numbers.push_back(r->c.protocol_number);
        } catch (const std::exception& e) {
          ADD_FAILURE() << e.what();
          ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(kThreads));
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1U) << "round " << round;
    EXPECT_EQ(std::set<std::int64_t>(numbers.begin(), numbers.end()).size(), 1U);
    EXPECT_EQ(replays.load(), kThreads - 1);
    EXPECT_EQ(numbers[0], round + 1);  // one number per round: nothing skipped by the losers
  }
  if (second) second->close();
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries"), 5);
  EXPECT_EQ(count("SELECT MAX(number) FROM protocol_entries"), 5);  // gapless
  // And the next one follows on.
  EXPECT_EQ(submit_ok(anna_, "after").protocol_number, 6);
}

TEST_P(SubmitTest, ABodyWithoutARegistryOfficeRefusesAndKeepsNothing) {
  auto r = cases().submit(&mario_, no_aoo_body_, submission("no-aoo"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cases.no_aoo");
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries"), 0);
}

TEST_P(SubmitTest, AFailureInsideTheTransactionLeavesNothing) {
  // An unknown attachment is found after the case row, the transitions and the application PDF were
  // written: all of it rolls back.
  Submission s = submission("bad-attachment");
  s.attachments = {"not-a-file-of-this-body"};
  auto r = cases().submit(&mario_, body_, s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cases.attachment");
  // Another body's file is unknown here too.
  auto theirs = files_->put(other_body_, "x.pdf", "%PDF-1.4\n%x\n", {});
  ASSERT_TRUE(theirs.ok());
  s.attachments = {theirs->id};
  r = cases().submit(&mario_, body_, s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cases.attachment");
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files WHERE tenant_id = " + std::to_string(body_)), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.submit'"), 0);
}

TEST_P(SubmitTest, TheProtocolFailingMidTransactionLeavesNoCase) {
  // Make the registry's INSERT fail, as a database error would, after the case row was written.
  db().write([&](db::Conn& tx) {
    if (GetParam() == db::Dialect::sqlite) {
      tx.exec_script(
          "CREATE TRIGGER test_refuse BEFORE INSERT ON protocol_entries BEGIN SELECT RAISE(ABORT, "
          "'refused'); END;");
    } else {
      tx.exec_script(
          "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
          "'refused'; "
          "END; $$; CREATE TRIGGER test_refuse BEFORE INSERT ON protocol_entries FOR EACH ROW EXECUTE "
          "FUNCTION "
          "test_refuse();");
    }
  });
  EXPECT_THROW((void)cases().submit(&mario_, body_, submission("protocol-down")), db::DbError);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions"), 0);
}

TEST_P(SubmitTest, RefusesWhatCannotBecomeACase) {
  auto anonymous = cases().submit(nullptr, body_, submission("k"));
  EXPECT_EQ(anonymous.error().code, "auth.required");
  auto by_staff = cases().submit(&staff_, body_, submission("k"));
  EXPECT_EQ(by_staff.error().code, "cases.applicant");
  auto info_only = cases().submit(&mario_, body_, submission("k", kInfo));
  EXPECT_EQ(info_only.error().code, "cases.service");
  auto unknown = cases().submit(&mario_, body_, submission("k", "no-such-service"));
  EXPECT_EQ(unknown.error().code, "cases.service");
  auto no_key = cases().submit(&mario_, body_, submission(""));
  EXPECT_EQ(no_key.error().code, "cases.submission_key");
  Submission not_pdf = submission("k2");
  not_pdf.summary_pdf = "just text, not a PDF";
  auto r = cases().submit(&mario_, body_, not_pdf);
  EXPECT_EQ(r.error().code, "files.type_not_allowed");
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries"), 0);
}

TEST_P(SubmitTest, ACounterOperatorSubmitsForTheCitizenServed) {
  identity::Principal op = staff(other_body_, "counter-1");
  op.roles = {identity::Role::counter_operator};
  op.assisting = identity::AssistedCitizen{anna_.subject, "Anna Bianchi", "carta_identita", "CA12345AA"};
  auto r = cases().submit(&op, body_, submission("at-the-counter"));
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->c.applicant_cf, anna_.subject);
  EXPECT_EQ(r->c.channel, Channel::counter);
  auto entry = protocol_->get(protocollo::SystemActor{"test"}, body_, r->c.protocol_entry_id);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->channel, protocollo::Channel::counter);
  // Anna finds it in her area.
  auto mine = cases().my_cases(&anna_);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1U);
  EXPECT_EQ((*mine)[0].c.id, r->c.id);
}

// The application summary the case files at submission carries the body's digital stamp (issue 15): the
// registered digest is the stamped file's, it verifies, and a body without a stamp key files it unstamped.
TEST_P(SubmitTest, TheRegisteredSummaryCarriesTheBodysDigitalStamp) {
  sp::testing::TempDir dir;
  const auto keys_dir = (dir.path() / "keys").string();
  ASSERT_TRUE(keys::rotate(keys_dir, "asti", keys::Purpose::stamp_signing, clock_.now()).ok());
  audit::AuditService audit(db(), clock_);
  stamp::StampService stamps(db(), audit, clock_, sp::testing::locales(), *tenants_,
                             stamp::StampOptions{keys_dir, "https://sportello.example"});
  cases().set_stamps(&stamps);
  auto r = cases().submit(&mario_, body_, submission("key-stamp"));
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  auto view = cases().get(&mario_, body_, r->c.id);
  ASSERT_TRUE(view.ok() && !view->documents.empty());
  auto bytes = cases().document(&mario_, body_, r->c.id, view->documents[0].id);
  ASSERT_TRUE(bytes.ok());
  auto entry = protocol_->get(protocollo::SystemActor{"test"}, body_, r->c.protocol_entry_id);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->documents[0].sha256, digest::sha256_hex(bytes->bytes))
      << "the stamped bytes are registered";
  auto found = stamps.check_file(bytes->bytes);
  EXPECT_EQ(found.verdict, stamp::Verdict::valid) << found.reason;
  ASSERT_TRUE(found.record);
  EXPECT_EQ(found.record->kind, "application-summary");
  EXPECT_EQ(found.record->tenant_id, body_);
  // Novara has no stamp key: its summary is filed unstamped, the submission goes through.
  auto other = cases().submit(&anna_, other_body_, submission("key-unstamped"));
  ASSERT_TRUE(other.ok()) << other.error().code;
  EXPECT_EQ(count("SELECT COUNT(*) FROM stamped_documents"), 1);
  cases().set_stamps(nullptr);
}

INSTANTIATE_TEST_SUITE_P(Dialects, SubmitTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::cases::testing
