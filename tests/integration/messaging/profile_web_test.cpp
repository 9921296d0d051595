// The profile pages through the router (no sockets): data shown, typed values kept on error, CSRF, the
// code form, the demo mailbox.
#include "identity/profile_web.hpp"

#include <gtest/gtest.h>

#include "adapters/messaging/mailbox_web.hpp"
#include "adapters/messaging/outbox.hpp"
#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "identity/model.hpp"
#include "identity/request.hpp"
#include "support/testing.hpp"

namespace {

using namespace sp::identity;
using sp::messaging::register_sim_mailbox;
using sp::messaging::SimMailboxDeps;

class ProfileWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(sp::db::Dialect::sqlite);
    i18n_.load(sp::testing::source_dir() + "/web/locales");
    view_ =
        std::make_unique<sp::web::View>(sp::testing::source_dir() + "/web/templates", i18n_, "Polo di prova");
    audit_ = std::make_unique<sp::audit::AuditService>(database_->db());
    profile_ = std::make_unique<ProfileService>(database_->db(), *audit_);
    deps_ = std::make_unique<ProfileWebDeps>(ProfileWebDeps{*view_, *profile_});
    register_profile_pages(router_, *deps_);
    mailbox_ = std::make_unique<SimMailboxDeps>(SimMailboxDeps{*view_, &sink_, &sms_});
    register_sim_mailbox(router_, *mailbox_);
    Person p;
    p.fiscal_code = "RSSMRA80A01H501U";
    p.given_name = "Mario";
    p.family_name = "Rossi";
    database_->db().write([&](sp::db::Conn& tx) {
      PersonStore(database_->db()).upsert_from_sign_in(tx, p, "2026-11-23T09:00:00Z");
    });
  }
  sp::http::Response call(const std::string& method, const std::string& path, const std::string& body = {},
                          bool signed_in = true) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.body = body;
    req.headers = {{"content-type", "application/x-www-form-urlencoded"}};
    if (signed_in) {
      auto p = std::make_shared<Principal>();
      p->subject = "RSSMRA80A01H501U";
      p->display_name = "Mario Rossi";
      p->auth_level = 2;
      p->roles = {Role::citizen};
      p->csrf_token = "csrf-token";
      sp::identity::set_principal(req, p);
    }
    auto found = router_.find(method, req.path);
    EXPECT_TRUE(found.match && found.match->handler) << path;
    req.path_params = found.match->params;
    return (*found.match->handler)(req);
  }
  std::unique_ptr<sp::testing::TestDatabase> database_;
  sp::I18n i18n_;
  std::unique_ptr<sp::web::View> view_;
  std::unique_ptr<sp::audit::AuditService> audit_;
  std::unique_ptr<ProfileService> profile_;
  std::unique_ptr<ProfileWebDeps> deps_;
  sp::messaging::SmtpSink sink_;
  sp::messaging::SmsGatewaySimulator sms_{"k"};
  std::unique_ptr<SimMailboxDeps> mailbox_;
  sp::http::Router router_;
};

TEST_F(ProfileWebTest, AnonymousVisitorsAreSentToSignIn) {
  auto r = call("GET", "/area-personale/profilo", {}, false);
  EXPECT_EQ(r.status, 303);
}

TEST_F(ProfileWebTest, ShowsTheDataHeldAndTheContactForm) {
  auto r = call("GET", "/area-personale/profilo");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("RSSMRA80A01H501U"), std::string::npos);
  EXPECT_NE(r.body.find("id=\"contacts-form\""), std::string::npos);
  EXPECT_NE(r.body.find("name=\"_csrf\" value=\"csrf-token\""), std::string::npos);
}

TEST_F(ProfileWebTest, ErrorsAreLocalisedAndTheFormKeepsWhatWasTyped) {
  auto r = call("POST", "/area-personale/profilo",
                "_csrf=csrf-token&email=mario%40example&mobile=333+123+4567&preferred_channel=io");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("data-code=\"profile.email_invalid\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"mario@example\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"333 123 4567\""), std::string::npos);
  EXPECT_NE(r.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_TRUE(sp::messaging::list_messages(database_->db()).empty());
}

TEST_F(ProfileWebTest, PostsNeedTheCsrfToken) {
  auto r = call("POST", "/area-personale/profilo", "_csrf=wrong&email=a%40example.org&preferred_channel=io");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(profile_->show("RSSMRA80A01H501U")->email, "");
  EXPECT_EQ(call("POST", "/area-personale/profilo/verifica", "channel=email&code=123456").status, 403);
}

TEST_F(ProfileWebTest, SavingSendsACodeAndShowsTheCodeForm) {
  auto r = call("POST", "/area-personale/profilo",
                "_csrf=csrf-token&email=a%40example.org&mobile=&preferred_channel=io");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(sp::messaging::list_messages(database_->db()).size(), 1u);
  auto page = call("GET", "/area-personale/profilo?esito=codice-inviato");
  EXPECT_NE(page.body.find("id=\"verify-email\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"profile-notice\""), std::string::npos);
  auto wrong = call("POST", "/area-personale/profilo/verifica", "_csrf=csrf-token&channel=email&code=12");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("data-code=\"profile.code_format\""), std::string::npos);
  auto resend =
      call("POST", "/area-personale/profilo/verifica", "_csrf=csrf-token&channel=email&action=resend");
  EXPECT_EQ(resend.status, 429);
  EXPECT_NE(resend.body.find("profile.resend_too_soon"), std::string::npos);
}

TEST_F(ProfileWebTest, DemoMailboxListsBothSimulators) {
  auto r = call("GET", "/sim/posta", {}, false);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("id=\"h-mails\""), std::string::npos);
  EXPECT_NE(r.body.find("id=\"h-sms\""), std::string::npos);
}

}  // namespace
