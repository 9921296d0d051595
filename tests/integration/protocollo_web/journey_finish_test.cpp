// Issue 11, point 9, through the whole application: the sign-in page keeps the header and colours of
// the body it returns to; the back office has its own header; the language switch carries the query.
#include "app_fixture.hpp"

namespace sp::protocollo::webtest {
namespace {

using JourneyFinishTest = AppTest;

TEST_P(JourneyFinishTest, SigningInFromABodysPageKeepsItsHeaderAndColours) {
  auto from_asti = get("/accedi?next=%2Fasti%2Fservizi%2Fiscrizione-scuola-primaria&livello=2", "");
  ASSERT_EQ(from_asti.status, 200);
  EXPECT_NE(from_asti.body.find("href=\"/asti/tema.css\""), std::string::npos);
  EXPECT_NE(from_asti.body.find("Comune di Asti"), std::string::npos);
  auto from_hub = get("/accedi?next=%2Farea-personale", "");
  ASSERT_EQ(from_hub.status, 200);
  EXPECT_EQ(from_hub.body.find("tema.css"), std::string::npos);
  // A slug that names no body, or an unsafe next, changes nothing.
  EXPECT_EQ(get("/accedi?next=%2Fnessuno%2F", "").body.find("tema.css"), std::string::npos);
  EXPECT_EQ(get("/accedi?next=%2F%2Fasti%2F", "").body.find("tema.css"), std::string::npos);
}

TEST_P(JourneyFinishTest, TheBackOfficeHasItsOwnHeader) {
  const auto op = operator_session();
  auto queue = get("/backoffice/asti/pratiche", op);
  ASSERT_EQ(queue.status, 200);
  EXPECT_EQ(queue.body.find("class=\"header-search\""), std::string::npos);
  EXPECT_NE(queue.body.find("id=\"staff-home-link\""), std::string::npos);
  EXPECT_EQ(queue.body.find("id=\"personal-area-link\""), std::string::npos);
  auto public_page = get("/asti/", "");
  EXPECT_NE(public_page.body.find("class=\"header-search\""), std::string::npos);
  EXPECT_NE(public_page.body.find("id=\"personal-area-link\""), std::string::npos);
}

TEST_P(JourneyFinishTest, TheLanguageSwitchLinkCarriesTheQuery) {
  auto page = get("/servizi?q=mensa", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("href=\"/lang/en?next=/servizi%3Fq%3Dmensa\""), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, JourneyFinishTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
