// The payments API through the whole application (both databases, the demo's bodies): the public
// notice-number check, GPD-shaped positions with API keys and scopes, bulk, and the wall between bodies.
#include "../protocollo_web/app_fixture.hpp"

namespace sp::protocollo::webtest {
namespace {

using PaymentsApiTest = AppTest;
namespace json = boost::json;

const std::string kApi = "/api/v1/backoffice/asti/pagopa/debt-positions";

json::object gpd_position(const std::string& iupd, std::int64_t amount = 12345) {
  json::object transfer{{"idTransfer", "1"},
                        {"amount", amount},
                        {"iban", "IT09Q0608510316000000012345"},
                        {"remittanceInformation", "Canone occupazione suolo pubblico 2026"},
                        {"category", "9/0101100IM/"}};
  json::object option{{"amount", amount},
                      {"description", "COSAP 2026"},
                      {"isPartialPayment", false},
                      {"dueDate", "2099-12-31T23:59:59"},
                      {"transfer", json::array{transfer}}};
  return {{"iupd", iupd},
          {"type", "G"},
          {"fiscalCode", "00743110157"},
          {"fullName", "Edilizia Monferrato Srl"},
          {"streetName", "Via Roma"},
          {"civicNumber", "3"},
          {"paymentOption", json::array{option}}};
}

TEST_P(PaymentsApiTest, NoticeNumbersAreCheckedForAnyoneWithoutAKey) {
  auto ok = get("/api/v1/pagopa/notice-numbers/302032002700000251", "");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto o = json_of(ok);
  EXPECT_TRUE(o["valid"].as_bool());
  EXPECT_EQ(o["aux_digit"].as_int64(), 3);
  EXPECT_EQ(o["segregation_code"].as_string(), "02");
  EXPECT_EQ(o["iuv"].as_string(), "02032002700000251");
  EXPECT_EQ(o["check_digits"].as_string(), "51");
  EXPECT_FALSE(o.contains("application_code"));

  // The printed form, percent-encoded in the path.
  auto grouped = get("/api/v1/pagopa/notice-numbers/3020%203200%202700%200002%2051", "");
  ASSERT_EQ(grouped.status, 200) << grouped.body;
  EXPECT_EQ(json_of(grouped)["nav"].as_string(), "302032002700000251");

  // Aux 0 with its application code (GovPay's vector), aux 1 without check digits.
  auto aux0 = json_of(get("/api/v1/pagopa/notice-numbers/001000000000000141", ""));
  EXPECT_EQ(aux0["application_code"].as_string(), "01");
  EXPECT_FALSE(aux0.contains("segregation_code"));
  auto aux1 = json_of(get("/api/v1/pagopa/notice-numbers/112345678901234567", ""));
  EXPECT_TRUE(aux1["valid"].as_bool());
  EXPECT_FALSE(aux1.contains("check_digits"));

  auto wrong = get("/api/v1/pagopa/notice-numbers/302032002700000252", "");
  ASSERT_EQ(wrong.status, 422);
  auto w = json_of(wrong);
  EXPECT_FALSE(w["valid"].as_bool());
  EXPECT_EQ(w["error"].as_object()["code"].as_string(), "nav.check");
  EXPECT_NE(std::string(w["error"].as_object()["message"].as_string()).find("51"), std::string::npos);
  auto en = get("/api/v1/pagopa/notice-numbers/30203200270000025", "", "en");
  ASSERT_EQ(en.status, 422);
  EXPECT_EQ(json_of(en)["error"].as_object()["code"].as_string(), "nav.length");
  EXPECT_NE(std::string(json_of(en)["error"].as_object()["message"].as_string()).find("18 digits"),
            std::string::npos);
  auto it = get("/api/v1/pagopa/notice-numbers/30203200270000025", "", "it");
  EXPECT_NE(std::string(json_of(it)["error"].as_object()["message"].as_string()).find("18 cifre"),
            std::string::npos);
}

TEST_P(PaymentsApiTest, TheDemoHasAstiAsACreditorWithATariAndAFine) {
  auto& svc = app_->payments();
  ASSERT_TRUE(svc.creditor(asti_).ok());
  auto mine = svc.positions_of("FRRNNA78S70A479X");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].status, payments::PositionStatus::valid);
  EXPECT_EQ(mine[0].options.size(), 3u);
  auto fine = svc.positions_of("CCCFBA85D03L219P");
  ASSERT_EQ(fine.size(), 1u);
  EXPECT_EQ(fine[0].kind, payments::PositionKind::fine);
  EXPECT_EQ(fine[0].options[0].amount, 2940 + 1235);
}

TEST_P(PaymentsApiTest, ASystemOfTheBodyCreatesReadsPublishesAndInvalidates) {
  const auto key = api_key(asti_, {"payments:read", "payments:write"});
  auto r = api("POST", kApi, key, json::serialize(gpd_position("COSAP-2026-1")));
  ASSERT_EQ(r.status, 201) << r.body;
  auto p = json_of(r);
  EXPECT_EQ(p["status"].as_string(), "DRAFT");
  EXPECT_EQ(p["companyName"].as_string(), "Comune di Asti");
  EXPECT_EQ(header(r, "location"), kApi + "/COSAP-2026-1");
  auto& opt = p["paymentOption"].as_array()[0].as_object();
  EXPECT_EQ(opt["amount"].as_int64(), 12345);
  EXPECT_EQ(opt["dueDate"].as_string(), "2099-12-31");
  EXPECT_EQ(std::string(opt["nav"].as_string()).substr(0, 3), "301");  // Asti's first segregation code
  EXPECT_EQ(opt["transfer"].as_array()[0].as_object()["idTransfer"].as_string(), "1");

  auto got = api("GET", kApi + "/COSAP-2026-1", key);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(json_of(got)["fiscalCode"].as_string(), "00743110157");
  auto pub = api("POST", kApi + "/COSAP-2026-1/publish", key);
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(json_of(pub)["status"].as_string(), "VALID");
  auto list = api("GET", kApi + "?status=VALID", key);
  ASSERT_EQ(list.status, 200);
  bool found = false;
  const auto listed = json_of(list);
  for (const auto& v : listed.at("paymentPositions").as_array())
    found = found || v.as_object().at("iupd").as_string() == "COSAP-2026-1";
  EXPECT_TRUE(found);
  auto inv = api("POST", kApi + "/COSAP-2026-1/invalidate", key);
  ASSERT_EQ(inv.status, 200);
  EXPECT_EQ(json_of(inv)["status"].as_string(), "INVALID");
  auto again = api("POST", kApi + "/COSAP-2026-1/invalidate", key);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(json_of(again)["error"].as_object()["error"].as_string(), "payments.state");

  // Refusals name the field, in the caller's language.
  auto bad = gpd_position("COSAP-2026-2", 100);
  bad["paymentOption"].as_array()[0].as_object()["transfer"].as_array()[0].as_object()["amount"] = 99;
  auto refused = api("POST", kApi, key, json::serialize(bad));
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(json_of(refused)["error"].as_object()["error"].as_string(), "payments.transfer_sum");
  EXPECT_EQ(json_of(refused)["error"].as_object()["field"].as_string(), "paymentOption[0].transfer");
  auto cents = gpd_position("COSAP-2026-3");
  cents["paymentOption"].as_array()[0].as_object()["amount"] = 123.45;
  EXPECT_EQ(json_of(api("POST", kApi, key, json::serialize(cents)))["error"].as_object()["error"].as_string(),
            "payments.amount");

  // A fine through the API: the police software gives the notification date.
  json::object fine{
      {"iupd", "VERBALE-77"},
      {"type", "F"},
      {"fiscalCode", "CCCFBA85D03L219P"},
      {"fullName", "Fabio Caccamo"},
      {"fine", json::object{{"notificationDate",
                             time::format_iso_date(time::rome_date(std::chrono::system_clock::now()))},
                            {"sanctionAmount", 8700},
                            {"expensesAmount", 0},
                            {"description", "Verbale n. 77/2026"},
                            {"category", "9/0201133IM/"}}}};
  auto f = api("POST", kApi + "?toPublish=true", key, json::serialize(fine));
  ASSERT_EQ(f.status, 201) << f.body;
  EXPECT_EQ(json_of(f)["fine"].as_object()["reducedAmount"].as_int64(), 6090);
  EXPECT_EQ(json_of(f)["status"].as_string(), "VALID");
}

TEST_P(PaymentsApiTest, BulkIsAllOrNothing) {
  const auto key = api_key(asti_, {"payments:write", "payments:read"});
  json::array rows;
  for (int i = 0; i < 4; ++i) rows.push_back(gpd_position("BULK-" + std::to_string(i)));
  rows[2].as_object()["fiscalCode"] = "00743110158";
  auto r = api("POST", kApi + "/bulk", key, json::serialize(json::object{{"paymentPositions", rows}}));
  ASSERT_EQ(r.status, 422) << r.body;
  auto rep = json_of(r);
  ASSERT_EQ(rep["rows"].as_array().size(), 1u);
  EXPECT_EQ(rep["rows"].as_array()[0].as_object()["row"].as_int64(), 2);
  EXPECT_EQ(rep["rows"].as_array()[0].as_object()["error"].as_string(), "payments.debtor_fiscal_code");
  EXPECT_EQ(api("GET", kApi + "/BULK-0", key).status, 404);

  rows[2].as_object()["fiscalCode"] = "00743110157";
  auto ok = api("POST", kApi + "/bulk?toPublish=true", key, json::serialize(rows));
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(json_of(ok)["count"].as_int64(), 4);
  EXPECT_EQ(json_of(api("GET", kApi + "/BULK-3", key))["status"].as_string(), "VALID");
}

TEST_P(PaymentsApiTest, KeysNeedTheScopeAndAnotherBodysKeyCannotReadOrWrite) {
  const auto asti_key = api_key(asti_, {"payments:read", "payments:write"});
  ASSERT_EQ(api("POST", kApi, asti_key, json::serialize(gpd_position("WALL-1"))).status, 201);
  EXPECT_EQ(api("GET", kApi + "/WALL-1", "").status, 401);
  const auto read_only = api_key(asti_, {"payments:read"});
  EXPECT_EQ(api("GET", kApi + "/WALL-1", read_only).status, 200);
  EXPECT_EQ(api("POST", kApi, read_only, json::serialize(gpd_position("WALL-2"))).status, 403);
  EXPECT_EQ(api("POST", kApi + "/WALL-1/invalidate", read_only).status, 403);
  const auto other = api_key(asti_, {"protocollo:read"});
  EXPECT_EQ(api("GET", kApi + "/WALL-1", other).status, 403);

  const auto novara_key = api_key(novara_, {"payments:read", "payments:write"});
  EXPECT_EQ(api("GET", kApi + "/WALL-1", novara_key).status, 403);
  EXPECT_EQ(api("GET", kApi, novara_key).status, 403);
  EXPECT_EQ(api("POST", kApi + "/WALL-1/invalidate", novara_key).status, 403);
  EXPECT_EQ(api("POST", kApi, novara_key, json::serialize(gpd_position("WALL-3"))).status, 403);
  // Through its own body's URL Novara finds nothing of Asti's (and Novara is not a creditor).
  EXPECT_EQ(api("GET", "/api/v1/backoffice/novara/pagopa/debt-positions/WALL-1", novara_key).status, 404);
  auto n = api("POST", "/api/v1/backoffice/novara/pagopa/debt-positions", novara_key,
               json::serialize(gpd_position("WALL-1")));
  EXPECT_EQ(n.status, 409);
  EXPECT_EQ(json_of(n)["error"].as_object()["error"].as_string(), "payments.creditor");
  EXPECT_EQ(json_of(api("GET", kApi + "/WALL-1", asti_key))["status"].as_string(), "DRAFT");
  EXPECT_FALSE(app_->payments().get(payments::SystemActor{"t"}, asti_, "WALL-3").ok());
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, PaymentsApiTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
