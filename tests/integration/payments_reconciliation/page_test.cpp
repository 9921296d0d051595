// The reconciliation page through the whole application (routing, sessions, guard, CSRF, multipart,
// templates) without sockets, on both databases, with the demo's bodies and staff: Asti's administrator
// uploads a flow and a statement and exports the view; Novara's staff get 404; anonymous callers sign in.
#include "app/app.hpp"
#include "http/server.hpp"
#include "integration/payments_reconciliation/recon_fixture.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"

namespace sp::payments::recon_testing {
namespace {

class ReconPageTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    fdr_ = std::make_unique<FdrServer>(source_);
    Config config = load_config("").value();
    config.sim_pagopa = false;  // the FdR API is this test's server
    config.pagopa_fdr_url = fdr_->base();
    config.pagopa_subscription_key = "sub-key";
    config.demo = true;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.audit_key_file = (files_->path() / "audit.key").string();
    config.keys_dir = (files_->path() / "keys").string();
    config.access_log = false;
    database_ = sp::testing::demo_database(GetParam(), config);
    config.database = database_->url();
    app_ = std::make_unique<app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<identity::SessionService>(app_->database(), time::system_clock());
    app_->database().read([&](db::Conn& c) {
      asti_cf_ = c.query_one(
                      "SELECT c.fiscal_code FROM payment_creditors c JOIN bodies b ON b.id = c.tenant_id "
                      "WHERE b.slug = 'asti'")
                     ->text(0);
    });
  }

  std::string token_of(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }

  http::Response call(const std::string& method, const std::string& target, const std::string& token,
                      const std::string& file_field = {}, const std::string& file = {}) {
    http::Request req;
    req.method = method;
    EXPECT_TRUE(http::parse_target(req, target).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    if (!token.empty()) req.headers.emplace_back("cookie", "sp_session=" + token);
    if (method == "POST") {
      std::string csrf;
      if (auto p = sessions_->resume(token)) csrf = p->csrf_token;
      const std::string b = "----recon-boundary";
      req.headers.emplace_back("content-type", "multipart/form-data; boundary=" + b);
      req.body = "--" + b + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + csrf + "\r\n--" +
                 b + "\r\nContent-Disposition: form-data; name=\"" + file_field +
                 "\"; filename=\"upload\"\r\n" + "Content-Type: application/octet-stream\r\n\r\n" + file +
                 "\r\n--" + b + "--\r\n";
    }
    return http::dispatch(app_->router(), hooks_, options_, req);
  }
  // A plain form POST with the session's CSRF token (the pull button).
  http::Response post_form(const std::string& target, const std::string& token) {
    http::Request req;
    req.method = "POST";
    EXPECT_TRUE(http::parse_target(req, target).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + token);
    req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    std::string csrf;
    if (auto p = sessions_->resume(token)) csrf = p->csrf_token;
    req.body = "_csrf=" + csrf;
    return http::dispatch(app_->router(), hooks_, options_, req);
  }
  static std::string location(const http::Response& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "Location" || k == "location") return v;
    return {};
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  TestSource source_;
  std::unique_ptr<FdrServer> fdr_;
  std::unique_ptr<app::App> app_;
  http::Hooks hooks_;
  http::ServerOptions options_;
  std::unique_ptr<identity::SessionService> sessions_;
  std::string asti_cf_;
};

const std::string kPage = "/backoffice/asti/pagamenti/riconciliazione";

TEST_P(ReconPageTest, AstisAdministratorUploadsAFlowAndAStatementAndExportsTheDay) {
  const auto admin = token_of("admin@asti.example", "Asti-admin-2026!");
  EXPECT_NE(call("GET", "/backoffice/", admin).body.find("href=\"" + kPage + "\""), std::string::npos)
      << "linked from the staff home";
  auto empty = call("GET", kPage, admin);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_NE(empty.body.find("Riconciliazione pagoPA"), std::string::npos);

  const auto xml = fdr::render_fdr_xml(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z",
                                                 {pay("02000000000009901", "iur-1", 1234)}, asti_cf_));
  auto up = call("POST", kPage + "/flusso", admin, "flusso", xml);
  ASSERT_EQ(up.status, 303) << up.body;
  EXPECT_EQ(location(up), kPage + "?giorno=2026-03-05&importato=recorded");
  auto again = call("POST", kPage + "/flusso", admin, "flusso", xml);
  EXPECT_EQ(location(again), kPage + "?giorno=2026-03-05&importato=unchanged");
  auto st = call("POST", kPage + "/estratto-conto", admin, "estratto",
                 "Data contabile;Data valuta;Importo;Segno;Descrizione;Riferimento banca\r\n"
                 "05/03/2026;05/03/2026;12,34;C;/PUR/LGPE-RIVERSAMENTO/URI/2026-03-05BCITITMM-0001;R1\r\n");
  ASSERT_EQ(st.status, 303) << st.body;

  auto page = call("GET", kPage + "?giorno=2026-03-05", admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-flow=\"2026-03-05BCITITMM-0001\""), std::string::npos);
  EXPECT_NE(page.body.find("IUV sconosciuto"), std::string::npos);
  EXPECT_NE(page.body.find("incassato"), std::string::npos);
  auto en = call("GET", kPage + "?giorno=2026-03-05&lang=en", admin);
  EXPECT_NE(en.body.find("unknown IUV"), std::string::npos);

  auto csv = call("GET", kPage + "/export.csv?giorno=2026-03-05", admin);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("2026-03-05;BCITITMM;2026-03-05BCITITMM-0001;02000000000009901;iur-1;1;12,34;;0;"
                          "IUV sconosciuto;no;sì;incassato\r\n"),
            std::string::npos)
      << csv.body;

  // Another body's flow: refused with a message, nothing recorded.
  const auto other = fdr::render_fdr_xml(make_flow("2026-03-05BCITITMM-0002", "2026-03-05T06:30:00Z",
                                                   {pay("02000000000009902", "iur-2", 100)}, "00000000000"));
  auto refused = call("POST", kPage + "/flusso", admin, "flusso", other);
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("destinato a un altro ente"), std::string::npos);
}

TEST_P(ReconPageTest, AManagerDownloadsTheFlowsNowAndAnOperatorOnlyReads) {
  source_.flows.push_back(make_flow("2026-03-05BCITITMM-0003", "2026-03-05T06:30:00Z",
                                    {pay("02000000000009903", "iur-3", 500)}, asti_cf_));
  const auto manager = token_of("responsabile@asti.example", "Asti-responsabile-2026!");
  auto page = call("GET", kPage, manager);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"pull-flows\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"upload-flow\""), std::string::npos);

  auto pulled = post_form(kPage + "/scarica", manager);
  ASSERT_EQ(pulled.status, 303) << pulled.body;
  EXPECT_EQ(location(pulled), kPage + "?importato=pull&nuovi=1&aggiornati=0&presenti=0");
  auto shown = call("GET", location(pulled) + "&giorno=2026-03-05", manager);
  EXPECT_NE(shown.body.find("1 nuovi, 0 aggiornati, 0 già registrati"), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find("data-flow=\"2026-03-05BCITITMM-0003\""), std::string::npos);
  // Again: the flow is known, nothing is fetched or recorded twice.
  auto again = post_form(kPage + "/scarica", manager);
  EXPECT_EQ(location(again), kPage + "?importato=pull&nuovi=0&aggiornati=0&presenti=1");
  // A forged count in the query shows as 0, never as text.
  auto forged = call("GET", kPage + "?importato=pull&nuovi=<b>x</b>", manager);
  EXPECT_NE(forged.body.find("0 nuovi"), std::string::npos);

  // An operator sees the day, without the forms, and cannot import or pull.
  const auto op = token_of("operatore@asti.example", "Asti-operatore-2026!");
  auto read = call("GET", kPage + "?giorno=2026-03-05", op);
  ASSERT_EQ(read.status, 200);
  EXPECT_NE(read.body.find("data-flow=\"2026-03-05BCITITMM-0003\""), std::string::npos);
  EXPECT_EQ(read.body.find("id=\"pull-flows\""), std::string::npos);
  EXPECT_EQ(read.body.find("id=\"upload-flow\""), std::string::npos);
  EXPECT_EQ(post_form(kPage + "/scarica", op).status, 403);
  const auto xml = fdr::render_fdr_xml(make_flow("2026-03-05BCITITMM-0004", "2026-03-05T06:30:00Z",
                                                 {pay("02000000000009904", "iur-4", 100)}, asti_cf_));
  EXPECT_EQ(call("POST", kPage + "/flusso", op, "flusso", xml).status, 403);
  auto after = call("GET", kPage + "?giorno=2026-03-05", op);
  EXPECT_EQ(after.body.find("2026-03-05BCITITMM-0004"), std::string::npos) << "nothing recorded";
}

TEST_P(ReconPageTest, AnotherBodysStaffGet404AndAnonymousCallersSignIn) {
  const auto novara = token_of("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(call("GET", kPage, novara).status, 404);
  EXPECT_EQ(call("GET", kPage + "/export.csv", novara).status, 404);
  EXPECT_EQ(call("POST", kPage + "/flusso", novara, "flusso", "<x/>").status, 404);
  auto anon = call("GET", kPage, "");
  EXPECT_TRUE(anon.status == 302 || anon.status == 303) << anon.status;
  EXPECT_NE(location(anon).find("/backoffice/accedi"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ReconPageTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::recon_testing
