#pragma once
// The pagoPA payment notice (avviso di pagamento) as a tagged A4 PDF (core/pdf), in the spirit of pagoPA's
// official layout (docs.pagopa.it, "L'avviso di pagamento pagoPA"; docs/pdf.md says what is kept and why):
//   - the body's header and the object of the payment (H1);
//   - the creditor body (name, fiscal code) and the debtor (name, fiscal code or partita IVA, address);
//   - "how much and by when": the amount and due date, the instalments, or a fine's reduced and full amounts;
//   - "where to pay": online (the body's portal, app IO, home banking, payment apps) and in person (banks,
//     post offices, tobacconists and the other points that show the pagoPA mark);
//   - one framed section per payment option — the single payment first, then each instalment, or a fine's
//     reduced then full amount — each with its amount, due date, notice number in groups of four, the
//     creditor's fiscal code and its own QR code `PAGOPA|002|<NAV>|<creditor fiscal code>|<cents>`.
// The texts come from web/locales/<lang>/payments_pdf.json; the caller fills the plain structs below (the
// renderer knows nothing of debt positions or stores).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "stamp/pdf_stamp.hpp"

namespace sp::payments {

struct NoticeParty {
  std::string name;           // "Comune di Asti", "Mario Rossi", "Rossi S.r.l."
  std::string fiscal_code;    // codice fiscale (16) or partita IVA / a body's fiscal code (11 digits)
  std::string address;        // optional; '\n' breaks a line
  bool organisation = false;  // GPD debtor type G (a company or body) rather than F (a person)
};

// One payment option: its own notice number, amount and due date.
struct NoticeOption {
  std::string nav;                     // the 18-digit notice number (numero avviso): what the QR code carries
  std::string nav_grouped;             // the same in groups of four as printed: "3020 3200 2700 0002 51"
  money::Cents amount = 0;             // > 0
  std::optional<time::Date> due_date;  // the last day to pay it; none: no due date
};

// A fine under the Codice della strada (art. 202): the reduced amount until its last day, the full amount
// after. For the reduced option, an unset due date reads "within 5 days of notification"; for the full
// one, "from the 6th to the 60th day after notification" (a notice printed before the fine is notified).
struct NoticeFine {
  NoticeOption reduced;
  NoticeOption full;
  std::optional<time::Date> notified_on;  // printed when known
};

struct NoticeInput {
  std::string body_name;  // the header: the body issuing the notice
  std::string office;     // optional: the office managing the payment ("Ufficio tributi")
  std::string subject;    // the object of the payment ("TARI 2026 — tassa sui rifiuti"), ≤ 140
  NoticeParty creditor;   // fiscal_code: the 11 digits the QR code carries
  NoticeParty debtor;
  std::optional<NoticeOption> single;     // payment in one go (printed first)
  std::vector<NoticeOption> instalments;  // the instalments of a plan, in order
  std::optional<NoticeFine> fine;         // a fine: reduced and full amount (instead of the above)
  std::string portal_url;                 // optional: the body's page where the notice can be paid online
  const stamp::Block* stamp = nullptr;    // the digital stamp's block, printed last (docs/stamp.md)
  bool compress = true;                   // false writes the content streams uncompressed (debugging)
};

// "PAGOPA|002|<nav>|<creditor fiscal code>|<amount in cents>": the payload pagoPA defines for the QR code
// printed on a notice (SPEC.md, Payments).
std::string notice_qr_payload(std::string_view nav, std::string_view creditor_fiscal_code,
                              money::Cents amount);

// The notice in `lang` ("it" or "en"; the locale's pdf.lang tags the document). Throws
// std::invalid_argument when the input cannot make a payable notice — no payment option, a notice number
// that is not 18 digits or disagrees with its grouped form, a creditor fiscal code that is not 11 digits,
// an amount not above zero: the caller passes what the payments service validated, so that is a bug.
// Throws std::runtime_error when the PDF layer fails.
std::string render_payment_notice(const NoticeInput& notice, const I18n& texts, std::string_view lang);

}  // namespace sp::payments
