// Who sees what, against real SQLite and PostgreSQL: applicants see their own cases (never the office's
// notes), staff only their own body's, and the applicant's area lists their cases across bodies.
#include "cases_fixture.hpp"

namespace sp::cases::testing {
namespace {

class AccessTest : public CasesTest {};

TEST_P(AccessTest, TheApplicantNeverSeesInternalNotes) {
  Case c = in_progress_case();
  ASSERT_TRUE(cases().add_note(&staff_, body_, c.id, "Verificare con la scuola prima di decidere.").ok());
  ASSERT_TRUE(cases().send_message(&staff_, body_, c.id, "Stiamo verificando i posti disponibili.").ok());
  ASSERT_TRUE(cases().send_message(&mario_, body_, c.id, "Grazie, attendo.").ok());
  auto staff_view = cases().get(&staff_, body_, c.id);
  ASSERT_TRUE(staff_view.ok());
  EXPECT_TRUE(staff_view->viewer_is_staff);
  ASSERT_EQ(staff_view->notes.size(), 1U);
  EXPECT_EQ(staff_view->notes[0].who, "staff:op-asti");
  auto mine = cases().get(&mario_, body_, c.id);
  ASSERT_TRUE(mine.ok());
  EXPECT_FALSE(mine->viewer_is_staff);
  EXPECT_TRUE(mine->notes.empty());
  ASSERT_EQ(mine->messages.size(), 2U);
  EXPECT_EQ(mine->messages[0].direction, MessageDirection::to_applicant);
  EXPECT_EQ(mine->messages[1].direction, MessageDirection::from_applicant);
  EXPECT_EQ(mine->messages[1].who, "person:" + mario_.subject);
  // Notes are the office's: an applicant cannot write one.
  EXPECT_EQ(cases().add_note(&mario_, body_, c.id, "io").error().code, "forbidden");
  // Staff reading the case is on the applicant's "who accessed my data".
  EXPECT_GE(audit::AuditService(db()).accesses_to_person(mario_.subject).size(), 1U);
}

TEST_P(AccessTest, AnotherApplicantLearnsNothing) {
  Case c = submit_ok(mario_, "private");
  auto doc_id = cases().get(&mario_, body_, c.id)->documents.at(0).id;
  auto seen = cases().get(&anna_, body_, c.id);
  ASSERT_FALSE(seen.ok());
  EXPECT_EQ(seen.error().code, "not_found");
  EXPECT_EQ(cases().withdraw(&anna_, body_, c.id, "").error().code, "not_found");
  EXPECT_EQ(cases().send_message(&anna_, body_, c.id, "ciao").error().code, "not_found");
  EXPECT_EQ(cases().document(&anna_, body_, c.id, doc_id).error().code, "not_found");
  EXPECT_EQ(cases().get(nullptr, body_, c.id).error().code, "auth.required");
  auto annas = cases().my_cases(&anna_);
  ASSERT_TRUE(annas.ok());
  EXPECT_TRUE(annas->empty());
  EXPECT_EQ(load(c.id).state, State::registered);
}

TEST_P(AccessTest, AnotherApplicantsAttemptsAreAuditedOnTheBody) {
  // Issue 10, point 5: the refusals answer "not found" (so only 403s were audited) and left no trace.
  Case c = submit_ok(mario_, "private");
  auto doc_id = cases().get(&mario_, body_, c.id)->documents.at(0).id;
  audit::AuditService audit(db());
  audit::Query q;
  q.action = "case.access_refused";
  EXPECT_TRUE(audit.entries(body_, q).entries.empty());
  EXPECT_FALSE(cases().get(&anna_, body_, c.id).ok());
  EXPECT_FALSE(cases().send_message(&anna_, body_, c.id, "ciao").ok());
  EXPECT_FALSE(cases().withdraw(&anna_, body_, c.id, "").ok());
  EXPECT_FALSE(cases().document(&anna_, body_, c.id, doc_id).ok());
  EXPECT_FALSE(cases().check_applicant_action(&anna_, body_, c.id, "message").ok());
  auto refused = audit.entries(body_, q).entries;
  ASSERT_EQ(refused.size(), 5U);
  for (const auto& e : refused) {
    EXPECT_EQ(e.entry.actor_id, anna_.subject);
    EXPECT_EQ(e.entry.actor_kind, audit::ActorKind::person);
    EXPECT_EQ(e.entry.record_id, c.id);
  }
  // The owner is not refused, and a case that does not exist is nobody's record.
  EXPECT_TRUE(cases().check_applicant_action(&mario_, body_, c.id, "message").ok());
  EXPECT_FALSE(cases().get(&anna_, body_, "0190a0a0-0000-7000-8000-000000000000").ok());
  EXPECT_EQ(audit.entries(body_, q).entries.size(), 5U);
  EXPECT_TRUE(audit.verify(body_).intact);
}

TEST_P(AccessTest, AnApplicantActionIsCheckedBeforeAnythingIsStored) {
  Case c = submit_ok(mario_, "private");
  // Registered: the applicant may write and withdraw, but there is no request for additions to answer.
  EXPECT_TRUE(cases().check_applicant_action(&mario_, body_, c.id, "message").ok());
  EXPECT_TRUE(cases().check_applicant_action(&mario_, body_, c.id, "withdraw").ok());
  EXPECT_EQ(cases().check_applicant_action(&mario_, body_, c.id, "answer_additions").error().code,
            "cases.transition");
  EXPECT_EQ(cases().check_applicant_action(&staff_, body_, c.id, "message").error().code, "cases.applicant");
  ASSERT_TRUE(cases().withdraw(&mario_, body_, c.id, "").ok());
  EXPECT_EQ(cases().check_applicant_action(&mario_, body_, c.id, "message").error().code, "cases.transition");
}

TEST_P(AccessTest, StaffOfAnotherBodyCannotReadNorAct) {
  Case c = in_progress_case();
  auto doc_id = cases().get(&mario_, body_, c.id)->documents.at(0).id;
  // Asking for the other body's data with their own staff account.
  EXPECT_EQ(cases().get(&other_staff_, body_, c.id).error().code, "forbidden");
  EXPECT_EQ(cases().accept(&other_staff_, body_, c.id, "Accolta.").error().code, "forbidden");
  EXPECT_EQ(cases().queue(&other_staff_, body_, {}).error().code, "forbidden");
  EXPECT_EQ(cases().document(&other_staff_, body_, c.id, doc_id).error().code, "forbidden");
  EXPECT_EQ(cases().add_note(&other_staff_, body_, c.id, "x").error().code, "forbidden");
  // Using the case id within their own body: it is not theirs.
  EXPECT_EQ(cases().get(&other_staff_, other_body_, c.id).error().code, "not_found");
  EXPECT_EQ(cases().accept(&other_staff_, other_body_, c.id, "Accolta.").error().code, "not_found");
  EXPECT_EQ(cases().assign(&other_staff_, other_body_, c.id, "op-novara").error().code, "not_found");
  EXPECT_EQ(cases().add_note(&other_staff_, other_body_, c.id, "x").error().code, "not_found");
  EXPECT_EQ(cases().document(&other_staff_, other_body_, c.id, doc_id).error().code, "not_found");
  auto their_queue = cases().queue(&other_staff_, other_body_, {});
  ASSERT_TRUE(their_queue.ok());
  EXPECT_EQ(their_queue->total, 0);
  auto bulk = cases().bulk(&other_staff_, other_body_, {c.id}, {BulkAction::Kind::close, "", "", "x"});
  ASSERT_TRUE(bulk.ok());
  ASSERT_EQ(bulk->failed.size(), 1U);
  EXPECT_EQ(bulk->failed[0].second.code, "not_found");
  // The applicant's own id at the wrong body finds nothing either.
  EXPECT_EQ(cases().get(&mario_, other_body_, c.id).error().code, "not_found");
  EXPECT_EQ(load(c.id).state, State::in_progress);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_notes"), 0);
}

TEST_P(AccessTest, TheApplicantsAreaListsTheirCasesAtEveryBody) {
  Case here = submit_ok(mario_, "one");
  clock_.advance(std::chrono::minutes(5));
  Case there = submit_ok(mario_, "two", kLand, other_body_);
  submit_ok(anna_, "three");
  auto mine = cases().my_cases(&mario_);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2U);
  EXPECT_EQ((*mine)[0].c.id, there.id);  // newest first
  EXPECT_EQ((*mine)[0].c.tenant_id, other_body_);
  EXPECT_EQ((*mine)[0].c.protocol_number, 1);  // each body numbers its own register
  EXPECT_EQ((*mine)[1].c.id, here.id);
  EXPECT_EQ((*mine)[1].deadline.days_left, 30);
  EXPECT_TRUE((*mine)[1].c.answers.empty());  // lists carry no answers
  EXPECT_EQ(cases().my_cases(&staff_).error().code, "cases.applicant");
}

TEST_P(AccessTest, SomeoneActingForABusinessSeesItsCases) {
  identity::Principal rep = person("VRDGPP70A01A479Z", "Giuseppe Verdi");
  rep.acting_for = identity::Represented{"business", "00743110157", "Bar Centrale srl"};
  auto r = cases().submit(&rep, body_, submission("business", kLand));
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->c.on_behalf_of, "00743110157");
  auto entry = protocol_->get(protocollo::SystemActor{"test"}, body_, r->c.protocol_entry_id);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->correspondents.at(0).kind, protocollo::CorrespondentKind::business);
  // Another representative of the same business sees it; the same person acting for themselves does not
  // see the business's other cases unless they submitted them.
  identity::Principal colleague = person("NREMRA75B02A479K", "Maria Neri");
  colleague.acting_for = rep.acting_for;
  EXPECT_TRUE(cases().get(&colleague, body_, r->c.id).ok());
  EXPECT_EQ(cases().my_cases(&colleague)->size(), 1U);
  identity::Principal herself = person("NREMRA75B02A479K", "Maria Neri");
  EXPECT_EQ(cases().get(&herself, body_, r->c.id).error().code, "not_found");
}

INSTANTIATE_TEST_SUITE_P(Dialects, AccessTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::cases::testing
