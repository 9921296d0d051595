// The hub's page of background jobs through the whole application (routing, sessions, guard, CSRF,
// templates, audit) without sockets, on both databases: the hub's administrator lists the failed jobs and
// queues one again; a body's administrator and anonymous callers are kept out.
#include <gtest/gtest.h>

#include "app/app.hpp"
#include "audit/service.hpp"
#include "core/ids.hpp"
#include "jobs/store.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"
#include "support/testing.hpp"

namespace {

using sp::identity::NewSession;

class JobsPageTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.audit_key_file = (files_->path() / "audit.key").string();
    config.keys_dir = (files_->path() / "keys").string();
    config.access_log = false;
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
    // A job of Asti's that failed its last attempt: queued, claimed by a runner, recorded dead.
    const auto now = sp::time::system_clock().now();
    app_->database().write([&](sp::db::Conn& tx) {
      dead_ = sp::jobs::enqueue(
                  tx, sp::jobs::NewJob{"messaging.send", asti_, "no-such-message", "", std::nullopt}, now)
                  .value()
                  .value();
      const std::string token = sp::ids::random_token(16);
      auto claimed = sp::jobs::claim(
          tx, sp::jobs::Claim{{"messaging.send"}, "test", token, now, now + std::chrono::minutes(5), 10});
      ASSERT_EQ(claimed.size(), 1u);
      sp::jobs::mark_dead(tx, dead_, token, now, "messaging.not_found: no-such-message");
    });
  }

  std::string token_of(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
    EXPECT_TRUE(ns.ok()) << email;
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }

  sp::http::Response call(const std::string& method, const std::string& target, const std::string& token,
                          bool good_csrf = true) {
    sp::http::Request req;
    req.method = method;
    req.target = target;
    req.path = target.substr(0, target.find('?'));
    if (auto q = target.find('?'); q != std::string::npos) {
      req.raw_query = target.substr(q + 1);
      std::size_t start = 0;
      while (start <= req.raw_query.size()) {  // plain name=value pairs: the test's own URLs
        auto end = req.raw_query.find('&', start);
        auto pair = req.raw_query.substr(start, end == std::string::npos ? std::string::npos : end - start);
        auto eq = pair.find('=');
        req.query.emplace(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    if (!token.empty()) req.headers.emplace_back("cookie", "sp_session=" + token);
    if (method == "POST") {
      std::string csrf = "not-the-token";
      if (good_csrf) {
        if (auto p = sessions_->resume(token)) csrf = p->csrf_token;
      }
      req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
      req.body = "_csrf=" + csrf;
    }
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
  sp::tenants::TenantId asti_ = 0;
  sp::jobs::JobId dead_ = 0;
};

TEST_P(JobsPageTest, TheHubAdministratorListsTheFailedJobsAndQueuesOneAgain) {
  const auto hub = token_of("admin@pes.example", "Polo-demo-2026!");
  auto home = call("GET", "/backoffice/", hub);
  EXPECT_NE(home.body.find("href=\"/backoffice/lavori\""), std::string::npos) << "linked from the staff home";

  auto page = call("GET", "/backoffice/lavori?stato=falliti", hub);
  ASSERT_EQ(page.status, 200);
  const std::string row = "data-job-id=\"" + std::to_string(dead_) + "\" data-state=\"dead\"";
  EXPECT_NE(page.body.find(row), std::string::npos);
  EXPECT_NE(page.body.find("Invio di un messaggio (e-mail o SMS)"), std::string::npos) << "the kind by name";
  EXPECT_NE(page.body.find("Comune di Asti"), std::string::npos) << "the job's body";
  EXPECT_NE(page.body.find("Riprova"), std::string::npos);
  EXPECT_NE(call("GET", "/backoffice/lavori?stato=falliti&lang=en", hub).body.find("Background jobs"),
            std::string::npos);
  EXPECT_EQ(call("GET", "/backoffice/lavori?stato=in-coda", hub).body.find(row), std::string::npos);

  const std::string retry = "/backoffice/lavori/" + std::to_string(dead_) + "/riprova";
  EXPECT_EQ(call("POST", retry, hub, false).status, 403) << "a forged form";
  EXPECT_EQ(sp::jobs::find(app_->database(), dead_)->state, sp::jobs::State::dead);

  auto done = call("POST", retry, hub);
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(location(done), "/backoffice/lavori?riprovato=" + std::to_string(dead_));
  auto job = sp::jobs::find(app_->database(), dead_).value();
  EXPECT_EQ(job.state, sp::jobs::State::queued);
  EXPECT_EQ(job.attempts, 0);
  sp::audit::AuditService audit(app_->database());
  sp::audit::Query q;
  q.action = "jobs.retry";
  auto entries = audit.entries(asti_, q).entries;
  ASSERT_EQ(entries.size(), 1u) << "audited on the job's body";
  EXPECT_EQ(entries[0].entry.record_id, std::to_string(dead_));

  auto again = call("POST", retry, hub);
  EXPECT_EQ(again.status, 409) << "only a dead job can be retried";
  EXPECT_NE(again.body.find("Si può riprovare solo un lavoro fallito"), std::string::npos);
  EXPECT_EQ(call("POST", "/backoffice/lavori/999999/riprova", hub).status, 404);
}

TEST_P(JobsPageTest, OtherStaffAndAnonymousCallersAreKeptOut) {
  const auto asti_admin = token_of("admin@asti.example", "Asti-admin-2026!");
  EXPECT_EQ(call("GET", "/backoffice/", asti_admin).body.find("/backoffice/lavori"), std::string::npos);
  EXPECT_EQ(call("GET", "/backoffice/lavori", asti_admin).status, 403);
  EXPECT_EQ(call("POST", "/backoffice/lavori/" + std::to_string(dead_) + "/riprova", asti_admin).status, 403);
  EXPECT_EQ(sp::jobs::find(app_->database(), dead_)->state, sp::jobs::State::dead);
  auto anonymous = call("GET", "/backoffice/lavori", "");
  EXPECT_EQ(anonymous.status, 303);
  EXPECT_EQ(location(anonymous), "/backoffice/accedi");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, JobsPageTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
