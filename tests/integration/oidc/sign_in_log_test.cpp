// Issue 14 on both databases: a sign-in through SignInService against the simulator keeps its full
// message log (sealed, chained, append-only, 24 months) and the provider's access token, which is
// revoked at sign-out and, for sessions that ended otherwise, by the revocation job.
#include "identity/sign_in_log.hpp"

#include <gtest/gtest.h>

#include "core/keys/key_ring.hpp"
#include "env.hpp"
#include "identity/oidc_provider.hpp"
#include "identity/session_service.hpp"
#include "identity/sign_in.hpp"
#include "support/testing.hpp"

namespace sp::oidc::testing {
namespace {

using identity::SignInLog;

std::string query_of(const std::string& url, const std::string& name) {
  auto params = http::parse_urlencoded(url.substr(url.find('?') + 1), "test.query");
  auto it = params->find(name);
  return it == params->end() ? std::string() : it->second;
}

class SignInLogTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    auto ring =
        keys::ensure_ring(keys_dir_.path().string(), keys::kHub, keys::Purpose::oidc_log, env().clock.now());
    ASSERT_TRUE(ring.ok());
    log_ = std::make_unique<SignInLog>(database_->db(), env().clock, *ring);
    sessions_ = std::make_unique<identity::SessionService>(database_->db(), env().clock);
    sign_in_ = std::make_unique<identity::SignInService>(database_->db(), *sessions_, env().clock);
    sign_in_->set_log(log_.get());
    sign_in_->add_provider(
        std::make_shared<identity::OidcAuthProvider>(std::shared_ptr<Client>(env().client().release())));
  }

  struct Done {
    std::string state;
    identity::SignedIn signed_in;
  };
  // Start → the provider's page → confirm → finish, as the browser and the web layer do.
  Done sign_in(const std::string& behaviour = "normal") {
    auto started = sign_in_->start("sim", 2, "/asti/");
    EXPECT_TRUE(started.ok()) << (started ? "" : started.error().code);
    if (!started) return {};
    Page page = open_authorize(started->redirect_url);
    EXPECT_EQ(page.status, 200) << page.body;
    Callback cb = confirm(page, kMario, behaviour);
    auto done = sign_in_->finish(
        identity::ProviderCallback{cb.state, cb.code, cb.error, cb.iss, started->browser_binding, "it"}, "");
    Done out{query_of(started->redirect_url, "state"), {}};
    if (behaviour == "normal") {
      EXPECT_TRUE(done.ok()) << done.error().code << " " << done.error().detail;
      if (done) out.signed_in = *done;
    } else {
      EXPECT_FALSE(done.ok());
    }
    return out;
  }

  std::vector<std::string> kinds(const std::string& state) {
    auto messages = log_->read(identity::SignInService::sign_in_id(state));
    EXPECT_TRUE(messages.ok());
    std::vector<std::string> out;
    if (messages)
      for (const auto& m : *messages) out.push_back(m.kind);
    return out;
  }

  sp::testing::TempDir keys_dir_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<SignInLog> log_;
  std::unique_ptr<identity::SessionService> sessions_;
  std::unique_ptr<identity::SignInService> sign_in_;
};

TEST_P(SignInLogTest, EverySignInIsLoggedWholeSealedAndChained) {
  Done d = sign_in();
  EXPECT_EQ(kinds(d.state),
            (std::vector<std::string>{"authorization_request", "authorization_response", "token_request",
                                      "token_response", "userinfo_request", "userinfo_response"}));
  auto messages = log_->read(identity::SignInService::sign_in_id(d.state));
  ASSERT_TRUE(messages.ok());
  const auto& userinfo = messages->back().content;
  EXPECT_NE(userinfo.find("application/jose"), std::string::npos) << "userinfo arrived encrypted";
  EXPECT_NE(messages->at(3).content.find("\"access_token\""), std::string::npos) << "the tokens are logged";
  // Nothing of it is readable in the database.
  database_->db().read([&](db::Conn& c) {
    for (const auto& r : c.query("SELECT sealed FROM oidc_message_log"))
      EXPECT_EQ(r.text(0).find("access_token"), std::string::npos);
  });
  // A refused sign-in is logged too, with why.
  Done refused = sign_in("plain_userinfo");
  auto k = kinds(refused.state);
  ASSERT_FALSE(k.empty());
  EXPECT_EQ(k.back(), "error");
  const auto report = log_->verify();
  EXPECT_EQ(report.broken_at, 0) << report.problem;
  EXPECT_EQ(report.entries, 6 + static_cast<std::int64_t>(k.size()));
}

TEST_P(SignInLogTest, TheLogIsAppendOnlyAndAnEditBreaksTheChain) {
  sign_in();
  auto& db = database_->db();
  EXPECT_ANY_THROW(
      db.write([](db::Conn& tx) { tx.exec("UPDATE oidc_message_log SET kind = 'x' WHERE seq = 2"); }));
  EXPECT_ANY_THROW(db.write([](db::Conn& tx) { tx.exec("DELETE FROM oidc_message_log WHERE seq = 2"); }));
  EXPECT_EQ(log_->purge(), 0) << "nothing is 24 months old";
  // An attacker with the database's owner rights, triggers off: the chain shows the edit.
  db.write([&](db::Conn& tx) {
    if (GetParam() == db::Dialect::postgres) {
      tx.exec_script("ALTER TABLE oidc_message_log DISABLE TRIGGER oidc_message_log_append_only");
      tx.exec("UPDATE oidc_message_log SET provider = 'other' WHERE seq = 3");
      tx.exec_script("ALTER TABLE oidc_message_log ENABLE TRIGGER oidc_message_log_append_only");
    } else {
      tx.exec_script("DROP TRIGGER oidc_message_log_no_update");
      tx.exec("UPDATE oidc_message_log SET provider = 'other' WHERE seq = 3");
    }
  });
  const auto report = log_->verify();
  EXPECT_EQ(report.broken_at, 3);
}

TEST_P(SignInLogTest, MessagesOlderThan24MonthsArePurgedAndTheRestStillVerifies) {
  // Written 25 months ago (the database's own clock decides what the trigger lets go).
  time::TestClock past(std::chrono::system_clock::now() - std::chrono::days(25 * 31));
  auto ring = keys::ensure_ring(keys_dir_.path().string(), keys::kHub, keys::Purpose::oidc_log, past.now());
  ASSERT_TRUE(ring.ok());
  SignInLog old_log(database_->db(), past, *ring);
  old_log.append("old", "https://rp.example", "sim", {{"authorization_request", "https://idp/authorize?x"}});
  auto reloaded = keys::load_ring(keys_dir_.path().string(), keys::kHub, keys::Purpose::oidc_log);
  time::TestClock now(std::chrono::system_clock::now());
  SignInLog current(database_->db(), now, *reloaded);
  current.append("new", "https://rp.example", "sim", {{"authorization_request", "https://idp/authorize?y"}});
  EXPECT_EQ(current.purge(), 1);
  ASSERT_TRUE(current.read("old").ok());
  EXPECT_TRUE(current.read("old")->empty());
  const auto report = current.verify();
  EXPECT_EQ(report.broken_at, 0) << report.problem;
  EXPECT_EQ(report.entries, 1);
  EXPECT_EQ(report.first_seq, 2);
}

TEST_P(SignInLogTest, SignOutRevokesTheTokenAtTheProviderAndLogsIt) {
  Done d = sign_in();
  const auto token = log_->token_of_session(d.signed_in.session.id);
  ASSERT_TRUE(token.has_value());
  Simulator& sim = env().sim->simulator();
  ASSERT_TRUE(sim.token_active(token->access_token));
  ASSERT_TRUE(sign_in_->revoke_at_provider(d.signed_in.session.id).ok());
  EXPECT_FALSE(sim.token_active(token->access_token));
  EXPECT_FALSE(log_->token_of_session(d.signed_in.session.id).has_value()) << "revoked once";
  auto k = kinds(d.state);
  ASSERT_GE(k.size(), 2u);
  EXPECT_EQ(k[k.size() - 2], "revocation_request");
  EXPECT_EQ(k.back(), "revocation_response");
  // Another session's id revokes nothing (and there is no token to find for it).
  EXPECT_TRUE(sign_in_->revoke_at_provider("not-a-session").ok());
}

TEST_P(SignInLogTest, TheJobRevokesTheTokensOfSessionsThatEndedOtherwise) {
  Done a = sign_in();
  Done b = sign_in();
  const auto ta = log_->token_of_session(a.signed_in.session.id);
  const auto tb = log_->token_of_session(b.signed_in.session.id);
  ASSERT_TRUE(ta && tb);
  // Nothing has ended yet.
  EXPECT_EQ(sign_in_->revoke_ended(std::chrono::minutes(30)), 0);
  // Signed out everywhere (only the session rows change): the job finds both.
  sessions_->end_everywhere(identity::PrincipalKind::person, "RSSMRA80A01H501U");
  EXPECT_EQ(sign_in_->revoke_ended(std::chrono::minutes(30)), 2);
  EXPECT_FALSE(env().sim->simulator().token_active(ta->access_token));
  EXPECT_FALSE(env().sim->simulator().token_active(tb->access_token));
  EXPECT_EQ(sign_in_->revoke_ended(std::chrono::minutes(30)), 0);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, SignInLogTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), [](const auto& info) {
                           return info.param == db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace sp::oidc::testing
