#pragma once
// The PDFs a case produces: the application summary (when the submitting page gives none), the notice of
// grounds (art. 10-bis) and the decision. A tagged A4 letter (core/pdf): the body's name, a title (H1), a
// few "label: value" lines, then paragraphs; the footer and "Pagina i di n" on every page.
#include <string>
#include <utility>
#include <vector>

#include "stamp/pdf_stamp.hpp"

namespace sp::cases {

struct Letter {
  std::string lang = "it-IT";                              // its language tag (locale key pdf.lang)
  std::string heading;                                     // "Comune di Asti"
  std::string title;                                       // "Provvedimento di accoglimento"
  std::vector<std::pair<std::string, std::string>> facts;  // "Protocollo della domanda" → "0000042/2026"
  std::vector<std::string> paragraphs;                     // '\n' breaks a line
  std::string footer;                                      // on every page
  std::string page_label;                                  // "Pagina {page} di {pages}" (pdf.page_of)
  const stamp::Block* stamp = nullptr;  // the digital stamp's block, printed last (docs/stamp.md)
};

// The PDF bytes. Throws std::runtime_error when the PDF layer fails (a bug, not a user error).
std::string render_letter(const Letter& letter);

}  // namespace sp::cases
