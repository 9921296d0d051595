// The bank-statement leg and the CSV export (issue 13).
#include "integration/payments_reconciliation/recon_fixture.hpp"
#include "payments/bank_statement_csv.hpp"
#include "payments/reconciliation_export.hpp"

namespace sp::payments::recon_testing {
namespace {

using recon::BankStatus;

const std::string kHead = "Data contabile;Data valuta;Importo;Segno;Descrizione;Riferimento banca\r\n";

TEST(BankStatementCsv, ReadsItalianAmountsExactlyAndQuotedFields) {
  auto m = recon::parse_bank_statement("\xEF\xBB\xBF" + kHead +
                                       "05/03/2026;05/03/2026;1.234,56;C;\"BONIFICO; "
                                       "/PUR/LGPE-RIVERSAMENTO/URI/2026-03-05BCITITMM-0001\";R1\r\n"
                                       "\r\n"
                                       "2026-03-06;2026-03-06;-0,1;;\"Commissioni \"\"tenuta conto\"\"\";R2\n"
                                       "06/03/2026;06/03/2026;20;Avere;Accredito;R3");
  ASSERT_TRUE(m.ok()) << m.error().code << " " << m.error().detail;
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].amount, 123456);
  EXPECT_EQ((*m)[0].direction, 'C');
  EXPECT_EQ((*m)[0].booking_date, "2026-03-05");
  EXPECT_EQ((*m)[0].flow_id, "2026-03-05BCITITMM-0001");
  EXPECT_EQ((*m)[1].amount, 10);
  EXPECT_EQ((*m)[1].direction, 'D');
  EXPECT_EQ((*m)[1].description, "Commissioni \"tenuta conto\"");
  EXPECT_EQ((*m)[1].line, 4);
  EXPECT_EQ((*m)[2].amount, 2000);
  EXPECT_TRUE((*m)[2].flow_id.empty());
}

TEST(BankStatementCsv, RefusesWhatItCannotReadWithTheLine) {
  EXPECT_EQ(recon::parse_bank_statement("a;b\n").error().code, "bank_statement.header");
  auto bad = recon::parse_bank_statement(kHead + "05/03/2026;05/03/2026;12,345;C;x;R1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bank_statement.line");
  EXPECT_EQ(bad.error().detail.substr(0, 2), "2:");
  EXPECT_FALSE(recon::parse_bank_statement(kHead + "31/02/2026;05/03/2026;1,00;C;x;R1\n").ok());
  EXPECT_FALSE(recon::parse_bank_statement(kHead + "05/03/2026;05/03/2026;1.23,00;C;x;R1\n").ok());
  EXPECT_EQ(recon::parse_bank_statement(kHead).error().code, "bank_statement.empty");
}

TEST_P(ReconTest, EachFlowIsCashedMissingOrOfAnotherAmountAndStrayMovementsAreAnomalies) {
  const auto a = paid("TARI-1", "iur-1");
  const auto b = paid("TARI-2", "iur-2");
  const auto c = paid("TARI-3", "iur-3");
  ASSERT_EQ(import(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(a.iuv, "iur-1", 20000)}))
                .outcome,
            recon::ImportOutcome::recorded);
  ASSERT_EQ(import(make_flow("2026-03-05BCITITMM-0002", "2026-03-05T06:30:00Z", {pay(b.iuv, "iur-2", 20000)}))
                .outcome,
            recon::ImportOutcome::recorded);
  ASSERT_EQ(import(make_flow("2026-03-05BCITITMM-0003", "2026-03-05T06:30:00Z", {pay(c.iuv, "iur-3", 20000)}))
                .outcome,
            recon::ImportOutcome::recorded);
  const std::string csv =
      kHead +
      "05/03/2026;05/03/2026;200,00;C;/PUR/LGPE-RIVERSAMENTO/URI/2026-03-05BCITITMM-0001;R1\r\n"
      "05/03/2026;05/03/2026;199,99;C;/PUR/LGPE-RIVERSAMENTO/URI/2026-03-05BCITITMM-0002;R2\r\n"
      "05/03/2026;05/03/2026;50,00;C;/PUR/LGPE-RIVERSAMENTO/URI/2026-03-05XXXXXXXX-0009;R3\r\n"
      "05/03/2026;05/03/2026;10,00;D;Commissioni;R4\r\n";
  auto imp = recon().import_statement(system_, asti_, "marzo.csv", csv);
  ASSERT_TRUE(imp.ok()) << imp.error().code << " " << imp.error().detail;
  EXPECT_EQ(imp->movements, 4);
  EXPECT_EQ(imp->pagopa, 3);
  EXPECT_EQ(imp->matched, 2);
  auto again = recon().import_statement(system_, asti_, "marzo.csv", csv);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "bank_statement.duplicate");
  // An overlapping statement: the movement already imported is skipped.
  auto overlap = recon().import_statement(
      system_, asti_, "marzo-2.csv",
      kHead + "05/03/2026;05/03/2026;200,00;C;/PUR/LGPE-RIVERSAMENTO/URI/2026-03-05BCITITMM-0001;R1\r\n");
  ASSERT_TRUE(overlap.ok());
  EXPECT_EQ(overlap->skipped, 1);

  clock_.set(time::rome_day_start(day(2026, 3, 7)));  // after the settlement date
  auto v = day_view();
  ASSERT_EQ(v.flows.size(), 3u);
  std::map<std::string, BankStatus> bank;
  for (const auto& f : v.flows) bank[f.flow_id] = f.bank;
  EXPECT_EQ(bank["2026-03-05BCITITMM-0001"], BankStatus::cashed);
  EXPECT_EQ(bank["2026-03-05BCITITMM-0002"], BankStatus::amount_differs);
  EXPECT_EQ(bank["2026-03-05BCITITMM-0003"], BankStatus::missing);
  EXPECT_NE(v.flows[2].flow_id, "2026-03-05BCITITMM-0002");  // anomalies first
  EXPECT_EQ(v.flows[2].flow_id, "2026-03-05BCITITMM-0001");
  ASSERT_EQ(v.unmatched_movements.size(), 1u);
  EXPECT_EQ(v.unmatched_movements[0].bank_reference, "R3");
  EXPECT_EQ(v.reported_total, 60000);
  EXPECT_EQ(v.cashed_total, 20000 + 19999);
}

TEST_P(ReconTest, TheCsvExportHasABomSemicolonsDecimalCommasAndQuotes) {
  const auto a = paid("TARI-1", "iur;1\"x");
  ASSERT_EQ(
      import(make_flow("2026-03-05BCITITMM-0001", "2026-03-05T06:30:00Z", {pay(a.iuv, "iur;1\"x", 20000)}))
          .outcome,
      recon::ImportOutcome::recorded);
  auto v = day_view();
  const auto csv =
      recon::render_csv(v, [](std::string_view k) { return std::string(k.substr(k.rfind('.') + 1)); });
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(
      csv.find("day;psp;flow;iuv;iur;transfer;amount;expected;outcome;result;receipt;reported;bank\r\n"),
      std::string::npos)
      << csv;
  EXPECT_NE(csv.find("2026-03-05;BCITITMM;2026-03-05BCITITMM-0001;" + a.iuv +
                     ";\"iur;1\"\"x\";1;200,00;200,00;0;matched;yes;yes;pending\r\n"),
            std::string::npos)
      << csv;
  EXPECT_EQ(recon::csv_field("=SUM(A1)"), "'=SUM(A1)");
  EXPECT_EQ(recon::csv_amount(-5), "-0,05");
}

}  // namespace
}  // namespace sp::payments::recon_testing
