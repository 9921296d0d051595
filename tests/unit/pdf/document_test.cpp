// core/pdf: the documents are tagged (a structure tree with headings, paragraphs, tables and figures), say
// their language and title, and their text extracts as written, Italian letters and the euro sign
// included; long tables continue on new pages with page numbers on every page.
#include "core/pdf/document.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/pdf_inspect.hpp"

namespace {

using sp::testing::pdf_facts;
using sp::testing::pdf_text;

sp::pdf::Options options() {
  sp::pdf::Options o;
  o.lang = "it-IT";
  o.title = "Ricevuta di prova — Comune di Città";
  o.author = "Comune di Città";
  o.footer = "Comune di Città";
  o.page_label = "Pagina {page} di {pages}";
  return o;
}

TEST(PdfDocument, IsTaggedWithLanguageTitleAndStructure) {
  sp::pdf::Document doc(options());
  doc.letterhead("Comune di Città");
  doc.heading(1, "Ricevuta di presentazione");
  doc.paragraph("Perché è già così: àèéìòù ÀÈÉÌÒÙ, costo € 16,00 – “virgolette” …");
  doc.heading(2, "Dati della domanda");
  doc.key_values({{"Protocollo", "0000042/2026"}, {"Richiedente", "Niccolò Mazzà"}});
  doc.table({{"Numero", 1}, {"Oggetto", 3}}, {{"1", "Agibilità"}, {"2", "Residenza"}});
  doc.list({"primo punto", "secondo punto"});
  doc.qr("https://sportello.example/verifica/abc", "Codice QR per verificare la ricevuta");
  const std::string bytes = doc.finish();
  ASSERT_EQ(bytes.rfind("%PDF-", 0), 0U);

  const auto f = pdf_facts(bytes);
  EXPECT_TRUE(f.struct_tree);
  EXPECT_TRUE(f.marked);
  EXPECT_EQ(f.lang, "it-IT");
  EXPECT_TRUE(f.display_title);
  EXPECT_EQ(f.title, "Ricevuta di prova — Comune di Città");
  EXPECT_TRUE(f.xmp);
  EXPECT_EQ(f.tags.count("H1"), 1U);
  EXPECT_EQ(f.tags.count("H2"), 1U);
  EXPECT_GE(f.tags.count("P"), 2U);
  EXPECT_EQ(f.tags.count("Table"), 2U);  // the key-value pairs and the table
  EXPECT_EQ(f.tags.count("TR"), 5U);     // 2 pairs, the header row and 2 rows
  EXPECT_EQ(f.tags.count("TH"), 4U);     // 2 row headers, 2 column headers
  EXPECT_EQ(f.tags.count("TD"), 6U);
  EXPECT_EQ(f.tags.count("L"), 1U);
  EXPECT_EQ(f.tags.count("LI"), 2U);
  EXPECT_EQ(f.tags.count("Figure"), 1U);
  EXPECT_EQ(f.alts.count("Codice QR per verificare la ricevuta"), 1U);

  const std::string text = pdf_text(bytes);
  EXPECT_NE(text.find("Perché è già così: àèéìòù ÀÈÉÌÒÙ, costo € 16,00 – “virgolette” …"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Niccolò Mazzà"), std::string::npos) << text;
  EXPECT_NE(text.find("Pagina 1 di 1"), std::string::npos) << text;
}

TEST(PdfDocument, TheLanguageIsTheCallers) {
  auto o = options();
  o.lang = "en";
  sp::pdf::Document doc(o);
  doc.heading(1, "Receipt");
  EXPECT_EQ(pdf_facts(doc.finish()).lang, "en");
}

TEST(PdfDocument, LongTablesBreakPagesAndEveryPageIsNumbered) {
  auto o = options();
  o.landscape = true;
  sp::pdf::Document doc(o);
  doc.heading(1, "Registro");
  std::vector<std::vector<std::string>> rows;
  for (int i = 1; i <= 120; ++i)
    rows.push_back({std::to_string(i), "Richiesta di agibilità dell'immobile in via Località Città n. " +
                                           std::to_string(i) +
                                           " con una descrizione che va a capo più volte"});
  sp::pdf::TableStyle style;
  style.cut_note = "[…]";
  doc.table({{"Numero", 1}, {"Oggetto", 2}}, rows, style);
  const std::string bytes = doc.finish();
  const auto f = pdf_facts(bytes);
  ASSERT_GT(f.pages, 2);
  EXPECT_EQ(f.tags.count("TR"), 121U);  // the header row is tagged once, not on every page
  const std::string text = pdf_text(bytes);
  for (int p = 1; p <= f.pages; ++p) {
    const std::string label = "Pagina " + std::to_string(p) + " di " + std::to_string(f.pages);
    EXPECT_NE(text.find(label), std::string::npos) << label;
  }
  EXPECT_NE(text.find("Località Città n. 120"), std::string::npos);
}

TEST(PdfDocument, AnOverlongCellIsCutWithTheCallersNote) {
  sp::pdf::Document doc(options());
  sp::pdf::TableStyle style;
  style.max_cell_lines = 3;
  style.cut_note = "[testo completo altrove]";
  std::string longer;
  for (int i = 0; i < 200; ++i) longer += "parola ";
  doc.table({{"A", 1}, {"B", 1}}, {{"x", longer}}, style);
  const std::string text = pdf_text(doc.finish());
  EXPECT_NE(text.find("[testo completo altrove]"), std::string::npos) << text;
}

TEST(PdfDocument, InvalidUtf8AndControlCharactersDoNotBreakTheDocument) {
  sp::pdf::Document doc(options());
  doc.paragraph(
      std::string("a\xff"
                  "b\x01"
                  "c \xc3"));
  doc.paragraph(std::string(300, 'x'));  // one word wider than the line is cut
  const std::string text = pdf_text(doc.finish());
  EXPECT_NE(text.find("a?b c ?"), std::string::npos) << text;
}

// A 2×2 PNG, as a body's logo would be.
const std::string kPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02"
    "\x00\x00\x00\xfd\xd4\x9a\x73\x00\x00\x00\x0f\x49\x44\x41\x54\x78\x9c\x63\x60\x70\xeb\x01\x21\x08\x05\x00"
    "\x14\xd6\x03\x49\xa1\x93\x95\x2f\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    72);

TEST(PdfDocument, TheLogoIsAFigureWithItsTextAlternative) {
  sp::pdf::Document doc(options());
  doc.letterhead("Comune di Città", kPng, "Stemma del Comune di Città");
  doc.heading(1, "Certificato");
  const std::string bytes = doc.finish();
  const auto f = pdf_facts(bytes);
  EXPECT_EQ(f.tags.count("Figure"), 1U);
  EXPECT_EQ(f.alts.count("Stemma del Comune di Città"), 1U);
  EXPECT_NE(pdf_text(bytes).find("Comune di Città Certificato"), std::string::npos);
}

TEST(PdfDocument, AQrPanelIsAHeadingATableAndAFigureKeptOnOnePage) {
  auto o = options();
  o.running_header = "Comune di Città — avviso TARI 2026";
  sp::pdf::Document doc(o);
  doc.heading(1, "Avviso");
  doc.space(600);  // most of the first page used: the panel cannot fit under it and moves whole
  sp::pdf::QrPanel panel;
  panel.heading = "Rata 1 di 2";
  panel.aside = "€ 10,00";
  panel.rows = {{"Codice avviso", "3020 3200 2700 0002 51"}, {"Scadenza", "entro il 31/01/2027"}};
  panel.qr_payload = "PAGOPA|002|302032002700000251|00743110157|1000";
  panel.qr_alt = "Codice QR della rata 1";
  panel.note = "Nota sotto il codice";
  doc.qr_panel(panel);
  doc.page_break();
  doc.paragraph("Terza pagina");
  const std::string bytes = doc.finish();
  const auto f = pdf_facts(bytes);
  EXPECT_EQ(f.pages, 3);
  EXPECT_EQ(f.tags.count("H2"), 1U);
  EXPECT_EQ(f.tags.count("Table"), 1U);
  EXPECT_EQ(f.tags.count("TH"), 2U);
  EXPECT_EQ(f.tags.count("Figure"), 1U);
  EXPECT_EQ(f.alts.count("Codice QR della rata 1"), 1U);
  const std::string text = pdf_text(bytes);
  EXPECT_NE(text.find("Rata 1 di 2 € 10,00"), std::string::npos) << text;
  EXPECT_NE(text.find("Codice avviso 3020 3200 2700 0002 51"), std::string::npos) << text;
  EXPECT_NE(text.find("Nota sotto il codice"), std::string::npos) << text;
  // The running header on the second and third pages, not on the first.
  const auto first = text.find("Comune di Città — avviso TARI 2026");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_GT(first, text.find("Pagina 1 di 3")) << text;
  EXPECT_NE(text.find("Comune di Città — avviso TARI 2026", first + 1), std::string::npos) << text;
}

TEST(PdfDocument, AnInvalidImageIsAnError) {
  sp::pdf::Document doc(options());
  doc.image("not a png", "x", 40);
  EXPECT_THROW((void)doc.finish(), std::runtime_error);
}

}  // namespace
