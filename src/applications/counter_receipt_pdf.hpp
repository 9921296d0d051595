#pragma once
// The assisted counter's receipt as a PDF, with the same layout as the application receipt
// (receipt_pdf.hpp): identity builds the words (identity/counter_receipt_pdf.hpp), this lays them out.
#include <string>

#include "identity/counter_receipt_pdf.hpp"

namespace sp::applications {

std::string render_counter_receipt_pdf(const identity::CounterReceiptDocument& doc);

}  // namespace sp::applications
