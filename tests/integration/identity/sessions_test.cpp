// Sessions and the sign-in state machine on both databases, with an injected clock.
#include <gtest/gtest.h>

#include "core/codice_fiscale.hpp"
#include "identity/session_service.hpp"
#include "identity/sign_in.hpp"
#include "support/testing.hpp"

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
  const std::string& id() const override { return id_; }
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

  // Starts a sign-in and returns the state the provider would send back.
  std::string begin(int level = 2, const std::string& next = "/asti/") {
    auto url = sign_in_->start("sim", level, next);
    EXPECT_TRUE(url.ok());
    auto n = url->substr(url->find("n=") + 2);
    return "state-" + n + std::string(40, 'x');
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  std::unique_ptr<SessionService> sessions_;
  std::unique_ptr<SignInService> sign_in_;
  std::shared_ptr<ScriptedProvider> provider_;
};

TEST_P(IdentityTest, SignInOpensASessionForTheCanonicalFiscalCode) {
  auto state = begin(2, "/asti/");
  auto done = sign_in_->finish(state, "good", "", "");
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
  ASSERT_TRUE(sign_in_->finish(state, "good", "", "").ok());
  auto replay = sign_in_->finish(state, "good", "", "");
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, "identity.callback_unknown");
  EXPECT_EQ(provider_->calls, 1);  // the replay never reached the provider
}

TEST_P(IdentityTest, ForgedExpiredAndFailedCallbacksAreRefused) {
  EXPECT_EQ(sign_in_->finish("forged-state-that-was-never-issued-by-us-000", "good", "", "").error().code,
            "identity.callback_unknown");
  auto state = begin();
  clock_->advance(11min);
  EXPECT_EQ(sign_in_->finish(state, "good", "", "").error().code, "identity.callback_unknown");
  auto s2 = begin();
  EXPECT_EQ(sign_in_->finish(s2, "bad", "", "").error().code, "oidc.id_token_signature");
  EXPECT_EQ(sign_in_->finish(s2, "good", "", "").error().code,
            "identity.callback_unknown");  // consumed anyway
  auto s3 = begin();
  EXPECT_EQ(sign_in_->finish(s3, "", "access_denied", "").error().code, "identity.provider_error");
}

TEST_P(IdentityTest, ALowerLevelThanRequestedIsRefused) {
  provider_->acr = 1;
  auto state = begin(2);
  auto done = sign_in_->finish(state, "good", "", "");
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, "identity.acr_level");
}

TEST_P(IdentityTest, ReturnToIsAlwaysALocalPath) {
  for (const char* evil :
       {"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"}) {
    auto state = begin(2, evil);
    auto done = sign_in_->finish(state, "good", "", "");
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

INSTANTIATE_TEST_SUITE_P(BothDatabases, IdentityTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
