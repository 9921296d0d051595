// The outbox on both databases: transactional enqueue, delivery (the "messaging.send" job kind run by a
// jobs::Runner) over real SMTP to the sink and over HTTP to the SMS gateway simulator, retries with
// backoff on an injected clock, exclusive claims, dead jobs retried by an operator, the job's tenant.
#include "adapters/messaging/outbox.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <thread>

#include "adapters/messaging/email.hpp"
#include "adapters/messaging/sms.hpp"
#include "adapters/messaging/sms_reports_web.hpp"
#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "http/server.hpp"
#include "jobs/store.hpp"
#include "support/testing.hpp"

namespace {

using namespace sp::messaging;
using namespace std::chrono_literals;

template <class F>
bool eventually(F f, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

// The SMS gateway simulator behind a real HTTP server on loopback.
struct SmsServer {
  // `extra`: more routes on the same server (the hub's delivery-report endpoint).
  explicit SmsServer(const std::function<void(sp::http::Router&)>& extra = {}) : sim("test-key") {
    sim.register_routes(router);
    if (extra) extra(router);
    sp::http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.access_log = false;
    server = std::make_unique<sp::http::Server>(o, router);
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
  std::string reports_url() const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + "/inbound/sms/reports";
  }
  SmsGatewaySimulator sim;
  sp::http::Router router;
  std::unique_ptr<sp::http::Server> server;
  std::thread thread;
};

// One node's delivery: the outbox's job kind on a runner of its own.
struct Node {
  explicit Node(sp::db::Database& db, const sp::time::Clock& clock = sp::time::system_clock(),
                DeliveryOptions o = {}, sp::jobs::RunnerOptions ro = {})
      : delivery(o), runner(db, clock, ro) {
    delivery.register_with(runner);
  }
  void set_sender(Channel c, std::shared_ptr<Sender> s) { delivery.set_sender(c, std::move(s)); }
  int run_once() { return runner.run_once(); }
  Delivery::Counters counters() const { return delivery.counters(); }
  Delivery delivery;
  sp::jobs::Runner runner;
};

class OutboxTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
  }
  sp::db::Database& db() { return database_->db(); }
  std::string enqueue_one(const Message& m) {
    std::string id;
    db().write([&](sp::db::Conn& tx) {
      auto r = enqueue(tx, m, *clock_);
      ASSERT_TRUE(r.ok()) << r.error().code;
      id = *r;
    });
    return id;
  }
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
};

TEST_P(OutboxTest, EnqueueInARolledBackTransactionSendsNothing) {
  SmtpSink sink;
  sink.start();
  Node d(db(), *clock_);
  d.set_sender(Channel::email, std::make_shared<EmailSender>(EmailOptions{.smtp_url = sink.url()}));
  EXPECT_THROW(db().write([&](sp::db::Conn& tx) {
    ASSERT_TRUE(enqueue(tx, Message{0, Channel::email, "a@example.org", "Oggetto", "Testo"}, *clock_).ok());
    throw std::runtime_error("business action failed");
  }),
               std::runtime_error);
  EXPECT_TRUE(list_messages(db()).empty());
  EXPECT_TRUE(sp::jobs::list(db(), {}).empty()) << "nor its job";
  EXPECT_EQ(d.run_once(), 0);
  EXPECT_EQ(sink.count(), 0u);
}

TEST_P(OutboxTest, EnqueueRejectsHeaderInjectionAndEmptyBodies) {
  db().write([&](sp::db::Conn& tx) {
    EXPECT_EQ(enqueue(tx, Message{0, Channel::email, "", "s", "b"}).error().code, "messaging.recipient");
    EXPECT_EQ(enqueue(tx, Message{0, Channel::email, "a@b.it\r\nBcc: x@y.it", "s", "b"}).error().code,
              "messaging.recipient");
    EXPECT_EQ(enqueue(tx, Message{0, Channel::email, "a@b.it", "s\r\nBcc: x@y.it", "b"}).error().code,
              "messaging.subject");
    EXPECT_EQ(enqueue(tx, Message{0, Channel::email, "a@b.it", "s", ""}).error().code, "messaging.body");
  });
  EXPECT_TRUE(list_messages(db()).empty());
}

TEST_P(OutboxTest, DispatcherDeliversEmailToTheSinkOverSmtp) {
  SmtpSink sink;
  sink.start();
  Node d(db(), sp::time::system_clock(), {}, sp::jobs::RunnerOptions{.poll_interval = 50ms});
  EmailOptions eo;
  eo.smtp_url = sink.url();
  eo.from_address = "noreply@sportello.test";
  eo.from_name = "Sportello Città";
  d.set_sender(Channel::email, std::make_shared<EmailSender>(eo));
  const std::string subject =
      "Verifica del recapito – città di Asti, ùnicode è lungo abbastanza da piegare l'intestazione";
  const std::string body = "Gentile cittadino,\nil codice è 123456.\n.una riga che inizia con un punto\n";
  auto id = enqueue_one(Message{0, Channel::email, "mario.rossi@example.it", subject, body});
  d.runner.start();
  ASSERT_TRUE(sink.wait_for(1, 10s));
  ASSERT_TRUE(eventually([&] { return find_message(db(), id)->status == "delivered"; }));
  d.runner.stop();
  auto m = sink.messages().at(0);
  EXPECT_EQ(m.mail_from, "noreply@sportello.test");
  ASSERT_EQ(m.rcpt_to.size(), 1u);
  EXPECT_EQ(m.rcpt_to[0], "mario.rossi@example.it");
  EXPECT_EQ(m.header("To"), "<mario.rossi@example.it>");
  EXPECT_NE(m.header("From").find("<noreply@sportello.test>"), std::string::npos);
  EXPECT_EQ(m.header("From").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_EQ(m.header("Message-ID"), "<" + id + "@sportello.local>");
  EXPECT_EQ(m.header("MIME-Version"), "1.0");
  EXPECT_EQ(m.header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_FALSE(m.header("Date").empty());
  EXPECT_EQ(m.header("Subject").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(m.data.find("?=\r\n =?UTF-8?B?"), std::string::npos) << "long subjects fold into several words";
  for (const auto& line : {m.data.substr(0, m.data.find("\r\n\r\n"))})
    EXPECT_EQ(line.find('\xc3'), std::string::npos);
  EXPECT_EQ(m.subject(), subject);
  EXPECT_EQ(m.body(), "Gentile cittadino,\r\nil codice è 123456.\r\n.una riga che inizia con un punto\r\n");
  auto stored = find_message(db(), id);
  EXPECT_EQ(stored->attempts, 1);
  EXPECT_FALSE(stored->sent_at.empty());
}

TEST_P(OutboxTest, DispatcherDeliversSmsToTheGatewaySimulatorOverHttp) {
  SmsServer gw;
  Node d(db(), *clock_);
  d.set_sender(Channel::sms, std::make_shared<SmsSender>(SmsOptions{gw.url(), "test-key", "Sportello"}));
  auto id = enqueue_one(Message{0, Channel::sms, "+393331234567", "", "Il codice è 654321"});
  EXPECT_EQ(d.run_once(), 1);
  ASSERT_TRUE(gw.sim.wait_for(1, 5s));
  auto sms = gw.sim.messages().at(0);
  EXPECT_EQ(sms.to, "+393331234567");
  EXPECT_EQ(sms.text, "Il codice è 654321");
  EXPECT_EQ(sms.sender, "Sportello");
  EXPECT_EQ(find_message(db(), id)->status, "delivered");
}

TEST_P(OutboxTest, WrongGatewayKeyIsAConfigurationErrorDeadAtOnceAndVisible) {
  SmsServer gw;
  Node d(db(), *clock_);
  d.set_sender(Channel::sms, std::make_shared<SmsSender>(SmsOptions{gw.url(), "wrong-key", "Sportello"}));
  auto id = enqueue_one(Message{0, Channel::sms, "+393331234567", "", "x"});
  EXPECT_EQ(d.run_once(), 1);
  auto m = find_message(db(), id);
  EXPECT_EQ(m->status, "dead") << "the hub's key, not the message: waits for the operators";
  EXPECT_EQ(m->attempts, 1);
  EXPECT_NE(m->last_error.find("messaging.configuration"), std::string::npos) << m->last_error;
  EXPECT_NE(m->last_error.find("401"), std::string::npos) << m->last_error;
  EXPECT_EQ(gw.sim.count(), 0u);
  clock_->advance(2h);
  EXPECT_EQ(d.run_once(), 0) << "not retried by itself";
  gw.sim.fail(403, 1);  // a 403 is the same
  auto other = enqueue_one(Message{0, Channel::sms, "+393331234568", "", "y"});
  d.set_sender(Channel::sms, std::make_shared<SmsSender>(SmsOptions{gw.url(), "test-key", "Sportello"}));
  EXPECT_EQ(d.run_once(), 1);
  EXPECT_EQ(find_message(db(), other)->status, "dead");
  // Mended: staff retry it, and it goes.
  ASSERT_TRUE(retry_message(db(), 0, id, clock_->now()).ok());
  EXPECT_EQ(d.run_once(), 1);
  EXPECT_EQ(find_message(db(), id)->status, "delivered");
  EXPECT_EQ(gw.sim.count(), 1u);
}

TEST_P(OutboxTest, AThrottlingGatewayIsWaitedOutAndLosesNothing) {
  SmsServer gw;
  gw.sim.throttle_every(2, 1);  // every second POST: 429, Retry-After 1
  Node d(db(), *clock_);
  std::vector<std::chrono::milliseconds> waits;
  SmsOptions so{gw.url(), "test-key", "Sportello"};
  so.sleep = [&](std::chrono::milliseconds w) { waits.push_back(w); };
  d.set_sender(Channel::sms, std::make_shared<SmsSender>(so));
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(enqueue_one(
        Message{0, Channel::sms, "+39333123456" + std::to_string(i), "", "n. " + std::to_string(i)}));
  d.runner.run_until_idle();
  for (const auto& id : ids) EXPECT_EQ(find_message(db(), id)->status, "delivered");
  EXPECT_EQ(gw.sim.count(), 4u) << "each once";
  EXPECT_EQ(gw.sim.requests(), 7) << "4 accepted, 3 throttled";
  ASSERT_EQ(waits.size(), 3u);
  for (auto w : waits) EXPECT_EQ(w, std::chrono::milliseconds(1000)) << "the gateway's Retry-After";
  for (const auto& [key, n] : gw.sim.requests_by_key()) EXPECT_LE(n, 2) << key;
}

TEST_P(OutboxTest, DeliveryReportsLateOrTwiceFollowTheStateTable) {
  SmsServer gw([this](sp::http::Router& r) { register_sms_reports(r, db(), "report-token"); });
  gw.sim.set_reports(gw.reports_url(), "report-token");
  Node d(db(), *clock_);
  d.set_sender(Channel::sms, std::make_shared<SmsSender>(SmsOptions{gw.url(), "test-key", "Sportello"}));
  const auto ok = enqueue_one(Message{0, Channel::sms, "+393331234567", "", "consegnato"});
  const auto lost = enqueue_one(Message{0, Channel::sms, "+393330000999", "", "non consegnato"});
  d.runner.run_until_idle();
  EXPECT_EQ(find_message(db(), ok)->status, "delivered");
  EXPECT_EQ(find_message(db(), lost)->status, "delivered") << "the gateway's 202";
  EXPECT_EQ(find_message(db(), ok)->provider_message_id.rfind("sms-", 0), 0u) << "the gateway's id, recorded";
  // The reports arrive late (the messages are final already), each twice.
  EXPECT_EQ(gw.sim.send_reports(/*copies=*/2), 2);
  EXPECT_EQ(find_message(db(), ok)->status, "delivered") << "a duplicate changes nothing";
  auto m = find_message(db(), lost);
  EXPECT_EQ(m->status, "permanent_failure") << "the late-bounce rule";
  EXPECT_NE(m->last_error.find("sms failed"), std::string::npos) << m->last_error;
  EXPECT_EQ(list_attempts(db(), 0, lost).back().outcome, "bounced");
  // Without the token, or about a message that is not an SMS: nothing.
  const auto mail = enqueue_one(Message{0, Channel::email, "a@example.org", "Oggetto", "Testo"});
  sp::adapters::HttpClient http;
  sp::adapters::HttpRequest req;
  req.method = "POST";
  req.url = gw.reports_url();
  req.headers = {{"Authorization", "Bearer wrong"}, {"Content-Type", "application/json"}};
  req.body = R"({"id":"sms-2","reference":")" + lost + R"(","status":"delivered"})";
  EXPECT_EQ(http.send(req)->status, 401);
  req.headers[0].second = "Bearer report-token";
  req.body = R"({"id":"sms-9","reference":")" + mail + R"(","status":"failed"})";
  auto res = http.send(req);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find(R"("unknown":1)"), std::string::npos) << res->body;
  EXPECT_EQ(find_message(db(), mail)->status, "queued");
  req.body = R"({"id":"sms-1","reference":")" + ok + R"(","status":"bogus"})";
  EXPECT_EQ(http.send(req)->status, 400);
}

TEST_P(OutboxTest, FailingGatewayIsRetriedWithBackoffThenMarkedFailed) {
  SmsServer gw;
  gw.sim.fail(503, -1);
  DeliveryOptions o;
  o.max_attempts = 3;
  o.base_backoff = 30s;
  Node d(db(), *clock_, o);
  d.set_sender(Channel::sms, std::make_shared<SmsSender>(SmsOptions{gw.url(), "test-key", "Sportello"}));
  const auto t0 = clock_->now();
  auto id = enqueue_one(Message{0, Channel::sms, "+393331234567", "", "x"});

  EXPECT_EQ(d.run_once(), 1);
  auto m = find_message(db(), id);
  EXPECT_EQ(m->status, "temporary_failure");
  EXPECT_EQ(m->attempts, 1);
  EXPECT_EQ(m->next_attempt_at, sp::time::format_iso_utc(t0 + 30s));
  EXPECT_NE(m->last_error.find("503"), std::string::npos) << m->last_error;

  clock_->advance(29s);
  EXPECT_EQ(d.run_once(), 0) << "not due before the backoff ends";
  clock_->advance(1s);
  EXPECT_EQ(d.run_once(), 1);
  m = find_message(db(), id);
  EXPECT_EQ(m->attempts, 2);
  EXPECT_EQ(m->next_attempt_at, sp::time::format_iso_utc(t0 + 30s + 60s)) << "the wait doubles";

  clock_->advance(59s);
  EXPECT_EQ(d.run_once(), 0);
  clock_->advance(1s);
  EXPECT_EQ(d.run_once(), 1);
  m = find_message(db(), id);
  EXPECT_EQ(m->status, "dead");
  EXPECT_EQ(m->attempts, 3);
  EXPECT_TRUE(m->sent_at.empty());
  clock_->advance(24h);
  EXPECT_EQ(d.run_once(), 0) << "a failed message is never claimed again";
  EXPECT_EQ(gw.sim.requests(), 3);
  EXPECT_EQ(d.counters().retried, 2);
  EXPECT_EQ(d.counters().failed, 1);
}

TEST_P(OutboxTest, TransientSmtpRefusalIsRetriedAndThenDelivered) {
  SmtpSink sink;
  sink.start();
  sink.reject_recipients(451, 1);
  Node d(db(), *clock_, DeliveryOptions{.base_backoff = 10s});
  d.set_sender(Channel::email, std::make_shared<EmailSender>(EmailOptions{.smtp_url = sink.url()}, *clock_));
  auto id = enqueue_one(Message{0, Channel::email, "a@example.org", "Oggetto", "Testo"});
  EXPECT_EQ(d.run_once(), 1);
  EXPECT_EQ(find_message(db(), id)->status, "temporary_failure");
  EXPECT_EQ(sink.count(), 0u);
  clock_->advance(10s);
  EXPECT_EQ(d.run_once(), 1);
  EXPECT_EQ(find_message(db(), id)->status, "delivered");
  EXPECT_EQ(sink.count(), 1u);

  sink.reject_recipients(550, 1);
  auto id2 = enqueue_one(Message{0, Channel::email, "nobody@example.org", "Oggetto", "Testo"});
  EXPECT_EQ(d.run_once(), 1);
  EXPECT_EQ(find_message(db(), id2)->status, "permanent_failure") << "a 5xx reply is permanent";
}

// A sender that counts deliveries per message id (and takes a little time, as a real one would).
class CountingSender final : public Sender {
 public:
  sp::Status send(const StoredMessage& m) override {
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(mutex);
    ++counts[m.id];
    return sp::Ok{};
  }
  std::size_t total() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (auto& [k, v] : counts) n += static_cast<std::size_t>(v);
    return n;
  }
  std::mutex mutex;
  std::map<std::string, int> counts;
};

TEST_P(OutboxTest, TwoDispatchersNeverSendTheSameMessageTwice) {
  constexpr int kMessages = 120;
  db().write([&](sp::db::Conn& tx) {
    for (int i = 0; i < kMessages; ++i) {
      ASSERT_TRUE(
          enqueue(tx, Message{0, Channel::email, "p" + std::to_string(i) + "@example.org", "s", "b"}).ok());
    }
  });
  auto sender = std::make_shared<CountingSender>();
  sp::jobs::RunnerOptions o;
  o.batch = 5;
  o.poll_interval = 20ms;
  Node a(db(), sp::time::system_clock(), {}, o), b(db(), sp::time::system_clock(), {}, o);
  a.set_sender(Channel::email, sender);
  b.set_sender(Channel::email, sender);
  a.runner.start();
  b.runner.start();
  ASSERT_TRUE(eventually([&] { return sender->total() >= kMessages; }, 30s));
  a.runner.stop();
  b.runner.stop();
  EXPECT_EQ(sender->counts.size(), static_cast<std::size_t>(kMessages));
  for (auto& [id, n] : sender->counts) EXPECT_EQ(n, 1) << id;
  EXPECT_GT(a.counters().sent, 0);
  EXPECT_GT(b.counters().sent, 0);
  EXPECT_EQ(a.counters().sent + b.counters().sent, kMessages);
  for (const auto& m : list_messages(db(), 1000)) EXPECT_EQ(m.status, "delivered");
}

TEST_P(OutboxTest, ADeadMessageRetriedByAnOperatorIsSentOnce) {
  SmsServer gw;
  gw.sim.fail(503, 1);
  Node wrong(db(), *clock_, DeliveryOptions{.max_attempts = 1});
  wrong.set_sender(Channel::sms, std::make_shared<SmsSender>(SmsOptions{gw.url(), "test-key", "Sportello"}));
  auto id = enqueue_one(Message{3, Channel::sms, "+393331234567", "", "Il codice è 111222"});
  EXPECT_EQ(wrong.run_once(), 1);
  EXPECT_EQ(find_message(db(), id)->status, "dead");
  auto dead = sp::jobs::list(db(), {.state = sp::jobs::State::dead});
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].kind, kSendKind);
  EXPECT_EQ(dead[0].payload, id);
  EXPECT_EQ(dead[0].tenant_id, 3);
  EXPECT_NE(dead[0].last_error.find("503"), std::string::npos) << dead[0].last_error;

  // The gateway mends; the operator retries the job (/backoffice/lavori).
  Node right(db(), *clock_);
  right.set_sender(Channel::sms, std::make_shared<SmsSender>(SmsOptions{gw.url(), "test-key", "Sportello"}));
  EXPECT_EQ(right.run_once(), 0) << "a dead job waits for the operator";
  auto retried = sp::jobs::retry(db(), dead[0].id, clock_->now());
  ASSERT_TRUE(retried.ok()) << retried.error().code;
  EXPECT_EQ(retried->state, sp::jobs::State::queued);
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_EQ(right.run_once(), 1);
  ASSERT_TRUE(gw.sim.wait_for(1, 5s));
  EXPECT_EQ(find_message(db(), id)->status, "delivered");
  EXPECT_EQ(sp::jobs::find(db(), dead[0].id)->state, sp::jobs::State::done);
  clock_->advance(24h);
  EXPECT_EQ(right.run_once(), 0);
  EXPECT_EQ(gw.sim.count(), 1u);
  EXPECT_EQ(sp::jobs::retry(db(), dead[0].id, clock_->now()).error().code, "jobs.not_dead");
  EXPECT_EQ(sp::jobs::retry(db(), dead[0].id + 1000, clock_->now()).error().code, "not_found");
}

TEST_P(OutboxTest, AJobSendsOnlyAMessageOfItsOwnTenant) {
  auto sender = std::make_shared<CountingSender>();
  Node d(db(), *clock_);
  d.set_sender(Channel::email, sender);
  auto id = enqueue_one(Message{1, Channel::email, "a@example.org", "Oggetto", "Testo"});
  // A job naming body 1's message but queued for body 2 (a bug, or a forged payload) sends nothing.
  db().write([&](sp::db::Conn& tx) {
    auto j =
        sp::jobs::enqueue(tx, sp::jobs::NewJob{kSendKind, 2, id, "forged", clock_->now()}, clock_->now());
    ASSERT_TRUE(j.ok());
  });
  EXPECT_EQ(d.run_once(), 2);
  EXPECT_EQ(sender->total(), 1u) << "only the message's own job sent it";
  EXPECT_EQ(find_message(db(), id)->status, "delivered");
  auto dead = sp::jobs::list(db(), {.state = sp::jobs::State::dead});
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].tenant_id, 2);
  EXPECT_EQ(dead[0].last_error.rfind("messaging.not_found", 0), 0u) << dead[0].last_error;
  EXPECT_EQ(sp::jobs::list(db(), {.tenant = 1}).size(), 1u);
  EXPECT_EQ(sp::jobs::list(db(), {.tenant = 2}).size(), 1u);
}

TEST_P(OutboxTest, ARepeatedSmsCarriesItsIdempotencyKeyAndIsNotSentTwice) {
  SmsServer gw;
  SmsSender sms(SmsOptions{gw.url(), "test-key", "Sportello"});
  StoredMessage m;
  m.id = "0190a0b0-0000-7000-8000-000000000001";
  m.message = Message{0, Channel::sms, "+393331234567", "", "Il codice è 654321"};
  ASSERT_TRUE(sms.send(m).ok());
  ASSERT_TRUE(sms.send(m).ok()) << "the repeat is accepted";
  EXPECT_EQ(gw.sim.requests(), 2);
  EXPECT_EQ(gw.sim.count(), 1u) << "and not sent again";
  m.id = "0190a0b0-0000-7000-8000-000000000002";
  ASSERT_TRUE(sms.send(m).ok());
  EXPECT_EQ(gw.sim.count(), 2u) << "another message with the same text is";
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, OutboxTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

// The sink's server side of SMTP, spoken by hand: dot-unstuffing, command order, RSET.
std::string talk(int fd, const std::string& send) {
  if (!send.empty()) ::send(fd, send.data(), send.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[1024];
  // Read until a final reply line ("NNN " + CRLF).
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
    auto last = got.rfind("\r\n", got.size() - 3);
    std::string tail = last == std::string::npos ? got : got.substr(last + 2);
    if (got.size() >= 2 && got.ends_with("\r\n") && tail.size() >= 4 && tail[3] == ' ') break;
  }
  return got;
}

TEST(SmtpSink, SpeaksTheServerSideOfSmtp) {
  SmtpSink sink;
  sink.start();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(sink.port());
  ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  EXPECT_EQ(talk(fd, "").substr(0, 4), "220 ");
  EXPECT_NE(talk(fd, "EHLO client.test\r\n").find("250 "), std::string::npos);
  EXPECT_EQ(talk(fd, "RCPT TO:<x@y.it>\r\n").substr(0, 3), "503");
  EXPECT_EQ(talk(fd, "DATA\r\n").substr(0, 3), "503");
  EXPECT_EQ(talk(fd, "MAIL FROM:<a@b.it> SIZE=100\r\n").substr(0, 3), "250");
  EXPECT_EQ(talk(fd, "RCPT TO:<x@y.it>\r\n").substr(0, 3), "250");
  EXPECT_EQ(talk(fd, "RCPT TO:<z@y.it>\r\n").substr(0, 3), "250");
  EXPECT_EQ(talk(fd, "DATA\r\n").substr(0, 3), "354");
  EXPECT_EQ(talk(fd, "Subject: hi\r\n\r\n..leading dot\r\n...\r\nend\r\n.\r\n").substr(0, 3), "250");
  EXPECT_EQ(talk(fd, "RSET\r\n").substr(0, 3), "250");
  EXPECT_EQ(talk(fd, "NOOP\r\n").substr(0, 3), "250");
  EXPECT_EQ(talk(fd, "BOGUS\r\n").substr(0, 3), "500");
  EXPECT_EQ(talk(fd, "QUIT\r\n").substr(0, 3), "221");
  ::close(fd);
  ASSERT_EQ(sink.count(), 1u);
  auto m = sink.messages()[0];
  EXPECT_EQ(m.mail_from, "a@b.it");
  EXPECT_EQ(m.rcpt_to, (std::vector<std::string>{"x@y.it", "z@y.it"}));
  EXPECT_EQ(m.data, "Subject: hi\r\n\r\n.leading dot\r\n..\r\nend\r\n");
  EXPECT_EQ(m.subject(), "hi");
}

TEST(MimeEncoding, HeaderWordsRoundTripWithoutSplittingCharacters) {
  const std::string s = std::string(40, 'a') + "èèèèèèèèè€€€€ città";
  const auto enc = encode_header_word(s);
  std::size_t start = 0;
  while (start < enc.size()) {
    auto end = enc.find("\r\n ", start);
    auto word = enc.substr(start, end == std::string::npos ? std::string::npos : end - start);
    EXPECT_LE(word.size(), 75u);
    auto b = base64_decode(word.substr(10, word.size() - 12));
    ASSERT_TRUE(b.has_value());
    EXPECT_TRUE(sp::http::valid_utf8(*b)) << "a word ends inside a character";
    if (end == std::string::npos) break;
    start = end + 3;
  }
  EXPECT_EQ(decode_header_words(enc), s);
  EXPECT_EQ(encode_header_word("plain ASCII"), "plain ASCII");
  EXPECT_EQ(decode_header_words("=?utf-8?q?caff=C3=A8_macchiato?="), "caffè macchiato");
  EXPECT_EQ(base64_decode(base64_encode("\x01\xff xyz")).value(), "\x01\xff xyz");
}

}  // namespace
