// The digital stamp's pages through the whole application (routing, guards, CSRF, templates, rate limit)
// without sockets, on both databases with the demo (every body has a stamp key): the public /verifica by
// identifier, by scanned code and by upload, what it shows and hides, the rate limit, and revocation by
// the body's office manager — never by another body's staff.
#include <gtest/gtest.h>

#include "app/app.hpp"
#include "core/pdf/document.hpp"
#include "stamp/pdf_stamp.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"

namespace {

class StampPageTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.audit_key_file = (files_->path() / "audit.key").string();
    config.keys_dir = (files_->path() / "keys").string();
    config.access_log = false;
    database_ = sp::testing::demo_database(GetParam(), config);
    config.database = database_->url();
    app_ = std::make_unique<sp::app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<sp::identity::SessionService>(app_->database(), sp::time::system_clock());
    sp::tenants::TenantService tenants(app_->database());
    tenants.reload();
    asti_ = tenants.by_slug("asti")->id;

    sp::stamp::IssueRequest r{asti_,          "case-letter", "Provvedimento di accoglimento",
                              "0000123/2026", "it",          "staff-x"};
    auto issued = app_->stamps().issue(r, [](const sp::stamp::Block& b) {
      sp::pdf::Document doc(
          {.title = "Provvedimento", .author = "Comune di Asti", .page_label = "{page}/{pages}"});
      doc.heading(1, "Provvedimento di accoglimento");
      doc.paragraph("Si accoglie la domanda di Mario Rossi.");
      sp::stamp::add_block(doc, b);
      return doc.finish();
    });
    ASSERT_TRUE(issued.ok()) << issued.error().code << " " << issued.error().detail;
    doc_ = *issued;
  }

  std::string token_of(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }

  sp::http::Response call(const std::string& method, const std::string& target, const std::string& token = {},
                          const std::string& body = {}, const std::string& content_type = {},
                          const std::string& remote = "192.0.2.1") {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, target).ok()) << target;
    req.remote_addr = remote;
    req.headers.emplace_back("host", "localhost");
    if (!token.empty()) req.headers.emplace_back("cookie", "sp_session=" + token);
    if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
    req.body = body;
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }

  sp::http::Response upload(const std::string& pdf, const std::string& remote = "192.0.2.1") {
    const std::string b = "----stampboundary";
    std::string body = "--" + b +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"doc.pdf\"\r\n"
                       "Content-Type: application/pdf\r\n\r\n" +
                       pdf + "\r\n--" + b + "--\r\n";
    return call("POST", "/verifica", {}, body, "multipart/form-data; boundary=" + b, remote);
  }

  sp::http::Response revoke(const std::string& slug, const std::string& token, const std::string& reason) {
    std::string csrf;
    if (auto p = sessions_->resume(token)) csrf = p->csrf_token;
    return call("POST", "/backoffice/" + slug + "/contrassegni/" + doc_.token + "/revoca", token,
                "_csrf=" + csrf + "&reason=" + reason, "application/x-www-form-urlencoded");
  }

  static std::string verdict(const sp::http::Response& r) {
    auto at = r.body.find("data-verdict=\"");
    if (at == std::string::npos) return {};
    at += 14;
    return r.body.substr(at, r.body.find('"', at) - at);
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
  sp::tenants::TenantId asti_ = 0;
  sp::stamp::Issued doc_;
};

TEST_P(StampPageTest, VerifiedByAnyoneRateLimitedRevokedByTheBodysManager) {
  auto empty = call("GET", "/verifica");
  ASSERT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("name=\"robots\" content=\"noindex"), std::string::npos);
  EXPECT_EQ(verdict(empty), "");
  EXPECT_NE(empty.body.find(">Verifica di un documento</h1>"), std::string::npos);

  auto by_id = call("GET", "/verifica?id=" + doc_.token);
  ASSERT_EQ(by_id.status, 200);
  EXPECT_EQ(verdict(by_id), "valid");
  EXPECT_NE(by_id.body.find("Provvedimento di accoglimento"), std::string::npos);
  EXPECT_NE(by_id.body.find("0000123/2026"), std::string::npos);
  EXPECT_NE(by_id.body.find("Comune di Asti"), std::string::npos);
  // Who issued it, the digest, the key and the code are not printed as such: never shown.
  EXPECT_EQ(by_id.body.find("staff-x"), std::string::npos);
  EXPECT_EQ(by_id.body.find(doc_.seal.key_id), std::string::npos);

  const auto code = sp::stamp::split(doc_.pdf)->payload;
  auto scanned = call("GET", code.substr(code.find("/verifica?")));
  EXPECT_EQ(verdict(scanned), "valid") << scanned.body.substr(0, 200);

  EXPECT_EQ(verdict(upload(doc_.pdf)), "valid");
  auto altered = doc_.pdf;
  altered[altered.size() / 2] = static_cast<char>(altered[altered.size() / 2] ^ 0x04);
  EXPECT_EQ(verdict(upload(altered)), "altered");
  EXPECT_EQ(verdict(call("GET", "/verifica?id=AAAAAAAAAAAAAAAAAAAAAA")), "unknown");

  // Rate-limited per address (one application per test: its construction is what costs).
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = call("GET", "/verifica?id=" + doc_.token, {}, {}, {}, "198.51.100.7");
    if (r.status == 429) ++limited;
  }
  EXPECT_EQ(limited, 10);  // 30 a minute
  EXPECT_EQ(call("GET", "/verifica?id=" + doc_.token, {}, {}, {}, "198.51.100.8").status, 200);
  EXPECT_EQ(call("GET", "/verifica").status, 200) << "the empty form is never limited";

  // Revocation: by the body's office manager, never by another body's staff or a plain operator.
  const auto novara = token_of("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(revoke("novara", novara, "prova").status, 404) << "not Novara's document";
  EXPECT_EQ(revoke("asti", novara, "prova").status, 403);
  const auto operator_ = token_of("operatore@asti.example", "Asti-operatore-2026!");
  EXPECT_EQ(revoke("asti", operator_, "prova").status, 403);
  EXPECT_EQ(verdict(call("GET", "/verifica?id=" + doc_.token)), "valid");

  const auto manager = token_of("responsabile@asti.example", "Asti-responsabile-2026!");
  auto list = call("GET", "/backoffice/asti/contrassegni", manager);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(doc_.token), std::string::npos);
  auto done = revoke("asti", manager, "Emesso+per+errore");
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(verdict(call("GET", "/verifica?id=" + doc_.token)), "revoked");
  EXPECT_EQ(verdict(upload(doc_.pdf)), "revoked");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, StampPageTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
