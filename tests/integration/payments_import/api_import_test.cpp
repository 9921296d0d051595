// POST /api/v1/backoffice/{slug}/pagopa/debt-positions/import through the whole application (both
// databases, the demo's bodies: Asti is a pagoPA creditor): CSV and JSON bodies, dry run, the report as
// JSON and CSV, scopes, and another body's key.
#include "../protocollo_web/app_fixture.hpp"

namespace sp::protocollo::webtest {
namespace {

using PaymentsImportApiTest = AppTest;
namespace json = boost::json;

const std::string kImport = "/api/v1/backoffice/asti/pagopa/debt-positions/import";
const std::string kCsv =
    "iupd;debtor_fiscal_code;debtor_name;amount;description;due_date;instalment;category\n"
    "API-IMP-1;FRRNNA78S70A479X;Anna Ferrero;80,00;Mensa scolastica;30/06/2099;0;9/0101100IM/\n"
    "API-IMP-2;FRRNNA78S70A479X;Anna Ferrero;40,00;Trasporto rata 1;30/06/2099;1;9/0101100IM/\n"
    "API-IMP-2;FRRNNA78S70A479X;Anna Ferrero;40,00;Trasporto rata 2;31/12/2099;1;9/0101100IM/\n";

TEST_P(PaymentsImportApiTest, ACsvBodyIsCheckedThenImportedAllOrNothing) {
  const auto key = api_key(asti_, {"payments:read", "payments:write"});
  auto dry = api("POST", kImport + "?format=csv&dryRun=true", key, kCsv);
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto d = json_of(dry);
  EXPECT_TRUE(d["dryRun"].as_bool());
  EXPECT_EQ(d["positions"].as_int64(), 2);
  EXPECT_EQ(d["totalCents"].as_int64(), 16000);
  EXPECT_EQ(api("GET", "/api/v1/backoffice/asti/pagopa/debt-positions/API-IMP-1", key).status, 404);

  auto bad = api("POST", kImport + "?format=csv&report=csv", key,
                 kCsv + "API-IMP-3;FRRNNA78S70A479X;Anna Ferrero;1.000,00;Tassa;30/06/2099;0;9/0101100IM/\n",
                 {{"accept-language", "en"}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("5;API-IMP-3;1;invalid;import.amount;amount;"), std::string::npos) << bad.body;
  EXPECT_EQ(api("GET", "/api/v1/backoffice/asti/pagopa/debt-positions/API-IMP-1", key).status, 404);

  auto ok = api("POST", kImport + "?format=csv&toPublish=true", key, kCsv);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(json_of(ok)["imported"].as_bool());
  auto got = api("GET", "/api/v1/backoffice/asti/pagopa/debt-positions/API-IMP-2", key);
  ASSERT_EQ(got.status, 200);
  auto p = json_of(got);
  EXPECT_EQ(p["status"].as_string(), "VALID");
  EXPECT_EQ(p["paymentOption"].as_array().size(), 2u);
  // Again: every IUPD exists now, nothing changes.
  auto again = api("POST", kImport + "?format=csv", key, kCsv);
  ASSERT_EQ(again.status, 422);
  EXPECT_EQ(json_of(again)["rows"].as_array()[0].as_object()["error"].as_string(), "payments.iupd_exists");
}

TEST_P(PaymentsImportApiTest, AJsonBodyAndTheWallsBetweenBodies) {
  const auto key = api_key(asti_, {"payments:write"});
  const std::string body = R"({"paymentPositions": [{"iupd": "API-JSON-1", "type": "F",
    "fiscalCode": "FRRNNA78S70A479X", "fullName": "Anna Ferrero", "paymentOption": [{"amount": 1500,
    "description": "Retta", "isPartialPayment": false, "dueDate": "2099-06-30T23:59:59", "transfer": [
    {"idTransfer": "1", "amount": 1500, "iban": "IT60X0542811101000000123456",
     "remittanceInformation": "Retta", "category": "9/0101100IM/"}]}]}]})";
  auto ok = api("POST", kImport, key, body);  // application/json: JSON
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(json_of(ok)["rows"].as_array()[0].as_object()["outcome"].as_string(), "imported");
  const auto read_only = api_key(asti_, {"payments:read"});
  EXPECT_EQ(api("POST", kImport, read_only, body).status, 403);
  const auto novara_key = api_key(novara_, {"payments:write"});
  EXPECT_EQ(api("POST", kImport, novara_key, body).status, 403);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, PaymentsImportApiTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
