#pragma once
// The whole application on a demo database (both drivers), driven without sockets, with signed-in citizens
// of the demo identities: helpers to open a draft, post steps (urlencoded or multipart) and read the
// draft and the cases straight from the database. (The same approach as tests/integration/protocollo_web.)
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "applications/store.hpp"
#include "core/codice_fiscale.hpp"
#include "identity/person_store.hpp"
#include "support/demo_database.hpp"
#include "support/testing.hpp"

namespace sp::applications::webtest {

struct Upload {
  std::string field;
  std::string file_name;
  std::string content_type;
  std::string bytes;
};

// Anna Ferraro of Asti (data/demo/identities.json) and Fabio Caccamo.
inline constexpr const char* kAnna = "FRRNNA78S70A479X";
inline constexpr const char* kFabio = "CCCFBA85D03L219P";
inline constexpr const char* kService = "iscrizione-scuola-primaria";

class AppTest : public ::testing::TestWithParam<db::Dialect> {
 public:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    config_ = load_config("").value();
    config_.demo = true;
    config_.share_dir = sp::testing::source_dir();
    config_.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config_.access_log = false;
    database_ = sp::testing::demo_database(GetParam(), config_);
    config_.database = database_->url();
    start_app();
    // Both have signed in before (the profile is what prefill reads).
    person(kAnna, "Anna", "Ferraro", "1978-11-30", "anna.ferraro@example.org");
    person(kFabio, "Fabio", "Caccamo", "1985-04-03", "fabio.caccamo@example.org");
  }

  // A new App on the same database: what a server restart is.
  void restart() {
    sessions_.reset();
    tenants_.reset();
    app_.reset();
    start_app();
  }

  void start_app() {
    app_ = std::make_unique<app::App>(config_);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<identity::SessionService>(app_->database(), time::system_clock());
    tenants_ = std::make_unique<tenants::TenantService>(app_->database());
    tenants_->reload();
    asti_ = tenants_->by_slug("asti")->id;
    novara_ = tenants_->by_slug("novara")->id;
  }

  void person(const std::string& cf, const std::string& given, const std::string& family,
              const std::string& birth, const std::string& email) {
    identity::PersonStore people(app_->database());
    identity::Person p;
    p.fiscal_code = cf;
    p.given_name = given;
    p.family_name = family;
    p.birth_date = birth;
    p.email = email;
    app_->database().write([&](db::Conn& tx) { people.upsert_from_sign_in(tx, p, "2026-11-23T10:00:00Z"); });
  }

  // A citizen's session token at a SPID level.
  std::string citizen(const std::string& cf, const std::string& name, int level = 2) {
    return sessions_
        ->start(identity::NewSession{
            identity::PrincipalKind::person, cf, 0, {identity::Role::citizen}, level, name})
        .token;
  }
  std::string anna() { return citizen(kAnna, "Anna Ferraro"); }
  std::string fabio() { return citizen(kFabio, "Fabio Caccamo"); }

  std::string csrf_of(const std::string& token) {
    auto p = sessions_->resume(token);
    return p ? p->csrf_token : std::string();
  }

  http::Response send(http::Request& req) { return http::dispatch(app_->router(), hooks_, options_, req); }

  http::Request request(const std::string& method, const std::string& target, const std::string& session,
                        const std::string& lang = "it", const std::string& extra_cookie = {}) {
    http::Request req;
    req.method = method;
    req.target = target;
    EXPECT_TRUE(http::parse_target(req, target).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("accept-language", lang);
    std::string cookie;
    if (!session.empty()) cookie = "sp_session=" + session;
    if (!extra_cookie.empty()) cookie += (cookie.empty() ? "" : "; ") + extra_cookie;
    if (!cookie.empty()) req.headers.emplace_back("cookie", cookie);
    return req;
  }

  http::Response get(const std::string& target, const std::string& session, const std::string& lang = "it",
                     const std::string& extra_cookie = {}) {
    auto req = request("GET", target, session, lang, extra_cookie);
    return send(req);
  }

  static std::string form_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }

  // A urlencoded POST; `csrf` false sends none (a stale page); pairs may repeat a name.
  http::Response post_form(const std::string& target, const std::string& session,
                           const std::vector<std::pair<std::string, std::string>>& fields,
                           const std::string& lang = "it", bool csrf = true,
                           const std::string& extra_cookie = {}) {
    auto req = request("POST", target, session, lang, extra_cookie);
    req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    std::string body = csrf && !session.empty() ? "_csrf=" + csrf_of(session) : "_csrf=stale";
    for (const auto& [k, v] : fields) body += "&" + form_encode(k) + "=" + form_encode(v);
    req.body = body;
    return send(req);
  }

  // A multipart/form-data POST, as the step pages send, CSRF included.
  http::Response post_multipart(const std::string& target, const std::string& session,
                                const std::vector<std::pair<std::string, std::string>>& fields,
                                const std::vector<Upload>& uploads, const std::string& lang = "it") {
    const std::string boundary = "----sportelloTestBoundaryQ2VyY2FyZQ";
    std::string body;
    auto add_field = [&](const std::string& name, const std::string& value) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
              "\r\n";
    };
    add_field("_csrf", csrf_of(session));
    for (const auto& [k, v] : fields) add_field(k, v);
    for (const auto& u : uploads) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + u.field + "\"; filename=\"" +
              u.file_name + "\"\r\nContent-Type: " + u.content_type + "\r\n\r\n" + u.bytes + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    auto req = request("POST", target, session, lang);
    req.headers.emplace_back("content-type", "multipart/form-data; boundary=" + boundary);
    req.body = body;
    return send(req);
  }

  static std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      std::string lk = k;
      for (auto& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lk == name) return v;
    }
    return {};
  }
  static std::string location(const http::Response& r) { return header(r, "location"); }

  // Starts (or resumes) Anna's draft of the primary school enrolment at Asti; returns "/asti/domande/<id>".
  std::string start_draft(const std::string& session, const std::string& slug = "asti",
                          const std::string& service = kService) {
    auto r = get("/" + slug + "/servizi/" + service + "/domanda", session);
    EXPECT_EQ(r.status, 303) << r.body.substr(0, 300);
    const std::string loc = location(r);
    auto cut = loc.find("/passo/");
    EXPECT_NE(cut, std::string::npos) << loc;
    return cut == std::string::npos ? std::string() : loc.substr(0, cut);
  }

  static std::string draft_id(const std::string& base) { return base.substr(base.rfind('/') + 1); }

  std::optional<Draft> stored_draft(tenants::TenantId tenant, const std::string& id) {
    std::optional<Draft> d;
    app_->database().read([&](db::Conn& c) { d = DraftStore::find(c, tenant, id); });
    return d;
  }

  std::int64_t count(const std::string& sql, const db::Params& params) {
    std::int64_t n = -1;
    app_->database().read([&](db::Conn& c) { n = c.query_one(sql, params)->i64(0); });
    return n;
  }

  // A valid code for a child born on `birth` in Asti.
  static std::string child_cf(const std::string& given, std::chrono::year_month_day birth) {
    return cf::compute("Ferraro", given, cf::Sex::female, birth, "A479").value();
  }

  Config config_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<app::App> app_;
  http::Hooks hooks_;
  http::ServerOptions options_;
  std::unique_ptr<identity::SessionService> sessions_;
  std::unique_ptr<tenants::TenantService> tenants_;
  tenants::TenantId asti_ = 0;
  tenants::TenantId novara_ = 0;
};

// A tiny but real PDF (libmagic recognises it by its header).
inline std::string sample_pdf(const std::string& text = "certificato") {
  return "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text + "\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

// The four steps of Anna's primary school enrolment at Asti, valid (shared by the suites that send one).
using Fields = std::vector<std::pair<std::string, std::string>>;

inline Fields applicant_step() {
  return {{"applicant_fiscal_code", kAnna},
          {"applicant_given_name", "Anna"},
          {"applicant_family_name", "Ferraro"},
          {"applicant_birth_date", "1978-11-30"},
          {"applicant_email", "anna.ferraro@example.org"},
          {"applicant_phone", "333 123 4567"},
          {"applicant_residence.street", "Corso Alfieri"},
          {"applicant_residence.number", "12"},
          {"applicant_residence.postcode", "14100"},
          {"applicant_residence.municipality", "Asti"},
          {"applicant_role", "genitore"},
          {"azione", "avanti"}};
}

inline Fields children_step(const std::string& disability = "no") {
  const auto birth = std::chrono::year{2021} / std::chrono::June / 15;
  return {{"school_year", "2027-2028"},
          {"children[0]._item", "1"},
          {"children[0].fiscal_code", AppTest::child_cf("Giulia", birth)},
          {"children[0].given_name", "Giulia"},
          {"children[0].family_name", "Ferraro"},
          {"children[0].sex", "F"},  // the code is a girl's (child_cf): it must agree
          {"children[0].birth_date", "15/06/2021"},
          {"children[0].birth_place", "Asti"},
          {"children[0].citizenship", "italiana"},
          {"children[0].disability", disability},
          {"azione", "avanti"}};
}

inline Fields school_step() {
  return {{"school", "rodari"},  // from Asti's demo list of schools (data/demo/forms.json)
          {"time_schedule", "27"}, {"religion_teaching", "no"}, {"canteen", "no"},
          {"transport", "no"},     {"azione", "avanti"}};
}

inline Fields declarations_step() {
  return {{"declaration_shared_responsibility", "yes"},
          {"declaration_vaccinations", "yes"},
          {"declaration_truth", "yes"},
          {"declaration_privacy", "yes"},
          {"azione", "avanti"}};
}

inline std::string dialect_name(const ::testing::TestParamInfo<db::Dialect>& info) {
  return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
}

}  // namespace sp::applications::webtest
