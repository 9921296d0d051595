// Cases with a fee (issue 13; docs/payments.md, "Cases with a fee"): the pagoPA position is created with
// the case, in the submission's transaction; the station's receipt moves the case on (a payments
// listener); a free service creates nothing; a body that is no pagoPA creditor takes the fee at its
// counter; another body's station, receipts and positions never touch the case.
#include "cases/fee_store.hpp"
#include "cases_fixture.hpp"
#include "payments/service.hpp"
#include "payments/station.hpp"

namespace sp::cases::testing {
namespace {

const std::string kAstiCf = "00072360050";
const std::string kNovaraCf = "00125680033";
const std::string kBroker = "00743110157";
const std::string kIban = "IT60X0542811101000000123456";

class CaseFeesTest : public CasesTest {
 protected:
  void SetUp() override {
    CasesTest::SetUp();
    payments_ = std::make_unique<payments::PaymentsService>(db(), clock_);
    station_ = std::make_unique<payments::StationService>(db(), clock_, *payments_);
    payments::Creditor asti{body_, kAstiCf, "Comune di Asti", "", {"01"}, kIban,
                            "",    kBroker, kBroker + "_01"};
    ASSERT_TRUE(payments_->set_creditor(system_, asti).ok());
    cases().set_payments(payments_.get());
    // A debtor's fiscal code must be right to the check character (the fixture's citizens' are not).
    mario_ = person("RSSMRA80A01A479L", "Mario Rossi");
    anna_ = person("BNCNNA85M41F952D", "Anna Bianchi");
  }

  void make_novara_creditor() {
    payments::Creditor n{other_body_, kNovaraCf, "Comune di Novara", "", {"02"}, kIban,
                         "",          kBroker,   kBroker + "_02"};
    ASSERT_TRUE(payments_->set_creditor(system_, n).ok());
  }

  // The receipt of a PSP's payment of `o` at `body`'s station (`cf`, `station`).
  std::optional<payments::ReceiptOutcome> pay(tenants::TenantId body, const std::string& cf,
                                              const std::string& station, const payments::Option& o,
                                              const std::string& receipt_id) {
    pagopa::SendReceiptRequest s;
    s.ids = {cf, kBroker, station};
    auto& x = s.receipt;
    x.receipt_id = receipt_id;
    x.notice_number = o.nav;
    x.fiscal_code = cf;
    x.creditor_reference_id = o.iuv;
    x.amount = o.amount;
    x.description = o.description;
    x.debtor = {'F', "RSSMRA80A01A479L", "Mario Rossi"};
    pagopa::Transfer t;
    t.index = 1;
    t.amount = o.amount;
    t.fiscal_code_pa = cf;
    t.iban = kIban;
    t.remittance = o.description;
    t.category = "9/0101101IM/";
    x.transfers = {t};
    x.id_psp = "BCITITMM";
    x.fee = 100;
    x.payment_date_time = "2026-03-02T12:00:00";
    auto [resp, outcome] = station_->send_receipt(body, s, "<receipt/>");
    return outcome;
  }

  std::optional<CaseFee> fee_of(tenants::TenantId tenant, const std::string& case_id) {
    std::optional<CaseFee> f;
    db().read([&](db::Conn& c) { f = CaseFeeStore::of_case(c, tenant, case_id); });
    return f;
  }

  payments::SystemActor system_{"test"};
  std::unique_ptr<payments::PaymentsService> payments_;
  std::unique_ptr<payments::StationService> station_;
};

TEST_P(CaseFeesTest, ASubmittedCaseWithAFeeGetsItsPositionAndMovesOnWhenPaid) {
  Case c = submit_ok(mario_, "fee-1", kLand);
  auto fee = fee_of(body_, c.id);
  ASSERT_TRUE(fee);
  EXPECT_EQ(fee->status, FeeStatus::awaiting);
  EXPECT_EQ(fee->amount_cents, 1600);
  EXPECT_EQ(fee->iupd, "PRATICA-" + c.id);
  auto p = payments_->get(system_, body_, fee->iupd);
  ASSERT_TRUE(p.ok()) << p.error().code;
  EXPECT_EQ(p->status, payments::PositionStatus::valid);
  EXPECT_EQ(p->debtor.fiscal_code, "RSSMRA80A01A479L");
  ASSERT_EQ(p->options.size(), 1u);
  const auto& o = p->options[0];
  EXPECT_EQ(o.amount, 1600);
  EXPECT_EQ(o.nav, fee->nav);
  EXPECT_EQ(o.due_date, time::add_calendar_days(time::rome_date(clock_.now()), 30));
  EXPECT_EQ(o.description,
            "Diritti per la pratica " + c.protocol_label() + ": Occupazione di suolo pubblico");
  ASSERT_EQ(o.transfers.size(), 1u);
  EXPECT_EQ(o.transfers[0].iban, kIban);
  EXPECT_EQ(o.transfers[0].category, "9/0101101IM/");
  // The applicant's page shows the notice.
  auto view = cases().get(&mario_, body_, c.id);
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(view->fee);
  EXPECT_EQ(view->fee->nav, o.nav);

  ASSERT_EQ(pay(body_, kAstiCf, kBroker + "_01", o, "rt-fee-1"), payments::ReceiptOutcome::recorded);
  fee = fee_of(body_, c.id);
  EXPECT_EQ(fee->status, FeeStatus::paid);
  ASSERT_TRUE(fee->paid_at);
  auto after = cases().get(&staff_, body_, c.id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->transitions.back().action, "fee_paid");
  EXPECT_EQ(after->transitions.back().reason, o.nav);
  EXPECT_EQ(after->c.state, State::registered);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.fee_paid'"), 1);
  // The same receipt again changes nothing more.
  EXPECT_EQ(pay(body_, kAstiCf, kBroker + "_01", o, "rt-fee-1"), payments::ReceiptOutcome::duplicate);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions WHERE action = 'fee_paid'"), 1);
}

TEST_P(CaseFeesTest, AFreeServiceOrAFeeOfZeroCreatesNothing) {
  Case free = submit_ok(mario_, "free-1", kSchool);
  EXPECT_FALSE(fee_of(body_, free.id));
  ASSERT_TRUE(catalog_->activate(body_, {kLand, 0, std::int64_t{0}, {}, {}}).ok());  // the body waives it
  Case zero = submit_ok(mario_, "zero-1", kLand);
  EXPECT_FALSE(fee_of(body_, zero.id));
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_positions"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_fees"), 0);
}

TEST_P(CaseFeesTest, ABodyThatIsNoPagoPaCreditorTakesTheFeeAtItsCounter) {
  Case c = submit_ok(anna_, "counter-1", kLand, other_body_);
  auto fee = fee_of(other_body_, c.id);
  ASSERT_TRUE(fee);
  EXPECT_EQ(fee->status, FeeStatus::counter);
  EXPECT_TRUE(fee->nav.empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_positions"), 0);
}

TEST_P(CaseFeesTest, AnotherBodysStationAndPositionsNeverTouchTheCase) {
  make_novara_creditor();
  Case c = submit_ok(mario_, "wall-1", kLand);
  auto fee = fee_of(body_, c.id);
  ASSERT_TRUE(fee);
  auto p = payments_->get(system_, body_, fee->iupd);
  ASSERT_TRUE(p.ok());
  // Asti's notice presented at Novara's station: unknown there.
  EXPECT_EQ(pay(other_body_, kNovaraCf, kBroker + "_02", p->options[0], "rt-wall-1"),
            payments::ReceiptOutcome::unknown_position);
  // A Novara position that carries the same IUPD, paid at Novara: Asti's case is not Novara's.
  payments::NewPosition np;
  np.iupd = fee->iupd;
  np.debtor.fiscal_code = "RSSMRA80A01A479L";
  np.debtor.full_name = "Mario Rossi";
  payments::NewOption o;
  o.amount = 1600;
  o.description = "Altro";
  o.due_date = "2026-04-30";
  payments::NewTransfer t;
  t.amount = 1600;
  t.iban = kIban;
  t.remittance = "Altro";
  t.category = "9/0101101IM/";
  o.transfers = {t};
  np.options = {o};
  np.publish = true;
  auto novara = payments_->create(system_, other_body_, np);
  ASSERT_TRUE(novara.ok()) << novara.error().code;
  EXPECT_EQ(pay(other_body_, kNovaraCf, kBroker + "_02", novara->options[0], "rt-wall-2"),
            payments::ReceiptOutcome::recorded);
  EXPECT_EQ(fee_of(body_, c.id)->status, FeeStatus::awaiting);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_transitions WHERE action = 'fee_paid'"), 0);
  // Novara's staff cannot read the case (its fee included).
  EXPECT_FALSE(cases().get(&other_staff_, body_, c.id).ok());
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, CaseFeesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::cases::testing
