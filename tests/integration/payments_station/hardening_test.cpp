// The station's hardening (docs/payments.md, "Station decisions"): receipts for another amount recorded
// and flagged, the node's requested amount kept, fines' transfers scaled in integer cents, a receipt for
// a position that expired during the payment, a fine's 5th day on a Sunday or a holiday, and the jobs that
// publish positions at their validity date and expire fines.
#include "jobs/runner.hpp"
#include "payments/service_jobs.hpp"
#include "station_fixture.hpp"

namespace sp::payments::station_testing {
namespace {

TEST(SplitProportionally, ScalesInIntegerCentsWithTheRemainderOnTheFirst) {
  // 100 + 50 + 50 scaled to 139: 69,5 → 69, 34,75 → 34, 34 (floor); 137 given, 2 left on the first.
  EXPECT_EQ(split_proportionally({100, 50, 50}, 139), (std::vector<Cents>{71, 34, 34}));
  EXPECT_EQ(split_proportionally({1850, 1850}, 1300), (std::vector<Cents>{650, 650}));
  EXPECT_EQ(split_proportionally({1, 1, 1}, 10), (std::vector<Cents>{4, 3, 3}));
  // 12110 × 18535 / 13345 = 16820,4 → 16820; 1235 × 18535 / 13345 = 1715,3 → 1715; no remainder.
  EXPECT_EQ(split_proportionally({12110, 1235}, 18535), (std::vector<Cents>{16820, 1715}));
  for (Cents total : {1LL, 7LL, 999LL, 18535LL, 99999999999LL}) {
    auto s = split_proportionally({3, 7, 11, 13, 17}, total);
    Cents sum = 0;
    for (auto x : s) sum += x;
    EXPECT_EQ(sum, total) << total;
  }
}

TEST(FineTerms, TheFifthDayOnASundayOrAHolidayMovesToTheNextWorkingDay) {
  // Notified Tuesday 3 March 2026: the 5th day is Sunday 8 March → Monday 9 March.
  EXPECT_EQ(reduced_until({day(2026, 3, 3), 4200, 0}), day(2026, 3, 9));
  // Notified 19 April 2026: the 5th day is Friday 24 April, a working day.
  EXPECT_EQ(reduced_until({day(2026, 4, 19), 4200, 0}), day(2026, 4, 24));
  // Notified 20 April 2026: 25 April (Liberation Day, a Saturday), then Sunday 26 → Monday 27.
  EXPECT_EQ(reduced_until({day(2026, 4, 20), 4200, 0}), day(2026, 4, 27));
  // A Saturday that is no holiday is a working day: notified 2 March, the 5th day is Saturday 7 March.
  EXPECT_EQ(reduced_until({day(2026, 3, 2), 4200, 0}), day(2026, 3, 7));
}

// The same fixture, instantiated here on its own (station_test.cpp instantiates StationTest).
class StationHardeningTest : public StationTest {};

NewFine asti_fine(time::Date notified, const std::string& iupd = "VERBALE-88-2026") {
  NewFine f;
  f.iupd = iupd;
  f.debtor.fiscal_code = "CCCFBA85D03L219P";
  f.debtor.full_name = "Fabio Caccamo";
  f.terms = {notified, 17300, 1235};
  f.description = "Verbale n. 88/2026 art. 7 CdS";
  f.category = "9/0201133IM/";
  return f;
}

TEST_P(StationHardeningTest, AFineNotifiedBeforeASundayFifthDayIsStillReducedOnMonday) {
  // Notified Tuesday 3 March (the clock says 4 March): the 5th day is Sunday 8 March.
  auto fine = payments().create_fine(system_, asti_, asti_fine(day(2026, 3, 3)));
  ASSERT_TRUE(fine.ok()) << fine.error().code << " " << fine.error().detail;
  EXPECT_EQ(fine->options[0].due_date, day(2026, 3, 9));
  clock_.advance(std::chrono::days(5));  // Monday 9 March
  auto v = station().verify(asti_, verify_req(fine->options[1].nav));
  ASSERT_FALSE(v.fault);
  EXPECT_EQ(v.amount, 12110 + 1235);
  EXPECT_EQ(v.due_date, "2026-03-09");
}

TEST_P(StationHardeningTest, AReceiptForAnotherAmountIsRecordedAndFlagged) {
  auto p = tari(asti_, "TARI-2026-MISMATCH");
  const auto& single = p.options[0];
  ASSERT_EQ(send(receipt(single, "rt-less", "BCITITMM", 19000)), ReceiptOutcome::recorded);
  auto rows = station().receipts(asti_, single.iuv);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].amount, 19000);
  ASSERT_TRUE(rows[0].expected_amount);
  EXPECT_EQ(*rows[0].expected_amount, 20000);
  EXPECT_TRUE(rows[0].amount_mismatch());
  EXPECT_EQ(position(asti_, "TARI-2026-MISMATCH").status, PositionStatus::paid);
  auto audit = station_audit(asti_);
  EXPECT_EQ(audit.back(), "pagopa_station.amount_mismatch recorded");

  // The right amount is not flagged.
  auto q = tari(asti_, "TARI-2026-RIGHT");
  ASSERT_EQ(send(receipt(q.options[0], "rt-right")), ReceiptOutcome::recorded);
  auto ok = station().receipts(asti_, q.options[0].iuv);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_FALSE(ok[0].amount_mismatch());
  EXPECT_EQ(station_audit(asti_).back(), "pagopa_station.receipt recorded");
}

TEST_P(StationHardeningTest, TheNodesRequestedAmountIsKeptButTheAmountDueTodayIsAnswered) {
  auto fine = payments().create_fine(system_, asti_, asti_fine(day(2026, 3, 4)));
  ASSERT_TRUE(fine.ok());
  clock_.advance(std::chrono::days(6));  // day 6: the full amount
  auto g = get_req(fine->options[0].nav);
  g.amount = 12110 + 1235;  // what the node was told on day 5
  g.due_date = "2026-03-09";
  auto r = station().get_payment(asti_, g);
  ASSERT_FALSE(r.fault);
  EXPECT_EQ(r.amount, 17300 + 1235);
  ASSERT_EQ(r.transfers.size(), 1u);
  EXPECT_EQ(r.transfers[0].amount, 17300 + 1235);
  bool kept = false;
  for (const auto& s : audit_->entries(asti_, {.limit = 50}).entries) {
    if (s.entry.action != "pagopa_station.activated") continue;
    auto d = boost::json::parse(s.entry.details).as_object();
    kept = d.at("requested_amount_cents").as_int64() == 12110 + 1235 &&
           d.at("requested_due_date").as_string() == "2026-03-09" && d.at("amount_cents").as_int64() == 18535;
  }
  EXPECT_TRUE(kept);
}

TEST_P(StationHardeningTest, TheExpireJobEndsFinesPastTheirLastDayOnceAndAReceiptStillPays) {
  auto fine = payments().create_fine(system_, asti_, asti_fine(day(2026, 3, 4)));
  ASSERT_TRUE(fine.ok());
  auto tari_position = tari(asti_, "TARI-2026-NEVER-EXPIRES");
  // GPD's switchToExpired: an ordinary position created with it expires once its options are past due;
  // the same without it stays payable (GPD's default).
  for (const bool sw : {true, false}) {
    NewPosition np;
    np.iupd = sw ? "DIRITTI-SWITCH" : "DIRITTI-NO-SWITCH";
    np.debtor.type = DebtorType::person;
    np.debtor.fiscal_code = "FRRNNA78S70A479X";
    np.debtor.full_name = "Anna Ferrero";
    np.options = {option(1600, "2026-04-30", false)};
    np.publish = true;
    np.switch_to_expired = sw;
    auto created = payments().create(system_, asti_, np);
    ASSERT_TRUE(created.ok()) << created.error().code << " " << created.error().detail;
    EXPECT_EQ(created->switch_to_expired, sw);
  }
  const auto full_due = fine->options[1].due_date;  // 3 May 2026 (+60 days)
  EXPECT_EQ(full_due, day(2026, 5, 4));             // 3 May is a Sunday
  // Activated by a PSP on its last day, in the evening...
  // 23:50 in Rome (CEST, UTC+2).
  clock_.set(time::TimePoint{std::chrono::sys_days{full_due}} + std::chrono::hours(21) +
             std::chrono::minutes(50));
  ASSERT_FALSE(station().get_payment(asti_, get_req(fine->options[1].nav)).fault);
  // ... and the jobs run after midnight, before the receipt arrives.
  clock_.advance(std::chrono::minutes(25));
  jobs::Runner runner(db(), clock_);
  register_payment_jobs(runner, payments());
  runner.run_until_idle();
  EXPECT_EQ(position(asti_, "VERBALE-88-2026").status, PositionStatus::expired);
  EXPECT_EQ(position(asti_, "TARI-2026-NEVER-EXPIRES").status, PositionStatus::valid);  // GPD default
  EXPECT_EQ(position(asti_, "DIRITTI-SWITCH").status, PositionStatus::expired);
  EXPECT_TRUE(position(asti_, "DIRITTI-SWITCH").switch_to_expired) << "stored";
  EXPECT_EQ(position(asti_, "DIRITTI-NO-SWITCH").status, PositionStatus::valid);
  EXPECT_EQ(payments().expire_due_all(system_), 0);  // idempotent
  EXPECT_EQ(code(station().verify(asti_, verify_req(fine->options[0].nav)).fault), "PAA_PAGAMENTO_SCADUTO");
  EXPECT_EQ(code(station().verify(asti_, verify_req(position(asti_, "DIRITTI-SWITCH").options[0].nav)).fault),
            "PAA_PAGAMENTO_SCADUTO");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'payment_position.expire'"), 2);

  auto rt = receipt(fine->options[1], "late-1", "BCITITMM", 18535);
  rt.receipt.payment_date_time = "2026-05-04T23:55:00";
  ASSERT_EQ(send(rt), ReceiptOutcome::recorded);  // paid in time: not money to refund
  EXPECT_EQ(position(asti_, "VERBALE-88-2026").status, PositionStatus::paid);
  EXPECT_FALSE(station().receipts(asti_, fine->options[1].iuv)[0].amount_mismatch());
}

TEST_P(StationHardeningTest, AReceiptForAnInvalidatedPositionIsADoublePaymentToRefund) {
  auto p = tari(asti_, "TARI-2026-ANNULLATA");
  ASSERT_TRUE(payments().invalidate(system_, asti_, "TARI-2026-ANNULLATA").ok());
  std::string fault;
  EXPECT_EQ(send(receipt(p.options[0], "rt-inv"), &fault), ReceiptOutcome::double_payment);
  EXPECT_EQ(fault, "OK");
  EXPECT_EQ(position(asti_, "TARI-2026-ANNULLATA").status, PositionStatus::invalid);
}

TEST_P(StationHardeningTest, TheActivateJobPublishesAtTheValidityDateOnceForEveryBody) {
  NewPosition np;
  np.iupd = "TARI-2026-LATER";
  np.debtor.fiscal_code = "FRRNNA78S70A479X";
  np.debtor.full_name = "Anna Ferrero";
  np.options = {option(20000, "2026-06-16", false)};
  np.validity_date = "2026-03-05T08:00:00Z";
  np.publish = true;
  ASSERT_EQ(payments().create(system_, asti_, np)->status, PositionStatus::published);
  np.iupd = "NOVARA-LATER";
  np.options[0].iuv.clear();
  ASSERT_EQ(payments().create(system_, novara_, np)->status, PositionStatus::published);
  EXPECT_EQ(payments().activate_due_all(system_), 0);  // not yet
  clock_.advance(std::chrono::hours(22));              // 5 March 08:00 UTC
  jobs::Runner runner(db(), clock_);
  register_payment_jobs(runner, payments());
  runner.run_until_idle();
  EXPECT_EQ(position(asti_, "TARI-2026-LATER").status, PositionStatus::valid);
  EXPECT_EQ(position(novara_, "NOVARA-LATER").status, PositionStatus::valid);
  EXPECT_EQ(payments().activate_due_all(system_), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'payment_position.activate'"), 2);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, StationHardeningTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::station_testing
