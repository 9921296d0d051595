// The back office's queue against real SQLite and PostgreSQL: filters (state, service, office, assignee,
// overdue, days left), ordering by deadline, paging, and bulk actions.
#include <algorithm>
#include <tuple>

#include "cases_fixture.hpp"

namespace sp::cases::testing {
namespace {

class QueueTest : public CasesTest {
 protected:
  std::vector<std::string> ids(const QueueFilter& f) { return ids_of(cases(), f); }

  std::vector<std::string> ids_of(CaseService& service, const QueueFilter& f) {
    auto page = service.queue(&staff_, body_, f);
    EXPECT_TRUE(page.ok()) << page.error().code;
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& s : page->items) out.push_back(s.c.id);
    }
    return out;
  }

  // The queue as the service documents it, computed from every case of the body with deadline_at(): the
  // reference the database's filtering, ordering and paging must reproduce.
  std::vector<std::string> reference(const QueueFilter& f, const Options& o) {
    const auto today = time::rome_date(clock_.now());
    std::vector<std::pair<Case, Deadline>> all;
    db().read([&](db::Conn& c) {
      for (const auto& r : c.query("SELECT id FROM cases WHERE tenant_id = $1", {body_})) {
        Case x = *CaseStore::find(c, body_, r.text(0));
        auto d = deadline_at(x, today, o.grounds_answer_days, o.max_additions_suspension_days);
        all.emplace_back(std::move(x), d);
      }
    });
    std::vector<std::pair<Case, Deadline>> kept;
    for (auto& [c, d] : all) {
      if (f.state ? c.state != *f.state : f.open_only && !is_open(c.state)) continue;
      if (!f.office.empty() && c.office != f.office) continue;
      if (!f.service_code.empty() && c.service_code != f.service_code) continue;
      if (f.assignee == "-" ? !c.assignee.empty() : !f.assignee.empty() && c.assignee != f.assignee) continue;
      if (f.silence_consent_only && !c.silence_consent) continue;
      if (f.overdue && !d.overdue) continue;
      if (f.days_left_max && (!is_open(c.state) || d.suspended || d.days_left > *f.days_left_max)) continue;
      kept.emplace_back(c, d);
    }
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second.order_day, a.first.submitted_at, a.first.id) <
             std::tie(b.second.order_day, b.first.submitted_at, b.first.id);
    });
    std::vector<std::string> out;
    for (const auto& [c, d] : kept) out.push_back(c.id);
    return out;
  }

  // Pages through the queue three cases at a time; every page must give the same total, and each case's
  // deadline must be the one deadline_at() computes.
  std::vector<std::string> paged(CaseService& service, QueueFilter f, const Options& o) {
    const auto today = time::rome_date(clock_.now());
    std::vector<std::string> out;
    f.limit = 3;
    for (f.offset = 0;; f.offset += f.limit) {
      auto page = service.queue(&staff_, body_, f);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      EXPECT_EQ(page->total, static_cast<int>(reference(f, o).size()));
      for (const auto& s : page->items) {
        out.push_back(s.c.id);
        auto d = deadline_at(s.c, today, o.grounds_answer_days, o.max_additions_suspension_days);
        EXPECT_EQ(s.deadline.due, d.due);
        EXPECT_EQ(s.deadline.suspended, d.suspended);
        EXPECT_TRUE(s.c.answers.empty());  // lists do not read the answers
      }
      if (page->items.size() < static_cast<std::size_t>(f.limit)) break;
    }
    return out;
  }

  // Cases in every state that moves the deadline, some sharing a due date or a submission instant, and
  // one of another body.
  void mixed_cases(CaseService& s) {
    auto ok = [](const Status& st) { ASSERT_TRUE(st.ok()) << st.error().code; };
    auto submit = [&](const identity::Principal& who, const std::string& key, const char* service) {
      auto r = s.submit(&who, body_, submission(key, service));
      EXPECT_TRUE(r.ok());
      return r.ok() ? r->c.id : std::string();
    };
    clock_.set(utc(2026, 3, 1));
    const auto a = submit(mario_, "a", kSchool);  // due 31 March
    submit(anna_, "b", kLand);                    // due 30 April, silence-consent
    clock_.set(utc(2026, 3, 2));
    submit(mario_, "c", kSchool);  // c and d: same instant, same due date (1 April)
    const auto d = submit(anna_, "d", kSchool);
    const auto e = submit(anna_, "e", kLand);
    ok(s.assign(&staff_, body_, e, "op-2"));
    clock_.set(utc(2026, 3, 5));
    const auto f = submit(mario_, "f", kSchool);  // waiting for additions from 6 March
    const auto g = submit(anna_, "g", kSchool);   // notice of grounds on 8 March
    const auto h = submit(mario_, "h", kSchool);  // waited 8 → 12 March
    const auto i = submit(anna_, "i", kSchool);   // accepted
    const auto j = submit(mario_, "j", kSchool);  // withdrawn
    for (const auto& id : {f, g, h, i}) ok(s.start(&staff_, body_, id));
    ok(s.accept(&staff_, body_, i, "Accolta."));
    ok(s.withdraw(&mario_, body_, j, "Non serve più."));
    clock_.set(utc(2026, 3, 6));
    ok(s.request_additions(&staff_, body_, f, "Manca la firma."));
    clock_.set(utc(2026, 3, 8));
    ok(s.notice_of_grounds(&staff_, body_, g, "Nessun posto."));
    ok(s.request_additions(&staff_, body_, h, "Manca il documento."));
    clock_.set(utc(2026, 3, 12));
    ok(s.answer_additions(&mario_, body_, h, "Eccolo.", {}));
    clock_.set(utc(2026, 3, 20));
    const auto k = submit(mario_, "k", kSchool);  // due 19 April, waiting from 22 March
    ok(s.start(&staff_, body_, k));
    ok(s.start(&staff_, body_, a));
    clock_.set(utc(2026, 3, 22));
    ok(s.request_additions(&staff_, body_, k, "Manca la foto."));
    auto other = s.submit(&mario_, other_body_, submission("other"));
    ASSERT_TRUE(other.ok());
    (void)d;
  }

  // The queue under every filter, on several days, against the reference.
  void expect_queue_matches_reference(CaseService& s, const Options& o) {
    std::vector<QueueFilter> filters(12);
    filters[1].overdue = true;
    filters[2].days_left_max = 3;
    filters[3].days_left_max = 0;
    filters[4].state = State::waiting_for_applicant;
    filters[5].state = State::grounds_notified;
    filters[6].open_only = false;
    filters[7].office = "Ufficio scuola";
    filters[7].days_left_max = 20;
    filters[8].assignee = "-";
    filters[9].silence_consent_only = true;
    filters[10].state = State::accepted;
    filters[11].open_only = false;
    filters[11].overdue = true;
    for (auto day :
         {utc(2026, 3, 23), utc(2026, 3, 30), utc(2026, 4, 3), utc(2026, 4, 16), utc(2026, 5, 20)}) {
      clock_.set(day);
      for (std::size_t n = 0; n < filters.size(); ++n) {
        EXPECT_EQ(paged(s, filters[n], o), reference(filters[n], o))
            << "filter " << n << " on " << time::format_it_date(day);
      }
    }
  }
};

TEST_P(QueueTest, TheDatabasesOrderFiltersAndPagesAreDeadlineAtsOnEveryDay) {
  mixed_cases(cases());
  // The reference is not trivially empty or flat: suspensions reorder the queue as days pass.
  clock_.set(utc(2026, 3, 23));
  ASSERT_EQ(reference({}, cases().options()).size(), 9U);
  expect_queue_matches_reference(cases(), cases().options());
}

TEST_P(QueueTest, ACappedSuspensionForAdditionsRunsAgainInTheQueueToo) {
  Options o;
  o.max_additions_suspension_days = 5;
  CaseService capped(db(), clock_, *protocol_, *files_, *catalog_, *tenants_, nullptr, o);
  mixed_cases(capped);
  expect_queue_matches_reference(capped, o);
}

TEST_P(QueueTest, ASuspendedCaseMovesDownTheQueueDayByDay) {
  clock_.set(utc(2026, 3, 1));
  Case waiting = submit_ok(mario_, "waiting");  // due 31 March
  ASSERT_TRUE(cases().start(&staff_, body_, waiting.id).ok());
  ASSERT_TRUE(cases().request_additions(&staff_, body_, waiting.id, "Manca la firma.").ok());
  clock_.set(utc(2026, 3, 2));
  Case running = submit_ok(anna_, "running");  // due 1 April
  Case grounds = in_progress_case("grounds");  // due 1 April, then 11 April with the notice
  ASSERT_TRUE(cases().notice_of_grounds(&staff_, body_, grounds.id, "Manca un requisito.").ok());
  // 1 March's suspension has counted one day: due 1 April like `running`, submitted earlier.
  EXPECT_EQ(ids({}), (std::vector<std::string>{waiting.id, running.id, grounds.id}));
  clock_.set(utc(2026, 3, 5));  // four days waited: due 4 April
  EXPECT_EQ(ids({}), (std::vector<std::string>{running.id, waiting.id, grounds.id}));
  QueueFilter second;
  second.limit = 1;
  second.offset = 1;
  EXPECT_EQ(ids(second), std::vector<std::string>{waiting.id});
  clock_.set(utc(2026, 3, 20));  // due 19 April: after the notice's 11 April
  EXPECT_EQ(ids({}), (std::vector<std::string>{running.id, grounds.id, waiting.id}));
  // 5 April: `running` is overdue; the suspended case never is; the notice's ten days are over, so its
  // term runs again (due 11 April, 6 days left).
  clock_.set(utc(2026, 4, 5));
  QueueFilter overdue;
  overdue.overdue = true;
  EXPECT_EQ(ids(overdue), std::vector<std::string>{running.id});
  QueueFilter week;
  week.days_left_max = 7;
  EXPECT_EQ(ids(week), (std::vector<std::string>{running.id, grounds.id}));
  week.days_left_max = 5;
  EXPECT_EQ(ids(week), std::vector<std::string>{running.id});
  // The answer ends the suspension: 35 days waited, due 5 May, fixed from now on.
  ASSERT_TRUE(cases().answer_additions(&mario_, body_, waiting.id, "Firmata.", {}).ok());
  clock_.set(utc(2026, 4, 20));
  EXPECT_EQ(ids({}), (std::vector<std::string>{running.id, grounds.id, waiting.id}));
  auto page = cases().queue(&staff_, body_, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(time::format_iso_date(page->items[2].deadline.due), "2026-05-05");
  EXPECT_EQ(page->items[2].deadline.days_left, 15);
}

TEST_P(QueueTest, TheTotalCountsEveryMatchingCase) {
  // More open cases than the queue ever read at once before it paged in SQL (20,000), written in bulk.
  const std::int64_t n = 20'005;
  db().write([&](db::Conn& tx) {
    const bool pg = tx.dialect() == db::Dialect::postgres;
    const std::string numbers =
        pg ? "SELECT generate_series(1, CAST($2 AS INTEGER)) AS i"
           : "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) "
             "SELECT i FROM n";
    const std::string id = pg ? "'bulk-' || i" : "'bulk-' || i";
    tx.exec(
        "INSERT INTO cases (id, tenant_id, service_code, title, form_code, form_version, applicant_cf, "
        "applicant_name, channel, answers, state, office, submitted_at, deadline_days, due_date, "
        "submission_key, due_day, queue_due_day) "
        "SELECT " +
            id +
            ", $1, 'iscrizione-scuola-primaria', 'Iscrizione', 'iscrizione-scuola-primaria', 1, "
            "'RSSMRA80A01A479X', 'Mario Rossi', 'online', '{}', 'registered', 'Ufficio scuola', "
            "'2026-03-01T10:00:00.000Z', 30, '2026-03-31', 'bulk-' || i, 20543, 20543 FROM (" +
            numbers + ") AS n",
        {body_, n});
  });
  Case mine = submit_ok(mario_, "mine");  // 2 March: due 1 April, after all of them
  QueueFilter f;
  f.offset = static_cast<int>(n);
  auto page = cases().queue(&staff_, body_, f);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, n + 1);
  ASSERT_EQ(page->items.size(), 1U);
  EXPECT_EQ(page->items[0].c.id, mine.id);
  QueueFilter overdue;
  overdue.overdue = true;
  clock_.set(utc(2026, 4, 1));
  EXPECT_EQ(cases().queue(&staff_, body_, overdue)->total, n);
}

TEST_P(QueueTest, FiltersByDeadlineStateServiceAndAssignee) {
  // 1 March: a school case (due 31 March); 2 March: a land case (60 days: due 1 May); 10 March: another
  // school case (due 9 April).
  clock_.set(utc(2026, 3, 1));
  Case early = submit_ok(mario_, "early");
  clock_.set(utc(2026, 3, 2));
  Case land = submit_ok(anna_, "land", kLand);
  clock_.set(utc(2026, 3, 10));
  Case later = submit_ok(anna_, "later");
  ASSERT_TRUE(cases().assign(&staff_, body_, later.id, "op-2").ok());

  // Sorted by due date.
  EXPECT_EQ(ids({}), (std::vector<std::string>{early.id, later.id, land.id}));
  // 5 April: the first is overdue, the second has 4 days left, the land one 26.
  clock_.set(utc(2026, 4, 5));
  QueueFilter overdue;
  overdue.overdue = true;
  EXPECT_EQ(ids(overdue), std::vector<std::string>{early.id});
  QueueFilter soon;
  soon.days_left_max = 5;
  EXPECT_EQ(ids(soon), (std::vector<std::string>{early.id, later.id}));
  auto page = cases().queue(&staff_, body_, soon);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items[0].deadline.days_left, -5);
  EXPECT_TRUE(page->items[0].deadline.overdue);
  EXPECT_EQ(page->items[1].deadline.days_left, 4);

  QueueFilter by_service;
  by_service.service_code = kLand;
  EXPECT_EQ(ids(by_service), std::vector<std::string>{land.id});
  QueueFilter silent;
  silent.silence_consent_only = true;
  EXPECT_EQ(ids(silent), std::vector<std::string>{land.id});
  QueueFilter by_office;
  by_office.office = "Ufficio scuola";
  EXPECT_EQ(ids(by_office), (std::vector<std::string>{early.id, later.id}));
  QueueFilter assigned;
  assigned.assignee = "op-2";
  EXPECT_EQ(ids(assigned), std::vector<std::string>{later.id});
  QueueFilter unassigned;
  unassigned.assignee = "-";
  EXPECT_EQ(ids(unassigned), (std::vector<std::string>{early.id, land.id}));
  QueueFilter by_state;
  by_state.state = State::assigned;
  EXPECT_EQ(ids(by_state), std::vector<std::string>{later.id});

  // A suspended case is not overdue; decided ones leave the open queue.
  ASSERT_TRUE(cases().start(&staff_, body_, early.id).ok());
  ASSERT_TRUE(cases().request_additions(&staff_, body_, early.id, "Manca un documento.").ok());
  EXPECT_TRUE(ids(overdue).empty());
  ASSERT_TRUE(cases().start(&staff_, body_, land.id).ok());
  ASSERT_TRUE(cases().accept(&staff_, body_, land.id, "Concessa.").ok());
  EXPECT_EQ(ids({}), (std::vector<std::string>{early.id, later.id}));
  QueueFilter all;
  all.open_only = false;
  EXPECT_EQ(ids(all).size(), 3U);
  QueueFilter accepted;
  accepted.state = State::accepted;
  EXPECT_EQ(ids(accepted), std::vector<std::string>{land.id});

  auto offices = cases().offices(&staff_, body_);
  ASSERT_TRUE(offices.ok());
  EXPECT_EQ(*offices, (std::vector<std::string>{"Ufficio scuola", "Ufficio tecnico"}));
}

TEST_P(QueueTest, PagesWithATotal) {
  std::vector<std::string> all;
  for (int i = 0; i < 5; ++i) {
    clock_.advance(std::chrono::hours(24));
    all.push_back(submit_ok(mario_, "k" + std::to_string(i)).id);
  }
  QueueFilter f;
  f.limit = 2;
  f.offset = 2;
  auto page = cases().queue(&staff_, body_, f);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->items.size(), 2U);
  EXPECT_EQ(page->items[0].c.id, all[2]);
  EXPECT_EQ(page->items[1].c.id, all[3]);
  f.limit = 0;
  EXPECT_EQ(cases().queue(&staff_, body_, f).error().code, "cases.filter");
}

TEST_P(QueueTest, BulkActionsApplyCaseByCase) {
  Case a = submit_ok(mario_, "a");
  Case b = submit_ok(anna_, "b");
  Case done = in_progress_case("c");
  ASSERT_TRUE(cases().accept(&staff_, body_, done.id, "Accolta.").ok());
  auto r = cases().bulk(&staff_, body_, {a.id, b.id, done.id, "unknown"},
                        {BulkAction::Kind::assign, "op-3", "Ufficio istruzione", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->done, (std::vector<std::string>{a.id, b.id}));
  ASSERT_EQ(r->failed.size(), 2U);
  EXPECT_EQ(r->failed[0].second.code, "cases.transition");
  EXPECT_EQ(r->failed[1].second.code, "not_found");
  EXPECT_EQ(load(a.id).assignee, "op-3");
  EXPECT_EQ(load(b.id).office, "Ufficio istruzione");
  EXPECT_EQ(load(b.id).state, State::assigned);
  auto started = cases().bulk(&staff_, body_, {a.id, b.id}, {BulkAction::Kind::start, "", "", ""});
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->done.size(), 2U);
  EXPECT_EQ(load(a.id).state, State::in_progress);
  EXPECT_EQ(cases().bulk(&mario_, body_, {a.id}, {}).error().code, "forbidden");
}

INSTANTIATE_TEST_SUITE_P(Dialects, QueueTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::cases::testing
