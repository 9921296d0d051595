// The simulated node and PSP (adapters/pagopa/simulator.hpp) paying through the real station: verify,
// activation and receipt over HTTP with the node's credential, what the station recorded checked in the
// database — a payment, a duplicate receipt, a late one, a wrong amount, a receipt retried until the
// station answers, and another body's credential refused.
#include "sim_fixture.hpp"
#include "support/pagopa_schema.hpp"

namespace sp::payments::station_testing {
namespace {

using pagopa::sim::Delivery;
using pagopa::sim::PayOutcome;
using pagopa::sim::Scenario;

TEST_P(SimTest, PaysANoticeThroughTheStationAndTheReceiptIsRecordedOnce) {
  auto p = tari(asti_, "TARI-2026-0201");
  const auto& o = p.options[0];
  auto out = pay(o.nav);
  ASSERT_EQ(out.kind, PayOutcome::Kind::paid) << out.step << " " << out.fault_code << " " << out.detail;
  ASSERT_TRUE(out.payment);
  EXPECT_EQ(out.station_amount, 20000);
  EXPECT_EQ(out.payment->amount, 20000);
  EXPECT_EQ(out.payment->fee, 100);
  EXPECT_EQ(out.payment->iuv, o.iuv);
  EXPECT_EQ(out.payment->delivery, Delivery::delivered);
  EXPECT_EQ(out.payment->last_answer, "OK");

  EXPECT_EQ(receipts_of(asti_, o.iuv), std::vector<std::string>{"recorded 20000"});
  auto rows = station().receipts(asti_, o.iuv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].psp_id, "SIMTABIT");
  EXPECT_EQ(rows[0].receipt_id, out.payment->receipt_id);
  EXPECT_EQ(rows[0].fee, 100);
  EXPECT_EQ(rows[0].payer_fiscal_code, "FRRNNA78S70A479X");
  ASSERT_EQ(rows[0].transfers.size(), 1u);
  EXPECT_EQ(rows[0].transfers[0].iban, kIban);
  // What the node sent is what pagoPA's schema allows.
  auto [status, xsd] = sp::testing::validate_pa_for_node(rows[0].raw_payload);
  EXPECT_EQ(status, 0) << xsd;
  EXPECT_EQ(position(asti_, "TARI-2026-0201").status, PositionStatus::paid);

  // Paid: the station now refuses to verify it, and the node reports the refusal with its code.
  auto again = pay(o.nav);
  EXPECT_EQ(again.kind, PayOutcome::Kind::refused);
  EXPECT_EQ(again.step, "verify");
  EXPECT_EQ(again.fault_code, "PAA_PAGAMENTO_DUPLICATO");
  EXPECT_EQ(sim_->payments().size(), 1u);
}

TEST_P(SimTest, ADuplicateReceiptIsCountedOnce) {
  auto p = tari(asti_, "TARI-2026-0202");
  const auto& o = p.options[0];
  auto out = pay(o.nav, kAstiCf, Scenario::duplicate);
  ASSERT_EQ(out.kind, PayOutcome::Kind::paid) << out.fault_code;
  EXPECT_EQ(out.payment->last_answer, "OK");
  EXPECT_EQ(out.second_answer, "PAA_RECEIPT_DUPLICATA");
  EXPECT_EQ(receipts_of(asti_, o.iuv), (std::vector<std::string>{"recorded 20000", "duplicate 20000"}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts WHERE outcome IN ('recorded', 'double_payment')"),
            1);
}

TEST_P(SimTest, ALateReceiptKeepsThePaymentTimeAndArrivesWhenSent) {
  auto p = tari(asti_, "TARI-2026-0203");
  const auto& o = p.options[1];  // the first instalment, due 2026-06-16
  const auto paid_at = clock_.now();
  auto out = pay(o.nav, kAstiCf, Scenario::late);
  ASSERT_EQ(out.kind, PayOutcome::Kind::paid) << out.fault_code;
  EXPECT_EQ(out.payment->delivery, Delivery::held);
  EXPECT_EQ(sim_->undelivered(), 1);
  EXPECT_TRUE(receipts_of(asti_, o.iuv).empty());

  // Long after: past the instalment's due date.
  clock_.advance(std::chrono::days(120));
  EXPECT_EQ(sim_->resend(false), 1);
  EXPECT_EQ(sim_->undelivered(), 0);
  auto rows = station().receipts(asti_, o.iuv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].outcome, ReceiptOutcome::recorded);
  EXPECT_EQ(rows[0].payment_at,
            time::format_iso_utc_millis(std::chrono::floor<std::chrono::seconds>(paid_at)));
  EXPECT_EQ(rows[0].received_at, time::format_iso_utc_millis(clock_.now()));
  EXPECT_EQ(position(asti_, "TARI-2026-0203").status, PositionStatus::partially_paid);
}

TEST_P(SimTest, AReceiptForAnOptionPaidMeanwhileIsADoublePayment) {
  auto p = tari(asti_, "TARI-2026-0204");
  const auto& o = p.options[0];
  // A first PSP collects and holds its receipt back; a second one collects the same notice and delivers.
  auto first = pay(o.nav, kAstiCf, Scenario::late, "SIMTABIT");
  ASSERT_EQ(first.kind, PayOutcome::Kind::paid) << first.fault_code;
  auto second = pay(o.nav, kAstiCf, Scenario::normal, "SIMBANIT");
  ASSERT_EQ(second.kind, PayOutcome::Kind::paid) << second.fault_code;
  EXPECT_EQ(sim_->resend(false), 1);
  EXPECT_EQ(receipts_of(asti_, o.iuv), (std::vector<std::string>{"recorded 20000", "double_payment 20000"}));
  // The PSP did collect it twice: the station says OK, the money is to refund.
  auto ledger = sim_->payments();
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].delivery, Delivery::delivered);
  EXPECT_EQ(ledger[0].last_answer, "OK");
}

TEST_P(SimTest, AWrongAmountIsRecordedAsCollected) {
  auto p = tari(asti_, "TARI-2026-0205");
  const auto& o = p.options[0];
  pagopa::sim::PayOptions po;
  po.notice_number = o.nav;
  po.fiscal_code = kAstiCf;
  po.scenario = Scenario::wrong_amount;
  po.wrong_amount = 15000;
  auto out = sim_->pay(po);
  ASSERT_EQ(out.kind, PayOutcome::Kind::paid) << out.fault_code;
  EXPECT_EQ(out.station_amount, 20000);
  EXPECT_EQ(out.payment->amount, 15000);
  auto rows = station().receipts(asti_, o.iuv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].amount, 15000);  // what the PSP collected, kept as it arrived
  EXPECT_EQ(out.payment->delivery, Delivery::delivered);
  // The station keeps the receipt as it came, with what was collected (it does not compare amounts).
  EXPECT_EQ(receipts_of(asti_, o.iuv), std::vector<std::string>{"recorded 15000"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts"), 1);
}

TEST_P(SimTest, AReceiptIsSentAgainUntilTheStationAnswers) {
  sim_->set_stations(stations("flaky"));
  auto p = tari(asti_, "TARI-2026-0206");
  const auto& o = p.options[0];
  flaky_receipts_ = 5;  // more than the attempts made during pay(): the resender finishes the job
  auto out = pay(o.nav);
  ASSERT_EQ(out.kind, PayOutcome::Kind::paid) << out.fault_code;
  EXPECT_EQ(out.payment->delivery, Delivery::pending);
  EXPECT_EQ(out.payment->last_answer, "http 500");
  ASSERT_TRUE(eventually([&] { return sim_->undelivered() == 0; }));
  EXPECT_EQ(flaky_receipts_.load(), 0);
  auto ledger = sim_->payments();
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].delivery, Delivery::delivered);
  EXPECT_EQ(ledger[0].attempts, 6);
  EXPECT_EQ(receipts_of(asti_, o.iuv), std::vector<std::string>{"recorded 20000"});

  // Connection refused: the station is not there; when it is back the receipt arrives.
  auto q = tari(asti_, "TARI-2026-0207");
  auto held = pay(q.options[0].nav, kAstiCf, Scenario::late);
  ASSERT_EQ(held.kind, PayOutcome::Kind::paid);
  auto dead = stations();
  dead[kAstiCf].url =
      "http://127.0.0.1:" + std::to_string(sp::testing::free_port()) + "/inbound/asti/pagopa/paForNode";
  sim_->set_stations(dead);
  EXPECT_EQ(sim_->resend(false), 1);
  EXPECT_EQ(sim_->undelivered(), 1);
  EXPECT_TRUE(receipts_of(asti_, q.options[0].iuv).empty());
  sim_->set_stations(stations());
  ASSERT_TRUE(eventually([&] { return sim_->undelivered() == 0; }));
  EXPECT_EQ(receipts_of(asti_, q.options[0].iuv), std::vector<std::string>{"recorded 20000"});
}

TEST_P(SimTest, AnotherBodysCredentialIsRefusedAndNothingIsRecorded) {
  auto p = tari(novara_, "TARI-2026-0208");
  auto cross = stations();
  cross[kNovaraCf].secret = asti_secret_;  // Asti's node credential presented to Novara's station
  sim_->set_stations(cross);
  auto out = pay(p.options[0].nav, kNovaraCf);
  EXPECT_EQ(out.kind, PayOutcome::Kind::refused);
  EXPECT_EQ(out.step, "verify");
  EXPECT_EQ(out.fault_code, "HTTP_401");
  EXPECT_TRUE(sim_->payments().empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_activations"), 0);
  EXPECT_EQ(position(novara_, "TARI-2026-0208").status, PositionStatus::valid);

  // Two stations: a notice number alone does not say whose it is.
  auto unnamed = pay(p.options[0].nav, "");
  EXPECT_EQ(unnamed.kind, PayOutcome::Kind::error);
  EXPECT_EQ(unnamed.fault_code, "fiscal_code_required");
  // With its own credential it pays.
  sim_->set_stations(stations());
  auto ok = pay(p.options[0].nav, kNovaraCf);
  EXPECT_EQ(ok.kind, PayOutcome::Kind::paid) << ok.fault_code;
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, SimTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::station_testing
