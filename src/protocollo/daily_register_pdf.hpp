#pragma once
// The daily register of protocol as a PDF (libharu): a heading with the body, the AOO, the day, the
// counts, the SHA-256 of the JSON register and the audit head, then the table of the day's entries and
// the table of the day's changes, on as many A4 landscape pages as needed, with Italian labels.
#include <hpdf.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocollo/daily_register.hpp"
#include "protocollo/daily_register_store.hpp"

namespace sp::protocollo {

struct PdfOptions {
  bool compress = true;  // tests turn it off to read the content streams
  // The name of who made a change ("staff:<id>", "system:cases" as the register keeps them); unset, the
  // register says "Operatore dell'ente" or "Sistema", never an id (issue 11, point 5).
  std::function<std::string(const std::string&)> actor_name;
};

// `content` as it was at the end of the day (the service has rolled later changes back); `info` gives
// the counts, produced_at, json_sha256 and the audit head. Throws std::runtime_error if libharu fails.
std::string render_daily_register_pdf(const RegisterContent& content, const DailyRegisterInfo& info,
                                      const PdfOptions& options = {});

// UTF-8 to Windows-1252 (libharu's WinAnsiEncoding for the standard fonts): Latin-1 letters (à è é ì ò
// ù ...) and the typographic marks of 0x80-0x9F (€ ’ “ ” – — …) are kept, '\n' is kept (the layout breaks
// lines there), other control characters become spaces, anything else (and invalid UTF-8) becomes '?'.
std::string utf8_to_winansi(std::string_view utf8);

// Text layout shared by the platform's PDF letters (daily register, case letters, receipts): the width
// of WinAnsi text in `font` at `size` points, and word-wrapping to `max_width` ('\n' starts a new line;
// a word wider than the column is cut).
float pdf_text_width(const std::string& winansi, HPDF_Font font, float size);
std::vector<std::string> pdf_wrap(const std::string& winansi, HPDF_Font font, float size, float max_width);

}  // namespace sp::protocollo
