// The real `sportello` binary, seeded with the demo data, on SQLite and on PostgreSQL: pages, API, language,
// host-name mapping, and bad input that must end in a 4xx or a closed connection, never a dead server.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "adapters/http_client.hpp"
#include "catalog/service.hpp"
#include "core/partita_iva.hpp"
#include "core/text.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"
#include "tenants/store.hpp"

namespace {

using sp::testing::http_get;
using sp::testing::raw_exchange;

// One demo server per database for the whole suite (starting and seeding the demo costs seconds under
// the sanitizers): the cases only read, except the station's payment, which pays a notice nobody else
// uses and restarts the server it shares. TearDownTestSuite stops each with SIGTERM and expects exit 0.
class ServerTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  struct Shared {
    std::unique_ptr<sp::testing::TestDatabase> database;
    std::unique_ptr<sp::testing::TempDir> files;
    std::unique_ptr<sp::testing::ServerProcess> server;
  };
  static std::map<sp::db::Dialect, Shared>& shared() {
    static std::map<sp::db::Dialect, Shared> servers;
    return servers;
  }

  static void TearDownTestSuite() {
    for (auto& [dialect, s] : shared())
      if (s.server) EXPECT_EQ(s.server->terminate(), 0) << "graceful SIGTERM stop should exit 0";
    shared().clear();
  }

  void SetUp() override {
    auto& s = shared()[GetParam()];
    if (!s.server) {
      s.database = std::make_unique<sp::testing::TestDatabase>(GetParam());
      s.files = std::make_unique<sp::testing::TempDir>();
    }
    database_ = s.database.get();
    files_ = s.files.get();
    if (!s.server) {
      start();
    } else {
      server_ = s.server.get();
      port_ = server_->port();
    }
  }

  void start() {
    auto& s = shared()[GetParam()];
    s.server = std::make_unique<sp::testing::ServerProcess>(
        std::vector<std::string>{sp::testing::binary(), "serve", "--demo"},
        std::vector<std::string>{
            "SPORTELLO_DATABASE=" + database_->url(),
            // Free ports chosen by the server, read from its port file.
            "SPORTELLO_PORT=0", "SPORTELLO_ACCESS_LOG=false", "SPORTELLO_REQUEST_TIMEOUT_MS=1500",
            "SPORTELLO_THREADS=2", "SPORTELLO_LOG_LEVEL=warn", "SPORTELLO_SIM_IDP_PORT=0",
            "SPORTELLO_SIM_PAGOPA_PORT=0", "SPORTELLO_SIM_ANPR_PORT=0", "SPORTELLO_DIRECTORY_REFRESH_MS=200",
            "SPORTELLO_KEYS_DIR=" + (files_->path() / "keys").string(),
            "SPORTELLO_OIDC_RP_KEY_FILE=" + (files_->path() / "rp.pem").string()});
    server_ = s.server.get();
    ASSERT_TRUE(server_->wait_ready(60000)) << "server did not become ready";
    port_ = server_->port();
  }

  // Response headers, lower-cased, each line ending in CRLF (names are case-insensitive in HTTP).
  static std::string headers_of(const sp::testing::HttpReply& r) {
    std::string h = r.headers + "\r\n";
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
    return h;
  }

  std::string server_port_file() const { return server_->port_file(); }
  bool healthy() { return http_get(port_, "/healthz").status == 200; }

  sp::testing::TestDatabase* database_ = nullptr;
  sp::testing::TempDir* files_ = nullptr;
  std::uint16_t port_ = 0;
  sp::testing::ServerProcess* server_ = nullptr;
};

// Issue 12: every listener takes port 0 as "pick a free one" and says which it took (port file); the
// simulator's issuer follows its real port; the demo's bodies publish their stamp keys.
TEST_P(ServerTest, ListenersOnFreePortsSayWhichTheyTookAndTheIssuerFollows) {
  EXPECT_NE(port_, 0);
  const auto sim = sp::testing::read_port_file(server_port_file(), "sim_idp");
  ASSERT_NE(sim, 0);
  EXPECT_NE(sp::testing::read_port_file(server_port_file(), "smtp_sink"), 0);
  auto discovery = http_get(sim, "/.well-known/openid-configuration");
  ASSERT_EQ(discovery.status, 200);
  EXPECT_NE(discovery.body.find("\"issuer\":\"http://localhost:" + std::to_string(sim) + "\""),
            std::string::npos)
      << discovery.body;
  auto keys = http_get(port_, "/asti/chiavi.json");
  ASSERT_EQ(keys.status, 200);
  EXPECT_NE(keys.body.find("\"crv\":\"Ed25519\""), std::string::npos) << keys.body;
  EXPECT_NE(keys.body.find("\"status\":\"active\""), std::string::npos) << keys.body;
  EXPECT_EQ(keys.body.find("\"d\""), std::string::npos);  // never a private part
  EXPECT_EQ(http_get(port_, "/nessuno/chiavi.json").status, 404);
}

// Issue 13: the demo's pagoPA simulator reaches the bodies' stations with the node credential the hub
// issued it: a demo notice paid at its PSP is recorded by the hub.
TEST_P(ServerTest, TheDemosPagopaSimulatorPaysANoticeAtTheHubsStation) {
  const auto sim = sp::testing::read_port_file(server_port_file(), "sim_pagopa");
  ASSERT_NE(sim, 0);
  std::string nav;
  database_->db().read([&](sp::db::Conn& c) {
    auto r = c.query_one(
        "SELECT o.nav FROM payment_options o JOIN payment_positions p ON p.id = o.position_id "
        "WHERE o.status = 'unpaid' AND p.status = 'VALID' AND NOT o.is_partial_payment AND p.tenant_id = "
        "(SELECT id FROM bodies WHERE slug = 'asti') ORDER BY o.id");
    if (r) nav = r->text(0);
  });
  ASSERT_FALSE(nav.empty()) << "the demo has a payable notice";
  sp::adapters::HttpClient http;
  auto r = http.send({"POST",
                      "http://127.0.0.1:" + std::to_string(sim) + "/sim/psp/payments",
                      {{"Content-Type", "application/json"}},
                      // Asti's: the demo has several creditor stations (Casale Monferrato's too).
                      R"({"notice_number":")" + nav + R"(","fiscal_code":"00563094549"})"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find(R"("outcome":"paid")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("station_answer":"OK")"), std::string::npos) << r->body;
  std::int64_t recorded = 0;
  database_->db().read([&](sp::db::Conn& c) {
    recorded =
        c.query_one("SELECT COUNT(*) FROM payment_receipts WHERE nav = $1 AND outcome = 'recorded'", {nav})
            ->i64(0);
  });
  EXPECT_EQ(recorded, 1);

  // Restarted on the same database: the node's credential is replaced, not added (one per body), and the
  // new simulator pays with the new one.
  auto credentials = [&] {
    std::int64_t n = 0;
    database_->db().read([&](sp::db::Conn& c) {
      n = c.query_one(
               "SELECT COUNT(*) FROM inbound_credentials WHERE system = 'pagopa-node' AND "
               "station = 'simulatore-pagopa'")
              ->i64(0);
    });
    return n;
  };
  const auto before = credentials();
  EXPECT_GE(before, 1);
  ASSERT_EQ(server_->terminate(), 0);
  start();
  EXPECT_EQ(credentials(), before);
  const auto sim2 = sp::testing::read_port_file(server_port_file(), "sim_pagopa");
  ASSERT_NE(sim2, 0);
  auto again = http.send({"POST",
                          "http://127.0.0.1:" + std::to_string(sim2) + "/sim/psp/payments",
                          {{"Content-Type", "application/json"}},
                          // Asti's: the demo has several creditor stations (Casale Monferrato's too).
                          R"({"notice_number":")" + nav + R"(","fiscal_code":"00563094549"})"});
  ASSERT_TRUE(again.ok());
  // Paid already: the station verified the call (the credential works) and refused the notice.
  EXPECT_NE(again->body.find(R"("fault_code":"PAA_PAGAMENTO_DUPLICATO")"), std::string::npos) << again->body;
}

TEST_P(ServerTest, HubHomeListsTheDemoBodies) {
  auto r = http_get(port_, "/");
  ASSERT_EQ(r.status, 200);
  for (const char* name : {"Casale Monferrato", "Asti", "Novara", "Como", "Cassola"}) {
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
  }
  EXPECT_NE(r.body.find("<html lang=\"it\""), std::string::npos);
  EXPECT_NE(headers_of(r).find("content-security-policy: default-src 'self'"), std::string::npos);

  auto filtered = http_get(port_, "/?q=cassola");
  EXPECT_NE(filtered.body.find("href=\"/cassola/\""), std::string::npos);
  EXPECT_EQ(filtered.body.find("href=\"/novara/\""), std::string::npos);
}

TEST_P(ServerTest, BodyHomeGroupsServicesByLifeEvent) {
  auto r = http_get(port_, "/asti/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Comune di Asti"), std::string::npos);
  EXPECT_NE(r.body.find("id=\"evento-studiare\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/asti/servizi/"), std::string::npos);
  // No other body's service links on Asti's page.
  EXPECT_EQ(r.body.find("href=\"/novara/servizi/"), std::string::npos);
  EXPECT_EQ(http_get(port_, "/asti").status, 301);
  EXPECT_EQ(http_get(port_, "/nessun-ente/").status, 404);
}

TEST_P(ServerTest, ServicePageShowsTheBodysVariantAndRefusesOtherBodiesServices) {
  auto api = http_get(port_, "/api/v1/bodies/asti/services");
  ASSERT_EQ(api.status, 200);
  auto doc = boost::json::parse(api.body).as_object();
  auto& services = doc.at("services").as_array();
  ASSERT_FALSE(services.empty());
  std::string code(services[0].at("code").as_string());
  auto page = http_get(port_, "/asti/servizi/" + code);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(std::string(services[0].at("title").at("it").as_string())), std::string::npos);

  // A service that Asti does not offer but another body does: 404 through Asti, 200 through its owner.
  auto all = boost::json::parse(http_get(port_, "/api/v1/services").body).as_object();
  std::set<std::string> asti_codes;
  for (const auto& s : services) asti_codes.insert(std::string(s.at("code").as_string()));
  bool checked = false;
  for (const auto& s : all.at("services").as_array()) {
    std::string c(s.at("code").as_string());
    if (asti_codes.count(c) || s.at("offered_by").as_array().empty()) continue;
    std::string owner(s.at("offered_by").as_array()[0].as_string());
    EXPECT_EQ(http_get(port_, "/asti/servizi/" + c).status, 404) << c;
    EXPECT_EQ(http_get(port_, "/api/v1/bodies/asti/services/" + c).status, 404) << c;
    EXPECT_EQ(http_get(port_, "/" + owner + "/servizi/" + c).status, 200) << c;
    checked = true;
    break;
  }
  EXPECT_TRUE(checked) << "demo data should have a service Asti does not offer";
}

TEST_P(ServerTest, EnglishIsAvailableBySwitchAndByHeader) {
  auto en = http_get(port_, "/asti/", {"Accept-Language: en-GB,en;q=0.9"});
  EXPECT_NE(en.body.find("<html lang=\"en\""), std::string::npos);
  auto sw = http_get(port_, "/lang/en?next=/asti/");
  EXPECT_EQ(sw.status, 303);
  EXPECT_NE(headers_of(sw).find("set-cookie: lang=en"), std::string::npos);
  EXPECT_NE(headers_of(sw).find("location: /asti/\r\n"), std::string::npos);
  auto with_cookie = http_get(port_, "/asti/", {"Cookie: lang=en"});
  EXPECT_NE(with_cookie.body.find("<html lang=\"en\""), std::string::npos);
  // The switch never redirects off-site.
  auto evil = http_get(port_, "/lang/it?next=//evil.example/");
  EXPECT_NE(headers_of(evil).find("location: /\r\n"), std::string::npos) << evil.headers;
}

TEST_P(ServerTest, ApiAnswersCatalogQuestionsAndFiscalCodeChecks) {
  auto bodies = boost::json::parse(http_get(port_, "/api/v1/bodies").body).as_object();
  EXPECT_GE(bodies.at("bodies").as_array().size(), 5u);
  auto search = boost::json::parse(http_get(port_, "/api/v1/services?q=mensa").body).as_object();
  EXPECT_FALSE(search.at("services").as_array().empty());
  EXPECT_EQ(http_get(port_, "/api/v1/services?audience=aliens").status, 400);
  EXPECT_EQ(http_get(port_, "/api/v1/bodies/nowhere").status, 404);

  auto cf = boost::json::parse(http_get(port_, "/api/v1/codice-fiscale/CCCFBA85D03L21VE").body).as_object();
  EXPECT_TRUE(cf.at("valid").as_bool());
  EXPECT_EQ(cf.at("normalized").as_string(), "CCCFBA85D03L219P");
  EXPECT_EQ(cf.at("birth_date").as_string(), "1985-04-03");
  auto bad = boost::json::parse(
                 http_get(port_, "/api/v1/codice-fiscale/CCCFBA85D03L219X", {"Accept-Language: en"}).body)
                 .as_object();
  EXPECT_FALSE(bad.at("valid").as_bool());
  EXPECT_EQ(bad.at("error").as_string(), "cf.check");
  EXPECT_NE(std::string(bad.at("message").as_string()).find("check"), std::string::npos);
  auto piva = boost::json::parse(http_get(port_, "/api/v1/partita-iva/00743110157").body).as_object();
  EXPECT_TRUE(piva.at("valid").as_bool());
}

TEST_P(ServerTest, HostNameMapsToTheBody) {
  auto bodies = boost::json::parse(http_get(port_, "/api/v1/bodies").body).as_object();
  (void)bodies;
  // The demo gives Asti its own host name; the root of that host is Asti's home.
  auto r = http_get(port_, "/", {"Host: servizi.comune.asti.example"});
  if (r.body.find("Comune di Asti") == std::string::npos) {
    GTEST_FAIL() << "host mapping did not resolve Asti (is host_name set in data/demo/bodies.json?)";
  }
  EXPECT_NE(r.body.find("id=\"evento-"), std::string::npos);
}

TEST_P(ServerTest, BadInputGets4xxOrClosedAndTheServerLivesOn) {
  // Oversized headers.
  std::string big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  auto reply = raw_exchange(port_, big);
  EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 4", 0) == 0) << reply.substr(0, 80);
  EXPECT_TRUE(healthy());
  // A 1 GB body announced: refused from the header, without reading it.
  reply = raw_exchange(port_, "POST /lang/it HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\nabc");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 80);
  EXPECT_TRUE(healthy());
  // Path traversal on static files.
  reply =
      raw_exchange(port_, "GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 4", 0), 0u) << reply.substr(0, 80);
  EXPECT_EQ(reply.find("root:"), std::string::npos);
  reply = raw_exchange(
      port_, "GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.find("root:"), std::string::npos);
  EXPECT_TRUE(healthy());
  // A half-sent request held open: the server closes it after the request timeout (1.5 s here).
  reply = raw_exchange(port_, "GET / HTTP/1.1\r\nHost: x\r\nX-Partial: ", 8000);
  EXPECT_EQ(reply.find("200 OK"), std::string::npos);
  EXPECT_TRUE(healthy());
  // Invalid UTF-8 in the path and in a query.
  reply = raw_exchange(port_, "GET /asti/%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 4", 0), 0u) << reply.substr(0, 80);
  reply = raw_exchange(port_, "GET /servizi?q=%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(reply.rfind("HTTP/1.1 4", 0) == 0 || reply.rfind("HTTP/1.1 200", 0) == 0)
      << reply.substr(0, 80);
  // Garbage request line and an unknown method.
  reply = raw_exchange(port_, "HELLO\r\n\r\n");
  EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 4", 0) == 0);
  reply = raw_exchange(port_, "BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 4", 0) == 0 || reply.rfind("HTTP/1.1 501", 0) == 0);
  EXPECT_TRUE(healthy());
  EXPECT_EQ(http_get(port_, "/readyz").status, 200);
}

// Issue 20 (several nodes, region scale). Last in this file: it adds 200 bodies to the shared demo.
// Another node (this process, with its own services on the same database) onboards 200 bodies and a raw
// SQL statement activates services for them; the running server notices through the database's
// revisions (migration 0080) without a restart: the new portals answer, cached pages follow. Then the
// pages that grow with the hub stay phone-sized (under 150 KB of HTML) and paged.
TEST_P(ServerTest, BodiesAndActivationsMadeElsewhereReachTheServerAndPagesStaySmallAt200Bodies) {
  EXPECT_EQ(http_get(port_, "/zeta-001/").status, 404);
  sp::tenants::TenantService node_b(database_->db());
  sp::catalog::CatalogService catalog_b(database_->db());
  node_b.reload();
  ASSERT_FALSE(node_b.snapshot()->hubs.empty());
  const auto hub = node_b.snapshot()->hubs.front().id;
  // One transaction for the 200 (a bulk onboarding's shape; one commit keeps this test short).
  sp::tenants::TenantStore store(database_->db());
  database_->db().write([&](sp::db::Conn& tx) {
    for (int i = 1; i <= 200; ++i) {
      sp::tenants::Body b;
      b.hub_id = hub;
      b.slug = fmt::format("zeta-{:03}", i);
      b.name = fmt::format("Comune di Zeta {:03}", i);
      const auto first10 = fmt::format("{:07}001", 7'100'000 + i);
      b.fiscal_code = first10 + std::to_string(sp::piva::check_digit(first10));
      b.province = "ZZ";
      ASSERT_TRUE(sp::tenants::TenantService::validate(b).ok()) << b.slug;
      store.insert_body(tx, b, "2026-12-06T09:00:00Z");
    }
  });
  node_b.reload();
  // The two services every generated body offers, activated by one statement (as a script would).
  auto hits = catalog_b.search("", sp::catalog::Audience::citizens);
  ASSERT_GE(hits.size(), 2u);
  const auto first = hits[0].service, second = hits[1].service;
  database_->db().write([&](sp::db::Conn& c) {
    c.exec(
        "INSERT INTO body_services (tenant_id, service_id, level, activated_at) SELECT b.id, s.id, s.level, "
        "$1 "
        "FROM bodies b, services s WHERE b.slug LIKE 'zeta-%' AND s.code = $2",
        {std::string("2026-12-06T09:00:00Z"), first.code});
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  sp::testing::HttpReply home;
  for (;;) {  // bounded: the server reloads every 200 ms (SPORTELLO_DIRECTORY_REFRESH_MS)
    home = http_get(port_, "/zeta-001/");
    if (home.status == 200 && home.body.find("/zeta-001/servizi/" + first.code) != std::string::npos) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "the server never saw the new body: " << home.status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The body's home page is cached: an activation made elsewhere still reaches it.
  EXPECT_EQ(home.body.find("/zeta-001/servizi/" + second.code), std::string::npos);
  const auto zeta1 = node_b.by_slug("zeta-001");
  ASSERT_TRUE(zeta1);
  ASSERT_TRUE(catalog_b.activate(zeta1->id, {second.code, 0, std::nullopt, {}, {}}).ok());
  for (;;) {
    home = http_get(port_, "/zeta-001/");
    if (home.body.find("/zeta-001/servizi/" + second.code) != std::string::npos) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the cached body home never followed";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  constexpr std::size_t kPhonePage = 150 * 1024;
  auto hub_home = http_get(port_, "/");
  ASSERT_EQ(hub_home.status, 200);
  EXPECT_LT(hub_home.body.size(), kPhonePage);
  EXPECT_NE(hub_home.body.find("Pagina 1 di "), std::string::npos);
  EXPECT_NE(hub_home.body.find("rel=\"next\""), std::string::npos);
  auto last_page = http_get(port_, "/?pagina=999");  // past the end: the last page
  EXPECT_NE(last_page.body.find("href=\"/zeta-200/\""), std::string::npos);
  EXPECT_EQ(last_page.body.find("rel=\"next\""), std::string::npos);

  auto search = http_get(port_, "/servizi");
  ASSERT_EQ(search.status, 200);
  EXPECT_LT(search.body.size(), kPhonePage);
  EXPECT_NE(search.body.find("offered-by-more"), std::string::npos) << "200 bodies are not all listed";
  // Any query, not a cached word; and with the person's body chosen, straight links to its pages.
  auto chosen = http_get(port_, "/servizi?q=" + sp::text::percent_encode(first.title.it) + "&ente=zeta-007");
  ASSERT_EQ(chosen.status, 200);
  EXPECT_NE(chosen.body.find("href=\"/zeta-007/servizi/" + first.code + "\""), std::string::npos);
  EXPECT_EQ(chosen.body.find("href=\"/zeta-008/servizi/"), std::string::npos);
  EXPECT_LT(chosen.body.size(), kPhonePage);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ServerTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
