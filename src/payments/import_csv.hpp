#pragma once
// Debt positions from a CSV file (docs/payments.md, "Importing positions"), read as a stream: one row per
// payment option (a single payment or an instalment), the rows of a position consecutive and sharing its
// key (iupd) and debtor. UTF-8 (a BOM is skipped), separator ';', fields in double quotes when they hold
// ';', '"' or a line break ('""' is a quote), CRLF or LF. The first line names the columns (any order):
//
//   iupd*  debtor_type (F|G, default F)  debtor_fiscal_code*  debtor_name*  debtor_email  debtor_street
//   debtor_civic  debtor_postal_code  debtor_city  debtor_province  validity_date (UTC instant)
//   iuv (empty: assigned)  amount*  description*  due_date*  instalment (0|1, no|si)  iban (empty: the
//   creditor's)  postal_iban  category*  remittance (empty: the description)
//
// amount: euro with a decimal comma and at most two decimals, no thousands separator ("12,50", "1250",
// "0,99"); "12.50" is refused (in Italian a dot groups thousands). due_date: YYYY-MM-DD or DD/MM/YYYY.
// One transfer per option (to `iban` or `postal_iban`); positions with several transfers or a digital
// stamp come as JSON. Errors: import.* (web/locales/*/payments_import.json) and the service's payments.*.
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "payments/model.hpp"

namespace sp::payments {

// One position read from a file: where it starts and the position, or the first thing wrong with it.
struct ImportItem {
  std::size_t row = 0;        // CSV: line of its first row; JSON: its 1-based place in the array
  std::size_t error_row = 0;  // the line (CSV) or place (JSON) of the error; 0 when none
  std::string iupd;           // as read ("" when unreadable)
  std::size_t options = 0;
  Result<NewPosition> position = NewPosition{};
};
// Takes each item as it is read; false stops the reading.
using ImportSink = std::function<bool(ImportItem&&)>;

struct CsvDefaults {
  std::string iban;  // the creditor's, for rows without one
  bool publish = false;
};

// Reads every position, in order. An error for the whole file (no header, an unknown or missing column,
// a line too long): import.* with the line in `detail`.
Status read_csv_positions(std::istream& in, const CsvDefaults& defaults, const ImportSink& sink);

// "12,50" → 1250 (see above); nullopt when not of that form.
std::optional<Cents> parse_euro_amount(std::string_view text);

}  // namespace sp::payments
