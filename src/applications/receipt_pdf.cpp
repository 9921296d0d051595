#include "applications/receipt_pdf.hpp"

#include <utility>

#include "core/pdf/document.hpp"

namespace sp::applications {

std::string render_receipt_pdf(const ReceiptPdf& r) {
  pdf::Options o;
  o.lang = r.lang;
  o.title = r.service_title.empty() ? r.title : r.title + " — " + r.service_title;
  o.author = r.body_name;
  o.footer = r.footer;
  o.page_label = r.page_label;
  o.compress = r.compress;
  pdf::Document doc(o);
  doc.letterhead(r.body_name);
  doc.heading(1, r.title);
  doc.paragraph(r.service_title, {.size = 12, .space_after = 6});
  doc.rule();
  doc.key_values(r.facts, {.size = 10, .label_width = r.label_width});
  doc.rule();
  if (!r.answers_title.empty()) doc.heading(2, r.answers_title, 12);

  // Consecutive answers at the same depth make one label/value table; a step title is a heading (H3), a
  // group item's title a heading below it (H4), its answers indented.
  std::vector<std::pair<std::string, std::string>> pairs;
  double indent = 0;
  auto flush = [&] {
    doc.key_values(std::exchange(pairs, {}), {.label_width = r.label_width, .indent = indent});
  };
  for (const auto& l : r.lines) {
    const double line_indent = l.level >= 2 ? 14.0 : 0.0;
    if (l.heading) {
      flush();
      doc.heading(l.level == 0 ? 3 : 4, l.label, l.level == 0 ? 11.0 : 10.0);
      continue;
    }
    if (line_indent != indent) flush();
    indent = line_indent;
    pairs.emplace_back(l.label, l.value.empty() ? "—" : l.value);
  }
  flush();
  if (r.stamp != nullptr) stamp::add_block(doc, *r.stamp);
  return doc.finish();
}

}  // namespace sp::applications
