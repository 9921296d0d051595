// Acceptance test of the station with the real binary (issue 13): the pagoPA simulator pays 40 published
// notices of two bodies through `sportello serve`, four payments at a time, and the server is killed with
// SIGKILL while receipts stream in — some recorded, some in flight (the node does not know whether they
// arrived), some not sent yet. The server comes back on the same database; the simulator sends again every
// receipt it is unsure of (its resender), then every receipt, sure or not. In the database: every receipt
// recorded exactly once, no position paid twice, and the recorded receipts add up to the simulator's
// reporting flows to the cent. On SQLite and on PostgreSQL. No sleeps: every wait is on an observable
// condition with a deadline.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "adapters/pagopa/simulator.hpp"
#include "audit/service.hpp"
#include "core/config.hpp"
#include "identity/inbound_service.hpp"
#include "payments/service.hpp"
#include "payments/station_routes.hpp"
#include "support/testing.hpp"
#include "tenants/service.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using sp::pagopa::sim::PayOutcome;

const std::string kAstiCf = "00072360050";
const std::string kNovaraCf = "00125680033";
const std::string kBroker = "00743110157";
const std::string kIban = "IT60X0542811101000000123456";
constexpr int kNotices = 40;

template <class F>
bool eventually(F f, std::chrono::milliseconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

struct Body {
  std::string slug, cf, station, secret;
  sp::tenants::TenantId id = 0;
};

class PaymentsCrashTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    auto& db = database_->db();
    sp::tenants::TenantService tenants(db);
    auto hub = tenants.create_hub({0, "pes", "Polo di prova", kBroker, "", "", ""});
    ASSERT_TRUE(hub.ok());
    sp::payments::PaymentsService payments(db, sp::time::system_clock());
    sp::audit::AuditService audit(db, sp::time::system_clock());
    sp::identity::InboundService inbound(db, audit, sp::time::system_clock());
    const sp::payments::SystemActor system{"test"};
    bodies_ = {{"asti", kAstiCf, kBroker + "_01"}, {"novara", kNovaraCf, kBroker + "_02"}};
    for (auto& b : bodies_) {
      sp::tenants::Body body;
      body.hub_id = *hub;
      body.slug = b.slug;
      body.name = "Comune di " + b.slug;
      body.fiscal_code = b.cf;
      auto id = tenants.create_body(body);
      ASSERT_TRUE(id.ok());
      b.id = *id;
      sp::payments::Creditor c{
          b.id,    b.cf,     "Comune di " + b.slug, "", {b.slug == "asti" ? "01" : "02"}, kIban, "",
          kBroker, b.station};
      ASSERT_TRUE(payments.set_creditor(system, c).ok());
      const std::string ids = R"({"idPA":")" + b.cf + R"(","idBrokerPA":")" + kBroker +
                              R"(","idStazione":")" + b.station + R"("})";
      auto issued = inbound.add(b.id, sp::payments::kNodeSystem, "simulatore-pagopa", ids, "", false);
      ASSERT_TRUE(issued.ok());
      b.secret = issued->secret;
    }
    // 40 notices, 3 of 4 Asti's, with amounts that differ (a lost or doubled one shows in the sums).
    for (int i = 0; i < kNotices; ++i) {
      const auto& b = bodies_[i % 4 == 3 ? 1 : 0];
      sp::payments::NewPosition np;
      np.iupd = "CRASH-" + std::to_string(i);
      np.debtor.fiscal_code = "FRRNNA78S70A479X";
      np.debtor.full_name = "Anna Ferrero";
      sp::payments::NewOption o;
      o.amount = 1000 + i * 137;
      o.description = "Canone " + std::to_string(i);
      o.due_date = "2027-06-30";
      sp::payments::NewTransfer t;
      t.amount = o.amount;
      t.iban = kIban;
      t.remittance = o.description;
      t.category = "9/0101108TS/";
      o.transfers = {t};
      np.options = {o};
      np.publish = true;
      auto p = payments.create(system, b.id, np);
      ASSERT_TRUE(p.ok()) << p.error().code << " " << p.error().detail;
      notices_.push_back({p->options[0].nav, b.cf, b.id, p->iupd, o.amount});
      expected_sum_ += o.amount;
    }
  }
  void TearDown() override {
    sim_.reset();
    server_.reset();
  }

  std::unique_ptr<sp::testing::ServerProcess> start_server() {
    const auto dir = dir_.path() / "node";
    fs::create_directories(dir);
    std::set<std::string> known;
    for (const auto& s : sp::config_settings()) known.insert(s.env);
    std::vector<std::string> env;
    for (const auto& kv : std::vector<std::string>{
             "SPORTELLO_DATABASE=" + database_->url(), "SPORTELLO_PORT=0", "SPORTELLO_THREADS=4",
             "SPORTELLO_ACCESS_LOG=false", "SPORTELLO_LOG_LEVEL=warn", "SPORTELLO_DEMO=false",
             "SPORTELLO_SIM_IDP=false", "SPORTELLO_SIM_PAGOPA=false",
             "SPORTELLO_KEYS_DIR=" + (dir / "keys").string(),
             "SPORTELLO_OIDC_RP_KEY_FILE=" + (dir / "rp.pem").string(),
             "SPORTELLO_FILES_DIR=" + (dir / "files").string(),
             "SPORTELLO_AUDIT_KEY_FILE=" + (dir_.path() / "audit.key").string(),
             "SPORTELLO_AUDIT_ANCHOR_FILE=" + (dir / "anchors.jsonl").string()}) {
      if (known.count(kv.substr(0, kv.find('=')))) env.push_back(kv);
    }
    auto p = std::make_unique<sp::testing::ServerProcess>(
        std::vector<std::string>{sp::testing::binary(), "serve"}, env);
    EXPECT_TRUE(p->wait_ready(60000)) << "the server did not become ready";
    return p;
  }

  sp::pagopa::sim::StationDirectory stations(std::uint16_t port) const {
    sp::pagopa::sim::StationDirectory d;
    for (const auto& b : bodies_) {
      d[b.cf] = {b.cf,
                 "http://127.0.0.1:" + std::to_string(port) + "/inbound/" + b.slug + "/pagopa/paForNode",
                 b.secret, kBroker, b.station};
    }
    return d;
  }

  std::int64_t query(const std::string& sql) {
    std::int64_t n = 0;
    database_->db().read([&](sp::db::Conn& c) { n = c.query_one(sql)->i64(0); });
    return n;
  }

  struct Notice {
    std::string nav, cf;
    sp::tenants::TenantId body;
    std::string iupd;
    sp::money::Cents amount;
  };
  sp::testing::TempDir dir_;
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::vector<Body> bodies_;
  std::vector<Notice> notices_;
  sp::money::Cents expected_sum_ = 0;
  std::unique_ptr<sp::testing::ServerProcess> server_;
  std::unique_ptr<sp::pagopa::sim::Simulator> sim_;
};

TEST_P(PaymentsCrashTest, AfterASigkillEveryReceiptIsRecordedExactlyOnce) {
  server_ = start_server();
  ASSERT_NE(server_->port(), 0);
  sp::pagopa::sim::SimulatorOptions so;
  so.stations = stations(server_->port());
  so.share_dir = sp::testing::source_dir();
  so.first_backoff = 50ms;
  so.max_backoff = 500ms;
  so.max_attempts = 1000;  // bounded, but far beyond this test's deadlines
  so.http.timeout = 5s;
  sim_ = std::make_unique<sp::pagopa::sim::Simulator>(so);

  // Four tobacconists pay the 40 notices while the server is killed.
  std::atomic<int> next{0};
  std::vector<PayOutcome::Kind> result(kNotices, PayOutcome::Kind::error);
  std::vector<std::thread> payers;
  for (int t = 0; t < 4; ++t) {
    payers.emplace_back([&] {
      for (int i = next++; i < kNotices; i = next++) {
        sp::pagopa::sim::PayOptions p;
        p.notice_number = notices_[i].nav;
        p.fiscal_code = notices_[i].cf;
        p.psp = i % 2 ? "SIMBANIT" : "SIMTABIT";
        result[i] = sim_->pay(p).kind;
      }
    });
  }
  const std::string recorded = "SELECT COUNT(*) FROM payment_receipts WHERE outcome = 'recorded'";
  ASSERT_TRUE(eventually([&] { return query(recorded) >= kNotices / 4; }));
  server_->kill_hard();
  const auto recorded_at_kill = query(recorded);
  for (auto& t : payers) t.join();

  // The kill was mid-stream: some payments did not happen, or some receipts are not answered.
  int failed = 0;
  for (auto k : result) failed += k != PayOutcome::Kind::paid;
  const int unsure = sim_->undelivered();
  std::printf("at the kill: %lld receipts recorded, %d payments not made, %d receipts unanswered\n",
              static_cast<long long>(recorded_at_kill), failed, unsure);
  EXPECT_GT(failed + unsure, 0) << "every payment and receipt went through before the kill";
  EXPECT_LT(recorded_at_kill, kNotices);
  for (auto k : result) EXPECT_NE(k, PayOutcome::Kind::refused);

  // Back on the same database (on another port): the node's resender delivers what it is unsure of.
  server_ = start_server();
  sim_->set_stations(stations(server_->port()));
  ASSERT_TRUE(eventually([&] { return sim_->undelivered() == 0; })) << sim_->undelivered() << " undelivered";
  // The payments that did not happen are made now (a payer tries again).
  for (int i = 0; i < kNotices; ++i) {
    if (result[i] == PayOutcome::Kind::paid) continue;
    sp::pagopa::sim::PayOptions p;
    p.notice_number = notices_[i].nav;
    p.fiscal_code = notices_[i].cf;
    auto out = sim_->pay(p);
    EXPECT_EQ(out.kind, PayOutcome::Kind::paid) << i << " " << out.step << " " << out.fault_code;
  }
  ASSERT_TRUE(eventually([&] { return sim_->undelivered() == 0; }));
  // And every receipt once more, those the station answered too.
  EXPECT_EQ(sim_->resend(true), kNotices);
  EXPECT_EQ(sim_->undelivered(), 0);

  // Every receipt the PSPs produced is recorded exactly once; every copy is a duplicate.
  const auto ledger = sim_->payments();
  ASSERT_EQ(ledger.size(), static_cast<std::size_t>(kNotices));
  for (const auto& p : ledger) {
    EXPECT_EQ(p.delivery, sp::pagopa::sim::Delivery::delivered) << p.receipt_id;
    std::int64_t counted = 0, copies = 0;
    database_->db().read([&](sp::db::Conn& c) {
      counted = c.query_one(
                     "SELECT COUNT(*) FROM payment_receipts WHERE psp_id = $1 AND receipt_id = $2 AND "
                     "outcome = 'recorded'",
                     {p.psp_id, p.receipt_id})
                    ->i64(0);
      copies = c.query_one(
                    "SELECT COUNT(*) FROM payment_receipts WHERE psp_id = $1 AND receipt_id = $2 AND "
                    "outcome <> 'recorded'",
                    {p.psp_id, p.receipt_id})
                   ->i64(0);
    });
    EXPECT_EQ(counted, 1) << p.receipt_id;
    EXPECT_GE(copies, 1) << p.receipt_id;  // at least the final resend
  }
  EXPECT_EQ(query(recorded), kNotices);
  EXPECT_EQ(
      query("SELECT COUNT(*) FROM payment_receipts WHERE outcome IN ('double_payment', 'unknown_position')"),
      0);
  EXPECT_EQ(query("SELECT COUNT(*) FROM (SELECT iuv FROM payment_receipts WHERE outcome = 'recorded' "
                  "GROUP BY tenant_id, iuv HAVING COUNT(*) > 1) x"),
            0);
  // Every position paid, once.
  sp::payments::PaymentsService payments(database_->db(), sp::time::system_clock());
  for (const auto& n : notices_) {
    auto p = payments.get(sp::payments::SystemActor{"test"}, n.body, n.iupd);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->status, sp::payments::PositionStatus::paid) << n.iupd;
  }
  // To the cent: the recorded receipts, the notices and the simulator's reporting flows.
  EXPECT_EQ(query("SELECT COALESCE(SUM(amount_cents), 0) FROM payment_receipts WHERE outcome = 'recorded'"),
            expected_sum_);
  sp::money::Cents flows_sum = 0;
  std::int64_t flows_rows = 0;
  for (const auto& b : bodies_) {
    for (const auto& f : sim_->flows().published_flows(b.cf)) {
      flows_sum += f.sum_payments;
      flows_rows += f.tot_payments;
      sp::money::Cents rows = 0;
      for (const auto& r : f.payments) rows += r.amount;
      EXPECT_EQ(rows, f.sum_payments) << f.fdr;
    }
  }
  EXPECT_EQ(flows_rows, kNotices);
  EXPECT_EQ(flows_sum, expected_sum_);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, PaymentsCrashTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
