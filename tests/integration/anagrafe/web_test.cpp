// The register mirror through the whole application with the demo's residents (data/demo/
// population.jsonl), without sockets: the citizen's own data, the registry office's upload and report,
// another body's staff kept out, the register's facts prefilling a form, and a parent's delegation for
// their child confirmed from the register.
#include <gtest/gtest.h>

#include "app/app.hpp"
#include "identity/session_service.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"

namespace {

using sp::identity::NewSession;
using sp::identity::PrincipalKind;
using sp::identity::Role;

const std::string kDavide = "GTTDVD79H14B885C";   // Casale Monferrato, head of CM-0001
const std::string kTommaso = "GTTTMS16A22B885C";  // his son, a minor
const std::string kPaolo = "BOXPLA65L08A182K";    // next door, another household

class AnagrafeWebTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.sim_pagopa = false;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.access_log = false;
    database_ = sp::testing::demo_database(GetParam(), config);
    config.database = database_->url();
    app_ = std::make_unique<sp::app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<sp::identity::SessionService>(app_->database(), sp::time::system_clock());
  }

  struct Who {
    std::string token;
    std::string csrf;
  };
  Who person(const std::string& cf) {
    auto s = sessions_->start(NewSession{PrincipalKind::person, cf, 0, {Role::citizen}, 2, "Test"});
    return {s.token, s.csrf_token};
  }
  Who staff(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    auto s = sessions_->start(*ns);
    return {s.token, s.csrf_token};
  }

  sp::http::Response call(const std::string& method, const std::string& path, const Who& who,
                          const std::string& content_type = {}, const std::string& body = {}) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + who.token);
    if (!content_type.empty()) req.headers.emplace_back("content-type", content_type);
    req.body = body;
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }
  static std::string location(const sp::http::Response& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "Location" || k == "location") return v;
    return {};
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
};

TEST_P(AnagrafeWebTest, CitizensSeeTheirFamilyOfficesImportAndTheRegisterFeedsFormsAndDelegations) {
  // The citizen's own data and household today: not the late father, not the neighbour.
  auto davide = person(kDavide);
  auto page = call("GET", "/area-personale/anagrafe", davide);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("VIA ROMA 8"), std::string::npos);
  EXPECT_NE(page.body.find(kTommaso), std::string::npos);
  EXPECT_NE(page.body.find("RINALDI"), std::string::npos);
  EXPECT_EQ(page.body.find("GTTCRL35B11B885T"), std::string::npos);  // Carlo died in 2021
  EXPECT_EQ(page.body.find(kPaolo), std::string::npos);
  EXPECT_NE(page.body.find("/casale-monferrato/servizi/rettifica-dati-anagrafici/domanda"),
            std::string::npos);
  // Someone the register does not know reads why.
  auto stranger = person("VRDGPP80A01L219X");  // in no member body's register
  auto none = call("GET", "/area-personale/anagrafe", stranger);
  EXPECT_EQ(none.status, 200);
  EXPECT_NE(none.body.find("anag-none"), std::string::npos);

  // The registry office uploads a file: a good row and a bad one, reported with its line.
  auto manager = staff("admin@asti.example", "Asti-admin-2026!");
  const std::string boundary = "XyZbOuNdArY";
  const std::string jsonl =
      R"({"codice_fiscale": "FRRNNA78S70A479X", "cognome": "FERRARO", "nome": "ANNA", "sesso": "F", "data_nascita": "1978-11-30", "comune_nascita_istat": "005005", "luogo_nascita": "ASTI", "stato_nascita": "100", "cittadinanza": "100", "comune_istat": "005005", "id_famiglia": "AT-0001", "relazione_parentela": "1", "specie_via": "VIA", "denominazione_via": "CAVOUR", "civico": "12", "esponente": "", "interno": "2", "cap": "14100", "stato_civile": "1", "data_iscrizione": "2000-01-01", "data_cancellazione": "", "motivo_cancellazione": "", "data_decesso": "", "certificabilita": "2", "data_variazione": "2000-01-01"})"
      "\n{\"codice_fiscale\": \"FRRNNA78S70A479Y\"}\n";
  const std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + manager.csrf +
      "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n--" +
      boundary +
      "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"residenti.jsonl\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n" +
      jsonl + "\r\n--" + boundary + "--\r\n";
  auto posted = call("POST", "/backoffice/asti/anagrafe/importa", manager,
                     "multipart/form-data; boundary=" + boundary, body);
  ASSERT_EQ(posted.status, 303) << posted.body.substr(0, 400);
  const auto report_path = location(posted);
  ASSERT_NE(report_path.find("/backoffice/asti/anagrafe/importazioni/"), std::string::npos);
  auto report = call("GET", report_path, manager);
  ASSERT_EQ(report.status, 200);
  EXPECT_NE(report.body.find(R"(<dd class="col-sm-9" id="anag-unchanged">1</dd>)"), std::string::npos);
  EXPECT_NE(report.body.find("data-code=\"anagrafe.row.codice_fiscale\"><td>2</td>"), std::string::npos);
  EXPECT_NE(report.body.find("carattere di controllo"), std::string::npos);
  // Novara's administrator reads neither Asti's report nor Asti's register.
  auto novara = staff("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(call("GET", report_path, novara).status, 403);
  const std::string novara_path =
      "/backoffice/novara/anagrafe/importazioni/" + report_path.substr(report_path.rfind('/') + 1);
  EXPECT_EQ(call("GET", novara_path, novara).status, 404);
  auto search = call("GET", "/backoffice/novara/anagrafe?cf=FRRNNA78S70A479X", novara);
  EXPECT_EQ(search.status, 200);
  EXPECT_NE(search.body.find("anag-not-found"), std::string::npos);

  // The TARI declaration opens with the address of residence from the register.
  auto started = call("GET", "/casale-monferrato/servizi/dichiarazione-tari/domanda", davide);
  ASSERT_EQ(started.status, 303);
  auto step = call("GET", location(started), davide);
  ASSERT_EQ(step.status, 200);
  EXPECT_NE(step.body.find("value=\"VIA ROMA\""), std::string::npos);

  // A parent declaring his son: confirmed by the register at once; for the neighbour's child: pending.
  sp::identity::Principal p;
  p.kind = PrincipalKind::person;
  p.subject = kDavide;
  p.roles = {Role::citizen};
  p.auth_level = 2;
  sp::tenants::TenantService tenants(app_->database());
  tenants.reload();
  const auto cm = tenants.by_slug("casale-monferrato")->id;
  auto d = app_->delegations().declare_minor(&p, {cm, kTommaso, "Tommaso Gatti", "parent"});
  ASSERT_TRUE(d.ok()) << d.error().code;
  EXPECT_EQ(d->state, "confirmed");
  EXPECT_EQ(d->decided_by.value_or(""), "anagrafe");
  p.subject = kPaolo;
  auto other = app_->delegations().declare_minor(&p, {cm, kTommaso, "Tommaso Gatti", "parent"});
  ASSERT_TRUE(other.ok()) << other.error().code;
  EXPECT_EQ(other->state, "pending");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AnagrafeWebTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
