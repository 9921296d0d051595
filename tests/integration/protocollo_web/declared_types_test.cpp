// Issue 10, point 1: a protocollo:write key holder declared a document's type as
// "text/html\r\nContent-Length: ...\r\n\r\n<script>..." and the script ran in the body administrator's
// browser when the document was downloaded. The declared type is now validated, the bytes' type wins,
// a disagreement is recorded, and what a browser could run is only ever served inert.
#include <sodium.h>

#include "app_fixture.hpp"
#include "core/digest.hpp"

namespace sp::protocollo::webtest {
namespace {

using DeclaredTypesTest = AppTest;
namespace json = boost::json;

const std::string kDeclApi = "/api/v1/backoffice/asti/protocollo";
const std::string kDeclBase = "/backoffice/asti/protocollo";
const std::string kDeclHtml =
    "<!DOCTYPE html>\n<html><body><script>fetch('/backoffice/asti/chiavi-api')</script>"
    "</body></html>\n";

std::string decl_b64(const std::string& bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

std::string decl_with_document(json::object doc) {
  json::object o{{"direction", "incoming"},
                 {"subject", "Istanza"},
                 {"correspondents", json::array{json::object{{"kind", "person"}, {"name", "Maria Bianchi"}}}},
                 {"documents", json::array{std::move(doc)}}};
  return json::serialize(o);
}

TEST_P(DeclaredTypesTest, AContentTypeWithControlCharactersIsRefusedAndNothingIsRegistered) {
  const auto key = api_key(asti_, {"protocollo:read", "protocollo:write"});
  for (const std::string& type :
       {std::string("text/html\r\nContent-Length: 25\r\n\r\n<script>alert(1)</script>"),
        std::string("application/pdf\n"), std::string("text/html\x01"), std::string("not a type")}) {
    auto with_bytes =
        api("POST", kDeclApi + "/registrazioni", key,
            decl_with_document(
                {{"file_name", "a.pdf"}, {"mime_type", type}, {"content_base64", decl_b64(sample_pdf())}}));
    EXPECT_EQ(with_bytes.status, 400) << with_bytes.body;
    EXPECT_EQ(json_of(with_bytes)["error"].as_object()["error"].as_string(), "protocollo.mime_type");
    auto by_digest = api("POST", kDeclApi + "/registrazioni", key,
                         decl_with_document({{"file_name", "a.pdf"},
                                             {"mime_type", type},
                                             {"size", 10},
                                             {"sha256", digest::sha256_hex("a")}}));
    EXPECT_EQ(by_digest.status, 400) << by_digest.body;
  }
  EXPECT_EQ(json_of(api("GET", kDeclApi + "/registrazioni", key))["count"].as_int64(), 0);
}

TEST_P(DeclaredTypesTest, TheBytesWinTheMismatchIsRecordedAndActiveContentIsServedInert) {
  const auto key = api_key(asti_, {"protocollo:read", "protocollo:write"});
  auto r = api("POST", kDeclApi + "/registrazioni", key,
               decl_with_document({{"file_name", "domanda.pdf"},
                                   {"mime_type", "application/pdf"},
                                   {"content_base64", decl_b64(kDeclHtml)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = json_of(r)["documents"].as_array()[0].as_object();
  EXPECT_EQ(doc["mime_type"].as_string(), "text/html");
  EXPECT_EQ(doc["declared_mime_type"].as_string(), "application/pdf");
  const std::string id(json_of(r)["id"].as_string());

  // The registry keeps it (it must register what arrives), the entry says the sender's type was wrong,
  // and the download can never run in the browser.
  const auto admin = staff_session("admin@asti.example", "Asti-admin-2026!");
  auto page = get(kDeclBase + "/" + id, admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Il mittente lo dichiarava application/pdf"), std::string::npos);
  auto download = get(kDeclBase + "/" + id + "/documenti/0", admin);
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.body, kDeclHtml);
  EXPECT_EQ(download.content_type, "application/octet-stream");
  EXPECT_EQ(header(download, "content-security-policy"), "sandbox");
  EXPECT_EQ(header(download, "content-disposition").rfind("attachment;", 0), 0u);
  EXPECT_EQ(header(download, "x-content-type-options"), "nosniff");

  // The same bytes declared truthfully: no mismatch, still inert.
  auto honest = api("POST", kDeclApi + "/registrazioni", key,
                    decl_with_document({{"file_name", "pagina.html"},
                                        {"mime_type", "TEXT/HTML; charset=utf-8"},
                                        {"content_base64", decl_b64(kDeclHtml)}}));
  ASSERT_EQ(honest.status, 201) << honest.body;
  auto hdoc = json_of(honest)["documents"].as_array()[0].as_object();
  EXPECT_EQ(hdoc["mime_type"].as_string(), "text/html");
  EXPECT_TRUE(hdoc["declared_mime_type"].is_null());
}

TEST_P(DeclaredTypesTest, KnownCompatibleTypesKeepTheDeclaredOne) {
  const auto key = api_key(asti_, {"protocollo:read", "protocollo:write"});
  // A minimal ZIP (an empty archive), which is what libmagic reads a .docx as.
  const std::string empty_zip("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
  const std::string docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  auto r = api(
      "POST", kDeclApi + "/registrazioni", key,
      decl_with_document(
          {{"file_name", "relazione.docx"}, {"mime_type", docx}, {"content_base64", decl_b64(empty_zip)}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = json_of(r)["documents"].as_array()[0].as_object();
  EXPECT_EQ(doc["mime_type"].as_string(), docx);
  EXPECT_TRUE(doc["declared_mime_type"].is_null());
  // A document registered by digest keeps its declared type, normalised.
  auto d = api("POST", kDeclApi + "/registrazioni", key,
               decl_with_document({{"file_name", "nota.pdf"},
                                   {"mime_type", "Application/PDF"},
                                   {"size", 10},
                                   {"sha256", digest::sha256_hex("nota")}}));
  ASSERT_EQ(d.status, 201) << d.body;
  EXPECT_EQ(json_of(d)["documents"].as_array()[0].as_object()["mime_type"].as_string(), "application/pdf");
}

TEST_P(DeclaredTypesTest, AnAooCodeThatCouldReachAHeaderIsRefused) {
  for (const auto& [admin_code, code] :
       std::vector<std::pair<std::string, std::string>>{{"c_a479", "AOO\r\nSet-Cookie: x=1"},
                                                        {"c_a479\n", "AOO2"},
                                                        {"c_a479", "a/b"},
                                                        {"c_a479", "a b"},
                                                        {"c_a479", std::string(33, 'a')},
                                                        {"c\"a", "AOO3"}}) {
    auto a = app_->protocol().create_aoo(asti_, admin_code, code, "Registro");
    ASSERT_FALSE(a.ok()) << code;
    EXPECT_EQ(a.error().code, "protocollo.aoo_code");
  }
  auto ok = app_->protocol().create_aoo(asti_, "c_a479", "AOO_TEC-2.0", "Registro tecnico");
  EXPECT_TRUE(ok.ok());
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, DeclaredTypesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
