// Issue 10 through the whole application: HSTS and the Secure language cookie on https, invalid API keys
// and sign-outs in the audit log, and ids in URLs parsed strictly.
#include "app_fixture.hpp"
#include "audit/service.hpp"

namespace sp::protocollo::webtest {
namespace {

using AppSecurityTest = AppTest;

std::vector<audit::StoredEntry> audited(db::Database& db, tenants::TenantId tenant,
                                        const std::string& action) {
  audit::Query q;
  q.action = action;
  q.limit = 100;
  return audit::AuditService(db).entries(tenant, q).entries;
}

TEST_P(AppSecurityTest, HttpsPublicUrlBringsHstsAndASecureLanguageCookie) {
  auto plain = get("/lang/en?next=/asti/", "");
  ASSERT_EQ(plain.status, 303);
  EXPECT_EQ(header(plain, "strict-transport-security"), "");
  EXPECT_EQ(header(plain, "set-cookie").find("Secure"), std::string::npos);

  Config config = app_->config();
  config.public_url = "https://sportello.example";
  config.demo = false;  // the same database, already seeded
  app::App https(config);
  auto hooks = https.hooks();
  auto options = https.server_options();
  options.static_dir.clear();
  auto req = request("GET", "/lang/en?next=/asti/", "");
  auto r = http::dispatch(https.router(), hooks, options, req);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(header(r, "strict-transport-security"), "max-age=31536000");
  EXPECT_NE(header(r, "set-cookie").find("; Secure"), std::string::npos) << header(r, "set-cookie");
  EXPECT_EQ(header(r, "location"), "/asti/");
  auto page_req = request("GET", "/asti/", "");
  EXPECT_EQ(header(http::dispatch(https.router(), hooks, options, page_req), "strict-transport-security"),
            "max-age=31536000");
}

TEST_P(AppSecurityTest, AnInvalidApiKeyIsAuditedOnTheBodyCalledAndAggregated) {
  const std::string path = "/api/v1/backoffice/asti/protocollo/registrazioni";
  const std::string forged = "sp_" + std::string(43, 'A');
  for (int i = 0; i < 3; ++i) EXPECT_EQ(api("GET", path, forged).status, 401);
  auto entries = audited(app_->database(), asti_, "api_key.invalid");
  ASSERT_EQ(entries.size(), 1U) << "one entry for the burst";
  EXPECT_EQ(entries[0].entry.record_id, path);
  EXPECT_EQ(entries[0].entry.remote_addr, "127.0.0.1");
  EXPECT_TRUE(audited(app_->database(), novara_, "api_key.invalid").empty());
}

TEST_P(AppSecurityTest, SignOutsAreAudited) {
  const auto admin = staff_session("admin@asti.example", "Asti-admin-2026!");
  ASSERT_EQ(audited(app_->database(), asti_, "staff.sign_out").size(), 0U);
  auto out = post_form("/esci", admin, "");
  EXPECT_EQ(out.status, 303);
  auto entries = audited(app_->database(), asti_, "staff.sign_out");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].entry.actor_kind, audit::ActorKind::staff);
}

TEST_P(AppSecurityTest, IdsInUrlsAreParsedStrictly) {
  const auto key = api_key(asti_, {"protocollo:read", "protocollo:write"});
  const std::string doc = sample_pdf("strict");
  auto r =
      api("POST", "/api/v1/backoffice/asti/protocollo/registrazioni", key,
          R"({"direction":"incoming","subject":"Prova","correspondents":[{"kind":"person","name":"Maria"}],)"
          R"("documents":[{"file_name":"a.pdf","content_base64":"JVBERi0xLjQKJSVFT0YK"}]})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id(json_of(r)["id"].as_string());
  const auto op = operator_session();
  const std::string base = "/backoffice/asti/protocollo/" + id + "/documenti/";
  EXPECT_EQ(get(base + "0", op).status, 200);
  for (const char* bad : {"+0", "0abc", "-0", "%200", "00x"})
    EXPECT_EQ(get(base + bad, op).status, 404) << bad;
  for (const char* bad : {"1abc", "+1"}) {
    EXPECT_EQ(get(std::string("/backoffice/asti/protocollo/registro-giornaliero/") + bad + "/pdf", op).status,
              404)
        << bad;
    EXPECT_EQ(api("GET",
                  std::string("/api/v1/backoffice/asti/protocollo/registri-giornalieri/") + bad + "/pdf", key)
                  .status,
              404)
        << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AppSecurityTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
