// The hub's members (src/hub, docs/hub.md) through the whole application on SQLite and PostgreSQL, one
// demo application per database for the whole suite: the credit rules (levels the hub can deliver,
// 2..8 high-interactivity services, the balance), every change in the append-only ledger and the audit
// chain and in the catalog at once; another body's administrator kept out; an onboarding draft kept when
// a step is refused and resumed to the end (portal live, protocol continuing from its number); the API;
// and `sportello bodies add` with a union's members in one file.
#include <gtest/gtest.h>

#include <fstream>
#include <latch>
#include <thread>

#include "../../unit/files/samples.hpp"
#include "app/app.hpp"
#include "identity/session_service.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using sp::identity::NewSession;
using sp::identity::Principal;
using sp::identity::PrincipalKind;
using sp::identity::Role;

struct Shared {
  std::unique_ptr<sp::testing::TestDatabase> database;
  std::unique_ptr<sp::testing::TempDir> files;
  std::unique_ptr<sp::app::App> app;
  sp::http::Hooks hooks;
  sp::http::ServerOptions options;
  std::unique_ptr<sp::identity::SessionService> sessions;
};

// One application per database, made by the first test that needs it and kept for the suite (closed by
// TearDownTestSuite, before the program's own statics go).
std::map<sp::db::Dialect, std::unique_ptr<Shared>>& all_shared() {
  static std::map<sp::db::Dialect, std::unique_ptr<Shared>> all;
  return all;
}

Shared& shared(sp::db::Dialect dialect) {
  auto& s = all_shared()[dialect];
  if (!s) {
    s = std::make_unique<Shared>();
    s->database = std::make_unique<sp::testing::TestDatabase>(dialect);
    s->files = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.database = s->database->url();
    config.demo = true;
    config.sim_pagopa = false;
    config.sim_anpr = false;
    config.share_dir = sp::testing::source_dir();
    config.keys_dir = (s->files->path() / "keys").string();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.access_log = false;
    s->app = std::make_unique<sp::app::App>(config);
    s->hooks = s->app->hooks();
    s->options = s->app->server_options();
    s->options.static_dir.clear();
    s->sessions =
        std::make_unique<sp::identity::SessionService>(s->app->database(), sp::time::system_clock());
  }
  return *s;
}

// A partita IVA with its check digit (SPEC §2) from 10 digits: each onboarded body needs its own.
std::string piva(const std::string& ten) {
  int sum = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    int d = ten[i] - '0';
    if (i % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return ten + static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += k + '=';
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
  }
  return out;
}

class HubTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  static void TearDownTestSuite() { all_shared().clear(); }
  void SetUp() override {
    s_ = &shared(GetParam());
    tenants_ = std::make_unique<sp::tenants::TenantService>(app().database());
    tenants_->reload();
  }
  sp::app::App& app() { return *s_->app; }
  sp::tenants::TenantId id_of(const std::string& slug) {
    tenants_->reload();
    auto b = tenants_->by_slug(slug);
    EXPECT_TRUE(b) << slug;
    return b ? b->id : 0;
  }

  struct Who {
    std::string token;
    std::string csrf;
    Principal principal;
  };
  Who staff(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app().staff(), app().database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    auto s = s_->sessions->start(*ns);
    auto p = s_->sessions->resume(s.token);
    EXPECT_TRUE(p != nullptr);
    return {s.token, s.csrf_token, p ? *p : Principal{}};
  }
  Who hub_admin() { return staff("admin@pes.example", "Polo-demo-2026!"); }
  Who asti_admin() { return staff("admin@asti.example", "Asti-admin-2026!"); }
  Who novara_admin() { return staff("admin@novara.example", "Novara-admin-2026!"); }

  sp::http::Response call(const std::string& method, const std::string& path, const std::string& token,
                          const std::string& body = {}, const std::string& bearer = {}) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    if (!token.empty()) req.headers.emplace_back("cookie", "sp_session=" + token);
    if (!bearer.empty()) {
      req.headers.emplace_back("authorization", "Bearer " + bearer);
      req.headers.emplace_back("content-type", "application/json");
    } else if (method == "POST") {
      req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    }
    req.body = body;
    return sp::http::dispatch(app().router(), s_->hooks, s_->options, req);
  }
  // A form with a picture in `file_field`, as the browser sends it (multipart).
  sp::http::Response call_multipart(const std::string& path, const std::string& token,
                                    const std::vector<std::pair<std::string, std::string>>& fields,
                                    const std::string& file_field, const std::string& file_name,
                                    const std::string& bytes) {
    const std::string boundary = "----sportelloHubBoundary";
    std::string body;
    for (const auto& [k, v] : fields)
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + file_field + "\"; filename=\"" +
            file_name + "\"\r\nContent-Type: image/png\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
    sp::http::Request req;
    req.method = "POST";
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + token);
    req.headers.emplace_back("content-type", "multipart/form-data; boundary=" + boundary);
    req.body = body;
    return sp::http::dispatch(app().router(), s_->hooks, s_->options, req);
  }
  static std::string header_of(const sp::http::Response& r, const std::string& lower) {
    for (const auto& [k, v] : r.headers) {
      std::string name = k;
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (name == lower) return v;
    }
    return {};
  }
  static std::string location_of(const sp::http::Response& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "Location" || k == "location") return v;
    return {};
  }
  std::int64_t count(const std::string& sql, const sp::db::Params& params = {}) {
    std::int64_t n = 0;
    app().database().read([&](sp::db::Conn& c) { n = c.query_one(sql, params)->i64(0); });
    return n;
  }
  bool offers(sp::tenants::TenantId tenant, const std::string& code) {
    sp::catalog::CatalogService catalog(app().database());
    return catalog.offering(tenant, code).ok();
  }
  // A service the body does not offer that the hub could deliver at `level` or more (and, with
  // `catalog_level`, that the catalog built at exactly that level).
  std::string not_offered(const Principal& who, sp::tenants::TenantId tenant, int level,
                          int catalog_level = 0) {
    auto options = app().packages().options(&who, tenant);
    EXPECT_TRUE(options.ok());
    for (const auto& o : *options)
      if (o.level == 0 && o.deliverable >= level && (catalog_level == 0 || o.catalog_level == catalog_level))
        return o.code;
    return {};
  }
  static std::string code_of(const sp::Status& st) { return st ? std::string("ok") : st.error().code; }

  // A comune to onboard: valid in every field (the fiscal code's check digit included).
  static boost::json::object comune(const std::string& slug, const std::string& istat,
                                    const std::string& belfiore, const std::string& email) {
    return boost::json::object{
        {"kind", "comune"},
        {"name", "Comune di " + slug},
        {"slug", slug},
        {"istat_code", istat},
        {"belfiore_code", belfiore},
        {"ipa_code",
         "c_" + std::string(1, static_cast<char>(std::tolower(belfiore[0]))) + belfiore.substr(1)},
        {"fiscal_code", piva("0090" + istat)},
        {"population", "3200"},
        {"aoo", {{"code", ""}, {"name", "Protocollo generale"}, {"next_number", "1245"}}},
        {"payments", {{"iban", "IT60X0542811101000000123456"}, {"segregation_code", "01"}}},
        {"admin", {{"email", email}, {"name", "Maria Rossi"}}},
        {"package", "comune-piccolo"}};
  }

  Shared* s_ = nullptr;
  std::unique_ptr<sp::tenants::TenantService> tenants_;
};

TEST_P(HubTest, CreditsBuyOnlyWhatTheHubDeliversWithinTheRulesAndEveryChangeIsRecorded) {
  auto novara = novara_admin();
  const auto novara_id = id_of("novara");
  const auto before = app().packages().balance(novara_id);
  ASSERT_GT(before, 0);

  // A level-1 service Novara does not offer: 1 credit, in the catalog at once, in the ledger and the chain.
  const std::string info = not_offered(novara.principal, novara_id, 1, 1);
  ASSERT_FALSE(info.empty());
  ASSERT_TRUE(app().packages().change(&novara.principal, novara_id, info, 1).ok());
  EXPECT_TRUE(offers(novara_id, info));
  EXPECT_EQ(app().packages().balance(novara_id), before - 1);
  auto ledger = app().packages().ledger(&novara.principal, novara_id, 1);
  ASSERT_TRUE(ledger.ok() && !ledger->empty());
  EXPECT_EQ(ledger->front().action, "service.added");
  EXPECT_EQ(ledger->front().service_code, info);
  EXPECT_EQ(ledger->front().credits_before, before);
  EXPECT_EQ(ledger->front().credits_after, before - 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = 'package.service.added' "
                  "AND record_id = $2",
                  {novara_id, info}),
            1);
  // Removing gives the credit back.
  ASSERT_TRUE(app().packages().change(&novara.principal, novara_id, info, 0).ok());
  EXPECT_FALSE(offers(novara_id, info));
  EXPECT_EQ(app().packages().balance(novara_id), before);

  // Levels the hub cannot deliver, with the reason.
  EXPECT_EQ(code_of(app().packages().change(&novara.principal, novara_id, info, 2)), "hub.level_no_download");
  EXPECT_EQ(code_of(app().packages().change(&novara.principal, novara_id, "cambio-residenza", 3)),
            "hub.level_no_form");
  EXPECT_EQ(code_of(app().packages().change(&novara.principal, novara_id, info, 3)), "hub.level_catalog");
  // Online with payment needs pagoPA creditor settings: Novara has none in the demo.
  EXPECT_EQ(code_of(app().packages().change(&novara.principal, novara_id, "occupazione-suolo-pubblico", 4)),
            "hub.level_no_payment");

  // Every demo body is within its package's limits (a large comune's package allows 18, a small one's 8,
  // as in Como's seed), and the hub's page flags none of them.
  auto hub = hub_admin();
  auto overview = app().packages().overview(&hub.principal);
  ASSERT_TRUE(overview.ok());
  for (const auto& b : *overview) {
    EXPECT_TRUE(b.package) << b.tenant_id;
    EXPECT_GE(b.high, b.min_high) << b.tenant_id;
    EXPECT_LE(b.high, b.max_high) << b.tenant_id;
  }
  auto page = call("GET", "/backoffice/enti", hub.token);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("oltre il massimo"), std::string::npos);
  EXPECT_EQ(page.body.find("sotto il minimo"), std::string::npos);

  // Asti offers its package's maximum of high-interactivity services: another is refused, and why.
  auto asti = asti_admin();
  const auto asti_id = id_of("asti");
  const std::string online = not_offered(asti.principal, asti_id, 3);
  ASSERT_FALSE(online.empty());
  EXPECT_EQ(code_of(app().packages().change(&asti.principal, asti_id, online, 3)), "hub.max_high");
  EXPECT_FALSE(offers(asti_id, online));

  // The Langa's mountain community has one high-interactivity service, its package's minimum: it keeps it.
  const auto langa_id = id_of("langa-astigiana-val-bormida");
  auto langa = app().packages().options(&hub.principal, langa_id);
  ASSERT_TRUE(langa.ok());
  std::string high;
  for (const auto& o : *langa)
    if (o.level >= 3) high = o.code;
  ASSERT_FALSE(high.empty());
  const sp::identity::SystemActor langa_admin{"test"};
  EXPECT_EQ(code_of(app().packages().change(langa_admin, langa_id, high, 1)), "hub.min_high");

  // Not enough credits: the hub takes Novara's back, then a service costs more than it has.
  ASSERT_TRUE(app().packages().grant(&hub.principal, novara_id, -before, "test").ok());
  EXPECT_EQ(code_of(app().packages().change(&novara.principal, novara_id, info, 1)), "hub.credits");
  EXPECT_FALSE(offers(novara_id, info));
  ASSERT_TRUE(app().packages().grant(&hub.principal, novara_id, before, "test").ok());

  // The ledger is append-only.
  EXPECT_ANY_THROW(app().database().write([&](sp::db::Conn& tx) {
    tx.exec("UPDATE body_credit_ledger SET credits_after = 999 WHERE tenant_id = $1", {novara_id});
  }));
  EXPECT_ANY_THROW(app().database().write([&](sp::db::Conn& tx) {
    tx.exec("DELETE FROM body_credit_ledger WHERE tenant_id = $1", {novara_id});
  }));
}

TEST_P(HubTest, TwoConcurrentEnablesAtOneBelowTheMaximumGiveOneServiceAndOneClearRefusal) {
  auto hub = hub_admin();
  auto novara = novara_admin();
  const auto novara_id = id_of("novara");
  auto body = app().packages().body(&hub.principal, novara_id);
  ASSERT_TRUE(body.ok() && body->package);
  // Novara's package's maximum set to one above what Novara has: room for exactly one more online service.
  const auto package = *body->package;
  auto tight = package;
  tight.max_high = body->high + 1;
  ASSERT_TRUE(app().packages().save_package(&hub.principal, tight).ok());
  ASSERT_EQ(app().packages().limits(novara_id).max_high, body->high + 1);
  std::vector<std::string> candidates;
  auto options = app().packages().options(&novara.principal, novara_id);
  ASSERT_TRUE(options.ok());
  for (const auto& o : *options)
    if (o.level == 0 && o.deliverable >= 3 && candidates.size() < 2) candidates.push_back(o.code);
  ASSERT_EQ(candidates.size(), 2u);
  const auto before = app().packages().balance(novara_id);
  ASSERT_GE(before, 8);

  std::string results[2];
  std::latch start(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = code_of(app().packages().change(&novara.principal, novara_id, candidates[i], 3));
    });
  for (auto& t : threads) t.join();
  const int ok = (results[0] == "ok") + (results[1] == "ok");
  EXPECT_EQ(ok, 1) << results[0] << " " << results[1];
  EXPECT_TRUE(results[0] == "hub.max_high" || results[1] == "hub.max_high")
      << results[0] << " " << results[1];
  const int added = results[0] == "ok" ? 0 : 1;
  EXPECT_TRUE(offers(novara_id, candidates[added]));
  EXPECT_FALSE(offers(novara_id, candidates[1 - added]));
  EXPECT_EQ(app().packages().body(&hub.principal, novara_id)->high, *tight.max_high);
  EXPECT_EQ(app().packages().balance(novara_id), before - 4);

  // Back as it was, for the other tests.
  ASSERT_TRUE(app().packages().change(&novara.principal, novara_id, candidates[added], 0).ok());
  ASSERT_TRUE(app().packages().save_package(&hub.principal, package).ok());
}

TEST_P(HubTest, ABodysAdministratorNeitherSeesNorChangesAnotherBodysPackage) {
  auto novara = novara_admin();
  const auto asti_id = id_of("asti");
  const auto asti_balance = app().packages().balance(asti_id);
  const auto asti_entries = count("SELECT COUNT(*) FROM body_credit_ledger WHERE tenant_id = $1", {asti_id});
  EXPECT_EQ(code_of(app().packages().change(&novara.principal, asti_id, "accesso-atti", 1)), "forbidden");
  EXPECT_FALSE(app().packages().body(&novara.principal, asti_id).ok());
  EXPECT_FALSE(app().packages().options(&novara.principal, asti_id).ok());
  EXPECT_FALSE(app().packages().ledger(&novara.principal, asti_id).ok());
  EXPECT_FALSE(app().packages().overview(&novara.principal).ok());
  EXPECT_EQ(code_of(app().packages().grant(&novara.principal, asti_id, 50, "mine")), "forbidden");
  // Through the pages: Asti's package page and its form, and the hub's overview.
  EXPECT_EQ(call("GET", "/backoffice/asti/pacchetto", novara.token).status, 403);
  EXPECT_EQ(call("POST", "/backoffice/asti/pacchetto", novara.token,
                 form_encode({{"_csrf", novara.csrf}, {"service", "accesso-atti"}, {"level", "0"}}))
                .status,
            403);
  EXPECT_EQ(call("GET", "/backoffice/enti", novara.token).status, 403);
  EXPECT_EQ(call("POST", "/backoffice/enti/crediti", novara.token,
                 form_encode({{"_csrf", novara.csrf}, {"body", "asti"}, {"credits", "50"}}))
                .status,
            403);
  EXPECT_EQ(app().packages().balance(asti_id), asti_balance);
  EXPECT_EQ(count("SELECT COUNT(*) FROM body_credit_ledger WHERE tenant_id = $1", {asti_id}), asti_entries);
  EXPECT_TRUE(offers(asti_id, "accesso-atti"));
  // Its own page works, and shows its balance.
  auto own = call("GET", "/backoffice/novara/pacchetto", novara.token);
  EXPECT_EQ(own.status, 200);
  EXPECT_NE(
      own.body.find("data-credits=\"" + std::to_string(app().packages().balance(id_of("novara"))) + "\""),
      std::string::npos);
  EXPECT_NE(own.body.find("id=\"btn-"), std::string::npos);  // its own administrator changes it

  // The hub's administrator reads every body's package page and gives credits from it, but does not
  // change a body's services (that is the body's decision): no buttons, and the form's post is refused.
  auto hub = hub_admin();
  auto read = call("GET", "/backoffice/asti/pacchetto", hub.token);
  ASSERT_EQ(read.status, 200);
  EXPECT_NE(read.body.find("data-credits=\"" + std::to_string(asti_balance) + "\""), std::string::npos);
  EXPECT_NE(read.body.find("id=\"hub-view-note\""), std::string::npos);
  EXPECT_EQ(read.body.find("id=\"btn-"), std::string::npos);
  EXPECT_EQ(call("POST", "/backoffice/asti/pacchetto", hub.token,
                 form_encode({{"_csrf", hub.csrf}, {"service", "accesso-atti"}, {"level", "0"}}))
                .status,
            403);
  auto given =
      call("POST", "/backoffice/enti/crediti", hub.token,
           form_encode({{"_csrf", hub.csrf}, {"body", "asti"}, {"credits", "3"}, {"from", "package"}}));
  EXPECT_EQ(given.status, 303);
  EXPECT_EQ(location_of(given), "/backoffice/asti/pacchetto?crediti=1");
  EXPECT_EQ(app().packages().balance(asti_id), asti_balance + 3);
  EXPECT_TRUE(offers(asti_id, "accesso-atti"));
  ASSERT_TRUE(app().packages().grant(&hub.principal, asti_id, -3, "back as it was").ok());
  // The hub's list links each body's package page; an unknown body is 404 for the hub too.
  EXPECT_NE(call("GET", "/backoffice/enti", hub.token).body.find("href=\"/backoffice/asti/pacchetto\""),
            std::string::npos);
  EXPECT_EQ(call("GET", "/backoffice/nessuno/pacchetto", hub.token).status, 404);
}

TEST_P(HubTest, AHalfFinishedOnboardingIsKeptAndResumedToALivePortal) {
  auto hub = hub_admin();
  auto created = call("POST", "/backoffice/enti/nuovo", hub.token, form_encode({{"_csrf", hub.csrf}}));
  ASSERT_EQ(created.status, 303);
  std::string location;
  for (const auto& [k, v] : created.headers)
    if (k == "Location" || k == "location") location = v;
  const auto id = location.substr(std::string("/backoffice/enti/bozze/").size(),
                                  location.find('?') - std::string("/backoffice/enti/bozze/").size());
  const std::string path = "/backoffice/enti/bozze/" + id;
  const std::string slug = GetParam() == sp::db::Dialect::sqlite ? "borgo-nuovo" : "borgo-nuovo-pg";

  // Step 1 with a fiscal code whose check digit is wrong: refused, with what was typed kept.
  std::vector<std::pair<std::string, std::string>> step1 = {{"_csrf", hub.csrf},
                                                            {"step", "1"},
                                                            {"kind", "comune"},
                                                            {"name", "Comune di Borgo Nuovo"},
                                                            {"slug", slug},
                                                            {"istat_code", "005999"},
                                                            {"belfiore_code", "z999"},
                                                            {"ipa_code", "c_z999"},
                                                            {"fiscal_code", "00743110158"},
                                                            {"population", "3200"}};
  auto refused = call("POST", path, hub.token, form_encode(step1));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(refused.body.find("Comune di Borgo Nuovo"), std::string::npos);
  // Later (another sign-in), the draft is on the hub's page and still holds the values.
  auto again = hub_admin();
  auto list = call("GET", "/backoffice/enti", again.token);
  EXPECT_NE(list.body.find(path), std::string::npos);
  auto kept = app().onboarding().draft(&again.principal, id);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->body.name, "Comune di Borgo Nuovo");
  EXPECT_EQ(kept->step, 1);

  step1[0].second = again.csrf;
  step1[8].second = "00743110157";  // the right check digit
  // Step 1 with its logo: an SVG (it can carry a script) is refused with what was typed kept, a PNG kept.
  auto svg_logo = call_multipart(path, again.token, step1, "logo", "stemma.svg",
                                 "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
  EXPECT_EQ(svg_logo.status, 415);
  EXPECT_NE(svg_logo.body.find("Comune di Borgo Nuovo"), std::string::npos);
  const std::string png = sp::files::testing::png();
  ASSERT_EQ(call_multipart(path, again.token, step1, "logo", "<i>stemma</i>.png", png).status, 303);
  ASSERT_EQ(call("POST", path, again.token,
                 form_encode({{"_csrf", again.csrf},
                              {"step", "2"},
                              {"aoo_code", ""},
                              {"aoo_name", "Protocollo generale"},
                              {"protocol_next_number", "1245"}}))
                .status,
            303);
  // An IBAN with wrong check digits is refused; the right one passes.
  EXPECT_EQ(call("POST", path, again.token,
                 form_encode({{"_csrf", again.csrf},
                              {"step", "3"},
                              {"iban", "IT61X0542811101000000123456"},
                              {"segregation_code", "01"}}))
                .status,
            400);
  ASSERT_EQ(call("POST", path, again.token,
                 form_encode({{"_csrf", again.csrf},
                              {"step", "3"},
                              {"iban", "IT60X0542811101000000123456"},
                              {"segregation_code", "01"}}))
                .status,
            303);
  ASSERT_EQ(call("POST", path, again.token,
                 form_encode({{"_csrf", again.csrf},
                              {"step", "4"},
                              {"admin_email", slug + "@comune.example"},
                              {"admin_name", "Maria Rossi"}}))
                .status,
            303);
  ASSERT_EQ(call("POST", path, again.token,
                 form_encode({{"_csrf", again.csrf}, {"step", "5"}, {"package", "comune-piccolo"}}))
                .status,
            303);
  auto done = call("GET", path, again.token);
  EXPECT_NE(done.body.find("/" + slug + "/"), std::string::npos);

  // The portal is live with the package's services, the body a pagoPA creditor, its administrator made.
  const auto tenant = id_of(slug);
  ASSERT_GT(tenant, 0);
  EXPECT_EQ(call("GET", "/" + slug + "/", "").status, 200);
  EXPECT_TRUE(offers(tenant, "dichiarazione-tari"));
  EXPECT_TRUE(offers(tenant, "carta-identita-elettronica"));
  EXPECT_FALSE(offers(tenant, "accesso-atti"));
  EXPECT_EQ(call("GET", "/" + slug + "/servizi/dichiarazione-tari", "").status, 200);
  EXPECT_TRUE(app().payments().creditor(tenant).ok());
  EXPECT_TRUE(app().staff().account_by_email(slug + "@comune.example").has_value());
  EXPECT_EQ(app().packages().balance(tenant), 12);
  // The registry continues from the number it brought: the first registration here is 1245.
  auto aoos = app().protocol().aoos(tenant);
  ASSERT_EQ(aoos.size(), 1u);
  EXPECT_EQ(aoos.front().code, "c_z999");
  sp::protocollo::NewEntry e;
  e.aoo_id = aoos.front().id;
  e.direction = sp::protocollo::Direction::internal;
  e.subject = "Prima registrazione dopo il passaggio al polo";
  e.channel = sp::protocollo::Channel::online;
  e.correspondents = {{sp::protocollo::CorrespondentKind::person, "Ufficio protocollo", "", "", ""}};
  auto reg = app().protocol().register_entry(sp::identity::SystemActor{"test"}, tenant, e);
  ASSERT_TRUE(reg.ok()) << reg.error().code;
  EXPECT_EQ(reg->number, 1245);
  // Finished once: posting again changes nothing.
  EXPECT_FALSE(app().onboarding().finish(&again.principal, id).ok());
  // The picture of step 1 is the new body's logo, in its own files under a name of ours.
  auto logo = call("GET", "/" + slug + "/stemma", "");
  EXPECT_EQ(logo.status, 200);
  EXPECT_EQ(logo.content_type, "image/png");
  EXPECT_EQ(logo.body, png);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files f JOIN body_logos l ON l.file_id = f.id "
                  "WHERE l.tenant_id = $1 AND f.tenant_id = $1 AND f.file_name = 'stemma'",
                  {tenant}),
            1);
}

TEST_P(HubTest, ABodysLogoIsAPictureByContentServedSafelyAndOnlyItsOwnAdministratorsChangeIt) {
  auto asti = asti_admin();
  auto novara = novara_admin();
  const auto asti_id = id_of("asti");
  const std::string png = sp::files::testing::png();
  // No logo yet: the portal's header gets the default crest.
  auto none = call("GET", "/asti/stemma", "");
  EXPECT_EQ(none.status, 302);
  EXPECT_EQ(location_of(none), "/static/img/stemma-ente.svg");

  // Not a picture (an SVG with a script, an HTML page named .png): refused on the page, nothing kept.
  const std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
  auto refused =
      call_multipart("/backoffice/asti/stemma", asti.token, {{"_csrf", asti.csrf}}, "logo", "s.svg", svg);
  EXPECT_EQ(refused.status, 415);
  EXPECT_NE(refused.body.find("id=\"error-summary\""), std::string::npos);
  EXPECT_EQ(call_multipart("/backoffice/asti/stemma", asti.token, {{"_csrf", asti.csrf}}, "logo", "s.png",
                           "<html><body>x</body></html>")
                .status,
            415);
  EXPECT_EQ(count("SELECT COUNT(*) FROM body_logos WHERE tenant_id = $1", {asti_id}), 0);

  // Another body's administrator neither sees nor changes it.
  EXPECT_EQ(call("GET", "/backoffice/asti/stemma", novara.token).status, 403);
  EXPECT_EQ(
      call_multipart("/backoffice/asti/stemma", novara.token, {{"_csrf", novara.csrf}}, "logo", "n.png", png)
          .status,
      403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM body_logos WHERE tenant_id = $1", {asti_id}), 0);

  // Its own administrator uploads a PNG: the browser's file name is kept nowhere.
  auto saved = call_multipart("/backoffice/asti/stemma", asti.token, {{"_csrf", asti.csrf}}, "logo",
                              "<script>x</script>.png", png);
  ASSERT_EQ(saved.status, 303);
  EXPECT_EQ(location_of(saved), "/backoffice/asti/stemma?fatto=1");
  EXPECT_EQ(count("SELECT COUNT(*) FROM stored_files WHERE tenant_id = $1 AND file_name LIKE '%script%'",
                  {asti_id}),
            0);
  auto served = call("GET", "/asti/stemma", "");
  ASSERT_EQ(served.status, 200);
  EXPECT_EQ(served.content_type, "image/png");
  EXPECT_EQ(served.body, png);
  EXPECT_EQ(header_of(served, "x-content-type-options"), "nosniff");
  EXPECT_NE(header_of(served, "content-security-policy").find("sandbox"), std::string::npos);
  EXPECT_EQ(header_of(served, "cache-control"), "public, max-age=300");
  const auto etag = header_of(served, "etag");
  ASSERT_FALSE(etag.empty());
  // Revalidation answers 304; the page's address naming the digest is cached for good.
  sp::http::Request again;
  again.method = "GET";
  ASSERT_TRUE(sp::http::parse_target(again, "/asti/stemma").ok());
  again.remote_addr = "127.0.0.1";
  again.headers.emplace_back("host", "localhost");
  again.headers.emplace_back("if-none-match", etag);
  EXPECT_EQ(sp::http::dispatch(app().router(), s_->hooks, s_->options, again).status, 304);
  auto page = call("GET", "/backoffice/asti/stemma", asti.token);
  ASSERT_EQ(page.status, 200);
  const auto at = page.body.find("/asti/stemma?v=");
  ASSERT_NE(at, std::string::npos);
  const auto src = page.body.substr(at, page.body.find('"', at) - at);
  EXPECT_EQ(header_of(call("GET", src, ""), "cache-control"), "public, max-age=31536000, immutable");
  EXPECT_NE(call("GET", "/asti/", "").body.find("src=\"/asti/stemma\""), std::string::npos);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action = 'body.logo_set'", {asti_id}),
      1);
  // The hub's administrator reads and changes it too; removing it brings the default crest back.
  auto hub = hub_admin();
  EXPECT_EQ(call("GET", "/backoffice/asti/stemma", hub.token).status, 200);
  EXPECT_EQ(call("POST", "/backoffice/asti/stemma", novara.token,
                 form_encode({{"_csrf", novara.csrf}, {"action", "remove"}}))
                .status,
            403);
  EXPECT_EQ(call("POST", "/backoffice/asti/stemma", asti.token,
                 form_encode({{"_csrf", asti.csrf}, {"action", "remove"}}))
                .status,
            303);
  EXPECT_EQ(call("GET", "/asti/stemma", "").status, 302);
  EXPECT_EQ(count("SELECT COUNT(*) FROM body_logos WHERE tenant_id = $1", {asti_id}), 0);
}

TEST_P(HubTest, TheApiOnboardsAUnionsMembersAtOnceWithAHubKeyOnly) {
  auto hub = hub_admin();
  const std::string sfx = GetParam() == sp::db::Dialect::sqlite ? "" : "-pg";
  auto key = app().api_keys().create(&hub.principal, 0, "onboarding", {"hub:write"});
  ASSERT_TRUE(key.ok()) << key.error().code;
  auto asti = asti_admin();
  auto body_key = app().api_keys().create(&asti.principal, id_of("asti"), "asti", {"hub:write"});
  ASSERT_TRUE(body_key.ok());

  boost::json::array bodies{comune("api-uno" + sfx, "005901", "Z901", "uno" + sfx + "@api.example"),
                            comune("api-due" + sfx, "005902", "Z902", "due" + sfx + "@api.example")};
  const auto payload = boost::json::serialize(boost::json::object{{"bodies", bodies}});
  EXPECT_EQ(call("POST", "/api/v1/hub/bodies", "", payload).status, 401);
  EXPECT_EQ(call("POST", "/api/v1/hub/bodies", "", payload, body_key->secret).status, 403);

  // One invalid body (a segregation code reserved nationally): nothing made, the index said.
  auto bad = bodies;
  bad[1].as_object()["payments"].as_object()["segregation_code"] = "99";
  auto refused = call("POST", "/api/v1/hub/bodies", "", boost::json::serialize(bad), key->secret);
  EXPECT_EQ(refused.status, 400);
  auto err = boost::json::parse(refused.body).as_object();
  EXPECT_EQ(err.at("error").at("error").as_string(), "hub.segregation_code");
  EXPECT_EQ(err.at("error").at("index").as_int64(), 1);
  EXPECT_EQ(err.at("error").at("field").as_string(), "segregation_code");
  tenants_->reload();
  EXPECT_FALSE(tenants_->by_slug("api-uno" + sfx));

  auto made = call("POST", "/api/v1/hub/bodies", "", payload, key->secret);
  ASSERT_EQ(made.status, 201) << made.body;
  auto out = boost::json::parse(made.body).as_object().at("bodies").as_array();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].at("slug").as_string(), "api-due" + sfx);
  EXPECT_EQ(call("GET", "/api-due" + sfx + "/", "").status, 200);
  // The same again: the slugs are taken.
  EXPECT_EQ(call("POST", "/api/v1/hub/bodies", "", payload, key->secret).status, 400);
}

TEST_P(HubTest, ABulkOnboardingThatFailsInItsLastBodyLeavesNothingBehind) {
  auto hub = hub_admin();
  const bool pg = GetParam() == sp::db::Dialect::postgres;
  // The last body's administrator cannot be stored: a database refusal no check can foresee, after the
  // first two bodies and most of the third were made.
  const std::string refused = "tre@stop.example";
  app().database().write([&](sp::db::Conn& tx) {
    tx.exec_script(pg ? "CREATE FUNCTION hub_test_refuse() RETURNS trigger AS $$ BEGIN IF NEW.email = '" +
                            refused +
                            "' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
                            "CREATE TRIGGER hub_test_refuse BEFORE INSERT ON staff_accounts FOR EACH ROW "
                            "EXECUTE FUNCTION hub_test_refuse();"
                      : "CREATE TRIGGER hub_test_refuse BEFORE INSERT ON staff_accounts WHEN NEW.email = '" +
                            refused + "' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  });
  std::vector<sp::hub::NewBody> bodies;
  for (const auto& o : {comune("stop-uno", "005921", "Z921", "uno@stop.example"),
                        comune("stop-due", "005922", "Z922", "due@stop.example"),
                        comune("stop-tre", "005923", "Z923", refused)})
    bodies.push_back(sp::hub::OnboardingService::from_json(o));
  const auto audit_before = count("SELECT COUNT(*) FROM audit_log");
  const auto drafts_before = count("SELECT COUNT(*) FROM hub_onboarding_drafts");
  std::vector<sp::hub::BulkError> errors;
  std::vector<sp::hub::Onboarded> made;
  auto r = app().onboarding().add_all(sp::identity::SystemActor{"test"}, bodies, errors, made);
  app().database().write([&](sp::db::Conn& tx) {
    tx.exec_script(pg ? "DROP TRIGGER hub_test_refuse ON staff_accounts; DROP FUNCTION hub_test_refuse();"
                      : "DROP TRIGGER hub_test_refuse;");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "hub.not_made");
  EXPECT_TRUE(made.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].index, 2u);
  // Nothing of any of the three: bodies, registry offices, creditors, accounts, packages, ledger rows,
  // audit entries, drafts.
  EXPECT_EQ(count("SELECT COUNT(*) FROM bodies WHERE slug LIKE 'stop-%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM aoo WHERE admin_code IN ('c_z921', 'c_z922', 'c_z923')"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_creditors WHERE fiscal_code IN ($1, $2, $3)",
                  {piva("0090005921"), piva("0090005922"), piva("0090005923")}),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM staff_accounts WHERE email LIKE '%@stop.example'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM body_credit_ledger WHERE tenant_id NOT IN (SELECT id FROM bodies)"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), audit_before);
  EXPECT_EQ(count("SELECT COUNT(*) FROM hub_onboarding_drafts"), drafts_before);
  tenants_->reload();
  EXPECT_FALSE(tenants_->by_slug("stop-uno"));
  EXPECT_EQ(call("GET", "/stop-uno/", "").status, 404);

  // Sent again once the cause is gone: all three, whole, each recorded as a completed draft.
  errors.clear();
  auto again = app().onboarding().add_all(sp::identity::SystemActor{"test"}, bodies, errors, made);
  ASSERT_TRUE(again.ok()) << again.error().code << " " << again.error().detail;
  ASSERT_EQ(made.size(), 3u);
  EXPECT_EQ(made[2].slug, "stop-tre");
  EXPECT_TRUE(app().staff().account_by_email(refused).has_value());
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM body_credit_ledger WHERE action = 'package.assigned' AND tenant_id = $1",
            {made[2].tenant_id}),
      1);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM hub_onboarding_drafts WHERE completed_at IS NOT NULL AND tenant_id = $1",
            {made[0].tenant_id}),
      1);
  // The chains of the new bodies are keyed like any other (the key reached the services built on the
  // transaction).
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND key_id IS NULL", {made[1].tenant_id}),
      0);
  EXPECT_EQ(call("GET", "/stop-tre/", "").status, 200);
}

TEST_P(HubTest, TheCommandLineOnboardsManyBodiesFromOneFile) {
  if (GetParam() != sp::db::Dialect::sqlite)
    GTEST_SKIP() << "the program's database code is the same on both";
  auto& s = *s_;
  const auto file = (s.files->path() / "union.json").string();
  auto write = [&](const boost::json::value& v) { std::ofstream(file) << boost::json::serialize(v); };
  const std::string env = "env 'SPORTELLO_DATABASE=" + s.database->url() +
                          "' 'SPORTELLO_KEYS_DIR=" + (s.files->path() / "keys").string() +
                          "' 'SPORTELLO_OIDC_RP_KEY_FILE=" + (s.files->path() / "rp.pem").string() +
                          "' SPORTELLO_SIM_IDP=false SPORTELLO_LOG_LEVEL=warn SPORTELLO_ACCESS_LOG=false '" +
                          sp::testing::binary() + "' bodies add '" + file + "' 2>&1";
  boost::json::array members{comune("cli-uno", "005911", "Z911", "uno@cli.example"),
                             comune("cli-due", "005912", "Z912", "due@cli.example"),
                             comune("cli-tre", "005913", "Z913", "tre@cli.example")};
  // The second one's ISTAT code is not 6 digits: refused with its number and field, nothing made.
  auto bad = members;
  bad[1].as_object()["istat_code"] = "05912";
  write(boost::json::object{{"bodies", bad}});
  auto refused = sp::testing::run_command(env);
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_NE(refused.out.find("body 2 (cli-due): istat_code"), std::string::npos) << refused.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM bodies WHERE slug LIKE 'cli-%'"), 0);

  write(boost::json::object{{"bodies", members}});
  auto run = sp::testing::run_command(env);
  ASSERT_EQ(run.rc, 0) << run.out;
  EXPECT_NE(run.out.find("cli-tre "), std::string::npos) << run.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM bodies WHERE slug LIKE 'cli-%'"), 3);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM body_credit_ledger WHERE action = 'package.assigned' AND tenant_id IN "
            "(SELECT id FROM bodies WHERE slug LIKE 'cli-%')"),
      3);
}

TEST_P(HubTest, IstatsListOfComuniIsLoadedFromItsCsvAndOnboardingChecksCodesAgainstIt) {
  if (GetParam() != sp::db::Dialect::sqlite)
    GTEST_SKIP() << "the program's database code is the same on both";
  auto& s = *s_;
  // A file in ISTAT's layout ("Elenco comuni italiani": ';', Latin-1, the header's wording), written here.
  const std::string header =
      "Codice Regione;Codice dell'Unit\xe0 territoriale sovracomunale (valida a fini statistici);Codice "
      "Provincia (Storico)(1);Progressivo del Comune (2);Codice Comune formato alfanumerico;Denominazione "
      "(Italiana e straniera);Denominazione in italiano;Denominazione in altra lingua;Codice Ripartizione "
      "Geografica;Ripartizione geografica;Denominazione Regione;Sigla automobilistica;Codice Comune formato "
      "numerico;Codice Catastale del comune\r\n";
  const std::string rows =
      "01;205;005;005;005005;Asti;Asti;;1;Nord-ovest;Piemonte;AT;5005;A479\r\n"
      "01;201;001;001;001001;Agli\xe8;Agli\xe8;;1;Nord-ovest;Piemonte;TO;1001;A074\r\n"
      "01;205;005;921;005921;Borgo Prova;Borgo Prova;;1;Nord-ovest;Piemonte;AT;5921;Z921\r\n";
  const auto file = (s.files->path() / "Elenco-comuni-italiani.csv").string();
  const std::string cli = "env 'SPORTELLO_DATABASE=" + s.database->url() +
                          "' 'SPORTELLO_KEYS_DIR=" + (s.files->path() / "keys").string() +
                          "' 'SPORTELLO_OIDC_RP_KEY_FILE=" + (s.files->path() / "rp.pem").string() +
                          "' SPORTELLO_SIM_IDP=false SPORTELLO_LOG_LEVEL=warn SPORTELLO_ACCESS_LOG=false '" +
                          sp::testing::binary() + "' comuni import '" + file + "' --as-of 2026-06-30 2>&1";
  std::ofstream(file, std::ios::binary)
      << header << rows << "01;205;005;922;005922;Rotto;Rotto;;1;;;AT;5922;922\r\n";
  auto refused = sp::testing::run_command(cli);
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_NE(refused.out.find("line 5: cadastral code"), std::string::npos) << refused.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM istat_comuni"), 0);

  // No list: codes are checked for their form only.
  auto body =
      sp::hub::OnboardingService::from_json(comune("istat-prova", "005921", "Z921", "p@istat.example"));
  body.fiscal_code = piva("0077700921");  // one no body has
  auto unknown = body;
  unknown.istat_code = "005923";
  EXPECT_EQ(code_of(app().onboarding().validate(unknown, 1)), "ok");

  std::ofstream(file, std::ios::binary | std::ios::trunc) << header << rows;
  auto loaded = sp::testing::run_command(cli);
  ASSERT_EQ(loaded.rc, 0) << loaded.out;
  EXPECT_NE(loaded.out.find("3 comuni, list of 2026-06-30"), std::string::npos) << loaded.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM istat_comuni WHERE name = 'Agli\xc3\xa8' AND belfiore_code = 'A074'"),
            1)
      << "Latin-1 read as such";
  // With the list: a code not in it, and a cadastral code not the comune's, are refused naming the field.
  auto st = app().onboarding().validate(unknown, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "hub.istat_unknown");
  EXPECT_EQ(st.error().field, "istat_code");
  EXPECT_NE(st.error().detail.find("2026-06-30"), std::string::npos);
  auto mismatch = body;
  mismatch.belfiore_code = "A479";
  EXPECT_EQ(app().onboarding().validate(mismatch, 1).error().code, "hub.belfiore_mismatch");
  EXPECT_EQ(code_of(app().onboarding().validate(body, 1)), "ok");
  // The other tests onboard made-up comuni: the list goes.
  app().database().write([](sp::db::Conn& c) {
    c.exec("DELETE FROM istat_comuni");
    c.exec("DELETE FROM istat_comuni_imports");
  });
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, HubTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
