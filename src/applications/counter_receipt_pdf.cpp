#include "applications/counter_receipt_pdf.hpp"

#include "applications/receipt_pdf.hpp"

namespace sp::applications {

std::string render_counter_receipt_pdf(const identity::CounterReceiptDocument& doc) {
  ReceiptPdf r;
  r.lang = doc.lang;
  r.title = doc.title;
  r.body_name = doc.body_name;
  r.service_title = doc.subtitle;
  r.facts = doc.facts;
  r.answers_title = doc.actions_title;
  for (const auto& [when, what] : doc.actions) r.lines.push_back({when, what, 1, false});
  if (doc.actions.empty()) r.lines.push_back({doc.no_actions, "", 1, true});
  r.footer = doc.footer;
  r.page_label = doc.page_label;
  r.label_width = 150;  // the times of the actions are short; their descriptions get the room
  r.compress = doc.compress;
  return render_receipt_pdf(r);
}

}  // namespace sp::applications
