// Acceptance test of issue 17's alerts with the real binary: `sportello serve` sends an alert to 240
// subscribers (half by e-mail to the SMTP sink, half by SMS to the gateway simulator, both in this test
// process so that they outlive the server) and is killed with SIGKILL mid-alert; restarted, it finishes.
// The simulators count deliveries per idempotency key: every recipient has exactly one per channel (a
// repeat of the message in flight at the kill carries the same key, and is counted once, as the gateway
// and a mailbox drop it). The servers' clock is the fake clock, ticking from this test, so that the
// claims of the killed process expire without waiting.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "alerts/service.hpp"
#include "alerts/store.hpp"
#include "anagrafe/service.hpp"
#include "audit/service.hpp"
#include "core/config.hpp"
#include "http/server.hpp"
#include "identity/profile_service.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

template <class F>
bool eventually(F f, std::chrono::milliseconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return f();
}

struct SmsServer {
  SmsServer() : sim("crash-key") {
    sim.register_routes(router);
    sp::http::ServerOptions o;
    o.port = 0;
    o.threads = 2;
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
  sp::messaging::SmsGatewaySimulator sim;
  sp::http::Router router;
  std::unique_ptr<sp::http::Server> server;
  std::thread thread;
};

class AlertsCrashTest : public ::testing::Test {
 protected:
  static constexpr int kPerChannel = 120;

  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(sp::db::Dialect::sqlite);
    clock_file_ = dir_.path() / "clock";
    now_ = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    set_clock(now_);
    sink_.start();
    auto& db = database_->db();
    sp::time::TestClock clock(now_);
    sp::tenants::TenantService tenants(db);
    auto hub = tenants.create_hub({0, "pes", "Polo di prova", "00743110157", "", "", ""});
    ASSERT_TRUE(hub.ok());
    sp::tenants::Body b;
    b.hub_id = *hub;
    b.slug = "asti";
    b.name = "Comune di Asti";
    b.istat_code = "005005";
    b.fiscal_code = "00072360050";
    auto asti = tenants.create_body(b);
    ASSERT_TRUE(asti.ok());
    tenants.reload();
    db.write([&](sp::db::Conn& tx) {
      for (int i = 0; i < kPerChannel; ++i) {
        for (const char* ch : {"email", "sms"}) {
          sp::alerts::Subscription s;
          s.id = std::string(ch) + std::to_string(i);
          s.tenant_id = *asti;
          s.channel = ch;
          s.address = std::string(ch) == "email" ? "vicino" + std::to_string(i) + "@example.org"
                                                 : "+3934700" + std::to_string(10000 + i);
          s.topics = {"water_cut"};
          s.state = "pending";
          s.created_at = sp::time::format_iso_utc(now_);
          sp::alerts::store::upsert_subscription(tx, s);
          sp::alerts::store::activate(tx, *asti, s.id, s.created_at);
        }
      }
    });
    sp::audit::AuditService audit(db, clock);
    sp::identity::ProfileService profiles(db, audit, clock);
    sp::anagrafe::AnagrafeService anagrafe(db, audit, tenants, clock);
    sp::alerts::Options o;
    o.default_cost_cap_cents = 1'000'000;
    sp::alerts::AlertService alerts(
        db, audit, profiles, anagrafe,
        [](std::int64_t, const std::string&) { return std::vector<std::pair<std::string, std::string>>{}; },
        tenants, sp::testing::locales(), clock, o);
    sp::identity::Principal op;
    op.kind = sp::identity::PrincipalKind::staff;
    op.subject = "operator";
    op.tenant_id = *asti;
    op.roles = {sp::identity::Role::operator_};
    auto id = alerts.create(
        &op, *asti,
        {"water_cut", "Acqua sospesa", "Domani dalle 8 alle 12 in tutta la città.", "topic", "", ""});
    ASSERT_TRUE(id.ok());
    alert_id_ = *id;
    ASSERT_TRUE(alerts.confirm(&op, *asti, alert_id_).ok());
    asti_ = *asti;
  }

  void TearDown() override {
    stop_ticking();
    node_.reset();
  }

  void set_clock(sp::time::TimePoint t) {
    const auto tmp = dir_.path() / "clock.tmp";
    {
      std::ofstream out(tmp);
      out << sp::time::format_iso_utc_millis(t) << "\n";
    }
    fs::rename(tmp, clock_file_);
  }
  // The servers' time runs twice as fast as this test's.
  void start_ticking() {
    ticking_ = true;
    ticker_ = std::thread([this] {
      while (ticking_) {
        std::this_thread::sleep_for(50ms);
        now_ += 100ms;
        set_clock(now_);
      }
    });
  }
  void stop_ticking() {
    ticking_ = false;
    if (ticker_.joinable()) ticker_.join();
  }

  std::unique_ptr<sp::testing::ServerProcess> start_node() {
    const auto dir = dir_.path() / "node";
    fs::create_directories(dir);
    std::vector<std::string> env{"SPORTELLO_FAKE_CLOCK_FILE=" + clock_file_.string()};
    std::set<std::string> known;
    for (const auto& s : sp::config_settings()) known.insert(s.env);
    for (const auto& kv : std::vector<std::string>{
             "SPORTELLO_DATABASE=" + database_->url(), "SPORTELLO_PORT=0", "SPORTELLO_THREADS=2",
             "SPORTELLO_ACCESS_LOG=false", "SPORTELLO_LOG_LEVEL=warn", "SPORTELLO_DEMO=false",
             "SPORTELLO_SIM_IDP=false", "SPORTELLO_KEYS_DIR=" + (dir / "keys").string(),
             "SPORTELLO_OIDC_RP_KEY_FILE=" + (dir / "rp.pem").string(),
             "SPORTELLO_AUDIT_KEY_FILE=" + (dir_.path() / "audit.key").string(),
             "SPORTELLO_AUDIT_ANCHOR_FILE=" + (dir / "anchors.jsonl").string(),
             "SPORTELLO_SMTP_URL=" + sink_.url(), "SPORTELLO_SMS_GATEWAY_URL=" + sms_.url(),
             "SPORTELLO_SMS_API_KEY=crash-key", "SPORTELLO_ALERT_RATE_EMAIL=10",
             "SPORTELLO_ALERT_RATE_SMS=10"}) {
      if (known.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
    }
    auto p = std::make_unique<sp::testing::ServerProcess>(
        std::vector<std::string>{sp::testing::binary(), "serve"}, env);
    EXPECT_TRUE(p->wait_ready(60000)) << "the server did not become ready";
    return p;
  }

  std::string alert_state() {
    std::string s;
    database_->db().read([&](sp::db::Conn& c) {
      if (auto a = sp::alerts::store::find_alert(c, asti_, alert_id_))
        s = std::string(sp::alerts::to_string(a->state));
    });
    return s;
  }

  // What the database says, when the test fails: the outbox's states and the jobs'.
  std::string diagnosis() {
    std::string out;
    database_->db().read([&](sp::db::Conn& c) {
      for (const auto& r :
           c.query("SELECT channel, status, COUNT(*), MAX(last_error) FROM outbox GROUP BY 1, 2"))
        out += "outbox " + r.text(0) + " " + r.text(1) + " " + r.text(2) + " " + r.text(3) + "\n";
      for (const auto& r :
           c.query("SELECT kind, state, COUNT(*), MAX(last_error), MAX(run_at) FROM jobs GROUP BY 1, 2"))
        out += "jobs " + r.text(0) + " " + r.text(1) + " " + r.text(2) + " " + r.text(3) + " " + r.text(4) +
               "\n";
      for (const auto& r :
           c.query("SELECT id, lease_until, claimed_by, attempts FROM jobs WHERE state = 'running'"))
        out += "running " + r.text(0) + " lease " + r.text(1) + " by " + r.text(2) + " attempts " +
               r.text(3) + "\n";
      for (const auto& r : c.query("SELECT state, targets, cursor, slots FROM alerts"))
        out +=
            "alert " + r.text(0) + " targets " + r.text(1) + " cursor " + r.text(2) + " " + r.text(3) + "\n";
    });
    return out + "clock " + sp::time::format_iso_utc(now_);
  }

  // E-mails per Message-ID key (a mailbox keeps one per Message-ID).
  std::map<std::string, int> mails_by_key() {
    std::map<std::string, int> out;
    for (const auto& m : sink_.messages()) {
      auto id = m.header("Message-ID");
      if (id.size() > 2) id = id.substr(1, id.find('@') - 1);
      ++out[id];
    }
    return out;
  }

  sp::testing::TempDir dir_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  fs::path clock_file_;
  sp::time::TimePoint now_;
  sp::messaging::SmtpSink sink_;
  SmsServer sms_;
  std::atomic<bool> ticking_{false};
  std::thread ticker_;
  std::unique_ptr<sp::testing::ServerProcess> node_;
  std::string alert_id_;
  std::int64_t asti_ = 0;
};

TEST_F(AlertsCrashTest, AfterASigkillMidAlertEveryRecipientHasExactlyOneDeliveryPerChannel) {
  start_ticking();
  node_ = start_node();
  // Mid-alert: some delivered, most not.
  ASSERT_TRUE(eventually([&] { return sink_.count() + sms_.sim.count() >= 40; }));
  node_->kill_hard();
  const auto at_kill = sink_.count() + sms_.sim.count();
  EXPECT_LT(at_kill, 2u * kPerChannel) << "killed before the end";
  // Down long enough for every claim of the dead process to expire (a runner claims with the longest lease of
  // its kinds: 15 minutes, the daily register's).
  stop_ticking();
  now_ += 20min;
  set_clock(now_);
  start_ticking();
  node_ = start_node();
  ASSERT_TRUE(
      eventually([&] { return sink_.count() >= kPerChannel && sms_.sim.count() >= kPerChannel; }, 90s))
      << "e-mail " << sink_.count() << ", SMS " << sms_.sim.count() << "\n"
      << diagnosis();
  ASSERT_TRUE(eventually([&] { return alert_state() == "done"; }));
  // Every recipient: exactly one delivery per channel under its key.
  std::vector<sp::alerts::store::TargetRow> targets;
  database_->db().read(
      [&](sp::db::Conn& c) { targets = sp::alerts::store::targets_after(c, asti_, alert_id_, 0, 10000); });
  ASSERT_EQ(targets.size(), 2u * kPerChannel);
  const auto mails = mails_by_key();
  int repeats = 0;
  for (const auto& t : targets) {
    const auto key = sp::alerts::message_key(alert_id_, t.target.channel, t.target.address);
    EXPECT_EQ(t.message_id, key);
    if (t.target.channel == "email") {
      auto it = mails.find(key);
      ASSERT_NE(it, mails.end()) << "no e-mail for " << t.target.address;
      repeats += it->second - 1;
    } else {
      const int posts = sms_.sim.count_for_key(key);
      ASSERT_GE(posts, 1) << "no SMS for " << t.target.address;
      repeats += posts - 1;
    }
  }
  EXPECT_EQ(sms_.sim.count(), static_cast<std::size_t>(kPerChannel)) << "the gateway sent each SMS once";
  EXPECT_EQ(mails.size(), static_cast<std::size_t>(kPerChannel)) << "one Message-ID per recipient";
  // At most the messages in flight at the kill were offered twice, with the same key.
  EXPECT_LE(repeats, 2);
}

}  // namespace
