#pragma once
// The day's reconciliation as CSV for a spreadsheet (docs/reconciliation.md, "CSV export"): UTF-8 with a
// BOM (so Excel reads the accents), ';' between fields and a decimal comma (an Italian Excel's defaults),
// CRLF line ends, RFC 4180 quoting (a field with ; " CR or LF is quoted, quotes doubled), and a text field
// starting with = + - @ prefixed by ' so that a spreadsheet never runs it as a formula. Amounts are plain
// numbers ("1234,56", no thousands separator, no currency sign).
//
// One line per payment: each reported row of the day's flows, then each receipt no flow reports, then each
// pagoPA movement matching no flow. Columns: day, PSP, flow, IUV, IUR, transfer, amount, expected,
// outcome, result, receipt (yes/no), reported (yes/no), bank.
#include <functional>
#include <string>
#include <string_view>

#include "payments/reconciliation_model.hpp"

namespace sp::payments::recon {

// `t(key)` gives the localised text of "payments_reconciliation.csv.*" keys (column heads, yes/no) and of
// "payments_reconciliation.result.*", ".bank.*".
std::string render_csv(const DayView& v, const std::function<std::string(std::string_view)>& t);

// One field, quoted when it must be.
std::string csv_field(std::string_view s);
// 123456 -> "1234,56", -5 -> "-0,05".
std::string csv_amount(money::Cents c);

}  // namespace sp::payments::recon
