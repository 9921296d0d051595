// The state machine against real SQLite and PostgreSQL: legal and illegal transitions, who may act, the
// deadline's suspensions, the notice of grounds before a rejection (art. 10-bis L. 241/1990) and decisions
// registered as outgoing protocol.
#include <optional>
#include <thread>

#include "cases_fixture.hpp"
#include "core/digest.hpp"

namespace sp::cases::testing {
namespace {

class TransitionsTest : public CasesTest {};

TEST(CaseStates, TheTableAllowsOnlyTheDocumentedMoves) {
  EXPECT_EQ(next_state(State::submitted, Action::register_), State::registered);
  EXPECT_EQ(next_state(State::registered, Action::assign), State::assigned);
  EXPECT_EQ(next_state(State::in_progress, Action::assign), State::in_progress);  // reassignment
  EXPECT_EQ(next_state(State::registered, Action::start), State::in_progress);
  EXPECT_EQ(next_state(State::in_progress, Action::request_additions), State::waiting_for_applicant);
  EXPECT_EQ(next_state(State::waiting_for_applicant, Action::answer_additions), State::in_progress);
  EXPECT_EQ(next_state(State::in_progress, Action::notice_of_grounds), State::grounds_notified);
  EXPECT_EQ(next_state(State::grounds_notified, Action::reject), State::rejected);
  EXPECT_EQ(next_state(State::accepted, Action::close), State::closed);
  EXPECT_FALSE(next_state(State::submitted, Action::assign));
  EXPECT_FALSE(next_state(State::registered, Action::accept));
  EXPECT_FALSE(next_state(State::assigned, Action::reject));
  EXPECT_FALSE(next_state(State::waiting_for_applicant, Action::accept));
  EXPECT_FALSE(next_state(State::in_progress, Action::answer_additions));
  EXPECT_FALSE(next_state(State::accepted, Action::withdraw));
  EXPECT_FALSE(next_state(State::rejected, Action::accept));
  EXPECT_FALSE(next_state(State::withdrawn, Action::close));
  EXPECT_FALSE(next_state(State::closed, Action::assign));
  for (State s : {State::accepted, State::rejected, State::withdrawn, State::closed}) {
    EXPECT_FALSE(is_open(s));
    EXPECT_FALSE(next_state(s, Action::start));
  }
}

// Issue 11, point 6: the queue shows which cases have an answer from the applicant to read.
TEST_P(TransitionsTest, TheQueueMarksAnAnswerUntilTheOfficeActsOnIt) {
  Case c = submit_ok(mario_, "answered");
  ASSERT_TRUE(cases().start(&staff_, body_, c.id).ok());
  ASSERT_TRUE(cases().request_additions(&staff_, body_, c.id, "Manca la firma.").ok());
  EXPECT_FALSE(load(c.id).applicant_answered_at.has_value());
  ASSERT_TRUE(cases().answer_additions(&mario_, body_, c.id, "Ecco il modulo firmato.", {}).ok());
  EXPECT_TRUE(load(c.id).applicant_answered_at.has_value());
  auto marked_in_queue = [&] {
    auto q = cases().queue(&staff_, body_, {});
    EXPECT_TRUE(q.ok());
    for (const auto& item : q->items)
      if (item.c.id == c.id) return item.c.applicant_answered_at.has_value();
    ADD_FAILURE() << "case not in the queue";
    return false;
  };
  EXPECT_TRUE(marked_in_queue());
  // Assigning it is not acting on the answer; a decision is.
  ASSERT_TRUE(cases().assign(&staff_, body_, c.id, "op-asti", "").ok());
  EXPECT_TRUE(marked_in_queue());
  ASSERT_TRUE(cases().accept(&staff_, body_, c.id, "Accolta.").ok());
  EXPECT_FALSE(load(c.id).applicant_answered_at.has_value());
}

TEST_P(TransitionsTest, AWholeProcedureRecordsEveryStepWithWhoWhenAndWhy) {
  Case c = submit_ok(mario_, "life");
  ASSERT_TRUE(cases().assign(&staff_, body_, c.id, "op-asti", "Ufficio istruzione").ok());
  EXPECT_EQ(load(c.id).state, State::assigned);
  EXPECT_EQ(load(c.id).office, "Ufficio istruzione");
  ASSERT_TRUE(cases().start(&staff_, body_, c.id).ok());
  clock_.advance(std::chrono::hours(24));
  ASSERT_TRUE(cases().request_additions(&staff_, body_, c.id, "Manca il codice fiscale del figlio.").ok());
  EXPECT_EQ(load(c.id).state, State::waiting_for_applicant);
  // While waiting, the office cannot decide.
  auto early = cases().accept(&staff_, body_, c.id, "Accolta.");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "cases.transition");
  EXPECT_EQ(early.error().http_status, 409);
  ASSERT_TRUE(cases().answer_additions(&mario_, body_, c.id, "Ecco il codice fiscale.", {}).ok());
  ASSERT_TRUE(cases().accept(&staff_, body_, c.id, "La domanda è accolta.").ok());
  EXPECT_EQ(load(c.id).state, State::accepted);
  EXPECT_TRUE(load(c.id).decided_at.has_value());
  // Decided: no withdrawal, no second decision; closing (archiving) is allowed once.
  EXPECT_EQ(cases().withdraw(&mario_, body_, c.id, "").error().code, "cases.transition");
  EXPECT_EQ(cases().reject(&staff_, body_, c.id, "No.").error().code, "cases.transition");
  ASSERT_TRUE(cases().close(&staff_, body_, c.id, "Archiviata").ok());
  EXPECT_EQ(cases().close(&staff_, body_, c.id, "Ancora").error().code, "cases.transition");

  auto v = cases().get(&staff_, body_, c.id);
  ASSERT_TRUE(v.ok());
  std::vector<std::string> actions;
  for (const auto& t : v->transitions) actions.push_back(t.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"submit", "register", "assign", "start", "request_additions",
                                               "answer_additions", "accept", "close"}));
  const Transition& req = v->transitions[4];
  EXPECT_EQ(req.from, State::in_progress);
  EXPECT_EQ(req.to, State::waiting_for_applicant);
  EXPECT_EQ(req.who, "staff:op-asti");
  EXPECT_EQ(req.reason, "Manca il codice fiscale del figlio.");
  EXPECT_EQ(time::format_iso_utc_millis(req.at).substr(0, 10), "2026-03-03");
  EXPECT_EQ(v->transitions[5].who, "person:" + mario_.subject);
  EXPECT_EQ(v->transitions[7].reason, "Archiviata");
  // Each change is in the body's audit log too, and the chain is intact.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE record_type = 'case' AND action IN ('case.assign', "
            "'case.start', 'case.request_additions', 'case.answer_additions', 'case.accept', 'case.close')"),
      6);
  EXPECT_TRUE(audit::AuditService(db()).verify(body_).intact);
}

TEST_P(TransitionsTest, ActionsBelongToTheApplicantOrToTheOffice) {
  Case c = in_progress_case();
  auto staff_withdraws = cases().withdraw(&staff_, body_, c.id, "");
  EXPECT_EQ(staff_withdraws.error().code, "cases.applicant");
  EXPECT_EQ(staff_withdraws.error().http_status, 403);
  EXPECT_EQ(cases().accept(&mario_, body_, c.id, "Mi accolgo da solo.").error().code, "cases.applicant");
  EXPECT_EQ(cases().request_additions(&mario_, body_, c.id, "x").error().code, "cases.applicant");
  EXPECT_EQ(cases().accept(nullptr, body_, c.id, "x").error().code, "auth.required");
  EXPECT_EQ(cases().accept(&staff_, body_, c.id, "   ").error().code, "cases.text");
  EXPECT_EQ(cases().assign(&staff_, body_, c.id, "").error().code, "cases.assignee");
  EXPECT_EQ(load(c.id).state, State::in_progress);
}

TEST_P(TransitionsTest, TheApplicantWithdrawsWhileTheCaseIsOpen) {
  Case c = in_progress_case();
  ASSERT_TRUE(cases().request_additions(&staff_, body_, c.id, "Serve la ricevuta.").ok());
  ASSERT_TRUE(cases().withdraw(&mario_, body_, c.id, "Non mi serve più").ok());
  Case after = load(c.id);
  EXPECT_EQ(after.state, State::withdrawn);
  EXPECT_FALSE(after.suspended_since.has_value());
  EXPECT_EQ(cases().answer_additions(&mario_, body_, c.id, "troppo tardi", {}).error().code,
            "cases.transition");
  EXPECT_EQ(cases().send_message(&mario_, body_, c.id, "ciao").error().code, "cases.transition");
}

TEST_P(TransitionsTest, TheDeadlineIs30DaysAndMovesByTheDaysWaitedForAdditions) {
  Case c = in_progress_case();
  EXPECT_EQ(time::format_iso_date(c.due_date), "2026-04-01");
  clock_.set(utc(2026, 3, 7));
  ASSERT_TRUE(cases().request_additions(&staff_, body_, c.id, "Manca la firma.").ok());
  // Suspended: while waiting, never overdue, and the projected due date moves day by day.
  clock_.set(utc(2026, 3, 15));
  auto v = cases().get(&staff_, body_, c.id);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->deadline.suspended);
  EXPECT_FALSE(v->deadline.overdue);
  EXPECT_EQ(time::format_iso_date(v->deadline.due), "2026-04-09");  // 8 days waited so far
  clock_.set(utc(2026, 3, 19, 16));
  ASSERT_TRUE(cases().answer_additions(&mario_, body_, c.id, "Firmata.", {}).ok());
  Case after = load(c.id);
  EXPECT_EQ(after.state, State::in_progress);
  EXPECT_EQ(after.suspended_days, 12);  // 7 → 19 March
  EXPECT_EQ(time::format_iso_date(after.due_date), "2026-04-13");
  EXPECT_FALSE(after.suspended_since.has_value());
  auto d = deadline_at(after, time::Date{std::chrono::year{2026} / 4 / 14});
  EXPECT_TRUE(d.overdue);
  EXPECT_EQ(d.days_left, -1);
}

TEST_P(TransitionsTest, TheDateShownWhileWaitingIsTheOneTheAnswerSets) {
  Case c = in_progress_case();  // due 1 April
  clock_.set(utc(2026, 3, 7));
  ASSERT_TRUE(cases().request_additions(&staff_, body_, c.id, "Manca la firma.").ok());
  // Four days waited: 1 April + 4 is Easter Sunday, then Easter Monday; the page must not say Sunday
  // while the answer given today would set Tuesday 7 April (the "one day off" of issue 11).
  clock_.set(utc(2026, 3, 11, 10));
  auto v = cases().get(&staff_, body_, c.id);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->deadline.suspended);
  EXPECT_EQ(time::format_iso_date(v->deadline.due), "2026-04-07");
  ASSERT_TRUE(cases().answer_additions(&mario_, body_, c.id, "Firmata.", {}).ok());
  EXPECT_EQ(load(c.id).due_date, v->deadline.due);
}

TEST_P(TransitionsTest, TheOfficeMayResumeWithoutTheAdditions) {
  Case c = in_progress_case();
  ASSERT_TRUE(cases().request_additions(&staff_, body_, c.id, "Manca la firma.").ok());
  clock_.advance(std::chrono::hours(24 * 5));
  EXPECT_EQ(cases().resume(&staff_, body_, c.id, "").error().code, "cases.text");
  ASSERT_TRUE(cases().resume(&staff_, body_, c.id, "Documento acquisito d'ufficio").ok());
  Case after = load(c.id);
  EXPECT_EQ(after.state, State::in_progress);
  EXPECT_EQ(after.suspended_days, 5);
  EXPECT_EQ(time::format_iso_date(after.due_date),
            "2026-04-07");  // 1 April + 5 days is Easter Monday: the next working day
}

TEST_P(TransitionsTest, ATermEndingOnASundayOrAHolidayEndsOnTheNextWorkingDay) {
  clock_.set(utc(2026, 3, 6));
  Case c = submit_ok(mario_, "easter");  // 30 days: Easter Sunday 5 April, then Easter Monday
  EXPECT_EQ(time::format_iso_date(c.due_date), "2026-04-07");
  EXPECT_EQ(time::format_iso_date(term_end(c)), "2026-04-05");
  auto on = [&](unsigned m, unsigned d) {
    return deadline_at(c, time::Date{std::chrono::year{2026} / m / d});
  };
  EXPECT_EQ(on(4, 6).days_left, 1);
  EXPECT_FALSE(on(4, 7).overdue);
  EXPECT_TRUE(on(4, 8).overdue);
  // The queue's SQL agrees.
  QueueFilter overdue;
  overdue.overdue = true;
  clock_.set(utc(2026, 4, 7, 20));
  EXPECT_EQ(cases().queue(&staff_, body_, overdue)->total, 0);
  clock_.set(utc(2026, 4, 8));
  EXPECT_EQ(cases().queue(&staff_, body_, overdue)->total, 1);
}

TEST_P(TransitionsTest, TheApplicantsTenDaysToAnswerTheNoticeEndOnAWorkingDayToo) {
  Case answered = in_progress_case("answered");
  Case silent = in_progress_case("silent");  // both due 1 April
  clock_.set(utc(2026, 3, 12));
  ASSERT_TRUE(cases().notice_of_grounds(&staff_, body_, answered.id, "Manca un requisito.").ok());
  ASSERT_TRUE(cases().notice_of_grounds(&staff_, body_, silent.id, "Manca un requisito.").ok());
  // Ten days end on Sunday 22 March: the applicant may still answer on Monday 23, and the office waits.
  clock_.set(utc(2026, 3, 23, 15));
  auto pending = cases().reject(&staff_, body_, silent.id, "Respinta.");
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().code, "cases.grounds_pending");
  EXPECT_EQ(pending.error().detail, "2026-03-24");
  EXPECT_TRUE(cases().get(&staff_, body_, silent.id)->deadline.suspended);
  QueueFilter soon;
  soon.days_left_max = 30;
  auto soon_page = cases().queue(&staff_, body_, soon);  // held: a range-for would not keep the temporary
  ASSERT_TRUE(soon_page.ok());
  for (const auto& s : soon_page->items) EXPECT_NE(s.c.id, silent.id);
  ASSERT_TRUE(cases().answer_grounds(&mario_, body_, answered.id, "Il requisito c'è.", {}).ok());
  clock_.set(utc(2026, 3, 24, 8));
  EXPECT_EQ(cases().answer_grounds(&mario_, body_, silent.id, "Troppo tardi.", {}).error().code,
            "cases.answer_late");
  ASSERT_TRUE(cases().reject(&staff_, body_, silent.id, "Respinta.").ok());
  // Suspended for the eleven days to Monday 23 March: 1 April + 11 is Sunday 12 April, so the 13th.
  Case rejected = load(silent.id);
  EXPECT_EQ(rejected.suspended_days, 11);
  EXPECT_EQ(time::format_iso_date(rejected.due_date), "2026-04-13");
}

TEST_P(TransitionsTest, RejectionNeedsTheNoticeOfGroundsAndTheApplicantsTenDays) {
  Case c = in_progress_case();
  auto without_notice = cases().reject(&staff_, body_, c.id, "Respinta.");
  ASSERT_FALSE(without_notice.ok());
  EXPECT_EQ(without_notice.error().code, "cases.grounds_required");
  EXPECT_EQ(without_notice.error().http_status, 409);

  clock_.set(utc(2026, 3, 10));
  ASSERT_TRUE(cases().notice_of_grounds(&staff_, body_, c.id, "La scuola indicata non ha posti.").ok());
  Case notified = load(c.id);
  EXPECT_EQ(notified.state, State::grounds_notified);
  EXPECT_EQ(time::format_iso_date(notified.grounds_notified_on.value()), "2026-03-10");
  // The notice is an outgoing letter in the protocol, a document and a message for the applicant.
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries WHERE direction = 'outgoing'"), 1);
  auto seen = cases().get(&mario_, body_, c.id);
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->documents.size(), 2U);
  EXPECT_EQ(seen->documents[1].kind, DocumentKind::notice);
  EXPECT_EQ(seen->documents[1].protocol_number, 2);
  ASSERT_EQ(seen->messages.size(), 1U);
  EXPECT_EQ(seen->messages[0].kind, MessageKind::grounds);
  EXPECT_EQ(seen->messages[0].attachments, std::vector<std::string>{seen->documents[1].id});
  EXPECT_EQ(seen->allowed_actions, (std::vector<std::string>{"answer_grounds", "withdraw"}));

  clock_.set(utc(2026, 3, 15));
  auto pending = cases().reject(&staff_, body_, c.id, "Respinta.");
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().code, "cases.grounds_pending");
  EXPECT_EQ(pending.error().detail, "2026-03-21");
  clock_.set(utc(2026, 3, 20, 22, 30));  // 23:30 on 20 March in Rome: still the tenth day
  EXPECT_EQ(cases().reject(&staff_, body_, c.id, "Respinta.").error().code, "cases.grounds_pending");
  clock_.set(utc(2026, 3, 21, 8));
  // Too late for observations.
  EXPECT_EQ(cases().answer_grounds(&mario_, body_, c.id, "Ci sono posti!", {}).error().code,
            "cases.answer_late");
  ASSERT_TRUE(cases().reject(&staff_, body_, c.id, "Respinta: nessun posto disponibile.").ok());
  Case rejected = load(c.id);
  EXPECT_EQ(rejected.state, State::rejected);
  // The notice suspended the term for the applicant's ten days.
  EXPECT_EQ(rejected.suspended_days, 10);
  EXPECT_EQ(time::format_iso_date(rejected.due_date), "2026-04-11");
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries WHERE direction = 'outgoing'"), 2);
}

TEST_P(TransitionsTest, ObservationsAllowTheDecisionAtOnceAndRestartTheTermTenDaysLater) {
  Case c = in_progress_case();
  clock_.set(utc(2026, 3, 10));
  ASSERT_TRUE(cases().notice_of_grounds(&staff_, body_, c.id, "Manca il requisito di residenza.").ok());
  clock_.set(utc(2026, 3, 13));
  auto f = files_->put(body_, "residenza.pdf", "%PDF-1.4\n%residenza\n", {});
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(cases().answer_grounds(&mario_, body_, c.id, "Sono residente dal 2020.", {f->id}).ok());
  Case answered = load(c.id);
  EXPECT_EQ(answered.state, State::in_progress);
  EXPECT_EQ(time::format_iso_date(answered.grounds_answered_on.value()), "2026-03-13");
  EXPECT_EQ(answered.suspended_days, 13);  // 3 days to the observations + 10 (art. 10-bis)
  EXPECT_EQ(time::format_iso_date(answered.due_date), "2026-04-14");
  // The observations' file came in through the protocol.
  EXPECT_EQ(count("SELECT COUNT(*) FROM protocol_entries WHERE direction = 'incoming'"), 2);
  ASSERT_TRUE(cases().reject(&staff_, body_, c.id, "Respinta: la residenza non risulta.").ok());
}

TEST_P(TransitionsTest, TheDecisionIsRegisteredAsOutgoingProtocolAndTheApplicantCanDownloadIt) {
  Case c = in_progress_case();
  ASSERT_TRUE(cases().accept(&staff_, body_, c.id, "Si accoglie la domanda di iscrizione.").ok());
  auto v = cases().get(&mario_, body_, c.id);
  ASSERT_TRUE(v.ok());
  const Document* decision = nullptr;
  for (const auto& d : v->documents) {
    if (d.kind == DocumentKind::decision) decision = &d;
  }
  ASSERT_NE(decision, nullptr);
  EXPECT_EQ(decision->protocol_number, 2);
  auto entry = protocol_->get(protocollo::SystemActor{"test"}, body_, decision->protocol_entry_id);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->direction, protocollo::Direction::outgoing);
  EXPECT_EQ(entry->registered_by, "staff:op-asti");
  ASSERT_EQ(entry->correspondents.size(), 1U);
  EXPECT_EQ(entry->correspondents[0].fiscal_code, mario_.subject);
  ASSERT_EQ(entry->documents.size(), 1U);
  EXPECT_EQ(entry->documents[0].sha256, decision->sha256);
  auto content = cases().document(&mario_, body_, c.id, decision->id);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->bytes.rfind("%PDF", 0), 0U);
  EXPECT_EQ(digest::sha256_hex(content->bytes), decision->sha256);
  ASSERT_FALSE(v->messages.empty());
  EXPECT_EQ(v->messages.back().kind, MessageKind::decision);
}

TEST_P(TransitionsTest, ADecisionWithoutAnActiveRegistryOfficeChangesNothing) {
  Case c = in_progress_case();
  // The registry office is switched off between the case's submission and the decision.
  db().write([&](db::Conn& tx) { tx.exec("UPDATE aoo SET active = $1", {std::string("0")}); });
  auto r = cases().accept(&staff_, body_, c.id, "Accolta.");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cases.no_aoo");
  EXPECT_EQ(load(c.id).state, State::in_progress);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions WHERE action = 'accept'"), 0);
}

TEST_P(TransitionsTest, ConcurrentDecisionsOnOneCaseLetOnlyOneThrough) {
  Case c = in_progress_case();
  identity::Principal colleague = staff(body_, "op-asti-2");
  std::optional<Status> a, b;
  std::thread t1([&] { a.emplace(cases().accept(&staff_, body_, c.id, "Accolta.")); });
  std::thread t2([&] { b.emplace(cases().request_additions(&colleague, body_, c.id, "Manca la firma.")); });
  t1.join();
  t2.join();
  EXPECT_NE(a->ok(), b->ok());
  const Status& loser = a->ok() ? *b : *a;
  EXPECT_TRUE(loser.error().code == "cases.transition" || loser.error().code == "cases.conflict")
      << loser.error().code;
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions WHERE action IN ('accept', 'request_additions')"),
            1);
}

TEST_P(TransitionsTest, TheHistoryIsAppendOnly) {
  Case c = in_progress_case();
  EXPECT_THROW(db().write([&](db::Conn& tx) { tx.exec("UPDATE case_transitions SET reason = 'x'"); }),
               db::DbError);
  EXPECT_THROW(db().write([&](db::Conn& tx) { tx.exec("DELETE FROM case_documents"); }), db::DbError);
  EXPECT_THROW(db().write([&](db::Conn& tx) { tx.exec("DELETE FROM cases"); }), db::DbError);
  EXPECT_THROW(db().write([&](db::Conn& tx) { tx.exec("UPDATE cases SET answers = '{}'"); }), db::DbError);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions"), 3);
}

INSTANTIATE_TEST_SUITE_P(Dialects, TransitionsTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::cases::testing
