#pragma once
// The citizen's receipt of a pagoPA payment as a tagged A4 PDF (core/pdf): the body's header, what was
// paid (amount, fee, total, date and time in Rome, the PSP, IUR and receipt id, notice number, IUV,
// description), the creditor, the debtor and the payer, and the transfers the payment was split into.
// The texts come from web/locales/<lang>/payments_pdf.json; the caller fills the plain structs below.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "payments/notice_pdf.hpp"
#include "stamp/pdf_stamp.hpp"

namespace sp::payments {

// One transfer (versamento) of the payment: to which body and account, for what, how much.
struct ReceiptTransfer {
  std::string beneficiary;              // the body receiving it
  std::string beneficiary_fiscal_code;  // its fiscal code
  std::string iban;                     // bank or postal IBAN; empty for a digital stamp
  bool stamp = false;                   // a digital revenue stamp (marca da bollo digitale)
  std::string remittance;               // causale, ≤ 140
  money::Cents amount = 0;
};

struct ReceiptInput {
  std::string body_name;  // the header
  NoticeParty creditor;
  NoticeParty debtor;
  std::optional<NoticeParty> payer;  // who paid, when known and not the debtor
  std::string nav;                   // the notice number paid
  std::string nav_grouped;           // the same in groups of four
  std::string iuv;
  std::string description;          // the payment option's description
  money::Cents amount = 0;          // paid to the creditor
  std::optional<money::Cents> fee;  // the PSP's fee, when the receipt reports it
  std::string psp_name;
  std::string psp_id;  // optional: the PSP's identifier
  std::string iur;     // identificativo univoco di riscossione
  std::string receipt_id;
  time::TimePoint paid_at;  // shown in Rome time
  std::vector<ReceiptTransfer> transfers;
  const stamp::Block* stamp = nullptr;  // the digital stamp's block, printed last (docs/stamp.md)
  bool compress = true;                 // false writes the content streams uncompressed (debugging)
};

// The receipt in `lang` ("it" or "en"). Throws std::runtime_error when the PDF layer fails.
std::string render_payment_receipt(const ReceiptInput& receipt, const I18n& texts, std::string_view lang);

}  // namespace sp::payments
