// Importing reporting flows into the database and matching their rows in sets (issue 13).
#include "integration/payments_reconciliation/recon_fixture.hpp"

namespace sp::payments::recon_testing {
namespace {

using recon::ImportOutcome;

TEST_P(ReconTest, EveryResultOfTheVocabularyIsFoundAndStoredWithItsRow) {
  const auto matched = paid("TARI-1", "iur-1");
  const auto unreported = paid("TARI-2", "iur-2");
  const auto no_receipt = tari(asti_, "TARI-3").options[0];
  const auto differs = paid("TARI-4", "iur-4");
  const auto revoked = tari(asti_, "TARI-5").options[0];
  const auto stand_in = tari(asti_, "TARI-6").options[0];
  const std::string unknown = "02000000000009999";
  auto f =
      make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z",
                {pay(matched.iuv, "iur-1", 20000), pay(no_receipt.iuv, "iur-3", 20000),
                 pay(unknown, "iur-x", 1234), pay(differs.iuv, "iur-4", 19000),
                 pay(revoked.iuv, "iur-5", 20000, "REVOKED"), pay(stand_in.iuv, "iur-6", 20000, "NO_RPT")});
  auto imp = import(f);
  ASSERT_EQ(imp.outcome, ImportOutcome::recorded) << imp.report.verdict();
  EXPECT_EQ(rows_of(imp, RowResult::matched), 1);
  EXPECT_EQ(rows_of(imp, RowResult::reported_no_receipt), 1);
  EXPECT_EQ(rows_of(imp, RowResult::unknown_iuv), 1);
  EXPECT_EQ(rows_of(imp, RowResult::amount_differs), 1);
  EXPECT_EQ(rows_of(imp, RowResult::revoked), 1);
  EXPECT_EQ(rows_of(imp, RowResult::accepted_without_receipt), 1);

  auto v = day_view();
  ASSERT_EQ(v.flows.size(), 1u);
  EXPECT_EQ(v.flows[0].anomalies, 3);
  EXPECT_EQ(v.flows[0].reported, 20000 + 20000 + 1234 + 19000 + 20000);  // revoked apart
  EXPECT_EQ(v.flows[0].revoked, 20000);
  ASSERT_EQ(v.rows.size(), 6u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(recon::is_anomaly(v.rows[i].result)) << i;  // first
  // The receipt no flow reports: paid on the 4th, so it is in the view of the 4th.
  auto v4 = recon().day(system_, asti_, day(2026, 3, 4), "");
  ASSERT_TRUE(v4.ok());
  ASSERT_EQ(v4->unreported.size(), 1u);
  EXPECT_EQ(v4->unreported[0].iuv, unreported.iuv);
  EXPECT_EQ(v4->unreported[0].iur, "iur-2");
  EXPECT_EQ(v4->receipts_total, 3 * 20000);
}

TEST_P(ReconTest, AReceiptResentAfterTheFlowReadsAsMatchedLateAndTheRowStaysAsRecorded) {
  const auto o = tari(asti_, "TARI-1").options[0];
  auto imp =
      import(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(o.iuv, "iur-1", 20000)}));
  ASSERT_EQ(rows_of(imp, RowResult::reported_no_receipt), 1);
  auto before = day_view();
  ASSERT_EQ(before.rows.size(), 1u);
  EXPECT_EQ(before.rows[0].result, RowResult::reported_no_receipt);
  EXPECT_EQ(before.flows[0].anomalies, 1);

  // The node resends the receipt after the flow: the anomaly is gone, the stored row is untouched.
  EXPECT_EQ(send(receipt(o, "iur-1")), ReceiptOutcome::recorded);
  auto after = day_view();
  ASSERT_EQ(after.rows.size(), 1u);
  EXPECT_EQ(after.rows[0].result, RowResult::matched_late);
  EXPECT_TRUE(after.rows[0].has_receipt);
  EXPECT_FALSE(recon::is_anomaly(after.rows[0].result));
  EXPECT_EQ(after.flows[0].anomalies, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flow_rows WHERE result = 'reported_no_receipt'"), 1);
  // ... and the position is REPORTED, in the receipt's transaction, as the import would have made it.
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_positions WHERE status = 'REPORTED'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_options WHERE status = 'reported'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_transfers WHERE status = 'reported'"), 1);

  // A receipt with another IUR, or of another amount, is not the one the flow reported.
  const auto o2 = tari(asti_, "TARI-2").options[0];
  import(make_flow("2026-03-05BCITITMM-0002", "2026-03-05T06:30:00Z", {pay(o2.iuv, "iur-2", 20000)}));
  EXPECT_EQ(send(receipt(o2, "iur-other")), ReceiptOutcome::recorded);
  auto other = day_view();
  ASSERT_EQ(other.flows.size(), 2u);
  EXPECT_EQ(other.rows[0].result, RowResult::reported_no_receipt) << "anomalies first";
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_positions WHERE status = 'REPORTED'"), 1) << "not that one";
}

TEST_P(ReconTest, AReportedPaymentMovesItsTransfersOptionAndPositionToReported) {
  const auto reported = paid("TARI-1", "iur-1");
  paid("TARI-2", "iur-2");  // paid, but in no flow
  const auto differs = paid("TARI-3", "iur-3");
  auto imp = import(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z",
                              {pay(reported.iuv, "iur-1", 20000), pay(differs.iuv, "iur-3", 19000)}));
  ASSERT_EQ(imp.outcome, ImportOutcome::recorded) << imp.report.verdict();
  // GPD's last state, for what the flow reported as paid and nothing else.
  EXPECT_EQ(position(asti_, "TARI-1").status, PositionStatus::reported);
  EXPECT_EQ(position(asti_, "TARI-1").options[0].status, OptionStatus::reported);
  EXPECT_EQ(position(asti_, "TARI-2").status, PositionStatus::paid);  // no flow row
  EXPECT_EQ(position(asti_, "TARI-3").status, PositionStatus::paid);  // the amount differs: not reported
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_transfers WHERE status = 'reported'"), 1);
  // The instalments of TARI-1 were never paid: still unpaid.
  EXPECT_EQ(position(asti_, "TARI-1").options[1].status, OptionStatus::unpaid);
  EXPECT_EQ(position(asti_, "TARI-2").options[0].status, OptionStatus::paid);
  // The import's audit entry says how many positions it moved.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'payment_flow.import' AND details LIKE "
                  "'%\"positions_reported\":1%'"),
            1);
}

TEST_P(ReconTest, ReimportingTheSameFlowChangesNothing) {
  const auto o = paid("TARI-1", "iur-1");
  const auto xml = fdr::render_fdr_xml(
      make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(o.iuv, "iur-1", 20000)}));
  auto first = import_xml(xml);
  ASSERT_EQ(first.outcome, ImportOutcome::recorded);
  auto again = import_xml(xml);
  EXPECT_EQ(again.outcome, ImportOutcome::unchanged);
  EXPECT_EQ(again.flow_pk, first.flow_pk);
  EXPECT_EQ(rows_of(again, RowResult::matched), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flows"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flow_rows"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flow_staging"), 0);
}

TEST_P(ReconTest, ALaterRevisionSupersedesAndAnEarlierOneIsIgnored) {
  const auto a = paid("TARI-1", "iur-1");
  const auto b = paid("TARI-2", "iur-2");
  const std::string id = "2026-03-05BCITITMM-0001";
  auto v1 = make_flow(id, "2026-03-05T06:30:00Z", {pay(a.iuv, "iur-1", 20000)});
  auto v2 = make_flow(id, "2026-03-05T09:00:00Z", {pay(a.iuv, "iur-1", 20000), pay(b.iuv, "iur-2", 20000)});
  auto first = import(v1);
  ASSERT_EQ(first.outcome, ImportOutcome::recorded);
  auto second = import(v2);
  ASSERT_EQ(second.outcome, ImportOutcome::replaced);
  ASSERT_TRUE(second.supersedes_pk);
  EXPECT_EQ(*second.supersedes_pk, first.flow_pk);
  // The earlier revision again (same time, other content than the current one): ignored.
  auto older = make_flow(id, "2026-03-05T08:00:00Z", {pay(a.iuv, "iur-1", 20000)});
  EXPECT_EQ(import(older).outcome, ImportOutcome::ignored);
  EXPECT_EQ(import(v1).outcome, ImportOutcome::unchanged);  // the very document recorded first
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flows"), 2);
  auto v = day_view();
  ASSERT_EQ(v.flows.size(), 1u);  // only the current revision
  EXPECT_TRUE(v.flows[0].is_revision);
  EXPECT_EQ(v.rows.size(), 2u);
  auto v4 = recon().day(system_, asti_, day(2026, 3, 4), "");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->unreported.empty());
}

TEST_P(ReconTest, ProblemFlowsAreReportedAndNothingIsRecorded) {
  const auto o = paid("TARI-1", "iur-1");
  // Another body's flow.
  auto novara = import(
      make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(o.iuv, "iur-1", 20000)}, kNovaraCf));
  EXPECT_EQ(novara.outcome, ImportOutcome::refused);
  EXPECT_EQ(novara.report.verdict(), "wrong_receiver");
  // Header count and total wrong.
  auto f = make_flow("2026-03-05BCITITMM-0002", "2026-03-05T06:30:00Z", {pay(o.iuv, "iur-1", 20000)});
  f.tot_payments = 2;
  EXPECT_EQ(import(f).report.verdict(), "header_count_wrong");
  f.tot_payments = 1;
  f.sum_payments = 20001;
  EXPECT_EQ(import(f).report.verdict(), "header_total_wrong");
  // A duplicate row.
  auto d = make_flow("2026-03-05BCITITMM-0003", "2026-03-05T06:30:00Z",
                     {pay(o.iuv, "iur-1", 20000), pay(o.iuv, "iur-1", 20000)});
  auto dup = import(d);
  EXPECT_EQ(dup.outcome, ImportOutcome::refused);
  EXPECT_EQ(dup.report.verdict(), "duplicate_rows");
  // Malformed XML (a truncated file), with its line.
  const auto whole = fdr::render_fdr_xml(f);
  auto bad = import_xml(whole.substr(0, whole.size() / 2));
  EXPECT_EQ(bad.outcome, ImportOutcome::refused);
  EXPECT_EQ(bad.report.verdict(), "malformed");
  EXPECT_EQ(bad.report.error_code, "fdr.malformed");
  EXPECT_GT(bad.report.error_line, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flows"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_flow_rows"), 0);
}

TEST_P(ReconTest, TenantsAreWallsAnotherBodysReceiptsNeverMatch) {
  const auto o = paid("TARI-1", "iur-1");  // Asti's
  // Novara imports a flow (for Novara) that names Asti's IUV and IUR: nothing of Asti's is seen.
  auto imp = import(
      make_flow("2026-03-05BCITITMM-0009", "2026-03-05T06:30:00Z", {pay(o.iuv, "iur-1", 20000)}, kNovaraCf),
      novara_);
  ASSERT_EQ(imp.outcome, ImportOutcome::recorded);
  EXPECT_EQ(rows_of(imp, RowResult::unknown_iuv), 1);
  EXPECT_TRUE(day_view().flows.empty());  // Asti's view has no Novara flow
  // And Asti's page is not Novara's staff's: the service refuses another body's staff.
  identity::Principal novara_staff;
  novara_staff.subject = "n1";
  novara_staff.kind = identity::PrincipalKind::staff;
  novara_staff.tenant_id = novara_;
  auto refused = recon().day(&novara_staff, asti_, std::nullopt, "");
  ASSERT_FALSE(refused.ok());
}

TEST_P(ReconTest, DigitalStampTransfersAreNeverReportedAsMissing) {
  const std::string hash = "qMnVHu/2wETyuGbTFLVxJN1t4Pdon0fv7F3Md5VB9VQ=";
  NewPosition np;
  np.iupd = "CERT-1";
  np.debtor.fiscal_code = "FRRNNA78S70A479X";
  np.debtor.full_name = "Anna Ferrero";
  NewOption o = option(1600 + 52, "2026-06-16", false);
  o.transfers[0].amount = 52;
  NewTransfer stamp;
  stamp.amount = 1600;
  stamp.stamp = Stamp{"01", hash, "AT"};
  stamp.remittance = "Marca da bollo digitale";
  stamp.category = "9/0301109AP/";
  o.transfers.push_back(stamp);
  np.options = {o};
  np.publish = true;
  auto p = payments().create(system_, asti_, np);
  ASSERT_TRUE(p.ok()) << p.error().detail;
  const auto& opt = p->options[0];
  auto rcpt = receipt(opt, "cert-1");
  pagopa::Transfer st;
  st.index = 2;
  st.amount = 1600;
  st.fiscal_code_pa = kAstiCf;
  st.stamp_attachment = "PG1hcmNhRGFCb2xsbz4=";
  st.remittance = "Marca da bollo digitale";
  st.category = "9/0301109AP/";
  rcpt.receipt.transfers[0].amount = 52;
  rcpt.receipt.transfers.push_back(st);
  ASSERT_EQ(send(rcpt), ReceiptOutcome::recorded);
  // The PSP reports the fee only: the stamp's 16,00 never reaches the body's account.
  auto imp =
      import(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(opt.iuv, "cert-1", 52)}));
  ASSERT_EQ(imp.outcome, ImportOutcome::recorded);
  EXPECT_EQ(rows_of(imp, RowResult::matched), 1);
  auto v4 = recon().day(system_, asti_, day(2026, 3, 4), "");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->unreported.empty());
  EXPECT_EQ(v4->receipts_total, 52);
  // Reported all the same: a stamp transfer is never waited for.
  EXPECT_EQ(position(asti_, "CERT-1").status, PositionStatus::reported);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payment_transfers WHERE status = 'paid' AND stamp_type IS NOT NULL"),
            1);
}

TEST_P(ReconTest, RecordsAreAppendOnly) {
  const auto o = paid("TARI-1", "iur-1");
  ASSERT_EQ(import(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(o.iuv, "iur-1", 20000)}))
                .outcome,
            ImportOutcome::recorded);
  for (const char* sql :
       {"UPDATE payment_flows SET xml = 'x'", "DELETE FROM payment_flows",
        "UPDATE payment_flow_rows SET result = 'matched'", "DELETE FROM payment_flow_rows"}) {
    EXPECT_THROW(db().write([&](db::Conn& c) { c.exec(sql); }), db::DbError) << sql;
  }
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ReconTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::payments::recon_testing
