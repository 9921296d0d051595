// The back-office pages through the router, with real templates and texts: CSRF on anonymous and
// signed-in forms, sign-in keeping the e-mail but never the password, and body boundaries (403).
#include "identity/web.hpp"

#include "core/crypto/encoding.hpp"
#include "core/crypto/totp.hpp"
#include "core/i18n.hpp"
#include "http/router.hpp"
#include "identity/staff_web.hpp"
#include "staff_fixture.hpp"
#include "tenants/service.hpp"

namespace staff_test {
namespace {

struct Reply {
  sp::http::Response r;
  [[nodiscard]] std::string cookie(const std::string& name) const {
    for (const auto& [k, v] : r.headers) {
      if (k == "set-cookie" && v.rfind(name + "=", 0) == 0)
        return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    }
    return {};
  }
  [[nodiscard]] std::string set_cookie(const std::string& name) const {
    for (const auto& [k, v] : r.headers) {
      if (k == "set-cookie" && v.rfind(name + "=", 0) == 0) return v;
    }
    return {};
  }
  [[nodiscard]] std::string location() const {
    for (const auto& [k, v] : r.headers) {
      if (k == "location") return v;
    }
    return {};
  }
};

std::string enc(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

class StaffWebTest : public StaffTest {
 protected:
  void SetUp() override {
    StaffTest::SetUp();
    if (HasFatalFailure()) return;
    tenants_ = std::make_unique<sp::tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    ASSERT_EQ(make_body(*hub, "asti", "Comune di Asti"), kAsti);
    ASSERT_EQ(make_body(*hub, "novara", "Comune di Novara"), kNovara);
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    view_ =
        std::make_unique<sp::web::View>(sp::testing::source_dir() + "/web/templates", i18n_, "Polo di prova");
    deps_ =
        std::make_unique<StaffWebDeps>(StaffWebDeps{*view_, *sessions_, *staff_, *keys_, *tenants_, false});
    register_staff_pages(router_, *deps_);
  }

  sp::tenants::TenantId make_body(std::int64_t hub, const std::string& slug, const std::string& name) {
    sp::tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.fiscal_code = "00743110157";
    auto id = tenants_->create_body(b);
    return id.ok() ? *id : -1;
  }

  Reply call(const std::string& method, const std::string& target, const std::string& body = {},
             const std::string& cookies = {}) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, target).ok());
    req.body = body;
    if (!cookies.empty()) req.headers.emplace_back("cookie", cookies);
    req.ctx.locale = "it";
    req.ctx.request_id = "test";
    resolve_principal(*sessions_, req);
    auto found = router_.find(method, req.path);
    if (!found.match || !found.match->handler) {
      ADD_FAILURE() << "no route " << method << " " << target;
      return {};
    }
    req.path_params = found.match->params;
    return {(*found.match->handler)(req)};
  }

  // Signs in through the page and returns the session cookie.
  std::string sign_in(const std::string& email) {
    auto form = call("GET", "/backoffice/accedi");
    auto csrf = form.cookie(kStaffCsrfCookie);
    auto done = call("POST", "/backoffice/accedi",
                     "_csrf=" + csrf + "&email=" + enc(email) + "&password=" + enc(kGoodPassword) + "&totp=",
                     std::string(kStaffCsrfCookie) + "=" + csrf);
    EXPECT_EQ(done.r.status, 303) << done.r.body;
    return "sp_session=" + done.cookie("sp_session");
  }

  std::string session_csrf(const std::string& cookie) {
    return sessions_->resume(cookie.substr(cookie.find('=') + 1))->csrf_token;
  }

  sp::I18n i18n_;
  std::unique_ptr<sp::tenants::TenantService> tenants_;
  std::unique_ptr<sp::web::View> view_;
  std::unique_ptr<StaffWebDeps> deps_;
  sp::http::Router router_;
};

TEST_P(StaffWebTest, SignInNeedsTheDoubleSubmitCookieAndKeepsOnlyTheEmail) {
  auto form = call("GET", "/backoffice/accedi");
  ASSERT_EQ(form.r.status, 200);
  const auto csrf = form.cookie(kStaffCsrfCookie);
  ASSERT_EQ(csrf.size(), 43u);
  EXPECT_NE(form.set_cookie(kStaffCsrfCookie).find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(form.set_cookie(kStaffCsrfCookie).find("HttpOnly"), std::string::npos);
  EXPECT_NE(form.r.body.find("name=\"_csrf\" value=\"" + csrf + "\""), std::string::npos);
  EXPECT_NE(form.r.body.find("autocomplete=\"current-password\""), std::string::npos);

  const std::string good =
      "_csrf=" + csrf + "&email=admin%40asti.example&password=" + enc(kGoodPassword) + "&totp=";
  auto no_cookie = call("POST", "/backoffice/accedi", good);
  EXPECT_EQ(no_cookie.r.status, 403);
  EXPECT_EQ(no_cookie.cookie("sp_session"), "");
  auto other_cookie = call("POST", "/backoffice/accedi", good, "sp_csrf=" + std::string(43, 'x'));
  EXPECT_EQ(other_cookie.r.status, 403);

  auto wrong = call("POST", "/backoffice/accedi",
                    "_csrf=" + csrf + "&email=admin%40asti.example&password=segreta-sbagliata-123&totp=",
                    "sp_csrf=" + csrf);
  EXPECT_EQ(wrong.r.status, 400);
  EXPECT_EQ(wrong.cookie("sp_session"), "");
  EXPECT_NE(wrong.r.body.find("value=\"admin@asti.example\""), std::string::npos);
  EXPECT_EQ(wrong.r.body.find("segreta-sbagliata-123"), std::string::npos);
  EXPECT_NE(wrong.r.body.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(wrong.r.body.find("Indirizzo e-mail o password non corretti."), std::string::npos);

  auto ok = call("POST", "/backoffice/accedi", good, "sp_csrf=" + csrf);
  ASSERT_EQ(ok.r.status, 303);
  EXPECT_EQ(ok.location(), "/backoffice/");
  const auto session = ok.cookie("sp_session");
  ASSERT_FALSE(session.empty());
  auto home = call("GET", "/backoffice/", {}, "sp_session=" + session);
  ASSERT_EQ(home.r.status, 200);
  EXPECT_NE(home.r.body.find("Staff admin@asti.example"), std::string::npos);
  EXPECT_NE(home.r.body.find("Comune di Asti"), std::string::npos);
  EXPECT_NE(home.r.body.find("Amministratore dell&apos;ente"), std::string::npos) << home.r.body;
  EXPECT_NE(home.r.body.find("/backoffice/asti/personale"), std::string::npos);
  EXPECT_EQ(call("GET", "/backoffice/").r.status, 303);  // anonymous: to the sign-in page
}

TEST_P(StaffWebTest, TotpEnrolmentUsesTheSecretTheServerShowedNotOnePosted) {
  // Issue 10: the form posted the secret back as a hidden field, so a client could enrol its own.
  ASSERT_TRUE(staff_->set_totp_required(asti_admin_.get(), kAsti, true).ok());
  auto form = call("GET", "/backoffice/accedi");
  const auto csrf = form.cookie(kStaffCsrfCookie);
  const std::string cookie = std::string(kStaffCsrfCookie) + "=" + csrf;
  const std::string base = "_csrf=" + csrf + "&email=admin%40asti.example&password=" + enc(kGoodPassword);
  auto must_enrol = call("POST", "/backoffice/accedi", base + "&totp=", cookie);
  ASSERT_EQ(must_enrol.r.status, 403);
  const auto& body = must_enrol.r.body;
  const auto at = body.find("id=\"totp-secret\">");
  ASSERT_NE(at, std::string::npos) << body;
  const auto start = at + std::string("id=\"totp-secret\">").size();
  const std::string shown = body.substr(start, body.find('<', start) - start);
  ASSERT_EQ(shown.size(), 32u) << shown;
  EXPECT_EQ(body.find("name=\"totp_secret\""), std::string::npos) << "the secret is not a form field";

  // A code made from a secret of the client's choosing does not enrol, even when it is posted too.
  const auto chosen = StaffService::new_totp_secret();
  const auto chosen_code = sp::crypto::totp_code(*sp::crypto::base32_decode(chosen), clock_->now());
  auto forged = call("POST", "/backoffice/accedi",
                     base + "&totp_enrol=1&totp_secret=" + chosen + "&totp=" + chosen_code, cookie);
  EXPECT_EQ(forged.r.status, 400);  // a refused form answers 400 (web::form_status)
  EXPECT_EQ(forged.cookie("sp_session"), "");
  EXPECT_NE(forged.r.body.find(shown), std::string::npos) << "the same offer is shown again";
  EXPECT_FALSE(staff_->account_by_email("admin@asti.example")->totp_enrolled);

  const auto code = sp::crypto::totp_code(*sp::crypto::base32_decode(shown), clock_->now());
  auto enrolled = call("POST", "/backoffice/accedi", base + "&totp_enrol=1&totp=" + code, cookie);
  ASSERT_EQ(enrolled.r.status, 303) << enrolled.r.body;
  EXPECT_FALSE(enrolled.cookie("sp_session").empty());
  EXPECT_TRUE(staff_->account_by_email("admin@asti.example")->totp_enrolled);
}

TEST_P(StaffWebTest, ABodyAdministratorSeesOnlyTheirOwnBodysPages) {
  const auto asti = sign_in("admin@asti.example");
  const auto csrf = session_csrf(asti);
  EXPECT_EQ(call("GET", "/backoffice/asti/personale", {}, asti).r.status, 200);
  EXPECT_EQ(call("GET", "/backoffice/novara/personale", {}, asti).r.status, 403);
  EXPECT_EQ(call("GET", "/backoffice/novara/chiavi-api", {}, asti).r.status, 403);
  EXPECT_EQ(call("GET", "/backoffice/nessuno/personale", {}, asti).r.status, 404);
  EXPECT_EQ(call("GET", "/backoffice/asti/personale").r.status, 303);

  const std::string create =
      "action=create&display_name=Mario+Rossi&email=mario%40asti.example&password=" + enc(kGoodPassword) +
      "&roles=operator";
  EXPECT_EQ(call("POST", "/backoffice/novara/personale", "_csrf=" + csrf + "&" + create, asti).r.status, 403);
  EXPECT_EQ(call("POST", "/backoffice/asti/personale", "_csrf=wrong&" + create, asti).r.status, 403);
  EXPECT_FALSE(staff_->account_by_email("mario@asti.example").has_value());
  auto made = call("POST", "/backoffice/asti/personale", "_csrf=" + csrf + "&" + create, asti);
  EXPECT_EQ(made.r.status, 303);
  auto mario = staff_->account_by_email("mario@asti.example");
  ASSERT_TRUE(mario.has_value());
  EXPECT_EQ(mario->tenant_id, kAsti);
  EXPECT_EQ(mario->roles, std::set<Role>{Role::operator_});
  auto list = call("GET", "/backoffice/asti/personale", {}, asti);
  EXPECT_NE(list.r.body.find("mario@asti.example"), std::string::npos);
  EXPECT_EQ(list.r.body.find("admin@novara.example"), std::string::npos);

  // A refused creation keeps the values but not the password.
  auto bad =
      call("POST", "/backoffice/asti/personale",
           "_csrf=" + csrf +
               "&action=create&display_name=Luisa&email=luisa%40asti.example&password=corta&roles=operator",
           asti);
  EXPECT_EQ(bad.r.status, 400);
  EXPECT_NE(bad.r.body.find("value=\"luisa@asti.example\""), std::string::npos);
  EXPECT_EQ(bad.r.body.find("value=\"corta\""), std::string::npos);

  // API keys: shown once.
  auto key_page = call("POST", "/backoffice/asti/chiavi-api",
                       "_csrf=" + csrf + "&action=create&name=Gestionale&scopes=catalog%3Aread", asti);
  ASSERT_EQ(key_page.r.status, 200);
  auto keys = keys_->list(asti_admin_.get(), kAsti);
  ASSERT_EQ(keys->size(), 1u);
  auto at = key_page.r.body.find("id=\"new-key\">");
  ASSERT_NE(at, std::string::npos);
  const auto secret = key_page.r.body.substr(at + 13, 46);
  EXPECT_TRUE(keys_->authenticate(secret).ok()) << secret;
  auto again = call("GET", "/backoffice/asti/chiavi-api", {}, asti);
  EXPECT_EQ(again.r.body.find(secret), std::string::npos);
  EXPECT_NE(again.r.body.find(keys->at(0).prefix), std::string::npos);
  EXPECT_EQ(call("POST", "/backoffice/novara/chiavi-api",
                 "_csrf=" + csrf + "&action=create&name=X&scopes=catalog%3Aread", asti)
                .r.status,
            403);

  // An operator of Asti gets 403 on the administration pages.
  const auto op = sign_in("mario@asti.example");
  EXPECT_EQ(call("GET", "/backoffice/asti/personale", {}, op).r.status, 403);
  EXPECT_EQ(call("GET", "/backoffice/asti/chiavi-api", {}, op).r.status, 403);
}

TEST_P(StaffWebTest, PasswordResetPagesSayTheSameForEveryAddress) {
  std::vector<std::string> tokens;
  staff_->send_reset = [&](const std::string&, const std::string& token) { tokens.push_back(token); };
  auto form = call("GET", "/backoffice/password-dimenticata");
  const auto csrf = form.cookie(kStaffCsrfCookie);
  const auto cookie = "sp_csrf=" + csrf;
  auto unknown =
      call("POST", "/backoffice/password-dimenticata", "_csrf=" + csrf + "&email=x%40y.example", cookie);
  auto known = call("POST", "/backoffice/password-dimenticata",
                    "_csrf=" + csrf + "&email=admin%40asti.example", cookie);
  EXPECT_EQ(unknown.r.status, 200);
  EXPECT_EQ(known.r.status, 200);
  EXPECT_EQ(unknown.r.body, known.r.body);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(known.r.body.find(tokens[0]), std::string::npos);

  auto page = call("GET", "/backoffice/reimposta-password?token=" + tokens[0], {}, cookie);
  EXPECT_EQ(page.r.status, 200);
  EXPECT_NE(page.r.body.find("autocomplete=\"new-password\""), std::string::npos);
  const std::string fresh = "una nuova frase segreta";
  auto mismatch = call(
      "POST", "/backoffice/reimposta-password",
      "_csrf=" + csrf + "&token=" + tokens[0] + "&password=" + enc(fresh) + "&password_confirm=x", cookie);
  EXPECT_EQ(mismatch.r.status, 400);
  auto done = call(
      "POST", "/backoffice/reimposta-password",
      "_csrf=" + csrf + "&token=" + tokens[0] + "&password=" + enc(fresh) + "&password_confirm=" + enc(fresh),
      cookie);
  EXPECT_EQ(done.r.status, 200);
  EXPECT_NE(done.r.body.find("id=\"reset-done\""), std::string::npos);
  EXPECT_TRUE(staff_->sign_in("admin@asti.example", fresh, "").ok());
  auto reused = call(
      "POST", "/backoffice/reimposta-password",
      "_csrf=" + csrf + "&token=" + tokens[0] + "&password=" + enc(fresh) + "&password_confirm=" + enc(fresh),
      cookie);
  EXPECT_EQ(reused.r.status, 400);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, StaffWebTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace staff_test
