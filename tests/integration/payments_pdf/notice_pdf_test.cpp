// The pagoPA payment notice as a person and a scanner read it: the text pdftotext extracts (creditor,
// debtor, object, amounts, due dates, notice numbers in groups of four, where to pay), the accessibility
// facts (tags, language, title, the QR codes' text alternatives), and every QR code decoded by zbarimg from
// the rasterised pages with its exact payload `PAGOPA|002|<NAV>|<creditor fiscal code>|<cents>`.
#include "payments/notice_pdf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/pdf_inspect.hpp"
#include "support/qr_scan.hpp"
#include "support/testing.hpp"

namespace sp::payments {
namespace {

using sp::testing::keep_pdf;
using sp::testing::pdf_facts;
using sp::testing::pdf_text;
using sp::testing::scan_qr_codes;

// A notice number with aux digit 3: "3" + segregation code + 13-digit base + (the 16 digits mod 93).
std::string nav(const std::string& segregation, const std::string& base) {
  const std::string head = "3" + segregation + base;
  const auto check = std::stoull(head) % 93;
  return head + (check < 10 ? "0" : "") + std::to_string(check);
}

std::string grouped(const std::string& nav) {
  std::string out;
  for (std::size_t i = 0; i < nav.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += nav[i];
  }
  return out;
}

NoticeOption option(const std::string& base, money::Cents cents, std::optional<time::Date> due) {
  const auto n = nav("02", base);
  return {.nav = n, .nav_grouped = grouped(n), .amount = cents, .due_date = due};
}

constexpr time::Date day(int y, unsigned m, unsigned d) {
  return time::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

const std::string kCreditorCf = "00743110157";

NoticeInput base_notice() {
  NoticeInput n;
  n.body_name = "Comune di Città Alta";
  n.office = "Ufficio tributi";
  n.subject = "TARI 2026 — tassa sui rifiuti, abitazione di via Niccolò Tommaseo 4";
  n.creditor = {.name = "Comune di Città Alta", .fiscal_code = kCreditorCf};
  n.debtor = {
      .name = "Niccolò Mazzà", .fiscal_code = "MZZNCL85D03L219X", .address = "Via Roma 1\n14100 Asti AT"};
  n.portal_url = "https://sportello.example/citta-alta/pagamenti";
  return n;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> all_codes(const std::vector<std::vector<std::string>>& pages) {
  std::vector<std::string> out;
  for (const auto& p : pages) out.insert(out.end(), p.begin(), p.end());
  return sorted(out);
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(PaymentNoticePdf, TheNavWithItsCheckDigitsIsTheSpecsExample) {
  // The helper above must agree with SPEC.md's example before anything is built on it.
  EXPECT_EQ(nav("02", "0320027000002"), "302032002700000251");
  EXPECT_EQ(grouped("302032002700000251"), "3020 3200 2700 0002 51");
  EXPECT_EQ(notice_qr_payload("302032002700000251", kCreditorCf, 12000),
            "PAGOPA|002|302032002700000251|00743110157|12000");
}

TEST(PaymentNoticePdf, ASinglePaymentShowsWhatTheNoticeMustSayAndItsQrCodeScans) {
  auto n = base_notice();
  n.single = option("0320027000002", 12050, day(2027, 1, 31));
  const auto pdf = render_payment_notice(n, sp::testing::locales(), "it");
  keep_pdf("notice-single-it.pdf", pdf);

  const auto text = pdf_text(pdf);
  for (const char* s : {"Comune di Città Alta",
                        "AVVISO DI PAGAMENTO",
                        "TARI 2026 — tassa sui rifiuti, abitazione di via Niccolò Tommaseo 4",
                        "Ente creditore",
                        "00743110157",
                        "Ufficio tributi",
                        "Destinatario dell'avviso",
                        "Niccolò Mazzà",
                        "MZZNCL85D03L219X",
                        "Via Roma 1 14100 Asti AT",
                        "Quanto e quando pagare?",
                        "€ 120,50 entro il 31/01/2027",
                        "Dove pagare?",
                        "https://sportello.example/citta-alta/pagamenti",
                        "app IO",
                        "home banking",
                        "in banca",
                        "uffici postali",
                        "tabaccaio",
                        "Pagamento in unica soluzione",
                        "€ 120,50",
                        "entro il 31/01/2027",
                        "Codice avviso 3020 3200 2700 0002 51",
                        "Codice fiscale ente creditore 00743110157",
                        "Pagina 1 di 1"}) {
    EXPECT_TRUE(has(text, s)) << s << "\n---\n" << text;
  }
  EXPECT_FALSE(has(text, "payments_pdf.")) << "a locale key shows instead of its text:\n" << text;
  EXPECT_FALSE(has(text, "Rata")) << text;

  const auto f = pdf_facts(pdf);
  EXPECT_EQ(f.pages, 1);
  EXPECT_TRUE(f.struct_tree);
  EXPECT_TRUE(f.marked);
  EXPECT_TRUE(f.display_title);
  EXPECT_TRUE(f.xmp);
  EXPECT_EQ(f.lang, "it-IT");
  EXPECT_EQ(f.title,
            "Avviso di pagamento — TARI 2026 — tassa sui rifiuti, abitazione di via Niccolò Tommaseo 4");
  EXPECT_EQ(f.tags.count("H1"), 1U);
  EXPECT_EQ(f.tags.count("H2"), 3U);     // how much, where, the single payment
  EXPECT_EQ(f.tags.count("Table"), 2U);  // creditor and addressee side by side, the payment's details
  EXPECT_EQ(f.tags.count("TH"), 2U + 6U);
  EXPECT_EQ(f.tags.count("Figure"), 1U);
  EXPECT_EQ(f.tags.count("L"), 1U);
  EXPECT_EQ(f.alts.count("Codice QR pagoPA: codice avviso 3020 3200 2700 0002 51, codice fiscale dell'ente "
                         "creditore 00743110157, importo € 120,50"),
            1U);

  const auto pages = scan_qr_codes(pdf);
  ASSERT_EQ(pages.size(), 1U);
  EXPECT_EQ(pages[0], std::vector<std::string>{"PAGOPA|002|302032002700000251|00743110157|12050"});
}

TEST(PaymentNoticePdf, ThreeInstalmentsAndTheSinglePaymentEachHaveTheirOwnQrCode) {
  auto n = base_notice();
  n.single = option("0000000000100", 30000, day(2027, 1, 31));
  n.instalments = {option("0000000000101", 10000, day(2027, 1, 31)),
                   option("0000000000102", 10000, day(2027, 3, 31)),
                   option("0000000000103", 10001, day(2027, 5, 31))};
  const auto pdf = render_payment_notice(n, sp::testing::locales(), "it");
  keep_pdf("notice-instalments-it.pdf", pdf);

  const auto text = pdf_text(pdf);
  for (const char* s :
       {"€ 300,00 entro il 31/01/2027", "Puoi pagare tutto in una volta oppure in 3 rate.",
        "Pagamento a rate", "Rata 1 di 3", "Rata 2 di 3", "Rata 3 di 3", "€ 100,01", "entro il 31/03/2027",
        "entro il 31/05/2027", "Comune di Città Alta — TARI 2026", "Pagina 1 di 2", "Pagina 2 di 2"}) {
    EXPECT_TRUE(has(text, s)) << s << "\n---\n" << text;
  }
  std::vector<std::string> expected;
  for (const auto* o : {&*n.single, &n.instalments[0], &n.instalments[1], &n.instalments[2]}) {
    EXPECT_TRUE(has(text, o->nav_grouped)) << o->nav_grouped;
    expected.push_back("PAGOPA|002|" + o->nav + "|00743110157|" + std::to_string(o->amount));
  }

  const auto f = pdf_facts(pdf);
  EXPECT_EQ(f.pages, 2);
  EXPECT_EQ(f.tags.count("Figure"), 4U);
  EXPECT_EQ(f.tags.count("H3"), 3U);  // one per instalment
  EXPECT_EQ(f.alts.size(), 4U);
  // The second page says whose notice it belongs to (pagoPA repeats the header on every page).
  EXPECT_TRUE(
      has(text,
          "Comune di Città Alta — TARI 2026 — tassa sui rifiuti, abitazione di via Niccolò Tommaseo 4 — "
          "destinatario: Niccolò Mazzà"))
      << text;

  // The single payment on the first page with the notice, the three instalments together on the second.
  const auto pages = scan_qr_codes(pdf);
  ASSERT_EQ(pages.size(), 2U);
  EXPECT_EQ(pages[0], std::vector<std::string>{expected[0]});
  EXPECT_EQ(sorted(pages[1]), sorted({expected[1], expected[2], expected[3]}));
  EXPECT_EQ(all_codes(pages), sorted(expected));
}

TEST(PaymentNoticePdf, InstalmentsWithoutASinglePaymentShowTheirTotal) {
  auto n = base_notice();
  n.instalments = {option("0000000000201", 5000, day(2027, 2, 28)),
                   option("0000000000202", 5050, std::nullopt)};
  const auto pdf = render_payment_notice(n, sp::testing::locales(), "it");
  const auto text = pdf_text(pdf);
  EXPECT_TRUE(has(text, "€ 100,50 in 2 rate")) << text;
  EXPECT_TRUE(has(text, "La prima rata scade il 28/02/2027")) << text;
  EXPECT_TRUE(has(text, "senza scadenza")) << text;
  EXPECT_FALSE(has(text, "unica soluzione")) << text;
  const auto pages = scan_qr_codes(pdf);
  EXPECT_EQ(all_codes(pages), sorted({"PAGOPA|002|" + n.instalments[0].nav + "|00743110157|5000",
                                      "PAGOPA|002|" + n.instalments[1].nav + "|00743110157|5050"}));
}

TEST(PaymentNoticePdf, AFineShowsTheReducedAmountUntilItsLastDayAndTheFullAmountAfter) {
  auto n = base_notice();
  n.office = "Polizia locale";
  n.subject = "Verbale n. 1234/2026 — violazione dell'art. 7 del Codice della strada";
  // Notified on Friday 4 December 2026: the reduced amount until the fifth day after, 9 December.
  n.fine = NoticeFine{.reduced = option("0000000000301", 2940, day(2026, 12, 9)),
                      .full = option("0000000000302", 4200, day(2027, 2, 2)),
                      .notified_on = day(2026, 12, 4)};
  const auto pdf = render_payment_notice(n, sp::testing::locales(), "it");
  keep_pdf("notice-fine-it.pdf", pdf);
  const auto text = pdf_text(pdf);
  for (const char* s :
       {"€ 29,40 entro il 09/12/2026", "Se paghi entro il 09/12/2026 paghi l'importo ridotto, € 29,40",
        "art. 202", "Dopo, paghi l'importo intero, € 42,00, entro il 02/02/2027.",
        "Verbale notificato il 04/12/2026", "Importo ridotto", "Importo intero",
        "Scadenza dal 10/12/2026 al 02/02/2027", "Pagina 1 di 1"}) {
    EXPECT_TRUE(has(text, s)) << s << "\n---\n" << text;
  }
  const auto pages = scan_qr_codes(pdf);
  ASSERT_EQ(pages.size(), 1U);
  EXPECT_EQ(sorted(pages[0]), sorted({"PAGOPA|002|" + n.fine->reduced.nav + "|00743110157|2940",
                                      "PAGOPA|002|" + n.fine->full.nav + "|00743110157|4200"}));
}

TEST(PaymentNoticePdf, AFinePrintedBeforeNotificationCountsDaysFromTheNotification) {
  auto n = base_notice();
  n.fine = NoticeFine{.reduced = option("0000000000401", 2940, std::nullopt),
                      .full = option("0000000000402", 4200, std::nullopt)};
  const auto text = pdf_text(render_payment_notice(n, sp::testing::locales(), "it"));
  EXPECT_TRUE(has(text, "entro 5 giorni dalla notifica")) << text;
  EXPECT_TRUE(has(text, "dal 6° al 60° giorno dalla notifica")) << text;
  EXPECT_TRUE(has(text, "entro 60 giorni dalla notifica")) << text;
}

TEST(PaymentNoticePdf, InEnglishTheTextsAndTheDocumentLanguageAreEnglish) {
  auto n = base_notice();
  n.single = option("0320027000002", 12050, day(2027, 1, 31));
  n.instalments = {option("0000000000501", 6025, day(2027, 1, 31)),
                   option("0000000000502", 6025, day(2027, 4, 30))};
  const auto pdf = render_payment_notice(n, sp::testing::locales(), "en");
  keep_pdf("notice-instalments-en.pdf", pdf);
  const auto text = pdf_text(pdf);
  for (const char* s : {"PAYMENT NOTICE", "Creditor body", "Addressee of the notice", "How much and by when?",
                        "€120.50 by 31/01/2027", "You can pay it all at once or in 2 instalments.",
                        "Where to pay?", "Single payment", "Instalment 1 of 2", "Instalment 2 of 2",
                        "Notice code 3020 3200 2700 0002 51", "Page 1 of 2"}) {
    EXPECT_TRUE(has(text, s)) << s << "\n---\n" << text;
  }
  EXPECT_FALSE(has(text, "payments_pdf.")) << text;
  EXPECT_FALSE(has(text, "Quanto")) << text;
  const auto f = pdf_facts(pdf);
  EXPECT_EQ(f.lang, "en");
  EXPECT_EQ(f.title, "Payment notice — TARI 2026 — tassa sui rifiuti, abitazione di via Niccolò Tommaseo 4");
  EXPECT_EQ(all_codes(scan_qr_codes(pdf)).size(), 3U);
}

TEST(PaymentNoticePdf, LongNamesAndTheLongestObjectWrapAndStayReadable) {
  auto n = base_notice();
  n.subject = std::string(
      "Canone unico patrimoniale per l'occupazione di suolo pubblico con ponteggi per lavori edili in via "
      "Garibaldi, anno 2026");  // near the 140 characters a description may have
  n.debtor = {
      .name = "Società Cooperativa Edile Artigiana del Monferrato e delle Langhe a responsabilità limitata",
      .fiscal_code = "00743110157",
      .address =
          "Strada provinciale per Casale Monferrato, località Cascina Nuova, km 12,500\n15033 "
          "Casale Monferrato AL",
      .organisation = true};
  n.single = option("0000000000601", 123456789, day(2027, 12, 31));
  const auto pdf = render_payment_notice(n, sp::testing::locales(), "it");
  keep_pdf("notice-long-it.pdf", pdf);
  const auto text = pdf_text(pdf);
  EXPECT_TRUE(has(text, "€ 1.234.567,89")) << text;
  EXPECT_TRUE(has(text, "Codice fiscale o partita IVA 00743110157")) << text;
  EXPECT_TRUE(has(text, "Società Cooperativa Edile Artigiana")) << text;
  EXPECT_TRUE(has(text, "a responsabilità limitata")) << text;
  EXPECT_TRUE(has(text, "in via Garibaldi, anno 2026")) << text;
  EXPECT_EQ(all_codes(scan_qr_codes(pdf)),
            std::vector<std::string>{"PAGOPA|002|" + n.single->nav + "|00743110157|123456789"});
}

TEST(PaymentNoticePdf, ManyInstalmentsRunOnAsManyPagesAsNeededNoSectionCut) {
  auto n = base_notice();
  std::vector<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    n.instalments.push_back(
        option("000000000100" + std::to_string(i), 1000 + i, day(2027, static_cast<unsigned>(1 + i), 28)));
    expected.push_back("PAGOPA|002|" + n.instalments.back().nav + "|00743110157|" + std::to_string(1000 + i));
  }
  const auto pdf = render_payment_notice(n, sp::testing::locales(), "it");
  keep_pdf("notice-seven-it.pdf", pdf);
  const auto pages = scan_qr_codes(pdf);
  const auto f = pdf_facts(pdf);
  ASSERT_GE(f.pages, 2);
  EXPECT_EQ(static_cast<int>(pages.size()), f.pages);
  // Every section is whole on one page: a section cut by a page break would not scan.
  EXPECT_EQ(all_codes(pages), sorted(expected));
  const auto text = pdf_text(pdf);
  EXPECT_TRUE(has(text, "€ 70,21 in 7 rate")) << text;
  EXPECT_TRUE(has(text, "Rata 7 di 7")) << text;
  for (int p = 2; p <= f.pages; ++p)
    EXPECT_TRUE(has(text, "Pagina " + std::to_string(p) + " di " + std::to_string(f.pages)));
}

TEST(PaymentNoticePdf, TheQrCodesAlsoScanAtALowResolution) {
  auto n = base_notice();
  n.single = option("0320027000002", 12050, day(2027, 1, 31));
  n.instalments = {option("0000000000701", 6025, day(2027, 1, 31)),
                   option("0000000000702", 6025, day(2027, 4, 30))};
  EXPECT_EQ(all_codes(scan_qr_codes(render_payment_notice(n, sp::testing::locales(), "it"), 100)).size(), 3U);
}

TEST(PaymentNoticePdf, WhatCannotMakeAPayableNoticeIsRefused) {
  const auto& texts = sp::testing::locales();
  auto ok = base_notice();
  ok.single = option("0320027000002", 12050, day(2027, 1, 31));
  EXPECT_NO_THROW((void)render_payment_notice(ok, texts, "it"));

  auto none = base_notice();
  EXPECT_THROW((void)render_payment_notice(none, texts, "it"), std::invalid_argument);

  auto short_nav = ok;
  short_nav.single->nav = "30203200270000025";
  short_nav.single->nav_grouped = "3020 3200 2700 0002 5";
  EXPECT_THROW((void)render_payment_notice(short_nav, texts, "it"), std::invalid_argument);

  auto letters = ok;
  letters.single->nav = "30203200270000025A";
  letters.single->nav_grouped = "3020 3200 2700 0002 5A";
  EXPECT_THROW((void)render_payment_notice(letters, texts, "it"), std::invalid_argument);

  auto disagree = ok;  // the printed code and the QR code would name different notices
  disagree.single->nav_grouped = "3020 3200 2700 0002 52";
  EXPECT_THROW((void)render_payment_notice(disagree, texts, "it"), std::invalid_argument);

  auto person_cf = ok;  // the QR code carries the body's 11-digit fiscal code
  person_cf.creditor.fiscal_code = "MZZNCL85D03L219X";
  EXPECT_THROW((void)render_payment_notice(person_cf, texts, "it"), std::invalid_argument);

  auto zero = ok;
  zero.instalments = {option("0000000000801", 0, day(2027, 1, 31))};
  EXPECT_THROW((void)render_payment_notice(zero, texts, "it"), std::invalid_argument);

  auto bad_fine = base_notice();
  bad_fine.fine = NoticeFine{.reduced = option("0000000000901", 2940, day(2026, 12, 9)),
                             .full = option("0000000000902", 4200, day(2027, 2, 2))};
  bad_fine.fine->full.nav = "1";
  EXPECT_THROW((void)render_payment_notice(bad_fine, texts, "it"), std::invalid_argument);
}

}  // namespace
}  // namespace sp::payments
