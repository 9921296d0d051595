// The messaging pages through the whole demo application, without sockets: the person's messages and
// choices, the body's staff list with a message's attempts, retry and cancel, another body's staff kept
// out, and the administrators' templates refusing an unknown placeholder with a clear message.
#include <gtest/gtest.h>

#include "adapters/messaging/outbox.hpp"
#include "app/app.hpp"
#include "identity/session_service.hpp"
#include "support/demo_database.hpp"
#include "support/testing.hpp"

namespace {

using sp::identity::NewSession;
using sp::identity::PrincipalKind;
using sp::identity::Role;

const std::string kAnna = "FRRNNA78S70A479X";

class MessagingWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = std::make_unique<sp::testing::TempDir>();
    sp::Config config = sp::load_config("").value();
    config.demo = true;
    config.sim_pagopa = false;
    config.share_dir = sp::testing::source_dir();
    config.oidc_rp_key_file = (files_->path() / "rp.pem").string();
    config.access_log = false;
    database_ = sp::testing::demo_database(sp::db::Dialect::sqlite, config);
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
    auto ns = app_->staff().sign_in(email, password, "");
    EXPECT_TRUE(ns.ok()) << email;
    auto s = sessions_->start(*ns);
    return {s.token, s.csrf_token};
  }
  sp::http::Response call(const std::string& method, const std::string& path, const Who& who,
                          const std::string& body = {}) {
    sp::http::Request req;
    req.method = method;
    EXPECT_TRUE(sp::http::parse_target(req, path).ok());
    req.remote_addr = "127.0.0.1";
    req.headers.emplace_back("host", "localhost");
    req.headers.emplace_back("cookie", "sp_session=" + who.token);
    if (!body.empty()) req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    req.body = body;
    return sp::http::dispatch(app_->router(), hooks_, options_, req);
  }
  std::int64_t asti() {
    std::int64_t id = 0;
    app_->database().read(
        [&](sp::db::Conn& c) { id = c.query_one("SELECT id FROM bodies WHERE slug = 'asti'")->i64(0); });
    return id;
  }
  std::string enqueue_for(std::int64_t tenant, const std::string& cf, const std::string& subject) {
    sp::messaging::Message m{tenant, sp::messaging::Channel::email, "anna@example.it", subject, "Testo"};
    m.person = cf;
    m.type = "case.message";
    std::string id;
    app_->database().write([&](sp::db::Conn& tx) { id = *sp::messaging::enqueue(tx, m); });
    return id;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::testing::TempDir> files_;
  std::unique_ptr<sp::app::App> app_;
  sp::http::Hooks hooks_;
  sp::http::ServerOptions options_;
  std::unique_ptr<sp::identity::SessionService> sessions_;
};

TEST_F(MessagingWebTest, PersonAndStaffSeeMessagesWithTheirAttemptsAndOtherBodiesAreKeptOut) {
  const auto id = enqueue_for(asti(), kAnna, "Nuovo messaggio sulla tua pratica: Mensa");
  const auto anna = person(kAnna);
  auto area = call("GET", "/area-personale/messaggi", anna);
  ASSERT_EQ(area.status, 200) << area.body.substr(0, 500);
  EXPECT_NE(area.body.find("data-message-id=\"" + id + "\""), std::string::npos);
  EXPECT_NE(area.body.find("Nuovo messaggio sulla tua pratica: Mensa"), std::string::npos);
  EXPECT_NE(area.body.find("id=\"prefs-form\""), std::string::npos);
  EXPECT_NE(area.body.find("name=\"pref_case.message\""), std::string::npos);
  EXPECT_EQ(area.body.find("name=\"pref_case.grounds\""), std::string::npos) << "legal: not a choice";
  // Only verified channels: Anna has none verified, so SMS is refused with the field marked.
  auto refused = call("POST", "/area-personale/messaggi/preferenze", anna,
                      "_csrf=" + anna.csrf + "&pref_case.message=sms");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("data-code=\"messaging.channel_unusable\""), std::string::npos);
  EXPECT_NE(refused.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_EQ(
      call("POST", "/area-personale/messaggi/preferenze", anna, "_csrf=wrong&pref_case.message=").status,
      403);
  auto mine = call("GET", "/area-personale/messaggi/" + id, anna);
  EXPECT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("id=\"attempts-none\""), std::string::npos);
  EXPECT_EQ(mine.body.find("id=\"msg-cancel\""), std::string::npos) << "the person cannot cancel";
  EXPECT_EQ(call("GET", "/area-personale/messaggi/" + id, person("RSSMRA80A01H501U")).status, 404);

  const auto admin = staff("admin@asti.example", "Asti-admin-2026!");
  auto list = call("GET", "/backoffice/asti/messaggi", admin);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("data-message-id=\"" + id + "\""), std::string::npos);
  auto detail = call("GET", "/backoffice/asti/messaggi/" + id, admin);
  ASSERT_EQ(detail.status, 200);
  EXPECT_NE(detail.body.find("id=\"msg-cancel\""), std::string::npos) << "queued: it can be cancelled";
  EXPECT_EQ(detail.body.find("id=\"msg-retry\""), std::string::npos) << "not dead: no retry";

  const auto novara = staff("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(call("GET", "/backoffice/asti/messaggi", novara).status, 403);
  EXPECT_EQ(call("GET", "/backoffice/asti/messaggi/" + id, novara).status, 403);
  EXPECT_EQ(call("GET", "/backoffice/novara/messaggi/" + id, novara).status, 404);
  EXPECT_EQ(
      call("POST", "/backoffice/novara/messaggi/" + id + "/annulla", novara, "_csrf=" + novara.csrf).status,
      404);
  EXPECT_EQ(call("GET", "/backoffice/novara/messaggi", novara).body.find(id), std::string::npos);

  auto cancelled = call("POST", "/backoffice/asti/messaggi/" + id + "/annulla", admin, "_csrf=" + admin.csrf);
  EXPECT_EQ(cancelled.status, 303);
  EXPECT_EQ(sp::messaging::find_message(app_->database(), id)->status, "cancelled");
  auto again = call("POST", "/backoffice/asti/messaggi/" + id + "/riprova", admin, "_csrf=" + admin.csrf);
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("data-code=\"messaging.state\""), std::string::npos);
}

TEST_F(MessagingWebTest, AdministratorsWriteTemplatesAndAnUnknownPlaceholderIsRefusedClearly) {
  const auto admin = staff("admin@asti.example", "Asti-admin-2026!");
  auto page = call("GET", "/backoffice/asti/modelli-messaggi", admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"tpl-case-grounds-it\""), std::string::npos);
  EXPECT_NE(page.body.find("Preavviso di rigetto: {service}"), std::string::npos)
      << "the hub's text as a start";
  const std::string form = "_csrf=" + admin.csrf +
                           "&type=case.grounds&lang=it&subject=Preavviso%3A+{service}" +
                           "&body=Gentile+{nome}%2C+{body}+ti+scrive.&sms={body}%3A+{link}";
  auto refused = call("POST", "/backoffice/asti/modelli-messaggi", admin, form);
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("data-code=\"messaging.placeholder_unknown\""), std::string::npos);
  EXPECT_NE(refused.body.find("{nome}"), std::string::npos) << "the message names the placeholder";
  EXPECT_NE(refused.body.find("Gentile {nome}"), std::string::npos) << "what was typed is kept";
  auto saved = call("POST", "/backoffice/asti/modelli-messaggi", admin,
                    "_csrf=" + admin.csrf +
                        "&type=case.grounds&lang=it&subject=Preavviso%3A+{service}&body={body}+ti+scrive+"
                        "(PEC+{body_pec}).&sms={body}%3A+{link}");
  EXPECT_EQ(saved.status, 303);
  page = call("GET", "/backoffice/asti/modelli-messaggi?salvato=1", admin);
  EXPECT_NE(page.body.find("id=\"tpl-saved\""), std::string::npos);
  EXPECT_NE(page.body.find("{body} ti scrive (PEC {body_pec})."), std::string::npos);

  const auto operator_ = staff("operatore@asti.example", "Asti-operatore-2026!");
  EXPECT_EQ(call("GET", "/backoffice/asti/modelli-messaggi", operator_).status, 403) << "administrators only";
  const auto novara = staff("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(call("POST", "/backoffice/asti/modelli-messaggi", novara, form).status, 403);
}

}  // namespace
