// App IO as an outbox channel, on both databases, against the simulator behind a real HTTP server: the
// wire format checked against IO's own Swagger (../shared/appio/services-api.yaml, loaded at run time),
// profile look-up first, fallback to e-mail for a person not on IO or opted out, 429s that slow the
// sending and lose nothing (a fake clock and sleeper: no real waiting), and one body's key never used
// for another body's message.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "adapters/appio/client.hpp"
#include "adapters/appio/sender.hpp"
#include "adapters/appio/simulator.hpp"
#include "adapters/http_client.hpp"
#include "adapters/messaging/email.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "appio_swagger.hpp"
#include "http/server.hpp"
#include "jobs/runner.hpp"
#include "support/testing.hpp"

namespace {

namespace json = boost::json;
using namespace sp::messaging;
using namespace std::chrono_literals;
using sp::testing::appio::Swagger;

constexpr const char* kOnIo = "RSSMRA80A01H501U";                  // Mario Rossi
constexpr const char* kAlsoOnIo = "BNCGLI92L55F205A";              // Giulia Bianchi
constexpr const char* kNotOnIo = "SPSGPP55P12F839I";               // Giuseppe Esposito (data/demo/appio.json)
constexpr const char* kOptedOut = "CLMCHR01B68A794C";              // Chiara Colombo (data/demo/appio.json)
constexpr const char* kAstiRemote = "01JD8Y3K5ZQ2X7W4V6T9R0P1MN";  // Asti's remote configuration at IO

const Swagger& swagger() {
  static const Swagger s(sp::testing::appio::api_file());
  return s;
}

std::int64_t limit(const char* definition, const char* property, const char* which) {
  return swagger()
      .at(std::string("#/definitions/") + definition + "/properties/" + property + "/" + which)
      .as_int64();
}

// The simulator behind a real HTTP server on loopback.
struct IoServer {
  IoServer() {
    const std::string demo = sp::testing::source_dir() + "/data/demo/";
    EXPECT_TRUE(sim.load_profiles(demo + "identities.json", demo + "appio.json").ok());
    sim.add_service("key-of-asti", "asti");
    sim.add_service("key-of-bra", "bra");
    // Asti's remote-content configuration (its call-backs are exercised in web_test.cpp).
    sim.add_remote_configuration(kAstiRemote,
                                 {"asti", "http://127.0.0.1:9/inbound/asti/io", "Authorization", "x"});
    sim.register_routes(router);
    sp::http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.access_log = false;
    server = std::make_unique<sp::http::Server>(o, router);
    server->listen();
    thread = std::thread([this] { server->run(); });
  }
  ~IoServer() {
    server->stop(2000ms);
    thread.join();
  }
  [[nodiscard]] std::string api() const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + "/sim/appio/api/v1";
  }
  sp::appio::Simulator sim;
  sp::http::Router router;
  std::unique_ptr<sp::http::Server> server;
  std::thread thread;
};

std::string markdown(const std::string& first_line) {
  return first_line +
         "\n\nGentile cittadino, la pratica è stata protocollata e sarà esaminata dall'ufficio "
         "competente entro trenta giorni. Può seguirne lo stato nella sua area personale.";
}

class AppIoTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    sink_.start();
  }
  sp::db::Database& db() { return database_->db(); }

  // The delivery of one node: the outbox's job kind with e-mail to the sink and App IO to the simulator;
  // tenant 1 is Asti, 2 is Bra (each its own key), 3 a body without IO. The client's sleeps advance
  // the test clock.
  void start(sp::appio::ClientOptions co = {}) {
    co.base_url = io_.api();
    client_ = std::make_shared<sp::appio::Client>(
        co, *clock_, [this](std::chrono::milliseconds d) { clock_->advance(d); });
    auto email = std::make_shared<EmailSender>(EmailOptions{.smtp_url = sink_.url()}, *clock_);
    delivery_ = std::make_unique<Delivery>();
    delivery_->set_sender(Channel::email, email);
    auto io = std::make_shared<sp::appio::AppIoSender>(
        client_,
        [](std::int64_t tenant) -> std::optional<std::string> {
          if (tenant == 1) return "key-of-asti";
          if (tenant == 2) return "key-of-bra";
          return std::nullopt;
        },
        email);
    io->set_remote_configurations([](std::int64_t tenant) -> std::optional<std::string> {
      if (tenant == 1) return kAstiRemote;
      return std::nullopt;  // Bra has IO but no remote configuration
    });
    delivery_->set_sender(Channel::appio, io);
    runner_ = std::make_unique<sp::jobs::Runner>(db(), *clock_);
    delivery_->register_with(*runner_);
  }

  std::string enqueue_io(std::int64_t tenant, const std::string& cf, const std::string& subject,
                         const std::string& options = {}) {
    std::string id;
    db().write([&](sp::db::Conn& tx) {
      Message m{tenant, Channel::appio, cf, subject, markdown(subject), cf + "@example.org", options};
      auto r = enqueue(tx, m, *clock_);
      ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
      id = *r;
    });
    return id;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  SmtpSink sink_;
  IoServer io_;
  std::shared_ptr<sp::appio::Client> client_;
  std::unique_ptr<Delivery> delivery_;
  std::unique_ptr<sp::jobs::Runner> runner_;
};

TEST_P(AppIoTest, ProfileFirstThenPostMessagesInTheSwaggersWireFormat) {
  start();
  const std::string options =
      R"({"due_date":"2026-12-31T00:00:00.000Z","payment_data":{"amount":12550,"notice_number":"301000000000012345","invalid_after_due_date":true,"payee":{"fiscal_code":"00072980051"}}})";
  const auto id = enqueue_io(1, kOnIo, "Avviso di pagamento TARI 2026", options);
  runner_->run_until_idle();

  ASSERT_EQ(io_.sim.count(), 1u);
  const auto got = io_.sim.messages().front();
  EXPECT_EQ(io_.sim.profile_lookups(), std::vector<std::string>{std::string("asti:") + kOnIo})
      << "profile first";
  EXPECT_EQ(got.idempotency_key, id);
  const auto body = json::parse(got.body);
  const auto errors = swagger().validate(swagger().at("#/definitions/NewMessage"), body);
  EXPECT_TRUE(errors.empty()) << errors.front();
  auto too_short = body;  // the check is not vacuous: IO's limits come out of the Swagger
  too_short.at("content").as_object()["subject"] = "Avviso";
  EXPECT_FALSE(swagger().validate(swagger().at("#/definitions/NewMessage"), too_short).empty());
  // POST /messages carries the fiscal code in the body (the deprecated /messages/{fiscal_code} is not used).
  EXPECT_EQ(body.at("fiscal_code").as_string(), kOnIo);
  const auto& pd = body.at("content").at("payment_data");
  EXPECT_EQ(pd.at("amount").as_int64(), 12550);
  EXPECT_EQ(pd.at("notice_number").as_string(), "301000000000012345");
  EXPECT_EQ(pd.at("invalid_after_due_date").as_bool(), true);
  EXPECT_EQ(pd.at("payee").at("fiscal_code").as_string(), "00072980051");
  EXPECT_EQ(body.at("content").at("due_date").as_string(), "2026-12-31T00:00:00.000Z");

  auto stored = find_message(db(), id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->status, "delivered");
  EXPECT_EQ(stored->delivered_channel, "appio");
  EXPECT_EQ(stored->provider_message_id, got.id) << "IO's message id recorded";
  EXPECT_EQ(sink_.count(), 0u);
}

TEST_P(AppIoTest, TheSimulatorsAnswersMatchTheSwagger) {
  sp::adapters::HttpClient http;
  const sp::adapters::HttpHeaders key = {{"Ocp-Apim-Subscription-Key", "key-of-asti"}};
  auto check = [&](const std::string& path, const std::string& method, const sp::adapters::HttpResponse& r) {
    const auto* schema = swagger().response_schema(path, method, r.status);
    if (schema == nullptr) return;
    const auto errors = swagger().validate(*schema, json::parse(r.body));
    EXPECT_TRUE(errors.empty()) << method << " " << path << " " << r.status << ": " << errors.front();
  };
  auto on = http.get(io_.api() + "/profiles/" + kOnIo, key).value();
  EXPECT_EQ(on.status, 200);
  check("/profiles/{fiscal_code}", "get", on);
  EXPECT_TRUE(json::parse(on.body).at("sender_allowed").as_bool());
  auto opted = http.get(io_.api() + "/profiles/" + kOptedOut, key).value();
  EXPECT_EQ(opted.status, 200);
  EXPECT_FALSE(json::parse(opted.body).at("sender_allowed").as_bool());
  auto absent = http.get(io_.api() + "/profiles/" + kNotOnIo, key).value();
  EXPECT_EQ(absent.status, 404);
  check("/profiles/{fiscal_code}", "get", absent);
  EXPECT_EQ(http.get(io_.api() + "/profiles/" + kOnIo).value().status, 401) << "no key";

  auto post = [&](const json::value& body) {
    sp::adapters::HttpRequest req;
    req.method = "POST";
    req.url = io_.api() + "/messages";
    req.headers = {{"Ocp-Apim-Subscription-Key", "key-of-asti"}, {"Content-Type", "application/json"}};
    req.body = json::serialize(body);
    return http.send(req).value();
  };
  const std::string good_subject(
      static_cast<std::size_t>(limit("MessageContentBase", "subject", "minLength")), 'S');
  const std::string good_markdown(
      static_cast<std::size_t>(limit("MessageContentBase", "markdown", "minLength")), 'm');
  auto created = post(json::object{{"fiscal_code", kOnIo},
                                   {"content", {{"subject", good_subject}, {"markdown", good_markdown}}}});
  EXPECT_EQ(created.status, 201);
  check("/messages", "post", created);
  auto short_subject =
      post(json::object{{"fiscal_code", kOnIo},
                        {"content", {{"subject", good_subject.substr(1)}, {"markdown", good_markdown}}}});
  EXPECT_EQ(short_subject.status, 400);
  check("/messages", "post", short_subject);
}

TEST_P(AppIoTest, EnqueueRefusesWhatIoWouldRefuseWithTheSwaggersLimits) {
  const auto sub_min = limit("MessageContentBase", "subject", "minLength");
  const auto sub_max = limit("MessageContentBase", "subject", "maxLength");
  const auto md_min = limit("MessageContentBase", "markdown", "minLength");
  const auto md_max = limit("MessageContentBase", "markdown", "maxLength");
  auto try_enqueue = [&](std::int64_t subject_len, std::int64_t markdown_len,
                         const std::string& options = {}) {
    // "è" is one character and two bytes: lengths are characters, not bytes.
    std::string subject, md;
    for (std::int64_t i = 0; i < subject_len; ++i) subject += "è";
    for (std::int64_t i = 0; i < markdown_len; ++i) md += "à";
    std::string code = "ok";
    db().write([&](sp::db::Conn& tx) {
      auto r = enqueue(tx, Message{1, Channel::appio, kOnIo, subject, md, "", options}, *clock_);
      if (!r) code = r.error().code;
    });
    return code;
  };
  EXPECT_EQ(try_enqueue(sub_min, md_min), "ok");
  EXPECT_EQ(try_enqueue(sub_max, md_max), "ok");
  EXPECT_EQ(try_enqueue(sub_min - 1, md_min), "appio.subject");
  EXPECT_EQ(try_enqueue(sub_max + 1, md_min), "appio.subject");
  EXPECT_EQ(try_enqueue(sub_min, md_min - 1), "appio.markdown");
  EXPECT_EQ(try_enqueue(sub_min, md_max + 1), "appio.markdown");
  // The notice number: the Swagger's pattern, checked on what the hub refuses and accepts.
  const std::regex pattern(std::string(
      swagger().at("#/definitions/PaymentDataBase/properties/notice_number/pattern").as_string()));
  for (const std::string nav :
       {"301000000000012345", "401000000000012345", "30100000000001234", "3010000000000123456"}) {
    const std::string options = R"({"payment_data":{"amount":100,"notice_number":")" + nav +
                                R"(","payee":{"fiscal_code":"00072980051"}}})";
    EXPECT_EQ(try_enqueue(sub_min, md_min, options) == "ok", std::regex_match(nav, pattern)) << nav;
  }
  EXPECT_EQ(
      try_enqueue(
          sub_min, md_min,
          R"({"payment_data":{"amount":0,"notice_number":"301000000000012345","payee":{"fiscal_code":"00072980051"}}})"),
      "appio.amount");
  EXPECT_EQ(
      try_enqueue(sub_min, md_min, R"({"payment_data":{"amount":1,"notice_number":"301000000000012345"}})"),
      "appio.payee")
      << "NewMessageContent requires the payee";
  EXPECT_EQ(try_enqueue(sub_min, md_min, R"({"due_date":"31/12/2026"})"), "appio.due_date");
  db().write([&](sp::db::Conn& tx) {
    EXPECT_EQ(enqueue(tx, Message{1, Channel::appio, "RSSMRA80A01H501X", std::string(20, 's'),
                                  std::string(90, 'm')})
                  .error()
                  .code,
              "appio.fiscal_code");
  });
}

TEST_P(AppIoTest, MessagingToAPersonNotOnIoOrOptedOutFallsBackToEmail) {
  start();
  const auto absent = enqueue_io(1, kNotOnIo, "Pratica 2026/123 ricevuta");
  const auto opted = enqueue_io(1, kOptedOut, "Pratica 2026/124 ricevuta");
  std::string no_email;
  db().write([&](sp::db::Conn& tx) {
    no_email =
        enqueue(tx, Message{1, Channel::appio, kNotOnIo, "Pratica 2026/125 ricevuta", markdown("x")}, *clock_)
            .value();
  });
  runner_->run_until_idle();
  EXPECT_EQ(io_.sim.count(), 0u) << "nothing posted to IO";
  ASSERT_EQ(sink_.count(), 2u);
  std::set<std::string> to;
  for (const auto& m : sink_.messages()) to.insert(m.rcpt_to.at(0));
  EXPECT_EQ(to, (std::set<std::string>{std::string(kNotOnIo) + "@example.org",
                                       std::string(kOptedOut) + "@example.org"}));
  for (const auto& id : {absent, opted}) {
    auto m = find_message(db(), id);
    EXPECT_EQ(m->status, "delivered");
    EXPECT_EQ(m->delivered_channel, "email");
  }
  auto m = find_message(db(), no_email);
  EXPECT_EQ(m->status, "permanent_failure") << "not on IO and no e-mail: a permanent failure staff see";
  EXPECT_NE(m->last_error.find("not on App IO"), std::string::npos) << m->last_error;
}

TEST_P(AppIoTest, MessagingIo429SlowsTheSendingAndLosesNothing) {
  sp::appio::ClientOptions co;
  co.rate_calls = 5;  // a small bucket, so that twelve messages (24 calls) must wait for tokens
  co.rate_period = 1000ms;
  start(co);
  io_.sim.throttle_every(4, 2);  // every 4th call: 429 with Retry-After: 2
  const char* people[] = {kOnIo, kAlsoOnIo};
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i)
    ids.push_back(enqueue_io(1, people[i % 2], "Promemoria scadenza n. " + std::to_string(100 + i)));
  const auto before = clock_->now();
  runner_->run_until_idle();
  EXPECT_GT(io_.sim.throttled(), 0);
  for (const auto& id : ids) {
    EXPECT_EQ(io_.sim.count_for_key(id), 1) << "exactly once on IO: " << id;
    EXPECT_EQ(find_message(db(), id)->status, "delivered");
  }
  EXPECT_EQ(io_.sim.count(), ids.size());
  // Slowed: every 429 paused the key for its Retry-After, and the bucket held the rest to 5 calls/s.
  const auto waited = client_->limiter().waited();
  EXPECT_GE(waited, io_.sim.throttled() * 2000ms);
  EXPECT_GE(clock_->now() - before, std::chrono::milliseconds(waited));
  EXPECT_EQ(sink_.count(), 0u) << "a 429 never turns into a fallback";

  // IO keeps answering 429: the attempt ends, the message waits (pending, not failed) and goes later.
  io_.sim.throttle_every(0);
  io_.sim.fail(429, 1000);
  const auto late = enqueue_io(2, kOnIo, "Promemoria scadenza n. 200");
  runner_->run_once();
  auto m = find_message(db(), late);
  EXPECT_EQ(m->status, "temporary_failure");
  EXPECT_NE(m->last_error.find("appio.throttled"), std::string::npos) << m->last_error;
  io_.sim.fail(0, 0);
  clock_->advance(10min);
  runner_->run_until_idle();
  EXPECT_EQ(find_message(db(), late)->status, "delivered");
  EXPECT_EQ(io_.sim.count_for_key(late), 1);
}

TEST_P(AppIoTest, OneBodysKeyIsNeverUsedForAnotherBodysMessage) {
  start();
  const auto asti = enqueue_io(1, kOnIo, "Comunicazione del Comune di Asti");
  const auto bra = enqueue_io(2, kOnIo, "Comunicazione del Comune di Bra");
  const auto other = enqueue_io(3, kOnIo, "Comunicazione di un ente senza IO");
  runner_->run_until_idle();
  std::map<std::string, std::string> service_of;
  for (const auto& m : io_.sim.messages()) service_of[m.idempotency_key] = m.service;
  EXPECT_EQ(service_of, (std::map<std::string, std::string>{{asti, "asti"}, {bra, "bra"}}));
  auto lookups = io_.sim.profile_lookups();
  std::sort(lookups.begin(), lookups.end());
  EXPECT_EQ(lookups, (std::vector<std::string>{std::string("asti:") + kOnIo, std::string("bra:") + kOnIo}))
      << "the body without an IO service borrowed nobody's key";
  EXPECT_EQ(find_message(db(), other)->delivered_channel, "email");
  EXPECT_EQ(sink_.count(), 1u);

  // A job of Bra cannot deliver Asti's message (the job's tenant must be the message's).
  const auto asti2 = enqueue_io(1, kAlsoOnIo, "Seconda comunicazione di Asti");
  db().write([&](sp::db::Conn& tx) { tx.exec("UPDATE jobs SET tenant_id = 2 WHERE payload = $1", {asti2}); });
  runner_->run_until_idle();
  EXPECT_EQ(io_.sim.count_for_key(asti2), 0);
  EXPECT_NE(find_message(db(), asti2)->status, "delivered");
}

// Personal content goes by IO's remote-content mode: IO stores only the subject and a neutral teaser, and
// third_party_data links the message to the hub (the outbox id, the body's configuration), in the
// Swagger's shapes; attachments make it ADVANCED. A body without a remote configuration sends it by e-mail.
TEST_P(AppIoTest, RemoteContentSendsTheTeaserAndThirdPartyDataNeverTheText) {
  start();
  sp::appio::Options o;
  o.remote = sp::appio::Remote{
      "Hai un nuovo documento dal Comune. Aprilo nell'app per leggerlo: il testo e gli allegati sono "
      "conservati dal Comune.",
      {{"file-id-of-the-decision", "Provvedimento.pdf"}}};
  const auto options = sp::appio::options_json(o);
  const auto asti = enqueue_io(1, kOnIo, "Esito della tua pratica 2026/123", options);
  const auto bra = enqueue_io(2, kOnIo, "Esito della tua pratica 2026/456", options);
  runner_->run_until_idle();

  ASSERT_EQ(io_.sim.count(), 1u);
  const auto got = io_.sim.messages().front();
  EXPECT_EQ(got.idempotency_key, asti);
  const auto body = json::parse(got.body);
  const auto errors = swagger().validate(swagger().at("#/definitions/NewMessage"), body);
  EXPECT_TRUE(errors.empty()) << errors.front();
  const auto& content = body.at("content");
  EXPECT_EQ(content.at("markdown").as_string(), o.remote->teaser);
  EXPECT_EQ(got.body.find("protocollata"), std::string::npos) << "the text stays at the hub";
  const auto& tpd = content.at("third_party_data");
  EXPECT_EQ(tpd.at("id").as_string(), asti);
  EXPECT_EQ(tpd.at("configuration_id").as_string(), kAstiRemote);
  EXPECT_TRUE(tpd.at("has_remote_content").as_bool());
  EXPECT_TRUE(tpd.at("has_attachments").as_bool());
  EXPECT_EQ(body.at("feature_level_type").as_string(), "ADVANCED");
  EXPECT_EQ(got.third_party_id, asti);
  EXPECT_EQ(find_message(db(), asti)->delivered_channel, "appio");
  // Bra has no remote configuration: the e-mail, not IO.
  EXPECT_EQ(find_message(db(), bra)->delivered_channel, "email");
  EXPECT_EQ(sink_.count(), 1u);

  // What the hub answers IO's call-back is a ThirdPartyMessage as IO's app reads it.
  const auto answer =
      json::parse(sp::appio::third_party_message_json("Esito", "Testo", o.remote->attachments));
  EXPECT_EQ(answer.at("attachments").at(0).at("url").as_string(), "attachments/1");
  EXPECT_EQ(answer.at("attachments").at(0).at("content_type").as_string(), "application/pdf");
  EXPECT_EQ(answer.at("details").at("markdown").as_string(), "Testo");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, AppIoTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
