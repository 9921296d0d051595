// The daily register through the back office and the API: listed, downloadable as PDF and JSON whose
// bytes match the recorded SHA-256, and never visible to another body.
#include "app_fixture.hpp"
#include "core/digest.hpp"
#include "protocollo/daily_register.hpp"

namespace sp::protocollo::webtest {
namespace {

using DailyRegisterPagesTest = AppTest;

TEST_P(DailyRegisterPagesTest, YesterdaysRegisterIsListedDownloadableAndWalledOff) {
  // Two registrations yesterday (Rome), by a clock set a day back, on the application's database.
  const auto now = time::system_clock().now();
  time::TestClock yesterday_clock(now - std::chrono::hours(24));
  ProtocolService yesterday(app_->database(), yesterday_clock);
  auto aoos = yesterday.aoos(asti_);
  ASSERT_EQ(aoos.size(), 1u);
  NewEntry e;
  e.aoo_id = aoos[0].id;
  e.subject = "Richiesta occupazione suolo pubblico";
  e.correspondents = {{protocollo::CorrespondentKind::person, "Giulia Verdi", "VRDGLI85M41A479Z", "", ""}};
  e.documents = {
      {DocumentRole::primary, "domanda.pdf", "application/pdf", 10, digest::sha256_hex("domanda")}};
  const SystemActor actor{"test"};
  auto first = yesterday.register_entry(actor, asti_, e);
  ASSERT_TRUE(first.ok());
  e.subject = "Esposto rumori molesti";
  ASSERT_TRUE(yesterday.register_entry(actor, asti_, e).ok());

  // What the job does at start and every few minutes.
  DailyRegisterService registers(app_->database(), time::system_clock(), sp::testing::locales());
  auto report = registers.catch_up();
  EXPECT_TRUE(report.errors.empty());
  EXPECT_GE(report.produced, 1);
  const std::string day = time::format_iso_date(time::rome_date(yesterday_clock.now()));

  const auto op = operator_session();
  auto list = get("/backoffice/asti/protocollo/registro-giornaliero", op);
  ASSERT_EQ(list.status, 200);
  const auto row = list.body.find("data-day=\"" + day + "\"");
  ASSERT_NE(row, std::string::npos) << list.body.substr(0, 3000);
  auto infos = registers.list_for(asti_, {});
  ASSERT_TRUE(infos.ok());
  const DailyRegisterInfo* info = nullptr;
  for (const auto& i : *infos)
    if (i.day == day) info = &i;
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->entry_count, 2);
  const std::string base = "/backoffice/asti/protocollo/registro-giornaliero/" + std::to_string(info->id);

  auto pdf = get(base + "/pdf", op);
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(digest::sha256_hex(pdf.body), info->pdf_sha256);
  EXPECT_NE(list.body.find(info->pdf_sha256), std::string::npos) << "the digest is shown";
  auto js = get(base + "/json", op);
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(digest::sha256_hex(js.body), info->json_sha256);
  EXPECT_NE(js.body.find("Esposto rumori molesti"), std::string::npos);
  EXPECT_NE(js.body.find("Richiesta occupazione suolo pubblico"), std::string::npos);
  EXPECT_EQ(get(base + "/docx", op).status, 404);

  // The API gives the same bytes, with the recorded digest in a header.
  const auto key = api_key(asti_, {"protocollo:read"});
  auto api_list = api("GET", "/api/v1/backoffice/asti/protocollo/registri-giornalieri", key);
  ASSERT_EQ(api_list.status, 200);
  EXPECT_NE(api_list.body.find("\"day\":\"" + day + "\""), std::string::npos);
  auto api_pdf = api(
      "GET", "/api/v1/backoffice/asti/protocollo/registri-giornalieri/" + std::to_string(info->id) + "/pdf",
      key);
  ASSERT_EQ(api_pdf.status, 200);
  EXPECT_EQ(api_pdf.body, pdf.body);
  EXPECT_EQ(header(api_pdf, "x-content-sha256"), info->pdf_sha256);

  // Another body: refused on Asti's pages, nothing under its own.
  const auto novara = novara_session();
  EXPECT_EQ(get("/backoffice/asti/protocollo/registro-giornaliero", novara).status, 403);
  EXPECT_EQ(get(base + "/pdf", novara).status, 403);
  EXPECT_EQ(
      get("/backoffice/novara/protocollo/registro-giornaliero/" + std::to_string(info->id) + "/pdf", novara)
          .status,
      404);
  const auto novara_key = api_key(novara_, {"protocollo:read"});
  EXPECT_EQ(api("GET", "/api/v1/backoffice/asti/protocollo/registri-giornalieri", novara_key).status, 403);
  EXPECT_EQ(
      api("GET",
          "/api/v1/backoffice/novara/protocollo/registri-giornalieri/" + std::to_string(info->id) + "/json",
          novara_key)
          .status,
      404);
  // A second catch-up produces nothing new.
  EXPECT_EQ(registers.catch_up().produced, 0);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, DailyRegisterPagesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
