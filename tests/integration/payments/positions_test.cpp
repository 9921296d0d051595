// Debt positions on both databases: validation, IUV assignment, GPD states, paid positions that never
// change, corrections, instalments, audit, and the wall between bodies.
#include <set>
#include <thread>

#include "payments/notice_number.hpp"
#include "payments_fixture.hpp"

namespace sp::payments::testing {
namespace {

using PositionsTest = PaymentsTest;

TEST_P(PositionsTest, CreatesADraftWithAux3NoticeNumbersFromTheFirstSegregationCode) {
  auto p = payments().create(system_, kBody, tari("TARI-2026-0001"));
  ASSERT_TRUE(p.ok()) << p.error().code << " " << p.error().field << " " << p.error().detail;
  EXPECT_EQ(p->status, PositionStatus::draft);
  ASSERT_EQ(p->options.size(), 3u);
  std::set<std::string> iuvs;
  for (const auto& o : p->options) {
    auto n = parse_notice_number(o.nav);
    ASSERT_TRUE(n.ok()) << o.nav;
    EXPECT_EQ(n->aux_digit, 3);
    EXPECT_EQ(n->segregation_code, "01");
    EXPECT_EQ(n->iuv, o.iuv);
    // Check digits computed here: int(nav[0:16]) % 93.
    const auto r = std::stoull(o.nav.substr(0, 16)) % 93;
    EXPECT_EQ(o.nav.substr(16), (r < 10 ? "0" : "") + std::to_string(r));
    iuvs.insert(o.iuv);
  }
  EXPECT_EQ(iuvs.size(), 3u);
  // Bases 1, 2, 3 of segregation code 01.
  EXPECT_EQ(p->options[0].iuv.substr(0, 15), "010000000000001");
  EXPECT_EQ(p->options[2].iuv.substr(0, 15), "010000000000003");
  auto again = payments().get(system_, kBody, "TARI-2026-0001");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->options[1].transfers.at(0).iban, kIban);
  EXPECT_EQ(again->options[1].amount, 10000);
  EXPECT_TRUE(again->options[1].is_partial_payment);
  EXPECT_EQ(again->company_name, "Comune di Prova");
  EXPECT_EQ(again->created_by, "system:test");
}

TEST_P(PositionsTest, RefusesWhatGpdRefusesAndWritesNothing) {
  struct Case {
    const char* name;
    std::function<void(NewPosition&)> spoil;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"sum", [](NewPosition& p) { p.options[0].transfers[0].amount = 19999; }, "payments.transfer_sum"},
      {"split sum",
       [](NewPosition& p) {
         p.options[0].transfers = {transfer(10000), transfer(9999)};
       },
       "payments.transfer_sum"},
      {"six transfers",
       [](NewPosition& p) {
         p.options[0].amount = 600;
         p.options[0].transfers = {transfer(100), transfer(100), transfer(100),
                                   transfer(100), transfer(100), transfer(100)};
       },
       "payments.transfers"},
      {"no transfer", [](NewPosition& p) { p.options[0].transfers.clear(); }, "payments.transfers"},
      {"same index",
       [](NewPosition& p) {
         p.options[0].transfers = {transfer(10000), transfer(10000)};
         p.options[0].transfers[0].index = 2;
         p.options[0].transfers[1].index = 2;
       },
       "payments.transfer_index"},
      {"iban check", [](NewPosition& p) { p.options[0].transfers[0].iban = "IT61X0542811101000000123456"; },
       "iban.check"},
      {"postal not poste", [](NewPosition& p) { p.options[0].transfers[0].postal_iban = kIban; },
       "iban.postal"},
      {"account and stamp",
       [](NewPosition& p) {
         p.options[0].transfers[0].stamp = Stamp{"01", "aGFzaA==", "AT"};
       },
       "payments.transfer_account"},
      {"neither", [](NewPosition& p) { p.options[0].transfers[0].iban.clear(); },
       "payments.transfer_account"},
      {"description 141", [](NewPosition& p) { p.options[0].description = std::string(141, 'a'); },
       "payments.description"},
      {"remittance 141", [](NewPosition& p) { p.options[0].transfers[0].remittance = std::string(141, 'a'); },
       "payments.remittance"},
      {"no category", [](NewPosition& p) { p.options[0].transfers[0].category.clear(); },
       "payments.category"},
      {"debtor cf", [](NewPosition& p) { p.debtor.fiscal_code = "FRRNNA78S70A479Y"; },
       "payments.debtor_fiscal_code"},
      {"debtor name", [](NewPosition& p) { p.debtor.full_name = " "; }, "payments.debtor_name"},
      {"email", [](NewPosition& p) { p.debtor.email = "anna"; }, "payments.email"},
      {"zero amount",
       [](NewPosition& p) {
         p.options[0].amount = 0;
         p.options[0].transfers[0].amount = 0;
       },
       "payments.amount"},
      {"due date past", [](NewPosition& p) { p.options[0].due_date = "2026-03-03"; }, "payments.due_date"},
      {"due date format", [](NewPosition& p) { p.options[0].due_date = "16/06/2026"; }, "payments.due_date"},
      {"retention before due", [](NewPosition& p) { p.options[0].retention_date = "2026-06-15"; },
       "payments.retention_date"},
      {"beneficiary cf",
       [](NewPosition& p) { p.options[0].transfers[0].organization_fiscal_code = "00743110158"; },
       "payments.organization_fiscal_code"},
      {"iuv other segregation code", [](NewPosition& p) { p.options[0].iuv = "02032002700000251"; },
       "payments.iuv"},
      {"iuv check digits", [](NewPosition& p) { p.options[0].iuv = "01000000000009999"; }, "payments.iuv"},
      {"no options", [](NewPosition& p) { p.options.clear(); }, "payments.options"},
      {"iupd", [](NewPosition& p) { p.iupd = "TARI 2026/1"; }, "payments.iupd"},
  };
  for (const auto& c : cases) {
    auto p = tari("TARI-BAD");
    c.spoil(p);
    auto r = payments().create(system_, kBody, p);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().detail;
  }
  EXPECT_EQ(count("payment_positions"), 0);
  EXPECT_EQ(count("payment_options"), 0);
  // Transfers that add up in integer cents, split three ways, and a digital stamp transfer, are fine.
  auto ok = tari("TARI-SPLIT");
  ok.options[0].transfers = {transfer(6667), transfer(6667), transfer(6666)};
  ok.options[0].transfers[2].organization_fiscal_code = "80002270074";
  ok.options[1].transfers[0].iban.clear();
  ok.options[1].transfers[0].postal_iban = kPostalIban;
  auto stamp = transfer(1600);
  stamp.iban.clear();
  stamp.stamp = Stamp{"01", "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo0MjQyNDI0MjQ=", "AT"};
  ok.options[2].amount = 11600;
  ok.options[2].transfers.push_back(stamp);
  auto created = payments().create(system_, kBody, ok);
  ASSERT_TRUE(created.ok()) << created.error().code << " " << created.error().field;
  EXPECT_EQ(created->options[0].transfers.size(), 3u);
  ASSERT_TRUE(created->options[2].transfers.at(1).stamp.has_value());
  EXPECT_EQ(created->options[2].transfers.at(1).stamp->provincial_residence, "AT");
  EXPECT_EQ(created->options[1].transfers.at(0).postal_iban, kPostalIban);
}

TEST_P(PositionsTest, GivenIuvsAreKeptAndNeverTwice) {
  auto p = tari("TARI-OWN");
  p.options.resize(1);
  p.options[0].iuv = "47000000000012345";
  p.options[0].iuv = p.options[0].iuv.substr(0, 15) + [] {
    const auto r = std::stoull("3470000000000123") % 93;
    return (r < 10 ? "0" : "") + std::to_string(r);
  }();
  auto a = payments().create(system_, kBody, p);
  ASSERT_TRUE(a.ok()) << a.error().code << " " << a.error().detail;
  EXPECT_EQ(a->options[0].nav, "3" + p.options[0].iuv);
  p.iupd = "TARI-OWN-2";
  auto b = payments().create(system_, kBody, p);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, "payments.iuv_exists");
  EXPECT_EQ(b.error().http_status, 409);
  auto dup = payments().create(system_, kBody, tari("TARI-OWN"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "payments.iupd_exists");
}

TEST_P(PositionsTest, PublishInvalidateFollowGpdStates) {
  ASSERT_TRUE(payments().create(system_, kBody, tari("T1")).ok());
  auto v = payments().publish(system_, kBody, "T1");
  ASSERT_TRUE(v.ok()) << v.error().code;
  EXPECT_EQ(v->status, PositionStatus::valid);
  EXPECT_TRUE(v->published_at.has_value());
  EXPECT_EQ(payments().publish(system_, kBody, "T1").error().code, "payments.state");
  auto inv = payments().invalidate(system_, kBody, "T1");
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->status, PositionStatus::invalid);
  EXPECT_EQ(payments().invalidate(system_, kBody, "T1").error().code, "payments.state");
  EXPECT_EQ(payments().get(system_, kBody, "T1")->status, PositionStatus::invalid);

  // A validity date ahead: PUBLISHED until then.
  auto later = tari("T2");
  later.validity_date = "2026-03-10T00:00:00Z";
  ASSERT_TRUE(payments().create(system_, kBody, later).ok());
  EXPECT_EQ(payments().publish(system_, kBody, "T2")->status, PositionStatus::published);
  EXPECT_EQ(*payments().activate_due(system_, kBody), 0);
  clock_.advance(std::chrono::hours(24 * 6));
  EXPECT_EQ(*payments().activate_due(system_, kBody), 1);
  EXPECT_EQ(payments().get(system_, kBody, "T2")->status, PositionStatus::valid);

  // Published at creation (GPD toPublish).
  auto now = tari("T3");
  now.publish = true;
  EXPECT_EQ(payments().create(system_, kBody, now)->status, PositionStatus::valid);
}

TEST_P(PositionsTest, InstalmentsPayPartlyThenWhollyAndAPaidPositionNeverChanges) {
  auto p = tari("TARI-RATE");
  p.publish = true;
  auto created = payments().create(system_, kBody, p);
  ASSERT_TRUE(created.ok());
  const auto first = created->options[1].iuv;
  const auto second = created->options[2].iuv;
  auto part = payments().record_option_paid(system_, kBody, first, clock_.now());
  ASSERT_TRUE(part.ok()) << part.error().code;
  EXPECT_EQ(part->status, PositionStatus::partially_paid);
  EXPECT_EQ(payments().record_option_paid(system_, kBody, first, clock_.now()).error().code,
            "payments.not_payable");
  // A partly paid position cannot be invalidated.
  EXPECT_EQ(payments().invalidate(system_, kBody, "TARI-RATE").error().code, "payments.state");
  auto whole = payments().record_option_paid(system_, kBody, second, clock_.now());
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->status, PositionStatus::paid);
  EXPECT_TRUE(whole->paid_at.has_value());
  auto stored = payments().get(system_, kBody, "TARI-RATE");
  EXPECT_EQ(stored->options[1].status, OptionStatus::paid);
  EXPECT_EQ(stored->options[1].transfers[0].status, OptionStatus::paid);
  EXPECT_EQ(stored->options[0].status, OptionStatus::unpaid);

  // The service refuses, and so does the database whatever SQL is tried.
  EXPECT_EQ(payments().invalidate(system_, kBody, "TARI-RATE").error().code, "payments.paid");
  EXPECT_EQ(payments().publish(system_, kBody, "TARI-RATE").error().code, "payments.paid");
  EXPECT_EQ(payments().record_option_paid(system_, kBody, created->options[0].iuv, clock_.now()).error().code,
            "payments.not_payable");
  const std::string id = created->id;
  for (const std::string sql :
       {"UPDATE payment_positions SET status = 'VALID' WHERE id = $1",
        "UPDATE payment_positions SET debtor_name = 'Altro' WHERE id = $1",
        "DELETE FROM payment_positions WHERE id = $1",
        "UPDATE payment_options SET amount_cents = 1 WHERE position_id = $1",
        "UPDATE payment_options SET status = 'unpaid' WHERE position_id = $1 AND status = 'paid'",
        "DELETE FROM payment_options WHERE position_id = $1",
        "UPDATE payment_transfers SET amount_cents = 1 WHERE option_id IN "
        "(SELECT id FROM payment_options WHERE position_id = $1)"}) {
    EXPECT_THROW(db().write([&](db::Conn& c) { c.exec(sql, {id}); }), db::DbError) << sql;
  }
  // PAID → REPORTED is the one move left (the reporting flow's).
  EXPECT_NO_THROW(db().write(
      [&](db::Conn& c) { c.exec("UPDATE payment_positions SET status = 'REPORTED' WHERE id = $1", {id}); }));
  EXPECT_THROW(db().write([&](db::Conn& c) {
    c.exec("UPDATE payment_positions SET status = 'PAID' WHERE id = $1", {id});
  }),
               db::DbError);
}

TEST_P(PositionsTest, ACorrectionIsANewPositionPointingAtTheOld) {
  auto old = payments().create(system_, kBody, tari("T-OLD"));
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(payments().publish(system_, kBody, "T-OLD").ok());
  auto fix = tari("T-NEW");
  fix.replaces_iupd = "T-OLD";
  fix.options[0].amount = 18000;
  fix.options[0].transfers[0].amount = 18000;
  auto created = payments().create(system_, kBody, fix);
  ASSERT_TRUE(created.ok()) << created.error().code;
  EXPECT_EQ(created->replaces_id, old->id);
  EXPECT_EQ(payments().get(system_, kBody, "T-OLD")->status, PositionStatus::invalid);
  EXPECT_EQ(payments().get(system_, kBody, "T-OLD")->options[0].amount, 20000);  // unchanged
  auto missing = tari("T-NEW2");
  missing.replaces_iupd = "NOPE";
  EXPECT_EQ(payments().create(system_, kBody, missing).error().code, "payments.replaces");
  EXPECT_EQ(count("payment_positions"), 2);
}

TEST_P(PositionsTest, EveryChangeIsInTheAuditChain) {
  ASSERT_TRUE(payments().create(system_, kBody, tari("T-AUD")).ok());
  ASSERT_TRUE(payments().publish(system_, kBody, "T-AUD").ok());
  ASSERT_TRUE(payments().invalidate(system_, kBody, "T-AUD").ok());
  std::vector<std::string> actions;
  db().read([&](db::Conn& c) {
    for (const auto& r : c.query("SELECT action FROM audit_log WHERE tenant_id = $1 ORDER BY seq", {kBody}))
      actions.push_back(r.text(0));
  });
  EXPECT_EQ(actions, (std::vector<std::string>{"payment_creditor.set", "payment_position.create",
                                               "payment_position.publish", "payment_position.invalidate"}));
  audit::AuditService audit(db(), clock_);
  EXPECT_TRUE(audit.verify(kBody).intact);
}

TEST_P(PositionsTest, AnotherBodyCannotSeeOrTouchThePosition) {
  auto p = tari("T-WALL");
  p.publish = true;
  auto created = payments().create(system_, kBody, p);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(payments().get(system_, kOtherBody, "T-WALL").error().code, "not_found");
  EXPECT_EQ(payments().invalidate(system_, kOtherBody, "T-WALL").error().code, "not_found");
  EXPECT_EQ(payments().by_iuv(system_, kOtherBody, created->options[0].iuv).error().code, "not_found");
  EXPECT_EQ(
      payments().record_option_paid(system_, kOtherBody, created->options[0].iuv, clock_.now()).error().code,
      "not_found");
  EXPECT_TRUE(payments().list(system_, kOtherBody, {})->empty());
  EXPECT_EQ(payments().list(system_, kBody, {})->size(), 1u);
  // Staff of the other body are refused by the service itself.
  identity::Principal staff;
  staff.kind = identity::PrincipalKind::staff;
  staff.subject = "staff-8";
  staff.tenant_id = kOtherBody;
  staff.roles = {identity::Role::body_admin};
  EXPECT_EQ(payments().get(&staff, kBody, "T-WALL").error().code, "forbidden");
  EXPECT_EQ(payments().create(&staff, kBody, tari("T-X")).error().code, "forbidden");
  EXPECT_TRUE(payments().get(&staff, kOtherBody, "T-WALL").error().code == "not_found");
  // The same IUPD is another position in another body.
  EXPECT_TRUE(payments().create(system_, kOtherBody, tari("T-WALL")).ok());
  EXPECT_EQ(payments().get(system_, kBody, "T-WALL")->id, created->id);
}

TEST_P(PositionsTest, ACitizenSeesTheirPositionsOfEveryBody) {
  ASSERT_TRUE(payments().create(system_, kBody, tari("A1")).ok());
  ASSERT_TRUE(payments().create(system_, kOtherBody, tari("B1", "frrnna78s70a479x")).ok());
  ASSERT_TRUE(payments().create(system_, kOtherBody, tari("B2", "CCCFBA85D03L219P")).ok());
  auto mine = payments().positions_of("FRRNNA78S70A479X");
  ASSERT_EQ(mine.size(), 2u);
  std::set<tenants::TenantId> bodies{mine[0].tenant_id, mine[1].tenant_id};
  EXPECT_EQ(bodies, (std::set<tenants::TenantId>{kBody, kOtherBody}));
  EXPECT_EQ(payments().positions_of("CCCFBA85D03L219P").size(), 1u);
}

TEST_P(PositionsTest, BulkIsAllOrNothingWithPerRowErrors) {
  std::vector<NewPosition> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(tari("BULK-" + std::to_string(i)));
  rows[3].options[0].transfers[0].amount = 1;
  rows[4].iupd = "BULK-1";
  auto bad = payments().create_bulk(system_, kBody, rows);
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->errors.size(), 2u);
  EXPECT_EQ(bad->errors[0].row, 3u);
  EXPECT_EQ(bad->errors[0].error.code, "payments.transfer_sum");
  EXPECT_EQ(bad->errors[1].row, 4u);
  EXPECT_EQ(bad->errors[1].error.code, "payments.iupd_exists");
  EXPECT_TRUE(bad->created.empty());
  EXPECT_EQ(count("payment_positions"), 0);

  // A row whose IUPD is already stored is found inside the transaction: nothing is kept either.
  ASSERT_TRUE(payments().create(system_, kBody, tari("BULK-2")).ok());
  rows.resize(3);
  auto clash = payments().create_bulk(system_, kBody, rows);
  ASSERT_TRUE(clash.ok());
  ASSERT_EQ(clash->errors.size(), 1u);
  EXPECT_EQ(clash->errors[0].row, 2u);
  EXPECT_EQ(count("payment_positions"), 1);

  rows[2].iupd = "BULK-2b";
  auto good = payments().create_bulk(system_, kBody, rows);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->errors.empty());
  EXPECT_EQ(good->created.size(), 3u);
  EXPECT_EQ(count("payment_positions"), 4);
  EXPECT_EQ(payments().create_bulk(system_, kBody, {}).error().code, "payments.bulk");
  EXPECT_EQ(payments().create_bulk(system_, kBody, std::vector<NewPosition>(1001, tari("X"))).error().code,
            "payments.bulk");
}

TEST_P(PositionsTest, ConcurrentCreationsNeverShareAnIuv) {
  constexpr int kThreads = 4;
  constexpr int kEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto p = tari("C-" + std::to_string(t) + "-" + std::to_string(i));
        p.options.resize(1);
        if (!payments().create(system_, kBody, p).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> iuvs;
  db().read([&](db::Conn& c) {
    for (const auto& r : c.query("SELECT iuv FROM payment_options WHERE tenant_id = $1", {kBody}))
      iuvs.insert(r.text(0));
  });
  EXPECT_EQ(iuvs.size(), static_cast<std::size_t>(kThreads * kEach));
  // A failed creation leaves a gap and the next base is never handed out again.
  auto bad = tari("GAP");
  bad.options[0].transfers[0].iban = kIban;
  bad.iupd = "C-0-0";  // taken: refused in the transaction, after its bases were reserved
  EXPECT_EQ(payments().create(system_, kBody, bad).error().code, "payments.iupd_exists");
  auto next = payments().create(system_, kBody, tari("AFTER"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->options[0].iuv.substr(2, 13), "0000000000064");  // 60 used, 3 lost, the 64th
}

TEST_P(PositionsTest, ReceiptsAreRecordedOnceAsADatabaseFact) {
  auto p = tari("T-RT");
  p.publish = true;
  auto created = payments().create(system_, kBody, p);
  ASSERT_TRUE(created.ok());
  const std::string iuv = created->options[0].iuv;
  const std::string insert =
      "INSERT INTO payment_receipts (tenant_id, iuv, nav, option_id, psp_id, receipt_id, payment_at, "
      "amount_cents, fee_cents, payer_fiscal_code, payer_name, outcome, raw_payload, received_at) VALUES "
      "($1, $2, $3, $4, $5, $6, '2026-03-04T10:00:00.000Z', 20000, 100, 'FRRNNA78S70A479X', 'Anna', $7, "
      "'<x/>', "
      "'2026-03-04T10:00:01.000Z')";
  auto add = [&](const std::string& psp, const std::string& rid, const std::string& outcome) {
    db().write([&](db::Conn& c) {
      c.exec(insert, {kBody, iuv, "3" + iuv, created->options[0].id, psp, rid, outcome});
    });
  };
  add("PSP1", "R1", "recorded");
  EXPECT_THROW(add("PSP2", "R2", "recorded"), db::DbError);  // a second payment is never "recorded"
  add("PSP1", "R1", "duplicate");
  add("PSP1", "R1", "duplicate");
  add("PSP2", "R2", "double_payment");
  EXPECT_THROW(add("PSP2", "R2", "double_payment"), db::DbError);  // counted once
  add("PSP3", "R3", "unknown_position");
  EXPECT_EQ(count("payment_receipts"), 5);
  EXPECT_THROW(db().write([&](db::Conn& c) { c.exec("UPDATE payment_receipts SET amount_cents = 1"); }),
               db::DbError);
  EXPECT_THROW(db().write([&](db::Conn& c) { c.exec("DELETE FROM payment_receipts"); }), db::DbError);
  db().write([&](db::Conn& c) {
    c.exec(
        "INSERT INTO payment_receipt_transfers (receipt_id, transfer_index, amount_cents, iban) "
        "SELECT id, 1, 20000, $1 FROM payment_receipts WHERE outcome = 'recorded'",
        {kIban});
  });
  EXPECT_THROW(
      db().write([&](db::Conn& c) { c.exec("UPDATE payment_receipt_transfers SET amount_cents = 2"); }),
      db::DbError);
}

TEST_P(PositionsTest, InsideTheCallersTransactionItExistsOnlyIfTheCallerCommits) {
  // The caller refuses after the position was created: nothing stays, not even the reserved bases.
  auto refused = db::transact(db(), [&](db::Conn& tx) -> Result<Position> {
    auto p = payments().create(tx, system_, kBody, tari("IN-TX-1"));
    if (!p) return p.error();
    return Error::make("test.refused", 400);
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "test.refused");
  EXPECT_EQ(count("payment_positions"), 0);
  auto kept = db::transact(
      db(), [&](db::Conn& tx) { return payments().create(tx, system_, kBody, tari("IN-TX-2")); });
  ASSERT_TRUE(kept.ok()) << kept.error().code;
  EXPECT_EQ(kept->options[0].iuv.substr(2, 13), "0000000000001");  // the rolled-back reservation is gone too
  EXPECT_EQ(payments().get(system_, kBody, "IN-TX-2")->options.size(), 3u);
  auto bad = db::transact(
      db(), [&](db::Conn& tx) { return payments().create(tx, system_, kOtherBody, tari("IN-TX-2", "X")); });
  EXPECT_EQ(bad.error().code, "payments.debtor_fiscal_code");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, PositionsTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::testing
