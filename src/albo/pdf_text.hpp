#pragma once
// The text layer of a PDF, read with poppler's pdftotext (poppler-utils, a Debian package the project
// already installs for its tests): the personal-data warning reads what a PDF says. "" when the PDF has
// no text layer or cannot be read (a scan: the warning then relies on the subject).
#include <string>
#include <string_view>

namespace sp::albo {

std::string pdf_text(std::string_view pdf);

}  // namespace sp::albo
