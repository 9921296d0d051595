#pragma once
// Reading and checking single typed values, one function per kind of input. Each returns the normalised
// value or the issue code (without the "forms." prefix) that validation reports.
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::forms::values {

template <class T>
struct Parsed {
  std::optional<T> value;  // set when valid
  std::string code;        // issue code when not
  [[nodiscard]] bool ok() const { return value.has_value(); }
};

// "12", "-3", "12,5", "12.5", "1.234,5", "1,234.5" (the last separator is the decimal one when both
// appear). A lone comma is decimal; a lone dot is decimal too, except before exactly three digits after a
// non-zero whole part, where an Italian writes thousands: "1.200" is 1200, "0.125" and "45.1335" are
// decimals (so type="text" inputs with inputmode="decimal" read as people expect). Code: number_invalid.
Parsed<double> number(std::string_view input);
// Money as typed (core/money.hpp rules): cents. Code: money_invalid.
Parsed<std::int64_t> money(std::string_view input);
// "2026-09-14" or "14/09/2026" (also "14-09-2026", "14.09.2026"): a real calendar date. Codes:
// date_invalid (not written as a date, or a year outside 1800..2200), date_nonexistent (written as a date,
// but no such day: "31/02/2020", "2020-13-01").
Parsed<std::chrono::year_month_day> date(std::string_view input);
// "today", "today+10d", "today-6y", "today-3m" or an ISO date. nullopt when not one of those.
std::optional<std::chrono::year_month_day> date_bound(std::string_view spec,
                                                      std::chrono::year_month_day today);

// ISO 13616: letters and digits, spaces allowed; the country's length (known countries), mod 97 == 1;
// Italian IBANs: 27 characters, CIN letter, ABI and CAB digits, CIN check. Returns the compact
// upper-case form. Code: iban_invalid.
Parsed<std::string> iban(std::string_view input);
// The Italian CIN (check letter) over ABI (5) + CAB (5) + account (12), all upper-case alphanumeric.
char italian_cin(std::string_view abi_cab_account);

// An e-mail address as people type it: one @, a dot-atom local part (≤64), a domain of labels with a
// top-level domain of letters; total ≤254. Returns it trimmed. Code: email_invalid.
Parsed<std::string> email(std::string_view input);
// A phone number: spaces, dots, dashes, slashes and parentheses ignored. With "+" or "00": a country code
// and 8..15 digits in all (+39: Italian rules on the rest). Italian numbers: 6..11 digits starting with
// 0 (landline), 3 (mobile, 9..10 digits), 8 (toll-free/shared). Returns "+39..." or "+<cc>..." (E.164).
// Code: phone_invalid.
Parsed<std::string> phone(std::string_view input);
// CAP: exactly five digits. Code: postcode_invalid.
Parsed<std::string> postcode(std::string_view input);
// A civic number: "12", "12A", "12 bis", "12/3", or "SNC" (no number). Code: civic_invalid.
Parsed<std::string> civic_number(std::string_view input);

// A JSON integer that fits in 64 signed bits (an API client may send anything); nullopt otherwise.
std::optional<std::int64_t> whole(const boost::json::value& v);

// A JSON number written plainly, as a person would ("0.5", "1800", never "5E-1"); "" for non-numbers.
std::string number_text(const boost::json::value& v);

// Checkbox-like truth: "yes"/"si"/"sì"/"true"/"on"/"1" and "no"/"false"/"0" (case-insensitive).
std::optional<bool> yes_no(std::string_view input);

}  // namespace sp::forms::values
