// Sessions and the sign-in state machine on both databases, with an injected clock.
#include <gtest/gtest.h>

#include <map>

#include "core/codice_fiscale.hpp"
#include "core/i18n.hpp"
#include "http/router.hpp"
#include "identity/session_service.hpp"
#include "identity/sign_in.hpp"
#include "identity/web.hpp"
#include "support/testing.hpp"
#include "web/view.hpp"

namespace {

using namespace sp::identity;
using namespace std::chrono_literals;

// A provider double for the sign-in state machine: it returns what the test configures. The real OIDC
// adapter is tested against the simulator over HTTP in tests/integration/oidc.
class ScriptedProvider final : public AuthProvider {
 public:
  std::string id_ = "sim";
  std::string name_ = "Simulatore";
  int calls = 0;
  int acr = 2;
  std::string fiscal_code = "CCCFBA85D03L21VE";  // omocodic form of CCCFBA85D03L219P
  std::string last_nonce;
  std::string issuer = "https://idp.example";
  bool require_iss = false;
  std::string profile_ = "spid";
  std::string body_;
  const std::string& id() const override { return id_; }
  std::string profile() const override { return profile_; }
  std::string body() const override { return body_; }
  sp::Status check_issuer(const std::string& iss) override {
    if (iss.empty() ? require_iss : iss != issuer) return sp::Error::make("oidc.response_issuer", 400);
    return sp::Ok{};
  }
  const std::string& display_name() const override { return name_; }
  sp::Result<AuthStart> begin(int level) override {
    static int n = 0;
    ++n;
    return AuthStart{"https://idp.example/authorize?n=" + std::to_string(n),
                     "state-" + std::to_string(n) + std::string(40, 'x'), "nonce-" + std::to_string(n),
                     "verifier-" + std::to_string(n), level};
  }
  sp::Result<VerifiedIdentity> complete(const std::string& code, const AuthStart& pending) override {
    ++calls;
    last_nonce = pending.nonce;
    if (code == "bad") return sp::Error::make("oidc.id_token_signature", 400);
    return VerifiedIdentity{id_, fiscal_code, "Fabio", "Caccamo", "fabio@example.org", "1985-04-03", acr};
  }
};

class IdentityTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    sessions_ = std::make_unique<SessionService>(database_->db(), *clock_);
    sign_in_ = std::make_unique<SignInService>(database_->db(), *sessions_, *clock_);
    provider_ = std::make_shared<ScriptedProvider>();
    sign_in_->add_provider(provider_);
  }

  // A sign-in as the browser that started it sees it: the state the provider sends back and the
  // binding kept in the browser's cookie.
  struct Begun {
    std::string state;
    std::string binding;
  };
  Begun start(int level = 2, const std::string& next = "/asti/") {
    auto started = sign_in_->start("sim", level, next);
    EXPECT_TRUE(started.ok());
    if (!started) return {};
    EXPECT_GE(started->browser_binding.size(), 32u);
    auto n = started->redirect_url.substr(started->redirect_url.find("n=") + 2);
    return {"state-" + n + std::string(40, 'x'), started->browser_binding};
  }
  // Starts a sign-in and returns the state the provider would send back (the binding is remembered for
  // finish()).
  std::string begin(int level = 2, const std::string& next = "/asti/") {
    auto b = start(level, next);
    bindings_[b.state] = b.binding;
    return b.state;
  }
  // The callback from the browser that started the sign-in of `state`, with the provider's iss.
  sp::Result<SignedIn> finish(const std::string& state, const std::string& code, const std::string& error,
                              const std::string& previous_token) {
    return sign_in_->finish(ProviderCallback{state, code, error, provider_->issuer, bindings_[state]},
                            previous_token);
  }

  std::map<std::string, std::string> bindings_;

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  std::unique_ptr<SessionService> sessions_;
  std::unique_ptr<SignInService> sign_in_;
  std::shared_ptr<ScriptedProvider> provider_;
};

TEST_P(IdentityTest, SignInOpensASessionForTheCanonicalFiscalCode) {
  auto state = begin(2, "/asti/");
  auto done = finish(state, "good", "", "");
  ASSERT_TRUE(done.ok()) << done.error().code;
  EXPECT_EQ(done->return_to, "/asti/");
  auto p = sessions_->resume(done->session.token);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->subject, "CCCFBA85D03L219P");
  EXPECT_EQ(p->auth_level, 2);
  EXPECT_TRUE(p->has(Role::citizen));
  EXPECT_EQ(p->display_name, "Fabio Caccamo");
  auto person = sign_in_->people().by_fiscal_code("CCCFBA85D03L219P");
  ASSERT_TRUE(person.has_value());
  EXPECT_EQ(person->email, "fabio@example.org");
  EXPECT_EQ(provider_->last_nonce.rfind("nonce-", 0), 0u);  // the nonce stored at start reached the provider
}

TEST_P(IdentityTest, ACallbackIsAcceptedOnceOnly) {
  auto state = begin();
  ASSERT_TRUE(finish(state, "good", "", "").ok());
  auto replay = finish(state, "good", "", "");
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, "identity.callback_unknown");
  EXPECT_EQ(provider_->calls, 1);  // the replay never reached the provider
}

TEST_P(IdentityTest, ForgedExpiredAndFailedCallbacksAreRefused) {
  EXPECT_EQ(finish("forged-state-that-was-never-issued-by-us-000", "good", "", "").error().code,
            "identity.callback_unknown");
  auto state = begin();
  clock_->advance(11min);
  // This browser's own sign-in, back too late: said as such (the SPID UX guidelines' timeout), and spent.
  EXPECT_EQ(finish(state, "good", "", "").error().code, "identity.signin_expired");
  EXPECT_EQ(finish(state, "good", "", "").error().code, "identity.signin_expired");
  EXPECT_EQ(provider_->calls, 0);
  auto s2 = begin();
  EXPECT_EQ(finish(s2, "bad", "", "").error().code, "oidc.id_token_signature");
  EXPECT_EQ(finish(s2, "good", "", "").error().code,
            "identity.callback_unknown");  // consumed anyway
  // The provider's refusals (AgID OIDC guidelines, "Authentication Response" > "Errori"): one code each;
  // an unknown one stays generic.
  for (const std::string code : {"access_denied", "invalid_client", "invalid_request", "invalid_scope",
                                 "server_error", "temporarily_unavailable"}) {
    auto s3 = begin();
    EXPECT_EQ(finish(s3, "", code, "").error().code, "identity.provider." + code);
  }
  auto s4 = begin();
  EXPECT_EQ(finish(s4, "", "something_else", "").error().code, "identity.provider_error");
}

// Login CSRF: an attacker's own sign-in, stopped at the callback and sent as a link to a victim, must not
// sign the victim in as the attacker nor touch the victim's session.
TEST_P(IdentityTest, ACallbackFromAnotherBrowserIsRefusedAndLeavesItsSessionAlone) {
  NewSession ns{PrincipalKind::person, "RSSMRA80A01H501U", 0, {Role::citizen}, 2, "Mario Rossi"};
  auto victim = sessions_->start(ns);
  auto attacker = start();     // the attacker's browser
  auto victims_own = start();  // a sign-in the victim's browser started itself

  for (const std::string& binding : {std::string(), victims_own.binding, std::string(43, 'A')}) {
    auto done = sign_in_->finish(ProviderCallback{attacker.state, "good", "", provider_->issuer, binding},
                                 victim.token);
    ASSERT_FALSE(done.ok()) << "binding '" << binding << "'";
    EXPECT_EQ(done.error().code, "identity.callback_unknown");
    EXPECT_EQ(done.error().http_status, 400);
  }
  EXPECT_EQ(provider_->calls, 0);  // the code was never redeemed
  auto still = sessions_->resume(victim.token);
  ASSERT_NE(still, nullptr);
  EXPECT_EQ(still->subject, "RSSMRA80A01H501U");

  // Nothing was consumed: each sign-in still finishes in the browser that started it.
  auto own = sign_in_->finish(
      ProviderCallback{victims_own.state, "good", "", provider_->issuer, victims_own.binding}, victim.token);
  ASSERT_TRUE(own.ok()) << own.error().code;
  auto theirs =
      sign_in_->finish(ProviderCallback{attacker.state, "good", "", provider_->issuer, attacker.binding}, "");
  ASSERT_TRUE(theirs.ok()) << theirs.error().code;
  EXPECT_EQ(provider_->calls, 2);
}

// RFC 9207: the callback's iss must be the provider's; CIE's profile requires it, SPID's does not.
TEST_P(IdentityTest, TheCallbacksIssuerIsChecked) {
  auto finish_with = [&](const std::string& iss, const std::string& error = {}) {
    auto b = start();
    return sign_in_->finish(ProviderCallback{b.state, "good", error, iss, b.binding}, "");
  };
  auto wrong = finish_with("https://another-idp.example");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "oidc.response_issuer");
  EXPECT_EQ(wrong.error().http_status, 400);
  EXPECT_EQ(provider_->calls, 0);
  // A refusal naming another provider is refused as such; one naming none is the provider's refusal.
  EXPECT_EQ(finish_with("https://another-idp.example", "access_denied").error().code, "oidc.response_issuer");
  EXPECT_EQ(finish_with("", "access_denied").error().code, "identity.provider.access_denied");

  EXPECT_TRUE(finish_with("").ok());  // not required by this provider (SPID)
  EXPECT_TRUE(finish_with(provider_->issuer).ok());
  provider_->require_iss = true;  // CIE
  auto missing = finish_with("");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "oidc.response_issuer");
  EXPECT_TRUE(finish_with(provider_->issuer).ok());
  EXPECT_EQ(provider_->calls, 3);
}

TEST_P(IdentityTest, ALowerLevelThanRequestedIsRefused) {
  provider_->acr = 1;
  auto state = begin(2);
  auto done = finish(state, "good", "", "");
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, "identity.acr_level");
}

TEST_P(IdentityTest, ReturnToIsAlwaysALocalPath) {
  for (const char* evil :
       {"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"}) {
    auto state = begin(2, evil);
    auto done = finish(state, "good", "", "");
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->return_to, "/") << evil;
  }
}

TEST_P(IdentityTest, SessionsExpireWhenIdleAndAtTheAbsoluteLimit) {
  NewSession ns{PrincipalKind::person, "CCCFBA85D03L219P", 0, {Role::citizen}, 2, "Fabio"};
  auto s = sessions_->start(ns);
  ASSERT_NE(sessions_->resume(s.token), nullptr);
  clock_->advance(29min);
  ASSERT_NE(sessions_->resume(s.token), nullptr);  // used: idle clock restarts
  clock_->advance(29min);
  ASSERT_NE(sessions_->resume(s.token), nullptr);
  clock_->advance(31min);
  EXPECT_EQ(sessions_->resume(s.token), nullptr);  // idle too long

  auto t = sessions_->start(ns);
  for (int i = 0; i < 26; ++i) {  // active every 28 minutes for over 12 hours
    clock_->advance(28min);
    if (i < 25) {
      ASSERT_NE(sessions_->resume(t.token), nullptr) << i;
    }
  }
  EXPECT_EQ(sessions_->resume(t.token), nullptr);  // absolute limit
}

TEST_P(IdentityTest, SignInRotatesAndSignOutEndsSessions) {
  NewSession ns{PrincipalKind::person, "CCCFBA85D03L219P", 0, {Role::citizen}, 2, "Fabio"};
  auto first = sessions_->start(ns);
  auto second = sessions_->start(ns, first.token);  // signing in again from the same browser
  EXPECT_EQ(sessions_->resume(first.token), nullptr);
  EXPECT_NE(sessions_->resume(second.token), nullptr);
  EXPECT_NE(first.token, second.token);
  auto other_device = sessions_->start(ns);
  EXPECT_EQ(sessions_->end(second.token), 1);
  EXPECT_EQ(sessions_->resume(second.token), nullptr);
  EXPECT_NE(sessions_->resume(other_device.token), nullptr);
  auto third = sessions_->start(ns);
  EXPECT_EQ(sessions_->end_everywhere(PrincipalKind::person, "CCCFBA85D03L219P"), 2);
  EXPECT_EQ(sessions_->resume(other_device.token), nullptr);
  EXPECT_EQ(sessions_->resume(third.token), nullptr);
  EXPECT_EQ(sessions_->resume("not-a-token"), nullptr);
  EXPECT_EQ(sessions_->resume(std::string(43, 'A')), nullptr);
}

TEST_P(IdentityTest, ActingForIsKeptInTheSession) {
  NewSession ns{PrincipalKind::person, "CCCFBA85D03L219P", 0, {Role::citizen}, 2, "Fabio"};
  auto s = sessions_->start(ns);
  auto p = sessions_->resume(s.token);
  sessions_->set_acting_for(*p, Represented{"business", "00743110157", "Rossi Srl"});
  auto again = sessions_->resume(s.token);
  ASSERT_TRUE(again->acting_for.has_value());
  EXPECT_EQ(again->acting_for->id, "00743110157");
  EXPECT_EQ(again->acting_for->name, "Rossi Srl");
}

// The same through the pages: /accedi/{provider} sets the binding cookie, /auth/callback wants it.
class SignInPagesTest : public IdentityTest {
 protected:
  void SetUp() override {
    IdentityTest::SetUp();
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    view_ =
        std::make_unique<sp::web::View>(sp::testing::source_dir() + "/web/templates", i18n_, "Polo di prova");
    deps_ = std::make_unique<WebDeps>(WebDeps{*view_, *sessions_, *sign_in_, true});
    register_pages(router_, *deps_);
  }

  struct Reply {
    sp::http::Response r;
    [[nodiscard]] std::vector<std::string> cookies() const {
      std::vector<std::string> out;
      for (const auto& [k, v] : r.headers)
        if (k == "set-cookie") out.push_back(v);
      return out;
    }
    [[nodiscard]] std::string cookie(const std::string& name) const {
      for (const auto& c : cookies())
        if (c.rfind(name + "=", 0) == 0) return c;
      return {};
    }
    [[nodiscard]] std::string location() const {
      const auto* l = r.find_header("location");
      return l ? *l : std::string();
    }
  };

  Reply get(const std::string& target, const std::string& cookies = {}) {
    sp::http::Request req;
    req.method = "GET";
    EXPECT_TRUE(sp::http::parse_target(req, target).ok());
    if (!cookies.empty()) req.headers.emplace_back("cookie", cookies);
    req.ctx.locale = "it";
    req.ctx.request_id = "test";
    resolve_principal(*sessions_, req);
    auto found = router_.find("GET", req.path);
    if (!found.match || !found.match->handler) {
      ADD_FAILURE() << "no route " << target;
      return {};
    }
    req.path_params = found.match->params;
    return {(*found.match->handler)(req)};
  }

  // Starts a sign-in through the page: {state the provider will send back, the binding cookie's value}.
  Begun start_page() {
    auto r = get("/accedi/sim?livello=2&next=/asti/");
    EXPECT_EQ(r.r.status, 303);
    const auto cookie = r.cookie("sp_signin");
    EXPECT_NE(cookie.find("; Path=/auth/callback"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("; Max-Age=600"), std::string::npos) << cookie;
    const auto value = cookie.substr(10, cookie.find(';') - 10);
    const auto url = r.location();
    return {"state-" + url.substr(url.find("n=") + 2) + std::string(40, 'x'), value};
  }

  sp::I18n i18n_;
  std::unique_ptr<sp::web::View> view_;
  std::unique_ptr<WebDeps> deps_;
  sp::http::Router router_;
};

TEST_P(SignInPagesTest, ACallbackWithoutTheBrowsersCookieIsRefusedAndKeepsTheSession) {
  NewSession ns{PrincipalKind::person, "RSSMRA80A01H501U", 0, {Role::citizen}, 2, "Mario Rossi"};
  auto victim = sessions_->start(ns);
  auto attacker = start_page();
  auto victims_own = start_page();
  ASSERT_NE(attacker.binding, victims_own.binding);
  const std::string callback =
      "/auth/callback?state=" + attacker.state + "&code=good&iss=https%3A%2F%2Fidp.example";

  for (const std::string& cookies :
       {"sp_session=" + victim.token, "sp_session=" + victim.token + "; sp_signin=" + victims_own.binding}) {
    auto refused = get(callback, cookies);
    EXPECT_EQ(refused.r.status, 400) << cookies;
    EXPECT_NE(refused.r.body.find("Accesso non riuscito"), std::string::npos);
    EXPECT_NE(refused.r.body.find("in questo browser"), std::string::npos);
    EXPECT_NE(refused.r.body.find("identity.callback_unknown"), std::string::npos);
    EXPECT_TRUE(refused.cookies().empty()) << "no session set, the victim's own sign-in left alone";
  }
  EXPECT_EQ(provider_->calls, 0);
  ASSERT_NE(sessions_->resume(victim.token), nullptr);
  EXPECT_EQ(sessions_->resume(victim.token)->subject, "RSSMRA80A01H501U");

  // The attacker's own browser, with its cookie, finishes normally; the binding cookie is cleared.
  auto own = get(callback, "sp_signin=" + attacker.binding);
  ASSERT_EQ(own.r.status, 303) << own.r.body;
  EXPECT_EQ(own.location(), "/asti/");
  EXPECT_FALSE(own.cookie("sp_session").empty());
  EXPECT_NE(own.cookie("sp_signin").find("Max-Age=0"), std::string::npos);
  // Presented again: spent.
  EXPECT_EQ(get(callback, "sp_signin=" + attacker.binding).r.status, 400);
}

TEST_P(SignInPagesTest, AWrongIssuerIsRefusedWithAPage) {
  auto b = start_page();
  auto wrong = get("/auth/callback?state=" + b.state + "&code=good&iss=https%3A%2F%2Fevil.example",
                   "sp_signin=" + b.binding);
  EXPECT_EQ(wrong.r.status, 400);
  EXPECT_NE(wrong.r.body.find("oidc.response_issuer"), std::string::npos);
  EXPECT_TRUE(wrong.cookie("sp_session").empty());
  EXPECT_NE(wrong.cookie("sp_signin").find("Max-Age=0"), std::string::npos);  // the sign-in is over
  EXPECT_EQ(provider_->calls, 0);
}

// The official buttons (issue 14): "Entra con SPID" opens the list of SPID providers, "Entra con CIE"
// leads to CIE; a body's own client is not offered on the hub's page.
TEST_P(SignInPagesTest, TheSignInPageShowsTheSpidAndCieButtons) {
  auto page = get("/accedi?livello=2&next=/area-personale");
  ASSERT_EQ(page.r.status, 200);
  const auto& html = page.r.body;
  EXPECT_NE(html.find("Entra con SPID"), std::string::npos);
  EXPECT_EQ(html.find("Entra con CIE"), std::string::npos) << "no CIE provider configured yet";
  EXPECT_NE(html.find("<details class=\"spid-picker mb-3\" open>"), std::string::npos)
      << "one provider: open";
  EXPECT_NE(html.find("href=\"/accedi/sim?livello=2&amp;next=/area-personale\""), std::string::npos) << html;

  auto second = std::make_shared<ScriptedProvider>();
  second->id_ = "other";
  second->name_ = "Altro gestore";
  auto cie = std::make_shared<ScriptedProvider>();
  cie->id_ = "cie";
  cie->name_ = "CIE id";
  cie->profile_ = "cie";
  auto novaras = std::make_shared<ScriptedProvider>();
  novaras->id_ = "sim-novara";
  novaras->name_ = "Gestore di Novara";
  novaras->body_ = "novara";
  sign_in_->add_provider(second);
  sign_in_->add_provider(cie);
  sign_in_->add_provider(novaras);
  page = get("/accedi?livello=3");
  const auto& both = page.r.body;
  EXPECT_NE(both.find("<details class=\"spid-picker mb-3\">"), std::string::npos) << "a closed list";
  EXPECT_NE(both.find("Altro gestore"), std::string::npos);
  const auto cie_at = both.find("Entra con CIE");
  ASSERT_NE(cie_at, std::string::npos);
  EXPECT_NE(both.find("class=\"btn btn-primary cie-button provider-link\" href=\"/accedi/cie?livello=3"),
            std::string::npos);
  EXPECT_LT(both.find("Altro gestore"), cie_at) << "SPID's providers are under its own button";
  EXPECT_EQ(both.find("Gestore di Novara"), std::string::npos) << "another body's client is not the hub's";
  EXPECT_EQ(both.find("sim-novara"), std::string::npos);
}

// The SPID UX errors as the citizen reads them: cancelled or level too low, a provider that is down, a
// sign-in that took too long; never the provider's own code alone.
TEST_P(SignInPagesTest, TheProvidersRefusalsAreExplainedToTheCitizen) {
  auto refused = [&](const std::string& error) {
    auto b = start_page();
    return get("/auth/callback?state=" + b.state + "&error=" + error + "&iss=https%3A%2F%2Fidp.example",
               "sp_signin=" + b.binding);
  };
  auto denied = refused("access_denied");
  EXPECT_EQ(denied.r.status, 400);
  EXPECT_NE(denied.r.body.find("hai annullato l&apos;operazione"), std::string::npos) << denied.r.body;
  EXPECT_NE(denied.r.body.find("livello di sicurezza richiesto"), std::string::npos);
  EXPECT_NE(denied.r.body.find("identity.provider.access_denied"), std::string::npos);
  EXPECT_NE(denied.cookie("sp_signin").find("Max-Age=0"), std::string::npos);
  auto down = refused("temporarily_unavailable");
  EXPECT_NE(down.r.body.find("non è disponibile in questo momento"), std::string::npos) << down.r.body;
  auto odd = refused("%3Cscript%3E");
  EXPECT_NE(odd.r.body.find("&lt;script&gt;"), std::string::npos) << "the provider's code is escaped";
  EXPECT_NE(odd.r.body.find("identity.provider_error"), std::string::npos);

  auto late = start_page();
  clock_->advance(11min);
  auto expired = get("/auth/callback?state=" + late.state + "&code=good&iss=https%3A%2F%2Fidp.example",
                     "sp_signin=" + late.binding);
  EXPECT_EQ(expired.r.status, 400);
  EXPECT_NE(expired.r.body.find("L&apos;accesso è scaduto"), std::string::npos) << expired.r.body;
  EXPECT_TRUE(expired.cookie("sp_session").empty());
  EXPECT_EQ(provider_->calls, 0);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, SignInPagesTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

INSTANTIATE_TEST_SUITE_P(BothDatabases, IdentityTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
