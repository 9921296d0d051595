// The registry's JSON API with API keys: registration (bytes or digests), idempotent retries, search,
// annulment, segnatura, scopes and the wall between bodies.
#include <sodium.h>

#include "app_fixture.hpp"
#include "core/digest.hpp"

namespace sp::protocollo::webtest {
namespace {

using ApiTest = AppTest;
namespace json = boost::json;

const std::string kApi = "/api/v1/backoffice/asti/protocollo";

std::string base64(const std::string& bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

std::string registration(const std::string& subject, const std::string& pdf) {
  json::object o{{"direction", "incoming"},
                 {"channel", "pec"},
                 {"subject", subject},
                 {"correspondents", json::array{json::object{{"kind", "business"},
                                                             {"name", "Edilizia Monferrato Srl"},
                                                             {"fiscal_code", "01234560051"},
                                                             {"pec", "edilizia@pec.example.it"}}}},
                 {"documents", json::array{json::object{{"role", "primary"},
                                                        {"file_name", "cila.pdf"},
                                                        {"mime_type", "application/pdf"},
                                                        {"content_base64", base64(pdf)}}}},
                 {"classification", "6.3"}};
  return json::serialize(o);
}

TEST_P(ApiTest, ASystemOfTheBodyRegistersSearchesAndAnnulsWithItsKey) {
  const auto key = api_key(asti_, {"protocollo:read", "protocollo:write"});
  const auto pdf = sample_pdf("CILA");
  auto r = api("POST", kApi + "/registrazioni", key, registration("CILA via Roma 3", pdf));
  ASSERT_EQ(r.status, 201) << r.body;
  auto e = json_of(r);
  EXPECT_EQ(e["number"].as_int64(), 1);
  EXPECT_EQ(e["number_text"].as_string(), "0000001");
  EXPECT_EQ(e["aoo"].as_string(), "c_a479");
  EXPECT_EQ(e["documents"].as_array()[0].as_object()["sha256"].as_string(), digest::sha256_hex(pdf));
  EXPECT_TRUE(e["documents"].as_array()[0].as_object()["stored"].as_bool());
  const std::string id(e["id"].as_string());
  EXPECT_EQ(header(r, "location"), kApi + "/registrazioni/" + id);
  EXPECT_EQ(std::string(e["registered_by"].as_string()).rfind("system:api-key:", 0), 0u);

  // A document described by its digest only (the other system keeps the bytes).
  json::object by_digest{
      {"subject", "Nota"},
      {"direction", "outgoing"},
      {"correspondents", json::array{json::object{{"kind", "body"}, {"name", "Regione Piemonte"}}}},
      {"documents", json::array{json::object{{"file_name", "nota.pdf"},
                                             {"mime_type", "application/pdf"},
                                             {"size", 1234},
                                             {"sha256", digest::sha256_hex("nota")}}}}};
  auto r2 = api("POST", kApi + "/registrazioni", key, json::serialize(by_digest));
  ASSERT_EQ(r2.status, 201) << r2.body;
  EXPECT_EQ(json_of(r2)["number"].as_int64(), 2);
  EXPECT_FALSE(json_of(r2)["documents"].as_array()[0].as_object()["stored"].as_bool());

  auto found = api("GET", kApi + "/registrazioni?oggetto=cila", key);
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(json_of(found)["count"].as_int64(), 1);

  auto xml = api("GET", kApi + "/registrazioni/" + id + "/segnatura", key);
  ASSERT_EQ(xml.status, 200);
  EXPECT_NE(xml.body.find("<prot:CodiceAOO>c_a479</prot:CodiceAOO>"), std::string::npos);
  EXPECT_NE(xml.body.find("<ds:Signature"), std::string::npos);

  auto c =
      api("POST", kApi + "/registrazioni/" + id + "/classificazione", key, R"({"fascicolo":"2026-6.3-1"})");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(json_of(c)["fascicolo"].as_string(), "2026-6.3-1");

  auto missing =
      api("POST", kApi + "/registrazioni/" + id + "/annullamento", key, R"({"reason":"Duplicato"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json_of(missing)["error"].as_object()["error"].as_string(), "protocollo.annulment_authorisation");
  auto annulled = api("POST", kApi + "/registrazioni/" + id + "/annullamento", key,
                      R"({"reason":"Duplicato","authorisation":"Det. 3/2026"})");
  ASSERT_EQ(annulled.status, 200) << annulled.body;
  EXPECT_TRUE(json_of(annulled)["annulled"].as_bool());
  auto detail = api("GET", kApi + "/registrazioni/" + id, key);
  auto history = json_of(detail)["history"].as_array();
  EXPECT_EQ(history.size(), 3u);  // fascicolo, annulment reason, annulment authorisation
  EXPECT_EQ(api("POST", kApi + "/registrazioni/" + id + "/annullamento", key,
                R"({"reason":"Ancora","authorisation":"Det. 4/2026"})")
                .status,
            409);
}

TEST_P(ApiTest, ARetriedRequestWithTheSameKeyGetsTheSameNumber) {
  const auto key = api_key(asti_, {"protocollo:write"});
  const auto body = registration("Istanza", sample_pdf("istanza"));
  const std::vector<std::pair<std::string, std::string>> idem{{"idempotency-key", "req-42"}};
  auto first = api("POST", kApi + "/registrazioni", key, body, idem);
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = api("POST", kApi + "/registrazioni", key, body, idem);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(json_of(retry)["id"], json_of(first)["id"]);
  EXPECT_EQ(json_of(retry)["number"].as_int64(), 1);
  // The same key with another request is refused; a new key registers the next number.
  auto conflict =
      api("POST", kApi + "/registrazioni", key, registration("Altra istanza", sample_pdf("x")), idem);
  EXPECT_EQ(conflict.status, 422);
  auto next = api("POST", kApi + "/registrazioni", key, body, {{"idempotency-key", "req-43"}});
  ASSERT_EQ(next.status, 201);
  EXPECT_EQ(json_of(next)["number"].as_int64(), 2);
  // Another body may use the same key name for its own requests: keys are per body.
  const auto novara_key = api_key(novara_, {"protocollo:write"});
  auto novara = api("POST", "/api/v1/backoffice/novara/protocollo/registrazioni", novara_key, body, idem);
  ASSERT_EQ(novara.status, 201) << novara.body;
  EXPECT_EQ(json_of(novara)["number"].as_int64(), 1);
  EXPECT_NE(json_of(novara)["id"], json_of(first)["id"]);
}

TEST_P(ApiTest, ScopesAndBodiesAreWalls) {
  const auto asti_key = api_key(asti_, {"protocollo:read", "protocollo:write"});
  auto r = api("POST", kApi + "/registrazioni", asti_key, registration("Riservata", sample_pdf()));
  ASSERT_EQ(r.status, 201);
  const std::string id(json_of(r)["id"].as_string());

  EXPECT_EQ(api("GET", kApi + "/registrazioni", "").status, 401);
  EXPECT_EQ(api("GET", kApi + "/registrazioni", "sp_notakeyatall").status, 401);
  const auto read_only = api_key(asti_, {"protocollo:read"});
  EXPECT_EQ(api("GET", kApi + "/registrazioni/" + id, read_only).status, 200);
  EXPECT_EQ(api("POST", kApi + "/registrazioni", read_only, registration("x", sample_pdf())).status, 403);
  EXPECT_EQ(api("POST", kApi + "/registrazioni/" + id + "/annullamento", read_only,
                R"({"reason":"x","authorisation":"y"})")
                .status,
            403);

  const auto novara_key = api_key(novara_, {"protocollo:read", "protocollo:write"});
  EXPECT_EQ(api("GET", kApi + "/registrazioni/" + id, novara_key).status, 403);
  EXPECT_EQ(api("POST", kApi + "/registrazioni/" + id + "/annullamento", novara_key,
                R"({"reason":"x","authorisation":"y"})")
                .status,
            403);
  const std::string novara_api = "/api/v1/backoffice/novara/protocollo";
  EXPECT_EQ(api("GET", novara_api + "/registrazioni/" + id, novara_key).status, 404);
  EXPECT_EQ(api("POST", novara_api + "/registrazioni/" + id + "/annullamento", novara_key,
                R"({"reason":"x","authorisation":"y"})")
                .status,
            404);
  EXPECT_EQ(json_of(api("GET", novara_api + "/registrazioni", novara_key))["count"].as_int64(), 0);
  EXPECT_FALSE(json_of(api("GET", kApi + "/registrazioni/" + id, asti_key))["annulled"].as_bool());
  // Bad input is explained, in Italian by default.
  auto bad = api("POST", kApi + "/registrazioni", asti_key, "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("JSON"), std::string::npos);
  auto no_subject = api("POST", kApi + "/registrazioni", asti_key, R"({"subject":"","correspondents":[]})");
  EXPECT_EQ(no_subject.status, 400);
  EXPECT_NE(no_subject.body.find("oggetto"), std::string::npos);

  // Another administration's codes are checked by the domain, as on the form: both codes, well formed, and
  // the AOO's PEC address outside the hub; the same localised refusals.
  json::object outside{
      {"subject", "Trasmissione"},
      {"direction", "outgoing"},
      {"correspondents",
       json::array{json::object{
           {"kind", "body"}, {"name", "Regione Simulata"}, {"ipa_code", "r_simul"}, {"aoo_code", ""}}}},
      {"documents", json::array{json::object{{"file_name", "nota.pdf"},
                                             {"mime_type", "application/pdf"},
                                             {"size", 4},
                                             {"sha256", digest::sha256_hex("nota")}}}}};
  auto& who = outside["correspondents"].as_array()[0].as_object();
  auto refused = api("POST", kApi + "/registrazioni", asti_key, json::serialize(outside));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("Codice IPA e codice AOO vanno indicati entrambi"), std::string::npos)
      << refused.body;
  who["aoo_code"] = "AOO <1>";
  EXPECT_EQ(api("POST", kApi + "/registrazioni", asti_key, json::serialize(outside)).status, 400);
  who["aoo_code"] = "aoo_simul";
  refused = api("POST", kApi + "/registrazioni", asti_key, json::serialize(outside));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("indica la PEC della sua AOO"), std::string::npos) << refused.body;
  who["pec"] = "protocollo@pec.regione-simulata.example";
  auto accepted = api("POST", kApi + "/registrazioni", asti_key, json::serialize(outside));
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  auto people = json_of(accepted)["correspondents"].as_array();
  EXPECT_EQ(people[0].as_object()["ipa_code"].as_string(), "r_simul");
  EXPECT_EQ(people[0].as_object()["aoo_code"].as_string(), "aoo_simul");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ApiTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
