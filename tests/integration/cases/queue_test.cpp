// The back office's queue against real SQLite and PostgreSQL: filters (state, service, office, assignee,
// overdue, days left), ordering by deadline, paging, and bulk actions.
#include "cases_fixture.hpp"

namespace sp::cases::testing {
namespace {

class QueueTest : public CasesTest {
 protected:
  std::vector<std::string> ids(const QueueFilter& f) {
    auto page = cases().queue(&staff_, body_, f);
    EXPECT_TRUE(page.ok()) << page.error().code;
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& s : page->items) out.push_back(s.c.id);
    }
    return out;
  }
};

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
