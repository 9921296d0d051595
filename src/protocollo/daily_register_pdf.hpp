#pragma once
// The daily register of protocol as a tagged PDF (core/pdf): a heading with the body, the AOO, the day,
// the counts, the SHA-256 of the JSON register and the audit head, then the table of the day's entries
// and the table of the day's changes (the header row repeated on every page), on as many A4 landscape
// pages as needed. Its labels come from web/locales/it/protocollo_registro_pdf.json, always in Italian: the
// register is a legal record kept in Italian.
#include <functional>
#include <string>

#include "core/i18n.hpp"
#include "protocollo/daily_register.hpp"
#include "protocollo/daily_register_store.hpp"
#include "stamp/pdf_stamp.hpp"

namespace sp::protocollo {

struct PdfOptions {
  bool compress = true;  // false writes the content streams uncompressed (debugging)
  // The name of who made a change ("staff:<id>", "system:cases" as the register keeps them); unset, the
  // register says "Operatore dell'ente" or "Sistema", never an id (issue 11, point 5).
  std::function<std::string(const std::string&)> actor_name;
  const stamp::Block* stamp = nullptr;  // the digital stamp's block, printed last (docs/stamp.md)
};

// `content` as it was at the end of the day (the service has rolled later changes back); `info` gives
// the counts, produced_at, json_sha256 and the audit head; `texts` the loaded locales. Throws
// std::runtime_error if the PDF layer fails.
std::string render_daily_register_pdf(const RegisterContent& content, const DailyRegisterInfo& info,
                                      const I18n& texts, const PdfOptions& options = {});

}  // namespace sp::protocollo
