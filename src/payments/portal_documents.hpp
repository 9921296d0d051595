#pragma once
// The notice and receipt PDFs of stored data: fills the renderers' plain inputs (notice_pdf.hpp,
// receipt_pdf.hpp) from a position, its creditor and the station's receipt. Shared by the citizen's area
// and the staff pages; who may download is decided by their handlers' guards and the portal service.
#include <optional>
#include <string>

#include "payments/model.hpp"
#include "payments/notice_pdf.hpp"
#include "payments/receipt_pdf.hpp"
#include "payments/receipt_store.hpp"

namespace sp::payments {

// What a position is for, as pages title it: its options' common words ("TARI 2026" of "TARI 2026 -
// prima rata" and "TARI 2026 - seconda rata"), or its first option's description.
std::string position_title(const Position& p);
// The notice of a position: a fine's two amounts, or its single payment and instalments, only the
// unpaid options (a notice is for paying). nullopt when nothing is left to pay.
std::optional<NoticeInput> notice_input(const Position& p, const Creditor& c, const std::string& portal_url);
// The receipt of option `iuv` of `p`, as the station recorded it.
ReceiptInput receipt_input(const Position& p, const Creditor& c, const ReceiptRow& r);

}  // namespace sp::payments
