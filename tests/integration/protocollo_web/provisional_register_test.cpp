// Issue 11, point 9: a fresh demo has past days' daily registers to show (its registry offices register
// since a week ago), and the registry's managers can take today's register so far: provisional, marked
// as such, never stored, refused to anyone else.
#include "app_fixture.hpp"
#include "protocollo/daily_register.hpp"

namespace sp::protocollo::webtest {
namespace {

using ProvisionalRegisterTest = AppTest;

TEST_P(ProvisionalRegisterTest, AFreshDemoHasAWeekOfDailyRegisters) {
  DailyRegisterService registers(app_->database(), time::system_clock(), sp::testing::locales());
  auto report = registers.catch_up();
  EXPECT_TRUE(report.errors.empty());
  auto infos = registers.list_for(asti_, {});
  ASSERT_TRUE(infos.ok());
  EXPECT_GE(infos->size(), 6U) << "a register per past day of the demo's week";
  auto page = get("/backoffice/asti/protocollo/registro-giornaliero", operator_session());
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("id=\"no-registers\""), std::string::npos);
}

TEST_P(ProvisionalRegisterTest, AManagerTakesTodaysRegisterSoFarWhichIsMarkedAndNotStored) {
  const auto key = api_key(asti_, {"protocollo:write"});
  auto reg = api(
      "POST", "/api/v1/backoffice/asti/protocollo/registrazioni", key,
      R"({"direction":"incoming","subject":"Istanza di oggi","correspondents":[{"kind":"person","name":"Maria"}],)"
      R"("documents":[{"file_name":"a.pdf","content_base64":"JVBERi0xLjQKJSVFT0YK"}]})");
  ASSERT_EQ(reg.status, 201) << reg.body;
  const auto aoo = app_->protocol().aoos(asti_).at(0).id;
  const std::string href = "/backoffice/asti/protocollo/registro-provvisorio/";
  const auto manager = manager_session();
  auto page = get("/backoffice/asti/protocollo/registro-giornaliero", manager);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"today-registers\""), std::string::npos);
  EXPECT_NE(page.body.find(href + "pdf?aoo=" + std::to_string(aoo)), std::string::npos);

  DailyRegisterService registers(app_->database(), time::system_clock(), sp::testing::locales());
  const auto stored_before = registers.list_for(asti_, {})->size();
  auto js = get(href + "json?aoo=" + std::to_string(aoo), manager);
  ASSERT_EQ(js.status, 200) << js.body.substr(0, 500);
  auto doc = boost::json::parse(js.body).as_object();
  EXPECT_TRUE(doc["provisional"].as_bool());
  EXPECT_EQ(doc["entry_count"].as_int64(), 1);
  EXPECT_NE(js.body.find("Istanza di oggi"), std::string::npos);
  EXPECT_NE(header(js, "content-disposition").find("provvisorio-"), std::string::npos);
  auto pdf = get(href + "pdf?aoo=" + std::to_string(aoo), manager);
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0U);
  EXPECT_EQ(registers.list_for(asti_, {})->size(), stored_before) << "never stored";

  // An operator is no registry manager; Novara's staff and unknown offices get nothing.
  const auto op = operator_session();
  EXPECT_EQ(get(href + "json?aoo=" + std::to_string(aoo), op).status, 403);
  EXPECT_EQ(get("/backoffice/asti/protocollo/registro-giornaliero", op).body.find("id=\"today-registers\""),
            std::string::npos);
  EXPECT_EQ(get(href + "json?aoo=" + std::to_string(aoo), novara_session()).status, 403);
  const auto novara_aoo = app_->protocol().aoos(novara_).at(0).id;
  EXPECT_EQ(get(href + "json?aoo=" + std::to_string(novara_aoo), manager).status, 404);
  EXPECT_EQ(get(href + "json?aoo=x1", manager).status, 404);
  EXPECT_EQ(get(href + "xml?aoo=" + std::to_string(aoo), manager).status, 404);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ProvisionalRegisterTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
