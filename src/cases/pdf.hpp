#pragma once
// The PDFs a case produces: the application summary (when the submitting page gives none), the notice of
// grounds (art. 10-bis) and the decision. A plain A4 letter: the body's name, a title, a few "label: value"
// lines, then paragraphs. Texts are UTF-8; they are written with the standard fonts (Windows-1252).
#include <string>
#include <utility>
#include <vector>

namespace sp::cases {

struct Letter {
  std::string heading;                                     // "Comune di Asti"
  std::string title;                                       // "Provvedimento di accoglimento"
  std::vector<std::pair<std::string, std::string>> facts;  // "Protocollo della domanda" → "0000042/2026"
  std::vector<std::string> paragraphs;                     // '\n' breaks a line
  std::string footer;                                      // on every page, with "Pagina i di n"
};

// The PDF bytes. Throws std::runtime_error when libharu fails (a bug, not a user error).
std::string render_letter(const Letter& letter);

}  // namespace sp::cases
