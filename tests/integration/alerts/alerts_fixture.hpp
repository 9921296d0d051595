#pragma once
// A hub with Asti and Novara, their residents in the register mirror, a school's applications, the
// alerts service and the outbox's delivery on a runner with a test clock; e-mail to a real SMTP sink,
// SMS to the gateway simulator over HTTP, App IO recorded by a stand-in channel. Both databases.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>

#include "adapters/messaging/email.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/messaging/sms.hpp"
#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "alerts/service.hpp"
#include "alerts/store.hpp"
#include "anagrafe/service.hpp"
#include "audit/service.hpp"
#include "cases/model.hpp"
#include "cases/store.hpp"
#include "core/ids.hpp"
#include "http/server.hpp"
#include "identity/person_store.hpp"
#include "identity/profile_service.hpp"
#include "jobs/runner.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace sp::alerts_test {

using namespace std::chrono_literals;
using identity::Principal;
using identity::PrincipalKind;
using identity::Role;

// The SMS gateway simulator behind a real HTTP server on loopback.
struct SmsServer {
  SmsServer() : sim("test-key") {
    sim.register_routes(router);
    http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.access_log = false;
    server = std::make_unique<http::Server>(o, router);
    server->listen();
    thread = std::thread([this] { server->run(); });
  }
  ~SmsServer() {
    server->stop(2000ms);
    thread.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + "/sim/sms/messages";
  }
  messaging::SmsGatewaySimulator sim;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
};

// App IO in these tests: records what it was asked to carry (the real client and simulator are tested in
// integration_messaging and by the crash test).
struct RecordingIo : messaging::Sender {
  Status send(const messaging::StoredMessage& m) override {
    std::lock_guard lock(mutex);
    ++by_key[m.id];
    return Ok{};
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& [k, v] : by_key) n += static_cast<std::size_t>(v);
    return n;
  }
  std::mutex mutex;
  std::map<std::string, int> by_key;
};

inline std::string population_line(const std::string& cf, const std::string& istat, const std::string& family,
                                   const std::string& street) {
  return "{\"codice_fiscale\": \"" + cf +
         "\", \"cognome\": \"ROSSI\", \"nome\": \"ANNA\", \"sesso\": \"F\", " +
         "\"data_nascita\": \"1980-01-01\", \"comune_nascita_istat\": \"001272\", \"luogo_nascita\": "
         "\"TORINO\", " +
         "\"stato_nascita\": \"100\", \"cittadinanza\": \"100\", \"comune_istat\": \"" + istat +
         "\", \"id_famiglia\": \"" + family +
         "\", \"relazione_parentela\": \"1\", \"specie_via\": \"VIA\", " + "\"denominazione_via\": \"" +
         street + "\", \"civico\": \"1\", \"esponente\": \"\", \"interno\": \"\", " +
         "\"cap\": \"14100\", \"stato_civile\": \"1\", \"data_iscrizione\": \"2010-01-01\", "
         "\"data_cancellazione\": " +
         "\"\", \"motivo_cancellazione\": \"\", \"data_decesso\": \"\", \"certificabilita\": \"2\", " +
         "\"data_variazione\": \"2010-01-01\"}\n";
}

class AlertsFixture : public ::testing::TestWithParam<db::Dialect> {
 protected:
  // Asti's residents (the codici fiscali are valid: the import checks them).
  static constexpr const char* kAnna = "FRRNNA78S70A479X";   // VIA ROMA, e-mail verified, a pupil at rodari
  static constexpr const char* kFabio = "CCCFBA85D03L219P";  // VIA CAVOUR, SMS verified, a pupil at rodari
  static constexpr const char* kLuca = "FRRLCU15C09A479M";   // VIA ROMA, never signed in: App IO
  static constexpr const char* kMario = "RSSMRA80A01H501U";  // Novara's resident

  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<time::TestClock>(time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    tenants_ = std::make_unique<tenants::TenantService>(db());
    auto hub = tenants_->create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    asti_ = body(*hub, "asti", "Comune di Asti", "005005");
    novara_ = body(*hub, "novara", "Comune di Novara", "003106");
    tenants_->reload();
    audit_ = std::make_unique<audit::AuditService>(db(), *clock_);
    profiles_ = std::make_unique<identity::ProfileService>(db(), *audit_, *clock_);
    anagrafe_ = std::make_unique<anagrafe::AnagrafeService>(db(), *audit_, *tenants_, *clock_);
    import(asti_, population_line(kAnna, "005005", "A1", "ROMA") +
                      population_line(kLuca, "005005", "A1", "ROMA") +
                      population_line(kFabio, "005005", "A2", "CAVOUR"));
    import(novara_, population_line(kMario, "003106", "N1", "ROMA"));
    // Two pupils at "rodari" (Anna's and Fabio's children), one at Novara's "rodari" (Mario's).
    school_case(asti_, kAnna, "rodari");
    school_case(asti_, kFabio, "rodari");
    school_case(novara_, kMario, "rodari");
    alerts::Options o;
    o.public_url = "http://hub.example";
    o.default_cost_cap_cents = 1000;
    o.rates = {{"email", 1000}, {"sms", 1000}, {"pec", 1000}, {"appio", 1000}};
    o.batch = 100;
    make_service(o);
    sink_.start();
    runner_ = std::make_unique<jobs::Runner>(db(), *clock_);
    delivery_ = std::make_unique<messaging::Delivery>(messaging::DeliveryOptions{.clock = clock_.get()});
    delivery_->set_sender(messaging::Channel::email, std::make_shared<messaging::EmailSender>(
                                                         messaging::EmailOptions{.smtp_url = sink_.url()}));
    messaging::SmsOptions so;
    so.url = sms_.url();
    so.api_key = "test-key";
    delivery_->set_sender(messaging::Channel::sms, std::make_shared<messaging::SmsSender>(so));
    io_ = std::make_shared<RecordingIo>();
    delivery_->set_sender(messaging::Channel::appio, io_);
    delivery_->register_with(*runner_);
    service_->register_with(*runner_);
    person(kAnna, "email", "anna@example.org");
    person(kFabio, "sms", "+393331112222");
  }

  // A service with other options, and a runner of its own for it and the outbox.
  void rebuild(const alerts::Options& o) {
    runner_.reset();
    make_service(o);
    runner_ = std::make_unique<jobs::Runner>(db(), *clock_);
    delivery_->register_with(*runner_);
    service_->register_with(*runner_);
  }

  void make_service(const alerts::Options& o) {
    service_ = std::make_unique<alerts::AlertService>(
        db(), *audit_, *profiles_, *anagrafe_,
        [this](std::int64_t t, const std::string& form) {
          std::vector<std::pair<std::string, std::string>> out;
          db().read([&](db::Conn& c) { out = cases::CaseStore::standing_answers(c, t, form); });
          return out;
        },
        *tenants_, testing::locales(), *clock_, o);
  }

  tenants::TenantId body(std::int64_t hub, const std::string& slug, const std::string& name,
                         const std::string& istat) {
    tenants::Body b;
    b.hub_id = hub;
    b.slug = slug;
    b.name = name;
    b.istat_code = istat;
    b.fiscal_code = "00743110157";
    auto id = tenants_->create_body(b);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : -1;
  }

  void import(tenants::TenantId t, const std::string& text) {
    std::istringstream in(text);
    auto r =
        anagrafe_->import(anagrafe::ImportActor{nullptr, "test"}, t, anagrafe::Format::jsonl, "t", in, {});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->error_count, 0u);
  }

  void school_case(tenants::TenantId t, const std::string& parent, const std::string& school) {
    cases::Case c;
    c.id = ids::uuid_v7();
    c.tenant_id = t;
    c.service_code = c.form_code = "iscrizione-mensa-scolastica";
    c.title = "Mensa";
    c.applicant_cf = parent;
    c.applicant_name = "Genitore";
    c.answers =
        boost::json::object{{"children", boost::json::array{boost::json::object{{"school", school}}}}};
    c.submitted_at = clock_->now();
    c.due_date = time::rome_date(clock_->now());
    c.submission_key = c.id;
    db().write([&](db::Conn& tx) { cases::CaseStore::insert_case(tx, c, cases::queue_keys(c)); });
  }

  static std::string code_in(const std::string& text) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(R"(\b(\d{6})\b)")) ? m[1].str() : std::string();
  }

  // A person who signed in and verified one address (the profile's own flow: the code from the outbox).
  void person(const std::string& cf, const std::string& channel, const std::string& address) {
    identity::Person p;
    p.fiscal_code = cf;
    p.given_name = "Nome";
    p.family_name = "Cognome";
    db().write([&](db::Conn& tx) {
      identity::PersonStore(db()).upsert_from_sign_in(tx, p, "2026-11-23T09:00:00Z");
    });
    identity::ContactsForm f;
    (channel == "email" ? f.email : f.mobile) = address;
    f.preferred_channel = "none";
    ASSERT_TRUE(profiles_->update_contacts({cf, "", ""}, f).ok());
    auto msgs = messaging::list_messages(db(), messaging::MessageQuery{.person = cf});
    ASSERT_FALSE(msgs.empty());
    ASSERT_TRUE(profiles_->confirm({cf, "", ""}, channel, code_in(msgs.front().message.body)).ok());
    f.preferred_channel = channel;
    ASSERT_TRUE(profiles_->update_contacts({cf, "", ""}, f).ok());
    // The code message is not what the tests count.
    for (const auto& m : messaging::list_messages(db(), messaging::MessageQuery{.person = cf}))
      (void)messaging::cancel_message(db(), 0, m.id, clock_->now());
  }

  static Principal staff(tenants::TenantId tenant, Role role = Role::operator_) {
    Principal p;
    p.kind = PrincipalKind::staff;
    p.subject = "staff-" + std::to_string(tenant);
    p.tenant_id = tenant;
    p.roles = {role};
    return p;
  }

  std::string draft(tenants::TenantId t, const std::string& segment, const std::string& value = {},
                    const std::string& category = "school_closure") {
    auto who = staff(t);
    alerts::AlertForm f{category,
                        "Scuola chiusa domani",
                        "La scuola resta chiusa per un guasto all'impianto.",
                        segment,
                        segment == "streets" ? value : "",
                        segment == "school" ? value : ""};
    auto id = service_->create(&who, t, f);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().code + " " + id.error().detail);
    return id.ok() ? *id : std::string();
  }

  // Runs the runner (the fan-out and the deliveries) until nothing is due, moving the clock on a second
  // at a time so that throttled messages come due.
  void drain(int seconds = 30) {
    for (int i = 0; i < seconds; ++i) {
      runner_->run_until_idle();
      clock_->advance(1s);
    }
    runner_->run_until_idle();
  }

  db::Database& db() { return database_->db(); }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<time::TestClock> clock_;
  std::unique_ptr<tenants::TenantService> tenants_;
  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<identity::ProfileService> profiles_;
  std::unique_ptr<anagrafe::AnagrafeService> anagrafe_;
  std::unique_ptr<alerts::AlertService> service_;
  messaging::SmtpSink sink_;
  SmsServer sms_;
  std::shared_ptr<RecordingIo> io_;
  std::unique_ptr<jobs::Runner> runner_;
  std::unique_ptr<messaging::Delivery> delivery_;
  tenants::TenantId asti_ = 0, novara_ = 0;
};

}  // namespace sp::alerts_test
