#pragma once
// Reading and checking the population file (docs/population-format.md) as a stream: one row at a time,
// never the whole file in memory. CSV (comma, RFC 4180 quotes, a header naming the keys in any order,
// UTF-8 with or without a BOM, CRLF or LF) or JSON Lines (one object of strings per line).
//
// Errors for the whole file (nothing is imported): anagrafe.file.header (no header line),
// anagrafe.file.missing_column (detail: the key). Errors for one row (reported with its line, the rest
// goes on): anagrafe.row.* (web/locales/*/anagrafe.json).
#include <functional>
#include <istream>
#include <optional>
#include <string>

#include "anagrafe/model.hpp"
#include "core/result.hpp"

namespace sp::anagrafe {

// A row as read: its line (the first physical line of a CSV record), and the values or why it could
// not be read.
struct RawRow {
  std::size_t line = 0;
  PersonVersion values;
  std::optional<RowError> error;
};
// Takes each row as it is read; false stops the reading.
using RowSink = std::function<bool(RawRow&&)>;

// The longest row accepted (a longer one is a row error, and the reader skips to the next line).
inline constexpr std::size_t kMaxRowBytes = 16 * 1024;

Status read_rows(std::istream& in, Format format, const RowSink& sink);

// Cleans a row's values (trimmed; codice fiscale, names and codes upper-cased) and checks them against
// the format; `body_istat` is the ISTAT code of the body importing (a row of another comune is an
// error). Returns the error, or nothing when the row is good.
std::optional<RowError> check_row(PersonVersion& row, std::string_view body_istat);

// "csv" / "jsonl" (also "json"); nothing for anything else.
std::optional<Format> parse_format(std::string_view name);
std::string_view to_string(Format f);

}  // namespace sp::anagrafe
