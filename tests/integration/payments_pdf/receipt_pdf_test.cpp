// The citizen's receipt of a pagoPA payment: every fact of the receipt in the extracted text (amounts and
// fee in exact cents, the date and time of payment in Rome time on both sides of a clock change, the PSP,
// IUR, receipt id, notice number, IUV, the parties and the transfers), the structure and the language.
#include "payments/receipt_pdf.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/pdf_inspect.hpp"
#include "support/qr_scan.hpp"
#include "support/testing.hpp"

namespace sp::payments {
namespace receipt_test {

using sp::testing::keep_pdf;
using sp::testing::pdf_facts;
using sp::testing::pdf_text;

time::TimePoint instant(const char* iso) {
  auto t = time::parse_iso_utc(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : time::TimePoint{};
}

ReceiptInput receipt() {
  ReceiptInput r;
  r.body_name = "Comune di Città Alta";
  r.creditor = {.name = "Comune di Città Alta", .fiscal_code = "00743110157"};
  r.debtor = {
      .name = "Niccolò Mazzà", .fiscal_code = "MZZNCL85D03L219X", .address = "Via Roma 1\n14100 Asti AT"};
  r.payer = NoticeParty{.name = "Lucia Mazzà", .fiscal_code = "MZZLCU60A41L219Y"};
  r.nav = "302032002700000251";
  r.nav_grouped = "3020 3200 2700 0002 51";
  r.iuv = "02032002700000251";
  r.description = "Certificato di residenza — diritti di segreteria e imposta di bollo";
  r.amount = 1652;
  r.fee = 150;
  r.psp_name = "Banca di Prova S.p.A.";
  r.psp_id = "ABI03069";
  r.iur = "IUR-2026-0000012345";
  r.receipt_id = "c0ffee00aa114f2b9d0e0b7a1c2d3e4f";
  r.paid_at = instant("2026-07-15T08:30:00Z");  // summer: 10:30 in Rome
  r.transfers = {{.beneficiary = "Comune di Città Alta",
                  .beneficiary_fiscal_code = "00743110157",
                  .iban = "IT60X0542811101000000123456",
                  .remittance = "Diritti di segreteria",
                  .amount = 52},
                 {.beneficiary = "Comune di Città Alta",
                  .beneficiary_fiscal_code = "00743110157",
                  .stamp = true,
                  .remittance = "Imposta di bollo",
                  .amount = 1600}};
  return r;
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(PaymentReceiptPdf, EveryFactOfThePaymentIsThereInItalian) {
  const auto pdf = render_payment_receipt(receipt(), sp::testing::locales(), "it");
  keep_pdf("receipt-it.pdf", pdf);
  const auto text = pdf_text(pdf);
  for (const char* s : {"Comune di Città Alta",
                        "Ricevuta di pagamento",
                        "pagoPA",
                        "Importo pagato € 16,52",
                        "Commissione € 1,50",
                        "Totale addebitato € 18,02",
                        "Data e ora del pagamento 15/07/2026 10:30 (ora italiana)",
                        "Prestatore di servizi di pagamento Banca di Prova S.p.A. (ABI03069)",
                        "Identificativo di riscossione (IUR) IUR-2026-0000012345",
                        "Identificativo della ricevuta c0ffee00aa114f2b9d0e0b7a1c2d3e4f",
                        "Codice avviso 3020 3200 2700 0002 51",
                        "Identificativo di versamento (IUV) 02032002700000251",
                        "Certificato di residenza — diritti di segreteria e imposta di bollo",
                        "Ente creditore",
                        "00743110157",
                        "Debitore",
                        "Niccolò Mazzà",
                        "MZZNCL85D03L219X",
                        "Via Roma 1 14100 Asti AT",
                        "Pagatore",
                        "Lucia Mazzà",
                        "MZZLCU60A41L219Y",
                        "Versamenti",
                        "IT60X0542811101000000123456",
                        "Diritti di segreteria",
                        "€ 0,52",
                        "Marca da bollo digitale",
                        "Imposta di bollo",
                        "€ 16,00",
                        "Pagina 1 di 1"}) {
    EXPECT_TRUE(contains(text, s)) << s << "\n---\n" << text;
  }
  EXPECT_FALSE(contains(text, "payments_pdf.")) << text;

  const auto f = pdf_facts(pdf);
  EXPECT_EQ(f.pages, 1);
  EXPECT_EQ(f.lang, "it-IT");
  EXPECT_TRUE(f.marked);
  EXPECT_TRUE(f.struct_tree);
  EXPECT_TRUE(f.display_title);
  EXPECT_EQ(f.title,
            "Ricevuta di pagamento — Certificato di residenza — diritti di segreteria e imposta di bollo");
  EXPECT_EQ(f.tags.count("H1"), 1U);
  EXPECT_EQ(f.tags.count("H2"), 5U);     // payment, creditor, debtor, payer, transfers
  EXPECT_EQ(f.tags.count("Table"), 5U);  // four label/value tables and the transfers
  EXPECT_EQ(f.tags.count("Figure"), 0U);
  // The transfers' table: a header row (5 column headers) and two rows of five cells.
  EXPECT_GE(f.tags.count("TD"), 10U);
}

TEST(PaymentReceiptPdf, TheTimeOfPaymentIsRomeTimeInWinterToo) {
  auto r = receipt();
  r.paid_at = instant("2026-12-01T23:30:00Z");  // already 2 December in Rome (CET, UTC+1)
  const auto text = pdf_text(render_payment_receipt(r, sp::testing::locales(), "it"));
  EXPECT_TRUE(contains(text, "02/12/2026 00:30 (ora italiana)")) << text;
  EXPECT_FALSE(contains(text, "01/12/2026")) << text;
}

TEST(PaymentReceiptPdf, AnUnreportedFeeIsSaidAndNoTotalIsInvented) {
  auto r = receipt();
  r.fee.reset();
  r.payer.reset();
  r.psp_id.clear();
  const auto pdf = render_payment_receipt(r, sp::testing::locales(), "it");
  const auto text = pdf_text(pdf);
  EXPECT_TRUE(contains(text, "Commissione non comunicata")) << text;
  EXPECT_FALSE(contains(text, "Totale addebitato")) << text;
  EXPECT_FALSE(contains(text, "Pagatore")) << text;
  EXPECT_TRUE(contains(text, "Prestatore di servizi di pagamento Banca di Prova S.p.A. Identificativo"))
      << text;
  EXPECT_EQ(pdf_facts(pdf).tags.count("H2"), 4U);
}

TEST(PaymentReceiptPdf, APspWhoseNameIsItsIdentifierIsNamedOnce) {
  auto r = receipt();
  r.psp_name = "ABI03069";  // the node leaves the business name to the PSP; some give their code
  const auto text = pdf_text(render_payment_receipt(r, sp::testing::locales(), "it"));
  EXPECT_TRUE(contains(text, "Prestatore di servizi di pagamento ABI03069 Identificativo")) << text;
  EXPECT_FALSE(contains(text, "ABI03069 (ABI03069)")) << text;
  r.psp_name.clear();
  const auto unnamed = pdf_text(render_payment_receipt(r, sp::testing::locales(), "it"));
  EXPECT_TRUE(contains(unnamed, "Prestatore di servizi di pagamento ABI03069 Identificativo")) << unnamed;
}

TEST(PaymentReceiptPdf, InEnglish) {
  const auto pdf = render_payment_receipt(receipt(), sp::testing::locales(), "en");
  keep_pdf("receipt-en.pdf", pdf);
  const auto text = pdf_text(pdf);
  for (const char* s :
       {"Payment receipt", "Amount paid €16.52", "Fee €1.50", "Total charged €18.02",
        "Date and time of payment 15/07/2026 10:30 (Italian time)", "Payment service provider",
        "Creditor body", "Debtor", "Payer", "Transfers", "Digital revenue stamp", "Page 1 of 1"}) {
    EXPECT_TRUE(contains(text, s)) << s << "\n---\n" << text;
  }
  EXPECT_FALSE(contains(text, "payments_pdf.")) << text;
  EXPECT_EQ(pdf_facts(pdf).lang, "en");
}

}  // namespace receipt_test
}  // namespace sp::payments
