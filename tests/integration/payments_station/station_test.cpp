// The station the pagoPA node calls (issue 13, "Paying → At any PSP"), on both databases: verify, the
// activation (paGetPaymentV2) and the receipt of an Asti TARI notice; each fault code; duplicate
// receipts, double payments, receipts for unknown IUVs, concurrent duplicates; another body's station
// identifiers and notices (cross-tenant); a fine's amount on day 4 and day 6 after notification; the
// activation lease against the portal's cart.
#include <latch>
#include <thread>
#include <vector>

#include "payments/notice_number.hpp"
#include "station_fixture.hpp"

namespace sp::payments::station_testing {
namespace {

TEST_P(StationTest, VerifyActivateAndReceiptPayAnAstiTariNotice) {
  auto p = tari(asti_, "TARI-2026-0001");
  const Option& single = p.options[0];

  auto v = station().verify(asti_, verify_req(single.nav));
  ASSERT_FALSE(v.fault) << v.fault->code;
  EXPECT_EQ(v.amount, 20000);
  EXPECT_EQ(v.options, "EQ");
  EXPECT_EQ(v.due_date, "2026-06-16");
  EXPECT_EQ(v.payment_description, "TARI 2026 unica soluzione");
  EXPECT_EQ(v.fiscal_code_pa, kAstiCf);
  EXPECT_EQ(v.company_name, "Comune di Asti");
  EXPECT_FALSE(v.all_ccp);  // a bank IBAN only

  // The printed, grouped form of the NAV is the same notice.
  EXPECT_FALSE(station().verify(asti_, verify_req(grouped(single.nav))).fault);

  auto g = station().get_payment(asti_, get_req(single.nav));
  ASSERT_FALSE(g.fault) << g.fault->code;
  EXPECT_EQ(g.creditor_reference_id, single.iuv);
  EXPECT_EQ(g.amount, 20000);
  EXPECT_EQ(g.debtor.id, "FRRNNA78S70A479X");
  EXPECT_EQ(g.debtor.type, 'F');
  ASSERT_EQ(g.transfers.size(), 1u);
  EXPECT_EQ(g.transfers[0].iban, kIban);
  EXPECT_EQ(g.transfers[0].amount, 20000);
  EXPECT_EQ(g.transfers[0].fiscal_code_pa, kAstiCf);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_activations"), 1);

  std::string fault;
  EXPECT_EQ(send(receipt(single, "rcpt-1"), &fault), ReceiptOutcome::recorded);
  EXPECT_EQ(fault, "OK");
  auto after = position(asti_, "TARI-2026-0001");
  EXPECT_EQ(after.status, PositionStatus::paid);
  EXPECT_EQ(after.options[0].status, OptionStatus::paid);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_activations"), 0);  // the lease ends with the payment
  auto rs = station().receipts(asti_, single.iuv);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].outcome, ReceiptOutcome::recorded);
  EXPECT_EQ(rs[0].amount, 20000);
  EXPECT_EQ(rs[0].fee, 150);
  EXPECT_EQ(rs[0].option_id, single.id);
  EXPECT_EQ(rs[0].payment_at, "2026-03-04T10:02:03.000Z");  // 11:02:03 in Rome, without an offset
  ASSERT_EQ(rs[0].transfers.size(), 1u);
  EXPECT_EQ(rs[0].transfers[0].iban, kIban);
  EXPECT_NE(rs[0].raw_payload.find("rcpt-1"), std::string::npos);

  // Paid: verify and a new activation answer DUPLICATO.
  EXPECT_EQ(code(station().verify(asti_, verify_req(single.nav)).fault), "PAA_PAGAMENTO_DUPLICATO");
  EXPECT_EQ(code(station().get_payment(asti_, get_req(single.nav)).fault), "PAA_PAGAMENTO_DUPLICATO");
  auto audit = station_audit(asti_);
  EXPECT_NE(std::find(audit.begin(), audit.end(), "pagopa_station.activated"), audit.end());
  EXPECT_NE(std::find(audit.begin(), audit.end(), "pagopa_station.receipt recorded"), audit.end());
  EXPECT_NE(std::find(audit.begin(), audit.end(), "pagopa_station.refused PAA_PAGAMENTO_DUPLICATO"),
            audit.end());
}

TEST_P(StationTest, AnInstalmentLeavesThePositionPartiallyPaidAndAllCcpNeedsPostalAccounts) {
  auto p = tari(asti_, "TARI-2026-0002");
  EXPECT_EQ(send(receipt(p.options[1], "rcpt-i1")), ReceiptOutcome::recorded);
  EXPECT_EQ(position(asti_, "TARI-2026-0002").status, PositionStatus::partially_paid);
  EXPECT_EQ(code(station().verify(asti_, verify_req(p.options[1].nav)).fault), "PAA_PAGAMENTO_DUPLICATO");
  EXPECT_FALSE(station().verify(asti_, verify_req(p.options[2].nav)).fault);
  // The single payment is no longer an option once the instalments have started; paid anyway, it is
  // money to refund and the position stays partially paid.
  EXPECT_EQ(code(station().verify(asti_, verify_req(p.options[0].nav)).fault), "PAA_PAGAMENTO_DUPLICATO");
  EXPECT_EQ(send(receipt(p.options[0], "rcpt-s1")), ReceiptOutcome::double_payment);
  EXPECT_EQ(position(asti_, "TARI-2026-0002").status, PositionStatus::partially_paid);
  EXPECT_EQ(send(receipt(p.options[2], "rcpt-i2")), ReceiptOutcome::recorded);
  EXPECT_EQ(position(asti_, "TARI-2026-0002").status, PositionStatus::paid);

  NewPosition np;
  np.iupd = "TARI-2026-POSTE";
  np.debtor.fiscal_code = "FRRNNA78S70A479X";
  np.debtor.full_name = "Anna Ferrero";
  np.options = {option(5000, "2026-06-16", false, kPostalIban)};
  np.publish = true;
  auto postal = payments().create(system_, asti_, np);
  ASSERT_TRUE(postal.ok()) << postal.error().code << " " << postal.error().detail;
  auto v = station().verify(asti_, verify_req(postal->options[0].nav));
  ASSERT_FALSE(v.fault);
  EXPECT_TRUE(v.all_ccp);
  auto req = get_req(postal->options[0].nav);
  req.transfer_type = "POSTAL";
  auto g = station().get_payment(asti_, req);
  ASSERT_FALSE(g.fault);
  EXPECT_EQ(g.transfers.at(0).iban, kPostalIban);
}

TEST_P(StationTest, WrongStationIdentifiersAnswerTheirFaultsAndAreAudited) {
  auto p = tari(asti_, "TARI-2026-0003");
  const auto& nav = p.options[0].nav;
  auto wrong_pa = asti_ids();
  wrong_pa.id_pa = "80002270074";
  auto wrong_broker = asti_ids();
  wrong_broker.id_broker_pa = "99999999999";
  auto wrong_station = asti_ids();
  wrong_station.id_station = "00743110157_99";
  EXPECT_EQ(code(station().verify(asti_, verify_req(nav, wrong_pa)).fault), "PAA_ID_DOMINIO_ERRATO");
  EXPECT_EQ(code(station().verify(asti_, verify_req(nav, wrong_broker)).fault),
            "PAA_ID_INTERMEDIARIO_ERRATO");
  EXPECT_EQ(code(station().verify(asti_, verify_req(nav, wrong_station)).fault), "PAA_STAZIONE_INT_ERRATA");
  EXPECT_EQ(code(station().get_payment(asti_, get_req(nav, wrong_station)).fault), "PAA_STAZIONE_INT_ERRATA");
  std::string fault;
  EXPECT_EQ(send(receipt(p.options[0], "r", "BCITITMM", -1, wrong_broker), &fault), std::nullopt);
  EXPECT_EQ(fault, "PAA_ID_INTERMEDIARIO_ERRATO");
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_activations"), 0);
  EXPECT_EQ(position(asti_, "TARI-2026-0003").status, PositionStatus::valid);
  EXPECT_EQ(station_audit(asti_), (std::vector<std::string>{
                                      "pagopa_station.refused PAA_ID_DOMINIO_ERRATO",
                                      "pagopa_station.refused PAA_ID_INTERMEDIARIO_ERRATO",
                                      "pagopa_station.refused PAA_STAZIONE_INT_ERRATA",
                                      "pagopa_station.refused PAA_STAZIONE_INT_ERRATA",
                                      "pagopa_station.refused PAA_ID_INTERMEDIARIO_ERRATO",
                                  }));
}

TEST_P(StationTest, UnknownDraftExpiredAndInvalidNoticesAnswerTheirFaults) {
  // A well-formed NAV of Asti's segregation code that was never issued; a malformed one.
  auto never = make_aux3("01", 9999999);
  ASSERT_TRUE(never.ok());
  EXPECT_EQ(code(station().verify(asti_, verify_req(never->nav)).fault), "PAA_PAGAMENTO_SCONOSCIUTO");
  EXPECT_EQ(code(station().verify(asti_, verify_req("301000000000000199")).fault),
            "PAA_PAGAMENTO_SCONOSCIUTO");
  // A draft is not payable yet.
  auto draft = tari(asti_, "TARI-2026-DRAFT", false);
  EXPECT_EQ(code(station().verify(asti_, verify_req(draft.options[0].nav)).fault),
            "PAA_PAGAMENTO_SCONOSCIUTO");
  // Invalidated.
  auto annulled = tari(asti_, "TARI-2026-ANN");
  ASSERT_TRUE(payments().invalidate(system_, asti_, "TARI-2026-ANN").ok());
  EXPECT_EQ(code(station().verify(asti_, verify_req(annulled.options[0].nav)).fault),
            "PAA_PAGAMENTO_ANNULLATO");
  EXPECT_EQ(code(station().get_payment(asti_, get_req(annulled.options[0].nav)).fault),
            "PAA_PAGAMENTO_ANNULLATO");
  // Expired: no service operation expires a position yet (payments-core), so the test moves the state
  // the way GPD's expiry would.
  auto expired = tari(asti_, "TARI-2026-EXP");
  db().write([&](db::Conn& c) {
    c.exec("UPDATE payment_positions SET status = 'EXPIRED', version = version + 1 WHERE id = $1",
           {expired.id});
  });
  EXPECT_EQ(code(station().verify(asti_, verify_req(expired.options[0].nav)).fault), "PAA_PAGAMENTO_SCADUTO");
  EXPECT_EQ(code(station().get_payment(asti_, get_req(expired.options[0].nav)).fault),
            "PAA_PAGAMENTO_SCADUTO");
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_activations"), 0);
  // A receipt that arrives anyway for the expired notice, for a payment after its last due date (16
  // December): the PSP collected the money, to refund. (One made in time pays it: hardening_test.cpp.)
  auto late = receipt(expired.options[0], "late-1");
  late.receipt.payment_date_time = "2026-12-17T09:00:00";
  EXPECT_EQ(send(late), ReceiptOutcome::double_payment);
  EXPECT_EQ(position(asti_, "TARI-2026-EXP").status, PositionStatus::expired);
}

TEST_P(StationTest, TheSameReceiptAgainIsADuplicateAndCountsNothing) {
  auto p = tari(asti_, "TARI-2026-0004");
  ASSERT_EQ(send(receipt(p.options[0], "rcpt-dup")), ReceiptOutcome::recorded);
  std::string fault;
  EXPECT_EQ(send(receipt(p.options[0], "rcpt-dup"), &fault), ReceiptOutcome::duplicate);
  EXPECT_EQ(fault, "PAA_RECEIPT_DUPLICATA");
  EXPECT_EQ(send(receipt(p.options[0], "rcpt-dup"), &fault), ReceiptOutcome::duplicate);
  auto rs = station().receipts(asti_, p.options[0].iuv);
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[1].outcome, ReceiptOutcome::duplicate);
  EXPECT_TRUE(rs[1].transfers.empty());
  // Counted once: one recorded receipt, the money of one.
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts WHERE outcome IN ('recorded', 'double_payment')"),
            1);
  EXPECT_EQ(count("SELECT COALESCE(SUM(amount_cents), 0) FROM payment_receipts WHERE outcome = 'recorded'"),
            20000);
  EXPECT_EQ(station_audit(asti_),
            (std::vector<std::string>{"pagopa_station.receipt recorded", "pagopa_station.receipt duplicate",
                                      "pagopa_station.receipt duplicate"}));
  // The same receiptId from another PSP is another payment.
  EXPECT_EQ(send(receipt(p.options[0], "rcpt-dup", "UNCRITMM")), ReceiptOutcome::double_payment);
}

TEST_P(StationTest, ADifferentReceiptForAPaidOptionIsADoublePaymentNeverLost) {
  auto p = tari(asti_, "TARI-2026-0005");
  ASSERT_EQ(send(receipt(p.options[0], "shop-1", "SHOPITMM")), ReceiptOutcome::recorded);
  std::string fault;
  EXPECT_EQ(send(receipt(p.options[0], "cart-1", "BCITITMM"), &fault), ReceiptOutcome::double_payment);
  EXPECT_EQ(fault, "OK");  // the PSP did collect it: accepted, to refund
  EXPECT_EQ(send(receipt(p.options[0], "cart-1", "BCITITMM"), &fault), ReceiptOutcome::duplicate);
  auto rs = station().receipts(asti_, p.options[0].iuv);
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[1].outcome, ReceiptOutcome::double_payment);
  EXPECT_EQ(rs[1].amount, 20000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts WHERE outcome = 'recorded'"), 1);
  EXPECT_EQ(position(asti_, "TARI-2026-0005").status, PositionStatus::paid);
  // Receipts are append-only.
  EXPECT_ANY_THROW(db().write([&](db::Conn& c) { c.exec("DELETE FROM payment_receipts"); }));
}

TEST_P(StationTest, AReceiptForAnUnknownIuvIsRecordedAsSuch) {
  auto never = make_aux3("01", 7777777);
  ASSERT_TRUE(never.ok());
  Option ghost;
  ghost.iuv = never->iuv;
  ghost.nav = never->nav;
  ghost.amount = 4200;
  ghost.description = "?";
  std::string fault;
  EXPECT_EQ(send(receipt(ghost, "ghost-1"), &fault), ReceiptOutcome::unknown_position);
  EXPECT_EQ(fault, "PAA_PAGAMENTO_SCONOSCIUTO");
  auto rs = station().receipts(asti_, never->iuv);
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].outcome, ReceiptOutcome::unknown_position);
  EXPECT_FALSE(rs[0].option_id);
  EXPECT_EQ(station_audit(asti_), std::vector<std::string>{"pagopa_station.receipt unknown_position"});
}

TEST_P(StationTest, AnotherBodysIdentifiersAndNoticesAreRefused) {
  auto asti = tari(asti_, "TARI-2026-0006");
  auto novara = tari(novara_, "TARI-2026-0006");
  // Novara's station identifiers on Asti's station.
  EXPECT_EQ(code(station().verify(asti_, verify_req(asti.options[0].nav, novara_ids())).fault),
            "PAA_ID_DOMINIO_ERRATO");
  EXPECT_EQ(code(station().get_payment(asti_, get_req(novara.options[0].nav, novara_ids())).fault),
            "PAA_ID_DOMINIO_ERRATO");
  // Novara's notice asked of Asti's station with Asti's identifiers: Asti does not have it.
  auto q = verify_req(novara.options[0].nav);
  EXPECT_EQ(code(station().verify(asti_, q).fault), "PAA_PAGAMENTO_SCONOSCIUTO");
  // Novara's notice presented with Novara's fiscal code to Asti: refused too.
  q.fiscal_code = kNovaraCf;
  EXPECT_EQ(code(station().verify(asti_, q).fault), "PAA_PAGAMENTO_SCONOSCIUTO");
  // A receipt for Novara's IUV sent to Asti's station: unknown there, and Novara's notice stays unpaid.
  std::string fault;
  EXPECT_EQ(send(receipt(novara.options[0], "x-1", "BCITITMM", -1, novara_ids()), &fault), std::nullopt);
  EXPECT_EQ(fault, "PAA_ID_DOMINIO_ERRATO");
  EXPECT_EQ(send(receipt(novara.options[0], "x-2")), ReceiptOutcome::unknown_position);
  EXPECT_EQ(position(novara_, "TARI-2026-0006").status, PositionStatus::valid);
  EXPECT_TRUE(station_audit(novara_).empty());
  // Novara's own station still answers for it.
  EXPECT_FALSE(station().verify(novara_, verify_req(novara.options[0].nav, novara_ids())).fault);
}

TEST_P(StationTest, AFinesAmountOnDayFourAndDaySixAfterNotification) {
  NewFine f;
  f.iupd = "VERBALE-77-2026";
  f.debtor.fiscal_code = "CCCFBA85D03L219P";
  f.debtor.full_name = "Fabio Caccamo";
  f.terms = {day(2026, 3, 4), 17300, 1235};  // notified today
  f.description = "Verbale n. 77/2026 art. 7 CdS";
  f.category = "9/0201133IM/";
  auto fine = payments().create_fine(system_, asti_, f);
  ASSERT_TRUE(fine.ok()) << fine.error().code << " " << fine.error().detail;
  const auto& reduced = fine->options[0];
  const auto& full = fine->options[1];
  const Cents kReduced = 12110 + 1235;  // 173,00 - 30 % + 12,35
  const Cents kFull = 17300 + 1235;

  clock_.advance(std::chrono::days(4));  // 8 March, day 4
  for (const auto* o : {&reduced, &full}) {
    auto v = station().verify(asti_, verify_req(o->nav));
    ASSERT_FALSE(v.fault);
    EXPECT_EQ(v.amount, kReduced) << o->nav;
    EXPECT_EQ(v.due_date, "2026-03-09");
  }
  clock_.advance(std::chrono::days(2));  // 10 March, day 6
  for (const auto* o : {&reduced, &full}) {
    auto v = station().verify(asti_, verify_req(o->nav));
    ASSERT_FALSE(v.fault);
    EXPECT_EQ(v.amount, kFull) << o->nav;
  }
  auto g = station().get_payment(asti_, get_req(reduced.nav));
  ASSERT_FALSE(g.fault);
  EXPECT_EQ(g.amount, kFull);
  ASSERT_EQ(g.transfers.size(), 1u);
  EXPECT_EQ(g.transfers[0].amount, kFull);  // transfers add up to what is due
  ASSERT_EQ(send(receipt(reduced, "fine-1", "BCITITMM", kFull)), ReceiptOutcome::recorded);
  // Either notice pays the fine: the other one is now paid too.
  EXPECT_EQ(code(station().verify(asti_, verify_req(full.nav)).fault), "PAA_PAGAMENTO_DUPLICATO");
  EXPECT_EQ(send(receipt(full, "fine-2", "SHOPITMM", kFull)), ReceiptOutcome::double_payment);
}

TEST_P(StationTest, AnActivationInProgressOnAnotherChannelAnswersInCorso) {
  auto p = tari(asti_, "TARI-2026-0007");
  const auto& o = p.options[0];
  ASSERT_TRUE(station().activate(asti_, o.iuv, "portal:cart-1").ok());
  EXPECT_TRUE(station().activate(asti_, o.iuv, "portal:cart-1").ok());  // the same channel renews
  // The node's activation takes a portal cart's lease over (Checkout pays the cart through the node).
  ASSERT_FALSE(station().get_payment(asti_, get_req(o.nav)).fault);
  EXPECT_FALSE(station().get_payment(asti_, get_req(o.nav)).fault);  // the node may activate again
  // Another channel than the portal's carts still waits for the lease to end.
  clock_.advance(kActivationLease + std::chrono::seconds(1));
  ASSERT_TRUE(station().activate(asti_, o.iuv, "counter:desk-1").ok());
  EXPECT_EQ(code(station().get_payment(asti_, get_req(o.nav)).fault), "PAA_PAGAMENTO_IN_CORSO");
  clock_.advance(kActivationLease + std::chrono::seconds(1));
  ASSERT_FALSE(station().get_payment(asti_, get_req(o.nav)).fault);
  auto portal = station().activate(asti_, o.iuv, "portal:cart-2");
  ASSERT_FALSE(portal.ok());
  EXPECT_EQ(portal.error().code, "payments.in_progress");
  // If both still complete, the second is a double payment.
  EXPECT_EQ(send(receipt(o, "node-1", "SHOPITMM")), ReceiptOutcome::recorded);
  EXPECT_EQ(send(receipt(o, "cart-1", "BCITITMM")), ReceiptOutcome::double_payment);
}

TEST_P(StationTest, ConcurrentCopiesOfOneReceiptAreRecordedOnce) {
  auto p = tari(asti_, "TARI-2026-0008");
  const auto& o = p.options[0];
  constexpr int kThreads = 6;
  std::vector<std::optional<ReceiptOutcome>> outcomes(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  std::latch start(kThreads);  // every thread sends at the same moment
  for (int i = 0; i < kThreads; ++i) {
    // Half resend the same receipt, half are other PSPs' receipts for the same notice.
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        outcomes[i] = send(receipt(o, i % 2 == 0 ? "same" : "other-" + std::to_string(i),
                                   i % 2 == 0 ? "BCITITMM" : "PSP" + std::to_string(i)));
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  int recorded = 0;
  int duplicate = 0;
  int doubled = 0;
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(errors[i], "") << i;
    if (outcomes[i] == ReceiptOutcome::recorded) ++recorded;
    if (outcomes[i] == ReceiptOutcome::duplicate) ++duplicate;
    if (outcomes[i] == ReceiptOutcome::double_payment) ++doubled;
  }
  EXPECT_EQ(recorded, 1);
  EXPECT_EQ(recorded + duplicate + doubled, kThreads);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts WHERE outcome = 'recorded'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_receipts"), kThreads);
  // "same" was counted once, as recorded or (if another PSP's receipt won) as a double payment.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM payment_receipts WHERE receipt_id = 'same' AND outcome <> 'duplicate'"), 1);
  EXPECT_EQ(position(asti_, "TARI-2026-0008").status, PositionStatus::paid);
}

TEST_P(StationTest, TheUniqueIndexesMakePaidOnceAndCountedOnceADatabaseFact) {
  // What the receipt's retry relies on: the loser of a race gets a unique violation from either index.
  auto p = tari(asti_, "TARI-2026-0009");
  auto row = [&](const std::string& psp, const std::string& id) {
    ReceiptRow r;
    r.tenant_id = asti_;
    r.iuv = p.options[0].iuv;
    r.psp_id = psp;
    r.receipt_id = id;
    r.payment_at = "2026-03-04T10:00:00.000Z";
    r.amount = 20000;
    r.outcome = ReceiptOutcome::recorded;
    r.raw_payload = "<x/>";
    r.received_at = r.payment_at;
    return r;
  };
  auto insert = [&](ReceiptRow r) {
    try {
      db().write([&](db::Conn& tx) { ReceiptStore::insert(tx, r); });
      return std::string("inserted");
    } catch (const db::DbError& e) {
      return std::string(e.kind == db::DbError::Kind::unique_violation ? "unique_violation" : e.what());
    }
  };
  EXPECT_EQ(insert(row("A", "1")), "inserted");
  EXPECT_EQ(insert(row("B", "2")), "unique_violation");  // paid once
  auto again = row("A", "1");
  again.outcome = ReceiptOutcome::double_payment;
  EXPECT_EQ(insert(again), "unique_violation");  // counted once
  again.outcome = ReceiptOutcome::duplicate;
  EXPECT_EQ(insert(again), "inserted");  // a duplicate is only kept
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, StationTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::station_testing
