#pragma once
// The receipt of a sent application as a tagged PDF (core/pdf, A4 portrait): the body, the service, the
// protocol number and date, the case's deadline, then every answer as the applicant saw it on the
// summary page, step by step (headings) in label/value tables. The caller gives the texts already in the
// reader's language, with the language's tag and page label from the locales; this file only lays them out.
#include <string>
#include <string_view>
#include <vector>

#include "stamp/pdf_stamp.hpp"

namespace sp::applications {

struct ReceiptLine {
  std::string label;
  std::string value;
  int level = 0;         // 0: a step title (a heading); 1: an answer; 2: an answer inside a group item
  bool heading = false;  // a step or a group item's title
};

struct ReceiptPdf {
  std::string lang = "it-IT";  // the document's language tag (locale key pdf.lang)
  std::string title;           // "Ricevuta di presentazione della domanda"
  std::string body_name;
  std::string service_title;
  std::vector<std::pair<std::string, std::string>> facts;  // protocol, date, deadline, applicant, ...
  std::string answers_title;
  std::vector<ReceiptLine> lines;
  std::string footer;      // at the foot of every page
  std::string page_label;  // "Pagina {page} di {pages}" (locale key pdf.page_of)
  double label_width = 190;
  bool compress = true;                 // false writes the content streams uncompressed (debugging)
  const stamp::Block* stamp = nullptr;  // the digital stamp's block, printed last (docs/stamp.md)
};

// Throws std::runtime_error if the PDF layer fails.
std::string render_receipt_pdf(const ReceiptPdf& r);

}  // namespace sp::applications
