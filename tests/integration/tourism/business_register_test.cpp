// Business-register checks from a case (src/business_checks, src/adapters/business_register,
// docs/business-register.md) through the whole application on SQLite and PostgreSQL, against the register's
// simulator on its own port with a bearer token: an operator confirms the legal representative of the
// business the applicant acted for, and the check (who, when, what the register answered) is recorded on
// the case, also as an internal note; a person who is not a representative is told so; an unknown business
// and a register that fails give clear localised errors that keep what was typed, and are recorded too;
// another body's staff cannot check on the case; the records are append-only and the audit chain intact.
// And the delegation checks: a business delegation is confirmed by the register when it shows the
// declarant as the business's legal representative, and waits for staff otherwise.
#include <gtest/gtest.h>

#include "adapters/business_register/simulator.hpp"
#include "app/app.hpp"
#include "audit/service.hpp"
#include "catalog/service.hpp"
#include "identity/session_service.hpp"
#include "support/demo_database.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using sp::identity::PrincipalKind;
using sp::identity::Role;

class BusinessRegisterTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    register_ = sp::business_register::start_simulator_thread(
        sp::testing::source_dir() + "/data/demo/business_register.json", "voucher-demo");
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.sim_pagopa = false;
    config.sim_anpr = false;
    config.share_dir = sp::testing::source_dir();
    config.keys_dir = (files_->path() / "keys").string();
    config.oidc_rp_key_file = (files_->path() / "rp.pem").string();
    config.access_log = false;
    config.business_register_url = register_->url();
    config.business_register_token = "voucher-demo";
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
    // Anna Ferraro applies at Asti for Cantina Ferraro S.r.l., whose sole director she is.
    sp::catalog::CatalogService catalog(app_->database());
    sp::protocollo::ProtocolService registry(app_->database(), sp::time::system_clock());
    sp::files::FileService case_files(app_->database(), sp::time::system_clock());
    sp::cases::CaseService cases(app_->database(), sp::time::system_clock(), registry, case_files, catalog,
                                 tenants);
    sp::identity::Principal anna;
    anna.kind = PrincipalKind::person;
    anna.subject = "FRRNNA78S70A479X";
    anna.display_name = "Anna Ferraro";
    anna.roles = {Role::citizen};
    anna.auth_level = 2;
    anna.acting_for = sp::identity::Represented{"business", "01234560017", "Cantina Ferraro S.r.l."};
    sp::cases::Submission sub;
    sub.service_code = "occupazione-suolo-pubblico";
    sub.form_code = sub.service_code;
    sub.submission_key = "business-register-test";
    sub.summary = {{"Area", "Via Roma 10"}};
    auto submitted = cases.submit(&anna, asti_, sub);
    ASSERT_TRUE(submitted.ok()) << submitted.error().code << " " << submitted.error().detail;
    case_id_ = submitted->c.id;
  }

  struct Who {
    std::string token;
    std::string csrf;
  };
  Who staff(const std::string& email, const std::string& password) {
    auto ns = app_->staff().sign_in(email, password, "");
    EXPECT_TRUE(ns.ok()) << email;
    auto s = sessions_->start(*ns);
    return {s.token, s.csrf_token};
  }
  sp::http::Response call(const std::string& method, const std::string& path, const Who& who,
                          const std::string& form = {}) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + who.token);
    if (method == "POST") {
      req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
      req.body = "_csrf=" + who.csrf + (form.empty() ? "" : "&" + form);
    }
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }
  std::int64_t count(const std::string& where) {
    std::int64_t n = 0;
    app_->database().read([&](sp::db::Conn& c) {
      n = c.query_one("SELECT COUNT(*) FROM business_register_checks WHERE " + where, {case_id_})->i64(0);
    });
    return n;
  }

  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::business_register::RunningSimulator> register_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
  std::int64_t asti_ = 0;
  std::string case_id_;
};

TEST_P(BusinessRegisterTest, AnOperatorConfirmsTheLegalRepresentativeAndTheCheckIsRecordedOnTheCase) {
  const auto op = staff("operatore@asti.example", "Asti-operatore-2026!");
  const std::string page = "/backoffice/asti/pratiche/" + case_id_ + "/registro-imprese";

  // The form starts from the case: the business acted for, the applicant as its representative.
  auto form = call("GET", page, op);
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("value=\"01234560017\""), std::string::npos);
  EXPECT_NE(form.body.find("value=\"FRRNNA78S70A479X\""), std::string::npos);
  EXPECT_NE(form.body.find("https://impresa.italia.it"), std::string::npos);  // the business's free drawer

  auto done = call("POST", page, op, "tax_code=IT+01234560017&representative=frrnna78s70a479x");
  ASSERT_EQ(done.status, 303) << done.body.substr(0, 400);
  auto shown = call("GET", page + "?fatto=1", op);
  EXPECT_NE(shown.body.find("Cantina Ferraro S.r.l."), std::string::npos);
  EXPECT_NE(shown.body.find("FRRNNA78S70A479X è legale rappresentante dell&apos;impresa."),
            std::string::npos);
  EXPECT_EQ(register_->simulator().lookups(), std::vector<std::string>{"01234560017"});
  EXPECT_EQ(count("case_id = $1 AND outcome = 'found' AND is_representative = 1 AND checked_by <> ''"), 1);
  // ... and on the case itself, as an internal note the case page shows.
  auto case_page = call("GET", "/backoffice/asti/pratiche/" + case_id_, op);
  EXPECT_NE(case_page.body.find("Verifica nel Registro delle imprese: Cantina Ferraro S.r.l."),
            std::string::npos);

  // Someone who is not a representative: said plainly.
  ASSERT_EQ(call("POST", page, op, "tax_code=01234560017&representative=RSSMRA80A01H501U").status, 303);
  EXPECT_NE(call("GET", page + "?fatto=1", op).body.find("RSSMRA80A01H501U NON risulta"), std::string::npos);

  // An unknown business: a clear error, the typed values kept, the register's answer recorded.
  auto unknown = call("POST", page, op, "tax_code=09999999999&representative=FRRNNA78S70A479X");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("non conosce nessuna impresa con codice fiscale 09999999999"),
            std::string::npos);
  EXPECT_NE(unknown.body.find("value=\"09999999999\""), std::string::npos);
  EXPECT_EQ(count("case_id = $1 AND outcome = 'not_found'"), 1);
  // A malformed code never reaches the register.
  auto malformed = call("POST", page, op, "tax_code=123");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("non è un codice fiscale d&apos;impresa valido"), std::string::npos);
  // The register failing: said so (in English for an English session), the attempt recorded.
  register_->simulator().fail(503, 1);
  auto failing = call("POST", page + "?lang=en", op, "tax_code=01234560017");
  EXPECT_EQ(failing.status, 502);
  EXPECT_NE(failing.body.find("The business register is not answering right now"), std::string::npos);
  EXPECT_EQ(count("case_id = $1 AND outcome = 'unavailable'"), 1);
  EXPECT_EQ(register_->simulator().lookups().size(), 4u);

  // Another body's staff: not on Asti's case, under any URL.
  const auto novara = staff("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(call("POST", page, novara, "tax_code=01234560017").status, 403);
  EXPECT_EQ(call("POST", "/backoffice/novara/pratiche/" + case_id_ + "/registro-imprese", novara,
                 "tax_code=01234560017")
                .status,
            404);
  EXPECT_EQ(register_->simulator().lookups().size(), 4u);
  EXPECT_EQ(count("case_id = $1"), 4);

  // Append-only, and audited on Asti's intact chain.
  EXPECT_ANY_THROW(app_->database().write(
      [&](sp::db::Conn& tx) { tx.exec("UPDATE business_register_checks SET outcome = 'found'"); }));
  sp::audit::AuditService audit(app_->database());
  sp::audit::Query q;
  q.action = "business_register.check";
  EXPECT_EQ(audit.entries(asti_, q).entries.size(), 4u);
  EXPECT_TRUE(audit.verify(asti_).intact);

  // The assisted counter: the operator serving Anna checks the register for her case (at any body), the
  // check is recorded on it, audited on the counter channel on her behalf; not on anyone else's case.
  const auto counter = staff("sportello@asti.example", "Asti-sportello-2026!");
  const std::string at_counter = "/sportello-assistito/registro-imprese/asti/" + case_id_;
  EXPECT_EQ(call("POST", page, counter, "tax_code=01234560017").status, 403) << "not the back office";
  EXPECT_NE(
      call("GET", "/sportello-assistito/registro-imprese", counter).body.find("id=\"bizreg-no-session\""),
      std::string::npos);
  EXPECT_EQ(call("POST", at_counter, counter, "tax_code=01234560017").status, 404) << "no citizen served";
  EXPECT_EQ(count("case_id = $1"), 4);
  ASSERT_EQ(
      call("POST", "/sportello-assistito/avvia", counter,
           "family_name=Ferraro&given_name=Anna&sex=F&birth_date=30%2F11%2F1978&fiscal_code=FRRNNA78S70A479X&"
           "document_type=cie&document_number=CA+11111+BB&document_expiry=2031-01-31")
          .status,
      303);
  auto list = call("GET", "/sportello-assistito/registro-imprese", counter);
  EXPECT_NE(list.body.find(at_counter), std::string::npos);
  auto prefilled = call("GET", at_counter, counter);
  ASSERT_EQ(prefilled.status, 200);
  EXPECT_NE(prefilled.body.find("value=\"01234560017\""), std::string::npos);
  ASSERT_EQ(call("POST", at_counter, counter, "tax_code=01234560017&representative=FRRNNA78S70A479X").status,
            303);
  EXPECT_NE(call("GET", at_counter + "?fatto=1", counter).body.find("Cantina Ferraro S.r.l."),
            std::string::npos);
  EXPECT_EQ(count("case_id = $1 AND outcome = 'found' AND is_representative = 1"), 2);
  auto audited = audit.entries(asti_, q).entries;
  ASSERT_EQ(audited.size(), 5u);
  EXPECT_EQ(audited.front().entry.channel, sp::audit::Channel::counter);
  EXPECT_EQ(audited.front().entry.on_behalf_of, "FRRNNA78S70A479X");
  std::int64_t notes =
      0;  // the case's internal notes of the register's answers: the office's and the counter's
  app_->database().read([&](sp::db::Conn& c) {
    notes = c.query_one(
                 "SELECT COUNT(*) FROM case_notes WHERE case_id = $1 AND body LIKE 'Verifica nel Registro%'",
                 {case_id_})
                ->i64(0);
  });
  EXPECT_EQ(notes, 4);  // found, found (not a representative), not found, and the counter's
  // Someone else's case, here or at another body: not found, and nothing asked of the register.
  std::string other_case;
  app_->database().read([&](sp::db::Conn& c) {
    other_case =
        c.query_one("SELECT id FROM cases WHERE applicant_cf <> 'FRRNNA78S70A479X' LIMIT 1")->text(0);
  });
  const auto lookups = register_->simulator().lookups().size();
  for (const char* slug : {"asti", "novara"})
    EXPECT_EQ(call("POST", std::string("/sportello-assistito/registro-imprese/") + slug + "/" + other_case,
                   counter, "tax_code=01234560017")
                  .status,
              404);
  EXPECT_EQ(call("GET", "/sportello-assistito/registro-imprese/novara/" + case_id_, counter).status, 404);
  EXPECT_EQ(register_->simulator().lookups().size(), lookups);
  EXPECT_EQ(call("GET", "/sportello-assistito/registro-imprese", op).status, 403) << "counter operators only";
  EXPECT_TRUE(audit.verify(asti_).intact);

  // The delegation checks: a business delegation is confirmed at once when the register shows the
  // declarant as the active business's legal representative.
  auto person = [](const std::string& cf) {
    sp::identity::Principal p;
    p.kind = PrincipalKind::person;
    p.subject = cf;
    p.roles = {Role::citizen};
    p.auth_level = 2;
    return p;
  };
  const auto anna = person("FRRNNA78S70A479X");   // Cantina Ferraro's sole director
  const auto mario = person("RSSMRA80A01H501U");  // not hers
  auto mine = app_->delegations().declare_business(
      &anna, {asti_, "01234560017", "Cantina Ferraro S.r.l.", "legale_rappresentante"}, "");
  ASSERT_TRUE(mine.ok()) << mine.error().code;
  EXPECT_EQ(mine->state, "confirmed");
  EXPECT_EQ(mine->decided_by, "registro-imprese");
  auto theirs = app_->delegations().declare_business(
      &mario, {asti_, "01234560017", "Cantina Ferraro S.r.l.", "legale_rappresentante"}, "");
  ASSERT_TRUE(theirs.ok()) << theirs.error().code;
  EXPECT_EQ(theirs->state, "pending");  // the body's staff decide
  // The register not answering: nothing is confirmed by it.
  register_->simulator().fail(503, -1);
  auto later = app_->delegations().declare_business(
      &anna, {asti_, "01456780053", "Gatti Costruzioni", "legale_rappresentante"}, "");
  ASSERT_TRUE(later.ok()) << later.error().code;
  EXPECT_EQ(later->state, "pending");
  register_->simulator().fail(0, 0);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, BusinessRegisterTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
