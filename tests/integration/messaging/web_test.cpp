// The messaging pages through the whole demo application, without sockets: the person's messages and
// choices, the body's staff list with a message's attempts, retry and cancel, another body's staff kept
// out, and the administrators' templates refusing an unknown placeholder with a clear message.
#include <gtest/gtest.h>

#include <thread>

#include "adapters/anpr/simulator.hpp"
#include "adapters/appio/simulator.hpp"
#include "adapters/appio/wire.hpp"
#include "adapters/http_client.hpp"
#include "adapters/messaging/email.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/pec/receipts_job.hpp"
#include "adapters/pec/sender.hpp"
#include "adapters/pec/simulator.hpp"
#include "app/app.hpp"
#include "audit/service.hpp"
#include "certificates/service.hpp"
#include "core/digest.hpp"
#include "http/server.hpp"
#include "identity/inbound_service.hpp"
#include "identity/person_store.hpp"
#include "identity/session_service.hpp"
#include "messaging/payment_due_job.hpp"
#include "support/demo_database.hpp"
#include "support/staff_sign_in.hpp"
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
    config.oidc_rp_key_file = sp::testing::shared_rp_key_file();
    config.access_log = false;
    configure(config);
    database_ = sp::testing::demo_database(sp::db::Dialect::sqlite, config);
    config.database = database_->url();
    app_ = std::make_unique<sp::app::App>(config);
    hooks_ = app_->hooks();
    options_ = app_->server_options();
    options_.static_dir.clear();
    sessions_ = std::make_unique<sp::identity::SessionService>(app_->database(), sp::time::system_clock());
  }
  // The application on a loopback port, for IO's call-backs (HTTP); stopped when it goes.
  struct Serving {
    std::unique_ptr<sp::http::Server> server;
    std::thread thread;
    std::string base;  // http://127.0.0.1:PORT/inbound/
    [[nodiscard]] sp::appio::RemoteConfiguration conf(const std::string& slug,
                                                      const sp::identity::IssuedInbound& key) const {
      return {slug, base + slug + "/io", "Authorization", "Bearer " + key.secret};
    }
    ~Serving() {
      server->stop(std::chrono::milliseconds(2000));
      thread.join();
    }
  };
  std::unique_ptr<Serving> serve() {
    options_.port = 0;
    options_.threads = 1;
    auto s = std::make_unique<Serving>();
    s->server = std::make_unique<sp::http::Server>(options_, app_->router(), hooks_);
    s->server->listen();
    s->thread = std::thread([server = s->server.get()] { server->run(); });
    s->base = "http://127.0.0.1:" + std::to_string(s->server->port()) + "/inbound/";
    return s;
  }
  // What a suite needs besides the demo's configuration (before the application is made).
  virtual void configure(sp::Config& /*config*/) {}
  struct Who {
    std::string token;
    std::string csrf;
  };
  Who person(const std::string& cf) {
    auto s = sessions_->start(NewSession{PrincipalKind::person, cf, 0, {Role::citizen}, 2, "Test"});
    return {s.token, s.csrf_token};
  }
  Who staff(const std::string& email, const std::string& password) {
    auto ns = sp::testing::staff_sign_in(app_->staff(), app_->database(), email, password);
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

// The acceptance line "a PEC non-delivery receipt marks the message failed and staff see it": a legal
// notice by PEC leaves through Asti's account at the simulated provider, the receipts job's reader records
// the provider's delivery error, and the staff's message page shows the message failed with its receipts;
// the person sees the state, not the receipts; Novara's staff see nothing of it.
TEST_F(MessagingWebTest, APecNonDeliveryReceiptMarksTheMessageFailedAndStaffSeeIt) {
  sp::pec::PecSimulator provider({});
  provider.start();
  const std::string domain = sp::messaging::EmailOptions{}.message_id_domain;
  std::map<std::int64_t, sp::pec::Account> accounts{
      {asti(), {"protocollo@pec.asti.example", provider.smtp_url(), provider.pop3_url(), "", "pec-sim"}}};
  accounts.begin()->second.user = accounts.begin()->second.address;
  sp::messaging::Delivery delivery;
  delivery.set_sender(sp::messaging::Channel::pec, std::make_shared<sp::pec::PecSender>(accounts, domain));
  sp::jobs::Runner runner(app_->database());
  delivery.register_with(runner);
  sp::messaging::Message m{asti(), sp::messaging::Channel::pec, "inesistente@pec.example",
                           "Comunicazione dei motivi ostativi", "Gentile cittadina, ..."};
  m.person = kAnna;
  m.type = "case.grounds";
  std::string id;
  app_->database().write([&](sp::db::Conn& tx) { id = *sp::messaging::enqueue(tx, m); });
  runner.run_until_idle();
  const auto admin = staff("operatore@asti.example", "Asti-operatore-2026!");
  auto page = call("GET", "/backoffice/asti/messaggi/" + id, admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-state=\"sending\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"receipts-none\""), std::string::npos);

  provider.process();
  sp::pec::ReceiptsReader reader(app_->database(), accounts, provider.identity().cert_pem, domain);
  EXPECT_EQ(reader.read_all().moved, 1);
  EXPECT_EQ(sp::messaging::find_message(app_->database(), id)->status, "permanent_failure");
  page = call("GET", "/backoffice/asti/messaggi/" + id, admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-state=\"permanent_failure\""), std::string::npos);
  EXPECT_NE(page.body.find("id=\"receipts-table\""), std::string::npos);
  EXPECT_NE(page.body.find("data-kind=\"accettazione\""), std::string::npos);
  EXPECT_NE(page.body.find("data-kind=\"errore-consegna\""), std::string::npos);
  EXPECT_NE(page.body.find("Errore di consegna"), std::string::npos);
  EXPECT_NE(page.body.find("no-dest"), std::string::npos);
  auto list = call("GET", "/backoffice/asti/messaggi?stato=rifiutati", admin);
  EXPECT_NE(list.body.find("data-message-id=\"" + id + "\""), std::string::npos);

  auto mine = call("GET", "/area-personale/messaggi/" + id, person(kAnna));
  ASSERT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("data-state=\"permanent_failure\""), std::string::npos);
  EXPECT_EQ(mine.body.find("receipts-table"), std::string::npos) << "the receipts are the staff's";
  const auto novara = staff("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(call("GET", "/backoffice/asti/messaggi/" + id, novara).status, 403);
  EXPECT_EQ(call("GET", "/backoffice/novara/messaggi/" + id, novara).status, 404);
}

// payment.due: the daily job reminds each unpaid option of a person N days before its due date (the body's
// setting, default 3, changed by its administrators on the texts' page), once per option, in the body's
// name, where the person chose; another body's administrators cannot change the setting.
TEST_F(MessagingWebTest, PaymentRemindersGoNDaysBeforeTheDueDateOncePerOption) {
  const auto today = sp::time::rome_date(sp::time::system_clock().now());
  auto due = app_->payments().options_due(today, sp::time::add_calendar_days(today, 400));
  ASSERT_FALSE(due.empty()) << "the demo has unpaid options of persons";
  const auto option = due.front();
  sp::I18n i18n;
  i18n.load(sp::testing::source_dir() + "/web/locales");
  // The day the reminder is due: 3 days before (the default), at 09:00 in Rome.
  sp::time::TestClock clock(sp::time::rome_day_start(sp::time::add_calendar_days(option.due_date, -3)) +
                            std::chrono::hours(9));
  sp::messaging::PaymentReminders reminders(app_->database(), app_->messaging(), app_->payments(), i18n,
                                            "https://sportello.example", clock);
  auto of_option = [&] {
    int n = 0;
    for (const auto& m : sp::messaging::list_messages(
             app_->database(),
             sp::messaging::MessageQuery{.tenant_id = option.tenant_id, .person = option.debtor_fiscal_code}))
      if (m.message.type == "payment.due" && m.message.body.find(option.nav) != std::string::npos) ++n;
    return n;
  };
  clock.set(clock.now() - std::chrono::hours(24));  // four days before: not yet
  reminders.run_once();
  EXPECT_EQ(of_option(), 0);
  clock.set(clock.now() + std::chrono::hours(24));
  EXPECT_GE(reminders.run_once(), 1);
  const int sent = of_option();
  EXPECT_EQ(sent,
            static_cast<int>(app_->messaging().route(option.debtor_fiscal_code, "payment.due").send.size()))
      << "one message on the channel the person chose (none without a usable channel: still reminded once)";
  EXPECT_EQ(reminders.run_once(), 0) << "once per option";
  EXPECT_EQ(of_option(), sent);

  // The setting: the body's administrators only, 1 to 30, kept as typed when refused.
  const auto admin = staff("admin@asti.example", "Asti-admin-2026!");
  auto refused = call("POST", "/backoffice/asti/modelli-messaggi/impostazioni", admin,
                      "_csrf=" + admin.csrf + "&payment_due_days=45");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("data-code=\"messaging.due_days\""), std::string::npos);
  EXPECT_NE(refused.body.find("value=\"45\""), std::string::npos);
  EXPECT_NE(refused.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_EQ(call("POST", "/backoffice/asti/modelli-messaggi/impostazioni", admin,
                 "_csrf=" + admin.csrf + "&payment_due_days=5")
                .status,
            303);
  EXPECT_EQ(app_->messaging().payment_due_days(asti()), 5);
  const auto novara = staff("admin@novara.example", "Novara-admin-2026!");
  EXPECT_EQ(call("POST", "/backoffice/asti/modelli-messaggi/impostazioni", novara,
                 "_csrf=" + novara.csrf + "&payment_due_days=7")
                .status,
            403);
  EXPECT_EQ(app_->messaging().payment_due_days(asti()), 5);
  auto page = call("GET", "/backoffice/asti/modelli-messaggi", admin);
  EXPECT_NE(page.body.find("id=\"payment-due-days\""), std::string::npos);
  EXPECT_NE(page.body.find("pagamento in scadenza il {due_date}"), std::string::npos)
      << "the hub's text shown";
}

}  // namespace

namespace {

// App IO's remote content through the real HTTP server of the demo application: the simulator calls the
// body back as IO does when the person opens the message (adapters/appio/simulator.hpp fetch_remote);
// the right person gets the text and the PDF byte for byte, a wrong fiscal code, another body's message,
// another body's key and an unknown id get nothing (the same 404, or 401 for the key).
TEST_F(MessagingWebTest, AppIoRemoteContentIsServedToItsRecipientOnlyAndNeverAcrossBodies) {
  std::int64_t casale = 0;
  app_->database().read([&](sp::db::Conn& c) {
    casale = c.query_one("SELECT id FROM bodies WHERE slug = 'casale-monferrato'")->i64(0);
  });
  sp::audit::AuditService audit(app_->database(), sp::time::system_clock());
  sp::identity::InboundService inbound(app_->database(), audit, sp::time::system_clock());
  auto asti_key = inbound.add(asti(), "appio", "io", "{}", "", false);
  auto casale_key = inbound.add(casale, "appio", "io", "{}", "", false);
  ASSERT_TRUE(asti_key.ok() && casale_key.ok());

  // The decision's PDF in the body's file store (bytes a text transfer would spoil: NUL, 0xFF, CR LF).
  std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj <<>> endobj\r\n";
  pdf += std::string(
      "\0\xFF\x01"
      "binary",
      10);
  pdf += "\ntrailer <<>>\n%%EOF\n";
  auto file = app_->files().put(asti(), "provvedimento.pdf", pdf, sp::files::Limits{});
  ASSERT_TRUE(file.ok()) << file.error().code;

  auto remote_message = [&](std::int64_t tenant, const std::string& cf, const std::string& file_id) {
    sp::appio::Options o;
    o.remote = sp::appio::Remote{
        "Hai un nuovo documento dal Comune. Aprilo nell'app per leggerlo: il testo e gli allegati sono "
        "conservati dal Comune.",
        {{file_id, "Provvedimento.pdf"}},
        "act",
        "it"};
    sp::messaging::Message m{
        tenant,
        sp::messaging::Channel::appio,
        cf,
        "Esito della tua pratica 2026/123",
        "La domanda di contributo è **accolta**. Trovi il provvedimento in allegato; per "
        "domande scrivi all'ufficio tributi.",
        "anna@example.it",
        sp::appio::options_json(o)};
    m.person = cf;
    m.type = "case.accepted";
    std::string id;
    app_->database().write([&](sp::db::Conn& tx) {
      auto r = sp::messaging::enqueue(tx, m);
      ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
      id = *r;
    });
    return id;
  };
  const auto id = remote_message(asti(), kAnna, file->id);
  const auto casales = remote_message(casale, "GTTDVD79H14B885C", "a-file-of-casale");

  const auto serving = serve();
  const std::string& base = serving->base;
  auto conf = [&](const std::string& slug, const sp::identity::IssuedInbound& key) {
    return serving->conf(slug, key);
  };

  // The right person: the precondition first (in her language, the body's name filled in), then the text
  // (not the teaser) and the PDF, byte for byte.
  auto opened = sp::appio::Simulator::fetch_remote(conf("asti", *asti_key), id, kAnna, true);
  ASSERT_TRUE(opened.ok()) << opened.error().code;
  EXPECT_EQ(opened->precondition_status, 200);
  EXPECT_EQ(opened->precondition_title, "Prima di aprire l'atto");
  EXPECT_NE(opened->precondition_markdown.find("Comune di Asti registra quando il messaggio viene aperto"),
            std::string::npos)
      << opened->precondition_markdown;
  EXPECT_EQ(opened->status, 200) << opened->raw;
  EXPECT_EQ(opened->subject, "Esito della tua pratica 2026/123");
  EXPECT_NE(opened->markdown.find("**accolta**"), std::string::npos);
  ASSERT_EQ(opened->attachments.size(), 1u);
  EXPECT_EQ(opened->attachments[0].name, "Provvedimento.pdf");
  EXPECT_EQ(opened->attachments[0].status, 200);
  EXPECT_EQ(opened->attachments[0].bytes, pdf);

  // A wrong fiscal code, a lower-case one, an unknown id: the same 404, no content, nothing that tells
  // them apart.
  auto wrong = sp::appio::Simulator::fetch_remote(conf("asti", *asti_key), id, "RSSMRA80A01H501U");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 404);
  EXPECT_EQ(wrong->raw.find("accolta"), std::string::npos);
  auto lower = sp::appio::Simulator::fetch_remote(conf("asti", *asti_key), id, "frrnna78s70a479x");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(lower->status, 404);
  auto unknown = sp::appio::Simulator::fetch_remote(conf("asti", *asti_key),
                                                    "0190d1c4-0000-7000-8000-000000000000", kAnna);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->raw, wrong->raw) << "no hint of which check failed";
  // Casale's message through Asti's endpoint and key, even with its recipient's code: not Asti's.
  auto across = sp::appio::Simulator::fetch_remote(conf("asti", *asti_key), casales, "GTTDVD79H14B885C");
  ASSERT_TRUE(across.ok());
  EXPECT_EQ(across->status, 404);
  // Casale's key at Asti's endpoint: refused before anything is looked up.
  auto foreign_key = conf("asti", *casale_key);
  auto with_casales_key = sp::appio::Simulator::fetch_remote(foreign_key, id, kAnna);
  ASSERT_TRUE(with_casales_key.ok());
  EXPECT_EQ(with_casales_key->status, 401);
  // No key at all.
  auto keyless = conf("asti", *asti_key);
  keyless.key = "Bearer spi_nothing";
  auto without = sp::appio::Simulator::fetch_remote(keyless, id, kAnna);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->status, 401);
  // An attachment index that does not exist, and an ordinary (not remote) message of Anna's.
  sp::adapters::HttpClient http;
  const sp::adapters::HttpHeaders headers{{"fiscal_code", kAnna},
                                          {"Authorization", "Bearer " + asti_key->secret}};
  auto second = http.get(base + "asti/io/messages/" + id + "/attachments/2", headers);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status, 404);
  const auto plain = enqueue_for(asti(), kAnna, "Nuovo messaggio sulla tua pratica: Mensa");
  auto not_remote = http.get(base + "asti/io/messages/" + plain, headers);
  ASSERT_TRUE(not_remote.ok());
  EXPECT_EQ(not_remote->status, 404);

  // The precondition refuses as the content does: another person, a lower-case code, an unknown id,
  // another body's message, a message without one; another body's key or none: 401.
  auto precondition = [&](const std::string& slug, const std::string& message, const std::string& cf,
                          const std::string& secret) {
    auto got = http.get(base + slug + "/io/messages/" + message + "/precondition",
                        {{"fiscal_code", cf}, {"Authorization", "Bearer " + secret}});
    EXPECT_TRUE(got.ok());
    return got.ok() ? got->status : 0;
  };
  EXPECT_EQ(precondition("asti", id, kAnna, asti_key->secret), 200);
  EXPECT_EQ(precondition("asti", id, "RSSMRA80A01H501U", asti_key->secret), 404);
  EXPECT_EQ(precondition("asti", id, "frrnna78s70a479x", asti_key->secret), 404);
  EXPECT_EQ(precondition("asti", "0190d1c4-0000-7000-8000-000000000000", kAnna, asti_key->secret), 404);
  EXPECT_EQ(precondition("asti", casales, "GTTDVD79H14B885C", asti_key->secret), 404);
  EXPECT_EQ(precondition("asti", plain, kAnna, asti_key->secret), 404);
  EXPECT_EQ(precondition("asti", id, kAnna, casale_key->secret), 401);
  EXPECT_EQ(precondition("asti", id, kAnna, "spi_nothing"), 401);
}

}  // namespace

namespace {

// The demo application with an ANPR simulator of its own (the demo's starts only with `serve`).
class MessagingCertificateWebTest : public MessagingWebTest {
 protected:
  void configure(sp::Config& config) override {
    sp::anpr::sim::SimulatorOptions so;
    so.population_files = {sp::testing::source_dir() + "/data/demo/population.jsonl"};
    so.comuni_file = sp::testing::source_dir() + "/data/demo/bodies.json";
    so.credentials = {{"casale-secret", "006039"}};
    so.share_dir = sp::testing::source_dir();
    anpr_ = sp::anpr::sim::start_simulator_thread(so, 0);
    config.sim_anpr = false;
    config.anpr_url = anpr_->url() + sp::anpr::sim::kServicePath;
    config.anpr_credentials = "006039=casale-secret";
  }
  std::unique_ptr<sp::anpr::sim::RunningSimulator> anpr_;
};

// Issue 17, certificates: the resident of Casale who chose App IO is told that the certificate is ready
// by a remote-content message; IO (the simulator's calls) gets the precondition, the text and the PDF
// whose SHA-256 is the stored one, only for him and only through Casale's own credential; his area lists
// it, another person and another body's staff do not reach it.
TEST_F(MessagingCertificateWebTest, ACertificateReadyGoesToAppIoAsRemoteContentWithThePdfByteForByte) {
  const std::string davide = "GTTDVD79H14B885C";
  std::int64_t casale = 0;
  app_->database().read([&](sp::db::Conn& c) {
    casale = c.query_one("SELECT id FROM bodies WHERE slug = 'casale-monferrato'")->i64(0);
  });
  sp::identity::PersonStore people(app_->database());
  sp::identity::Person p;
  p.fiscal_code = davide;
  p.given_name = "DAVIDE";
  p.family_name = "GATTI";
  app_->database().write([&](sp::db::Conn& tx) {
    people.upsert_from_sign_in(tx, p, "2026-11-01T00:00:00Z");
    tx.exec(
        "UPDATE persons SET email = 'davide@example.it', email_verified_at = '2026-11-01T00:00:00Z', "
        "preferred_channel = 'io' WHERE fiscal_code = $1",
        {davide});
  });
  // Exempt (code 3: proceedings) and no fees at Casale: issued at once.
  auto r = app_->certificates().request_online(casale, {davide, "GATTI", "DAVIDE"},
                                               sp::certificates::Choice{davide, "residenza", "", 3, ""});
  ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
  ASSERT_EQ(r->state, sp::certificates::State::issued);
  std::vector<sp::messaging::StoredMessage> ready;
  for (const auto& m : sp::messaging::list_messages(
           app_->database(), sp::messaging::MessageQuery{.tenant_id = casale, .person = davide}))
    if (m.message.type == "certificate.issued") ready.push_back(m);
  ASSERT_EQ(ready.size(), 1u);
  const std::string id = ready[0].id;
  EXPECT_EQ(ready[0].message.channel, sp::messaging::Channel::appio);

  sp::audit::AuditService audit(app_->database(), sp::time::system_clock());
  sp::identity::InboundService inbound(app_->database(), audit, sp::time::system_clock());
  auto casale_key = inbound.add(casale, "appio", "io", "{}", "", false);
  auto asti_key = inbound.add(asti(), "appio", "io", "{}", "", false);
  ASSERT_TRUE(casale_key.ok() && asti_key.ok());
  const auto serving = serve();
  const std::string& base = serving->base;
  auto conf = [&](const std::string& slug, const sp::identity::IssuedInbound& key) {
    return serving->conf(slug, key);
  };
  auto opened = sp::appio::Simulator::fetch_remote(conf("casale-monferrato", *casale_key), id, davide, true);
  ASSERT_TRUE(opened.ok()) << opened.error().code;
  EXPECT_EQ(opened->precondition_status, 200);
  EXPECT_EQ(opened->precondition_title, "Prima di aprire il certificato");
  EXPECT_EQ(opened->status, 200) << opened->raw;
  EXPECT_NE(opened->markdown.find(r->anpr_protocol), std::string::npos);
  ASSERT_EQ(opened->attachments.size(), 1u);
  EXPECT_EQ(opened->attachments[0].status, 200);
  EXPECT_EQ(sp::digest::sha256_hex(opened->attachments[0].bytes), r->sha256) << "ANPR's PDF, byte for byte";
  // Anyone else, another body's credential, another body's endpoint: nothing.
  auto anna = sp::appio::Simulator::fetch_remote(conf("casale-monferrato", *casale_key), id, kAnna, true);
  ASSERT_TRUE(anna.ok());
  EXPECT_EQ(anna->precondition_status, 404);
  EXPECT_TRUE(anna->attachments.empty());
  auto foreign = sp::appio::Simulator::fetch_remote(conf("casale-monferrato", *asti_key), id, davide);
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(foreign->status, 401);
  auto at_asti = sp::appio::Simulator::fetch_remote(conf("asti", *asti_key), id, davide);
  ASSERT_TRUE(at_asti.ok());
  EXPECT_EQ(at_asti->status, 404);

  // His area lists it; Anna and Asti's staff do not reach it.
  EXPECT_EQ(call("GET", "/area-personale/messaggi/" + id, person(davide)).status, 200);
  EXPECT_EQ(call("GET", "/area-personale/messaggi/" + id, person(kAnna)).status, 404);
  const auto asti_admin = staff("admin@asti.example", "Asti-admin-2026!");
  EXPECT_EQ(call("GET", "/backoffice/asti/messaggi/" + id, asti_admin).status, 404);
  EXPECT_EQ(call("GET", "/backoffice/casale-monferrato/messaggi/" + id, asti_admin).status, 403);
}

}  // namespace
