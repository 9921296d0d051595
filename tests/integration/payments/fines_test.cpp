// Traffic fines (Codice della strada art. 202): a reduced amount (sanction - 30 %, expenses in full) up to
// the 5th day after notification, the full amount after, whichever of the two notices is presented.
#include "payments_fixture.hpp"

namespace sp::payments::testing {
namespace {

using FinesTest = PaymentsTest;

NewFine fine(time::Date notified, Cents sanction, Cents expenses) {
  NewFine f;
  f.iupd = "VERBALE-1234-2026";
  f.debtor.type = DebtorType::person;
  f.debtor.fiscal_code = "CCCFBA85D03L219P";
  f.debtor.full_name = "Fabio Caccamo";
  f.terms = {notified, sanction, expenses};
  f.description = "Verbale n. 1234/2026 art. 7 CdS";
  f.category = "9/0201133IM/";
  return f;
}

TEST(FineAmounts, ThirtyPercentOffTheSanctionRoundedToTheCent) {
  // Expected values worked out by hand: 42,00 × 0,7 = 29,40; 42,01 × 0,7 = 29,407 → 29,41;
  // 41,99 × 0,7 = 29,393 → 29,39; 0,05 × 0,7 = 0,035 → 0,04 (half up); expenses are added unreduced.
  EXPECT_EQ(reduced_fine_amount({day(2026, 3, 2), 4200, 0}), 2940);
  EXPECT_EQ(reduced_fine_amount({day(2026, 3, 2), 4201, 0}), 2941);
  EXPECT_EQ(reduced_fine_amount({day(2026, 3, 2), 4199, 0}), 2939);
  EXPECT_EQ(reduced_fine_amount({day(2026, 3, 2), 5, 0}), 4);
  EXPECT_EQ(reduced_fine_amount({day(2026, 3, 2), 17300, 1235}), 12110 + 1235);
  EXPECT_EQ(full_fine_amount({day(2026, 3, 2), 17300, 1235}), 18535);
  EXPECT_EQ(reduced_until({day(2026, 2, 26), 4200, 0}), day(2026, 3, 3));  // across the end of February
}

TEST_P(FinesTest, DayFiveIsStillReducedDaySixIsNot) {
  // Notified on 2 March 2026 (the clock says 4 March): the reduced amount until 7 March inclusive.
  auto p = payments().create_fine(system_, kBody, fine(day(2026, 3, 2), 4200, 1235));
  ASSERT_TRUE(p.ok()) << p.error().code << " " << p.error().field << " " << p.error().detail;
  EXPECT_EQ(p->kind, PositionKind::fine);
  EXPECT_EQ(p->status, PositionStatus::valid);
  ASSERT_EQ(p->options.size(), 2u);
  const auto& reduced = p->options[0];
  const auto& full = p->options[1];
  EXPECT_EQ(reduced.fine_role, FineRole::reduced);
  EXPECT_EQ(reduced.amount, 2940 + 1235);
  EXPECT_EQ(reduced.due_date, day(2026, 3, 7));
  EXPECT_EQ(full.amount, 4200 + 1235);
  // Notification + 60 days is 1 May, a national holiday: the term ends on the next working day.
  EXPECT_EQ(full.due_date, day(2026, 5, 2));
  EXPECT_EQ(reduced.transfers.at(0).amount, reduced.amount);
  EXPECT_EQ(full.transfers.at(0).iban, kIban);

  auto stored = payments().get(system_, kBody, "VERBALE-1234-2026");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->fine.has_value());
  EXPECT_EQ(stored->fine->notification_date, day(2026, 3, 2));
  for (const auto& o : stored->options) {
    EXPECT_EQ(amount_due(*stored, o, day(2026, 3, 2)), 4175) << "notification day";
    EXPECT_EQ(amount_due(*stored, o, day(2026, 3, 6)), 4175) << "day 4";
    EXPECT_EQ(amount_due(*stored, o, day(2026, 3, 7)), 4175) << "day 5";
    EXPECT_EQ(amount_due(*stored, o, day(2026, 3, 8)), 5435) << "day 6";
  }
  EXPECT_EQ(*amount_due(*stored, day(2026, 3, 6)), 4175);
  EXPECT_EQ(*amount_due(*stored, day(2026, 3, 8)), 5435);

  // Paying either notice pays the fine.
  auto paid = payments().record_option_paid(system_, kBody, full.iuv, clock_.now());
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->status, PositionStatus::paid);
  EXPECT_EQ(amount_due(*paid, day(2026, 3, 6)).error().code, "payments.not_payable");
}

TEST_P(FinesTest, RefusesImpossibleTerms) {
  EXPECT_EQ(payments().create_fine(system_, kBody, fine(day(2026, 3, 5), 4200, 0)).error().code,
            "payments.fine");  // notified tomorrow
  EXPECT_EQ(payments().create_fine(system_, kBody, fine(day(2026, 3, 2), 0, 0)).error().code,
            "payments.fine");
  EXPECT_EQ(payments().create_fine(system_, kBody, fine(day(2025, 12, 1), 4200, 0)).error().code,
            "payments.fine");  // the 60 days are over
  auto no_desc = fine(day(2026, 3, 2), 4200, 0);
  no_desc.description.clear();
  EXPECT_EQ(payments().create_fine(system_, kBody, no_desc).error().code, "payments.description");
  EXPECT_EQ(count("payment_positions"), 0);
}

TEST(AmountDue, OrdinaryPositions) {
  Position p;
  p.status = PositionStatus::valid;
  Option single;
  single.amount = 20000;
  Option r1;
  r1.amount = 10000;
  r1.is_partial_payment = true;
  Option r2 = r1;
  p.options = {single, r1, r2};
  EXPECT_EQ(*amount_due(p, day(2026, 3, 4)), 20000);
  EXPECT_EQ(amount_due(p, p.options[1], day(2026, 3, 4)), 10000);
  p.options = {r1, r2};
  EXPECT_EQ(amount_due(p, day(2026, 3, 4)).error().code, "payments.not_payable");
  p.options[0].status = OptionStatus::paid;
  p.status = PositionStatus::partially_paid;
  EXPECT_EQ(*amount_due(p, day(2026, 3, 4)), 10000);
  p.status = PositionStatus::draft;
  EXPECT_FALSE(amount_due(p, day(2026, 3, 4)).ok());
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, FinesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::testing
