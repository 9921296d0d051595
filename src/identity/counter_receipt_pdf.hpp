#pragma once
// The counter receipt as a document in words (what the HTML receipt shows, and its PDF): the session's
// readable number, the operator's name and office, the citizen, and one line per thing done, in the
// reader's language, Rome times in Italian format, no action codes or record ids. Built by
// counter_web.cpp; laid out as a PDF with the application receipt's layout
// (applications/counter_receipt_pdf.cpp, wired by the app), so both receipts from the counter look alike.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sp::identity {

struct CounterReceiptDocument {
  std::string lang = "it-IT";                                // the language tag (locale key pdf.lang)
  std::string title;                                         // "Ricevuta dello sportello assistito"
  std::string body_name;                                     // the operator's body
  std::string subtitle;                                      // "Ricevuta n. SA-2026-000042"
  std::vector<std::pair<std::string, std::string>> facts;    // number, operator, citizen, document, times
  std::string actions_title;                                 // "Operazioni svolte"
  std::vector<std::pair<std::string, std::string>> actions;  // (when, what), in words
  std::string no_actions;                                    // when `actions` is empty
  std::string footer;
  std::string page_label;  // "Pagina {page} di {pages}" (locale key pdf.page_of)
  bool compress = true;    // tests turn it off to read the text
};

// The PDF bytes of a counter receipt.
using CounterReceiptRenderer = std::function<std::string(const CounterReceiptDocument&)>;

}  // namespace sp::identity
