#pragma once
// The receipt of a sent application as a PDF (libharu, A4 portrait): the body, the service, the protocol
// number and date, the case's deadline, then every answer as the applicant saw it on the summary page.
// The caller gives the texts already in the reader's language; this file only lays them out.
#include <string>
#include <string_view>
#include <vector>

namespace sp::applications {

struct ReceiptLine {
  std::string label;
  std::string value;
  int level = 0;         // 0: a step title (a heading); 1: an answer; 2: an answer inside a group item
  bool heading = false;  // a step or a group item's title
};

struct ReceiptPdf {
  std::string title;  // "Ricevuta di presentazione della domanda"
  std::string body_name;
  std::string service_title;
  std::vector<std::pair<std::string, std::string>> facts;  // protocol, date, deadline, applicant, ...
  std::string answers_title;
  std::vector<ReceiptLine> lines;
  std::string footer;    // at the foot of every page, with "n / total"
  bool compress = true;  // tests turn it off to read the text
};

// Throws std::runtime_error if libharu fails.
std::string render_receipt_pdf(const ReceiptPdf& r);

}  // namespace sp::applications
