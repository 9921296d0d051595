// Self-declarations (src/selfdecl, docs/selfdecl.md) through the whole application with the demo's
// residents, on SQLite and PostgreSQL, without sockets: prefilled from the register mirror, corrected by
// the declarant and said so, the art. 76 warning in the PDF, the digital stamp valid on every download and
// altered after one changed byte, a third party refused, a parent declaring for a minor child through a
// confirmed delegation, the audit entry, the catalog's service leading here, and another body's staff
// kept out.
#include <gtest/gtest.h>

#include "app/app.hpp"
#include "identity/session_service.hpp"
#include "stamp/pdf_stamp.hpp"
#include "support/demo_database.hpp"
#include "support/pdf_inspect.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using sp::identity::NewSession;
using sp::identity::PrincipalKind;
using sp::identity::Role;

const std::string kDavide = "GTTDVD79H14B885C";   // Casale Monferrato, head of CM-0001
const std::string kTommaso = "GTTTMS16A22B885C";  // his son, a minor
const std::string kPaolo = "BOXPLA65L08A182K";    // next door, another household

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

class SelfDeclTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.sim_pagopa = false;
    config.sim_anpr = false;
    config.share_dir = sp::testing::source_dir();
    config.keys_dir = (files_->path() / "keys").string();
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
    std::string id;
  };
  Who person(const std::string& cf) {
    auto s = sessions_->start(NewSession{PrincipalKind::person, cf, 0, {Role::citizen}, 2, "Test"});
    return {s.token, s.csrf_token, s.id};
  }
  Who staff(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    auto s = sessions_->start(*ns);
    return {s.token, s.csrf_token, s.id};
  }

  sp::http::Response call(const std::string& method, const std::string& path, const Who& who,
                          const std::string& body = {}) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + who.token);
    if (method == "POST") req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    req.body = body;
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }
  static std::string location(const sp::http::Response& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "Location" || k == "location") return v;
    return {};
  }
  std::int64_t count(const std::string& sql) {
    std::int64_t n = 0;
    app_->database().read([&](sp::db::Conn& c) { n = c.query_one(sql)->i64(0); });
    return n;
  }

  // The review form's prefilled values for `kind`, then posted with `changes`: the declaration's page.
  sp::http::Response issue(const Who& who, const std::string& slug, const std::string& kind,
                           const sp::identity::Principal& p,
                           const std::map<std::string, std::string>& changes = {},
                           const std::string& subject = {}) {
    auto draft = app_->self_declarations().prefill(0, &p, kind, "it");
    EXPECT_TRUE(draft.ok()) << (draft.ok() ? "" : draft.error().code);
    std::vector<std::pair<std::string, std::string>> fields = {
        {"_csrf", who.csrf},
        {"kind", kind},
        {"subject", subject.empty() ? draft->parties.subject_cf : subject},
        {"purpose", "iscrizione al nido"},
        {"recipient", "Comune di Asti"}};
    for (auto [k, v] : draft->facts) {
      if (auto it = changes.find(k); it != changes.end()) v = it->second;
      fields.emplace_back("f_" + k, v);
    }
    return call("POST", "/" + slug + "/autocertificazioni", who, form_encode(fields));
  }

  sp::identity::Principal principal(const std::string& cf, const Who& w) {
    sp::identity::Principal p;
    p.kind = PrincipalKind::person;
    p.subject = cf;
    p.roles = {Role::citizen};
    p.auth_level = 2;
    p.session_id = w.id;
    return p;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
};

TEST_P(SelfDeclTest, PrefilledStampedVerifiableCorrectedOwnOnlyAndKeptToItsBody) {
  auto davide = person(kDavide);
  const auto me = principal(kDavide, davide);

  // The catalog's service leads here; the form is prefilled from the register (family status: his household).
  auto apply = call("GET", "/casale-monferrato/servizi/autocertificazione-precompilata/domanda", davide);
  EXPECT_EQ(apply.status, 303);
  EXPECT_EQ(location(apply), "/casale-monferrato/autocertificazioni");
  auto home = call("GET", "/casale-monferrato/autocertificazioni", davide);
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("sd-kind-atto-notorieta"), std::string::npos);
  auto form = call("GET", "/casale-monferrato/autocertificazioni/compila?tipo=stato-famiglia", davide);
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("value=\"GATTI\""), std::string::npos);
  EXPECT_NE(form.body.find("RINALDI ELISA"), std::string::npos);
  EXPECT_NE(form.body.find("GATTI TOMMASO"), std::string::npos);
  EXPECT_EQ(form.body.find("GATTI CARLO"), std::string::npos);  // died in 2021

  // Issued unchanged: the PDF states it, with the art. 76 warning, and its stamp verifies.
  auto done = issue(davide, "casale-monferrato", "stato-famiglia", me);
  ASSERT_EQ(done.status, 303) << done.body.substr(0, 600);
  const auto page_path = location(done);
  ASSERT_EQ(page_path.rfind("/casale-monferrato/autocertificazioni/", 0), 0u);
  auto page = call("GET", page_path, davide);
  ASSERT_EQ(page.status, 200);
  auto pdf = call("GET", page_path + "/autocertificazione.pdf", davide);
  ASSERT_EQ(pdf.status, 200);
  ASSERT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  const auto text = sp::testing::pdf_text(pdf.body);
  for (const char* s :
       {"Dichiarazione sostitutiva di certificazione", "art. 46", "DAVIDE GATTI", kDavide.c_str(), "DICHIARA",
        "RINALDI ELISA", "Art. 76 D.P.R. 445/2000", "codice penale", "Art. 75",
        "Esente dall'imposta di bollo", "art. 13 Regolamento UE 2016/679", "SPID o CIE", "art. 65",
        "confermati dal dichiarante senza modifiche", "iscrizione al nido", "Contrassegno elettronico"})
    EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
  auto f = app_->stamps().check_file(pdf.body);
  EXPECT_EQ(f.verdict, sp::stamp::Verdict::valid) << f.reason;
  // Every download is the same stamped bytes; one byte changed in the content says altered.
  EXPECT_EQ(call("GET", page_path + "/autocertificazione.pdf", davide).body, pdf.body);
  auto parts = sp::stamp::split(pdf.body);
  ASSERT_TRUE(parts);
  std::string altered = pdf.body;
  altered[parts->original.size() / 2] ^= 0x01;
  EXPECT_EQ(app_->stamps().check_file(altered).verdict, sp::stamp::Verdict::altered);

  // Corrected before issuing: allowed, and the PDF names what differs from the register.
  auto corrected = issue(davide, "casale-monferrato", "residenza", me, {{"indirizzo", "VIA ROMA 10, 15033"}});
  ASSERT_EQ(corrected.status, 303);
  auto corrected_pdf = call("GET", location(corrected) + "/autocertificazione.pdf", davide);
  const auto ctext = sp::testing::pdf_text(corrected_pdf.body);
  EXPECT_NE(ctext.find("VIA ROMA 10, 15033"), std::string::npos) << ctext;
  EXPECT_NE(ctext.find("rispetto ai dati dell'anagrafe, i seguenti dati: Indirizzo"), std::string::npos)
      << ctext;
  EXPECT_EQ(app_->stamps().check_file(corrected_pdf.body).verdict, sp::stamp::Verdict::valid);

  // Art. 47: a subject and a text the person writes.
  auto free = issue(
      davide, "casale-monferrato", "atto-notorieta", me,
      {{"oggetto", "Smarrimento del libretto"}, {"testo", "di aver smarrito il libretto\ndi circolazione"}});
  ASSERT_EQ(free.status, 303) << free.body.substr(0, 400);
  const auto ftext =
      sp::testing::pdf_text(call("GET", location(free) + "/autocertificazione.pdf", davide).body);
  EXPECT_NE(ftext.find("dell'atto di notorietà"), std::string::npos);
  EXPECT_NE(ftext.find("Oggetto: Smarrimento del libretto"), std::string::npos) << ftext;
  EXPECT_NE(ftext.find("di aver smarrito il libretto"), std::string::npos);

  // A third party: refused with the reason, nothing issued; a missing field likewise.
  const auto before = count("SELECT COUNT(*) FROM self_declarations");
  auto third = issue(davide, "casale-monferrato", "residenza", me, {}, kPaolo);
  EXPECT_EQ(third.status, 403);
  EXPECT_NE(third.body.find("solo su di te"), std::string::npos);
  auto missing = issue(davide, "casale-monferrato", "residenza", me, {{"indirizzo", " "}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(missing.body.find("«Indirizzo»"), std::string::npos);  // the field as the form labels it
  EXPECT_EQ(count("SELECT COUNT(*) FROM self_declarations"), before);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'selfdecl.issue'"), before);

  // A parent for his minor son, through the delegation the register confirms.
  sp::tenants::TenantService tenants(app_->database());
  tenants.reload();
  const auto cm = tenants.by_slug("casale-monferrato")->id;
  auto delegation = app_->delegations().declare_minor(&me, {cm, kTommaso, "Tommaso Gatti", "parent"});
  ASSERT_TRUE(delegation.ok()) << delegation.error().code;
  ASSERT_TRUE(app_->delegations().switch_to(&me, delegation->id, "").ok());
  auto as_parent = me;
  as_parent.acting_for = sp::identity::Represented{"person", kTommaso, "Tommaso Gatti"};
  auto child = issue(davide, "casale-monferrato", "nascita", as_parent);
  ASSERT_EQ(child.status, 303) << child.body.substr(0, 600);
  const auto ktext =
      sp::testing::pdf_text(call("GET", location(child) + "/autocertificazione.pdf", davide).body);
  EXPECT_NE(ktext.find("in qualità di genitore"), std::string::npos) << ktext;
  EXPECT_NE(ktext.find(kTommaso), std::string::npos);
  EXPECT_NE(ktext.find("che il/la minore è nato/a a"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'selfdecl.issue' AND on_behalf_of = '" +
                  kTommaso + "'"),
            1);
  EXPECT_EQ(issue(davide, "casale-monferrato", "residenza", as_parent, {}, kDavide).status, 403);
  ASSERT_TRUE(app_->delegations().switch_to(&as_parent, "", "").ok());

  // Issued at Asti's portal too (residence elsewhere is no reason to refuse): the personal area lists
  // both bodies' declarations; each body's page only its own.
  auto at_asti = issue(davide, "asti", "cittadinanza", me);
  ASSERT_EQ(at_asti.status, 303);
  auto personal = call("GET", "/area-personale/autocertificazioni", davide);
  ASSERT_EQ(personal.status, 200);
  EXPECT_NE(personal.body.find("Comune di Asti"), std::string::npos);
  EXPECT_NE(personal.body.find("Comune di Casale Monferrato"), std::string::npos);
  const std::string casale_token = page_path.substr(page_path.rfind('/') + 1);
  EXPECT_EQ(call("GET", "/asti/autocertificazioni/" + casale_token, davide).status, 404);
  EXPECT_EQ(call("GET", page_path, person(kPaolo)).status, 404);  // someone else's

  // Staff: Asti's see Asti's; Novara's are refused; Casale's declarations are not on Asti's list.
  auto asti_staff = staff("operatore@asti.example", "Asti-operatore-2026!");
  auto list = call("GET", "/backoffice/asti/autocertificazioni", asti_staff);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Cittadinanza"), std::string::npos);
  EXPECT_EQ(list.body.find("Stato di famiglia"), std::string::npos);
  EXPECT_EQ(call("GET", "/backoffice/casale-monferrato/autocertificazioni", asti_staff).status, 403);
  auto novara_staff = staff("operatore@novara.example", "Novara-operatore-2026!");
  EXPECT_EQ(call("GET", "/backoffice/asti/autocertificazioni", novara_staff).status, 403);

  // The record is append-only.
  EXPECT_ANY_THROW(
      app_->database().write([](sp::db::Conn& c) { c.exec("UPDATE self_declarations SET purpose = 'x'"); }));
  EXPECT_ANY_THROW(app_->database().write([](sp::db::Conn& c) { c.exec("DELETE FROM self_declarations"); }));
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, SelfDeclTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
