// `sportello demo --scale N --cases M` (app/demo_cases.hpp) on both databases: M cases in every state,
// of the synthetic residents, at services their comune offers online, with legal transition paths, the
// same rows on a second database (deterministic), and nothing added by a second run.
#include "app/demo_cases.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <sstream>

#include "app/anagrafe_cli.hpp"
#include "app/demo.hpp"
#include "cases/model.hpp"
#include "cases/store.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

class DemoCasesTest : public ::testing::TestWithParam<sp::db::Dialect> {};

struct Seeded {
  std::vector<std::string> rows;  // id, tenant, applicant, service, state, submitted_at
  sp::app::DemoCasesReport report;
};

Seeded seed_and_generate(sp::db::Database& db, std::int64_t cases, std::ostream& err) {
  sp::tenants::TenantService tenants(db);
  sp::catalog::CatalogService catalog(db);
  EXPECT_TRUE(sp::app::seed_demo_if_empty(sp::testing::source_dir(), tenants, catalog).ok());
  tenants.reload();
  Seeded s;
  EXPECT_EQ(sp::app::run_demo_cases(db, tenants, catalog, 2000, cases, err, &s.report), 0) << "";
  db.read([&](sp::db::Conn& c) {
    for (const auto& r :
         c.query("SELECT c.id, b.slug, c.applicant_cf, c.service_code, c.state, c.submitted_at FROM cases c "
                 "JOIN bodies b ON b.id = c.tenant_id ORDER BY c.id"))
      s.rows.push_back(r.text(0) + "|" + r.text(1) + "|" + r.text(2) + "|" + r.text(3) + "|" + r.text(4) +
                       "|" + r.text(5));
  });
  return s;
}

TEST_P(DemoCasesTest, EveryStateOverTheYearsFromTheSyntheticResidentsDeterministically) {
  sp::testing::TestDatabase database(GetParam());
  std::ostringstream err;
  auto first = seed_and_generate(database.db(), 200, err);
  ASSERT_EQ(first.report.inserted, 200) << err.str();
  ASSERT_EQ(first.rows.size(), 200u);
  for (int s = 0; s < 10; ++s) EXPECT_GT(first.report.by_state[s], 0) << s;

  sp::tenants::TenantService tenants(database.db());
  tenants.reload();
  // Applicants are the synthetic residents of the case's comune (same generator and seed as --scale).
  std::set<std::string> residents;
  for (const auto& dc : sp::app::demo_comuni(tenants, 2000)) {
    sp::anagrafe::SyntheticPopulation g({dc.comune}, dc.share, dc.seed);
    std::string line;
    while (g.next(line))
      residents.insert(dc.comune.istat +
                       std::string(boost::json::parse(line).as_object().at("codice_fiscale").as_string()));
  }
  std::set<std::string> years;
  for (const auto& row : first.rows) {
    std::vector<std::string> f;
    std::stringstream in(row);
    for (std::string x; std::getline(in, x, '|');) f.push_back(x);
    const auto body = tenants.by_slug(f[1]);
    ASSERT_TRUE(body);
    EXPECT_TRUE(residents.contains(body->istat_code + f[2])) << row;
    years.insert(f[5].substr(0, 4));
  }
  EXPECT_GE(years.size(), 6u);  // spread over the years

  // Each case's transitions are a legal path from its creation to its state.
  database.db().read([&](sp::db::Conn& c) {
    for (const auto& row : first.rows) {
      const std::string id = row.substr(0, row.find('|'));
      auto kase = c.query_one("SELECT tenant_id, state FROM cases WHERE id = $1", {id});
      const auto ts = sp::cases::CaseStore::transitions(c, kase->i64(0), id);
      ASSERT_FALSE(ts.empty());
      EXPECT_FALSE(ts.front().from.has_value());
      auto state = ts.front().to;
      for (std::size_t i = 1; i < ts.size(); ++i) {
        EXPECT_EQ(ts[i].from, state);
        EXPECT_LE(ts[i - 1].at, ts[i].at);
        state = ts[i].to;
      }
      EXPECT_EQ(std::string(sp::cases::to_string(state)), kase->text(1));
    }
  });

  // A second run adds nothing; another database gets the same rows.
  std::ostringstream err2;
  sp::tenants::TenantService t2(database.db());
  sp::catalog::CatalogService cat2(database.db());
  t2.reload();
  sp::app::DemoCasesReport again;
  EXPECT_EQ(sp::app::run_demo_cases(database.db(), t2, cat2, 2000, 200, err2, &again), 0);
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.already_there, 200);
  sp::testing::TestDatabase other(sp::db::Dialect::sqlite);
  std::ostringstream err3;
  auto copy = seed_and_generate(other.db(), 200, err3);
  EXPECT_EQ(copy.rows, first.rows);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, DemoCasesTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
