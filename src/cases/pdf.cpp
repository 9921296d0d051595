#include "cases/pdf.hpp"

#include "core/pdf/document.hpp"

namespace sp::cases {

std::string render_letter(const Letter& letter) {
  pdf::Options o;
  o.lang = letter.lang;
  o.title = letter.title;
  // The heading is the body, then its office on a second line: the body is the author.
  o.author = letter.heading.substr(0, letter.heading.find('\n'));
  o.footer = letter.footer.empty() ? letter.heading : letter.footer;
  o.page_label = letter.page_label;
  o.margin = 56;  // about 2 cm, as a letter
  pdf::Document doc(o);
  if (!letter.heading.empty()) doc.letterhead(letter.heading);
  doc.heading(1, letter.title, 15);
  for (const auto& [label, value] : letter.facts)
    doc.paragraph(label + ": " + value, {.size = 10, .space_after = 2});
  if (!letter.facts.empty()) doc.space(8);
  for (const auto& p : letter.paragraphs) doc.paragraph(p, {.size = 11, .space_after = 8});
  if (letter.stamp != nullptr) stamp::add_block(doc, *letter.stamp);
  return doc.finish();
}

}  // namespace sp::cases
