// `sportello sim pagopa pay` and `resend` (app/sim_pagopa_cli.hpp) against a running simulator and the
// real station: exit 0 on a payment (the outcome as JSON with --json), 1 on the station's refusal with its
// fault code, 2 when the simulator cannot be reached or the command is misused.
#include <boost/json.hpp>
#include <fstream>

#include "sim_fixture.hpp"
#include "support/testing.hpp"

namespace sp::payments::station_testing {
namespace {

class SimCliTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    if (HasFatalFailure()) return;
    sim_.reset();
    running_ = pagopa::sim::start_simulator_thread(sim_options(), 0);
  }
  void TearDown() override {
    running_.reset();
    SimTest::TearDown();
  }
  sp::testing::CommandRun sportello(const std::string& args) {
    return sp::testing::run_command("SPORTELLO_SHARE_DIR=" + sp::testing::source_dir() + " " +
                                    sp::testing::binary() + " sim pagopa " + args + " 2>&1");
  }
  std::unique_ptr<pagopa::sim::RunningSimulator> running_;
};

TEST_P(SimCliTest, PayPrintsTheOutcomeAndExitsByIt) {
  auto p = tari(asti_, "TARI-2026-0501");
  const std::string sim = " --sim " + running_->url();
  auto paid = sportello("pay " + p.options[0].nav + " --fiscal-code " + kAstiCf + " --json" + sim);
  ASSERT_EQ(paid.rc, 0) << paid.out;
  auto json = boost::json::parse(paid.out).as_object();
  EXPECT_EQ(json.at("outcome").as_string(), "paid");
  const auto& payment = json.at("payment").as_object();
  EXPECT_EQ(payment.at("amount_cents").as_int64(), 20000);
  EXPECT_EQ(payment.at("station_answer").as_string(), "OK");
  EXPECT_EQ(receipts_of(asti_, p.options[0].iuv), std::vector<std::string>{"recorded 20000"});

  // Paid already: the station's refusal, its code printed (in Italian by default).
  auto refused = sportello("pay " + p.options[1].nav + " --fiscal-code " + kAstiCf + sim);
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_NE(refused.out.find("PAA_PAGAMENTO_DUPLICATO"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("rifiutato"), std::string::npos) << refused.out;

  // A late receipt, then delivered by `resend`.
  auto q = tari(asti_, "TARI-2026-0502");
  auto late = sportello("pay " + q.options[0].nav + " --fiscal-code " + kAstiCf + " --late --lang en" + sim);
  EXPECT_EQ(late.rc, 0) << late.out;
  EXPECT_NE(late.out.find("held back"), std::string::npos) << late.out;
  EXPECT_TRUE(receipts_of(asti_, q.options[0].iuv).empty());
  auto resent = sportello("resend" + sim);
  EXPECT_EQ(resent.rc, 0) << resent.out;
  EXPECT_EQ(receipts_of(asti_, q.options[0].iuv), std::vector<std::string>{"recorded 20000"});

  // Nobody there; a flag that makes no sense with another.
  auto gone = sportello("pay " + q.options[1].nav +
                        " --sim http://127.0.0.1:" + std::to_string(sp::testing::free_port()));
  EXPECT_EQ(gone.rc, 2) << gone.out;
  EXPECT_EQ(sportello("pay " + q.options[1].nav + " --late --duplicate" + sim).rc, 2);
  EXPECT_EQ(running_->simulator().payments().size(), 2u);
}

// `sim pagopa serve --config FILE`: the simulator alone, its stations from a file (the secret from the
// environment), its ledger in a state file that a restarted simulator reads back.
TEST_P(SimCliTest, TheStandaloneSimulatorPaysWithTheStationsOfItsConfigFile) {
  running_.reset();
  sp::testing::TempDir dir;
  const auto config = dir.path() / "sim.json";
  const auto state = dir.path() / "state.json";
  {
    std::ofstream out(config);
    out << R"({"stations":[{"fiscal_code":")" << kAstiCf << R"(","url":")" << base()
        << R"(/inbound/asti/pagopa/paForNode","secret_env":"ASTI_NODE_SECRET","id_broker_pa":")" << kBroker
        << R"(","id_station":")" << kAstiStation
        << R"("}],"psps":[{"id":"TESTPSP1","name":"PSP di prova","fee":75}]})";
  }
  const auto port = sp::testing::free_port();
  auto start = [&] {
    return std::make_unique<sp::testing::ServerProcess>(
        std::vector<std::string>{sp::testing::binary(), "sim", "pagopa", "serve", "--port",
                                 std::to_string(port), "--config", config.string(), "--state",
                                 state.string()},
        std::vector<std::string>{"SPORTELLO_SHARE_DIR=" + sp::testing::source_dir(),
                                 "ASTI_NODE_SECRET=" + asti_secret_});
  };
  auto server = start();
  ASSERT_TRUE(server->wait_ready(30000));
  auto p = tari(asti_, "TARI-2026-0503");
  const std::string sim = " --sim http://127.0.0.1:" + std::to_string(port);
  auto paid = sportello("pay " + p.options[0].nav + " --json" + sim);  // the only station: no --fiscal-code
  ASSERT_EQ(paid.rc, 0) << paid.out;
  auto json = boost::json::parse(paid.out).as_object();
  EXPECT_EQ(json.at("payment").as_object().at("psp").as_string(), "TESTPSP1");
  EXPECT_EQ(json.at("payment").as_object().at("fee_cents").as_int64(), 75);
  EXPECT_EQ(receipts_of(asti_, p.options[0].iuv), std::vector<std::string>{"recorded 20000"});
  EXPECT_EQ(server->terminate(), 0);

  // Restarted on the same state: it remembers the payment and resends its receipt when asked.
  server = start();
  ASSERT_TRUE(server->wait_ready(30000));
  auto resent = sportello("resend --all" + sim);
  EXPECT_EQ(resent.rc, 0) << resent.out;
  EXPECT_EQ(receipts_of(asti_, p.options[0].iuv),
            (std::vector<std::string>{"recorded 20000", "duplicate 20000"}));
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, SimCliTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::station_testing
