// The reporting flows of what the simulator paid (fdr::FlowSource, simulator_ledger.hpp): one flow per
// PSP, day and organisation, one row per IBAN transfer and none for a digital stamp, totals exact in
// cents, a later revision when more payments of the day arrive, remembered across a restart.
#include <regex>

#include "sim_fixture.hpp"
#include "support/pagopa_schema.hpp"

namespace sp::payments::station_testing {
namespace {

using pagopa::sim::PayOutcome;

class FlowsTest : public SimTest {
 protected:
  // A certificate: 0,52 of fees to Asti's account and a 16,00 digital stamp.
  Option certificate(const std::string& iupd) {
    NewPosition np;
    np.iupd = iupd;
    np.debtor.fiscal_code = "FRRNNA78S70A479X";
    np.debtor.full_name = "Anna Ferrero";
    NewOption o = option(1652, "2026-06-16", false);
    o.description = "Certificato di residenza";
    o.transfers[0].amount = 52;
    NewTransfer stamp;
    stamp.amount = 1600;
    stamp.stamp = Stamp{"01", "qMnVHu/2wETyuGbTFLVxJN1t4Pdon0fv7F3Md5VB9VQ=", "AT"};
    stamp.remittance = "Marca da bollo digitale";
    stamp.category = "9/0301109AP/";
    o.transfers.push_back(stamp);
    np.options = {o};
    np.publish = true;
    auto p = payments().create(system_, asti_, np);
    EXPECT_TRUE(p.ok()) << p.error().code;
    return p.ok() ? p->options[0] : Option{};
  }
};

TEST_P(FlowsTest, OneFlowPerPspDayAndBodyWithoutStamps) {
  auto tari1 = tari(asti_, "TARI-2026-0401");
  auto cert = certificate("CERT-2026-0401");
  auto nov = tari(novara_, "TARI-2026-0402");
  ASSERT_EQ(pay(tari1.options[0].nav).kind, PayOutcome::Kind::paid);
  auto c = pay(cert.nav);
  ASSERT_EQ(c.kind, PayOutcome::Kind::paid) << c.fault_code;
  ASSERT_EQ(c.payment->delivery, pagopa::sim::Delivery::delivered) << c.payment->last_answer;
  ASSERT_EQ(pay(nov.options[0].nav, kNovaraCf).kind, PayOutcome::Kind::paid);
  // The receipt carried both transfers, the stamp as the stamp itself: the station kept its document hash.
  auto cert_rows = station().receipts(asti_, cert.iuv);
  ASSERT_EQ(cert_rows.size(), 1u);
  ASSERT_EQ(cert_rows[0].transfers.size(), 2u);
  EXPECT_EQ(cert_rows[0].transfers[0].iban, kIban);
  EXPECT_EQ(cert_rows[0].transfers[1].stamp_hash, "qMnVHu/2wETyuGbTFLVxJN1t4Pdon0fv7F3Md5VB9VQ=");
  EXPECT_EQ(cert_rows[0].transfers[1].amount, 1600);
  auto [xsd_status, xsd] = sp::testing::validate_pa_for_node(cert_rows[0].raw_payload);
  EXPECT_EQ(xsd_status, 0) << xsd;

  auto flows = sim_->flows().published_flows(kAstiCf);
  ASSERT_EQ(flows.size(), 1u);
  const auto& f = flows[0];
  EXPECT_TRUE(std::regex_match(f.fdr, std::regex(R"(2026-03-04SIMTABIT-S\d{5})"))) << f.fdr;
  EXPECT_EQ(f.revision, 1);
  EXPECT_EQ(f.psp_id, "SIMTABIT");
  EXPECT_EQ(f.organization_id, kAstiCf);
  EXPECT_EQ(f.regulation, "RIV-" + f.fdr);
  EXPECT_EQ(f.regulation_date, "2026-03-04");
  EXPECT_EQ(f.tot_payments, 2);
  EXPECT_EQ(f.sum_payments, 20000 + 52);  // the stamp's 16,00 is never reported
  ASSERT_EQ(f.payments.size(), 2u);
  EXPECT_EQ(f.payments[0].iuv, tari1.options[0].iuv);
  EXPECT_EQ(f.payments[1].iuv, cert.iuv);
  EXPECT_EQ(f.payments[1].index, 1);
  EXPECT_EQ(f.payments[1].amount, 52);
  EXPECT_EQ(f.payments[1].pay_status, "EXECUTED");
  // The rows' IUR is the receipt's id the station recorded.
  EXPECT_EQ(f.payments[1].iur, station().receipts(asti_, cert.iuv).at(0).receipt_id);
  // Asti's flow holds no Novara payment, and the reverse.
  auto novara_flows = sim_->flows().published_flows(kNovaraCf);
  ASSERT_EQ(novara_flows.size(), 1u);
  EXPECT_EQ(novara_flows[0].sum_payments, 20000);
  EXPECT_NE(novara_flows[0].fdr, f.fdr);
  // Asked again with nothing new: the same revision.
  EXPECT_EQ(sim_->flows().published_flows(kAstiCf)[0].revision, 1);

  // More of the same day: the same flow, a later revision; another PSP: a flow of its own.
  auto tari2 = tari(asti_, "TARI-2026-0403");
  clock_.advance(std::chrono::hours(2));
  ASSERT_EQ(pay(tari2.options[1].nav).kind, PayOutcome::Kind::paid);
  ASSERT_EQ(pay(tari2.options[2].nav, kAstiCf, pagopa::sim::Scenario::normal, "SIMBANIT").kind,
            PayOutcome::Kind::paid);
  auto later = sim_->flows().published_flows(kAstiCf);
  ASSERT_EQ(later.size(), 2u);
  const auto& tab = later[0].psp_id == "SIMTABIT" ? later[0] : later[1];
  const auto& ban = later[0].psp_id == "SIMTABIT" ? later[1] : later[0];
  EXPECT_EQ(tab.fdr, f.fdr);
  EXPECT_EQ(tab.revision, 2);
  EXPECT_GT(tab.fdr_date, f.fdr_date);
  EXPECT_EQ(tab.tot_payments, 3);
  EXPECT_EQ(tab.sum_payments, 20000 + 52 + 10000);
  EXPECT_EQ(ban.revision, 1);
  EXPECT_EQ(ban.sum_payments, 10000);
  EXPECT_TRUE(ban.fdr.starts_with("2026-03-04SIMBANIT-"));
}

TEST_P(FlowsTest, ARestartedSimulatorRemembersItsLedgerAndFlows) {
  sp::testing::TempDir dir;
  const auto state = (dir.path() / "sim.json").string();
  auto o = sim_options();
  o.state_file = state;
  sim_ = std::make_unique<pagopa::sim::Simulator>(o);
  auto p = tari(asti_, "TARI-2026-0404");
  ASSERT_EQ(pay(p.options[0].nav).kind, PayOutcome::Kind::paid);
  auto refused = pay(p.options[1].nav);  // the single payment was made: no instalment any more
  EXPECT_EQ(refused.kind, PayOutcome::Kind::refused);
  auto before = sim_->flows().published_flows(kAstiCf);
  ASSERT_EQ(before.size(), 1u);

  sim_ = std::make_unique<pagopa::sim::Simulator>(o);
  ASSERT_EQ(sim_->payments().size(), 1u);
  auto after = sim_->flows().published_flows(kAstiCf);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].fdr, before[0].fdr);
  EXPECT_EQ(after[0].revision, before[0].revision);
  EXPECT_EQ(after[0].sum_payments, 20000);
  // It still knows the receipt it sent: sending it again is a duplicate at the station.
  EXPECT_EQ(sim_->resend(true), 1);
  EXPECT_EQ(receipts_of(asti_, p.options[0].iuv),
            (std::vector<std::string>{"recorded 20000", "duplicate 20000"}));
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, FlowsTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::station_testing
