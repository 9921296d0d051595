#pragma once
// pagoPA notice numbers (numero avviso, NAV: 18 digits) and IUVs (SPEC §4; pagoPA "Specifiche attuative
// dei codici identificativi di versamento"). The first digit, the aux digit, says how the rest reads:
//
//   aux 0  0 + application code (2) + IUV base (13) + check (2)    IUV = base + check (15 digits)
//   aux 1  1 + IUV (17)                                            no check digits
//   aux 2  2 + IUV base (15) + check (2)                           IUV = base + check (17)
//   aux 3  3 + segregation code (2) + IUV base (13) + check (2)    IUV = segregation + base + check (17)
//
// For aux 0, 2 and 3 the check is int(nav[0:16]) mod 93, two digits, zero-padded: for aux 0 it covers the
// application code, so the same IUV is valid with one application code and not with another. The hub
// issues aux 3 only; reading accepts all four, in the printed grouped form ("3020 3200 2700 0002 51") and
// percent-encoded ("3020%203200%202700%200002%2051") as it may arrive from a path.
//
// Error codes (message keys error.<code> in web/locales/*/payments.json; detail says what was found):
// nav.length (not 18 digits once spaces are dropped), nav.format (a character that is not a digit),
// nav.aux_digit (first digit not 0-3), nav.check (wrong check digits; detail: the expected ones),
// nav.segregation_code / nav.base (generation only: not 2 digits / base out of range).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::payments {

struct NoticeNumber {
  std::string nav;  // the 18 digits
  int aux_digit = 3;
  std::string segregation_code;  // aux 3 only
  std::string application_code;  // aux 0 only
  std::string iuv;               // 15 digits for aux 0, 17 otherwise
  std::string check_digits;      // "" for aux 1
};

// Two digits: int(first16) mod 93, zero-padded. Precondition: 16 ASCII digits.
std::string nav_check_digits(std::string_view first16);

// Reads a notice number: surrounding and inner spaces are dropped (the grouped print form), %XX escapes
// are decoded first when present. Errors: see above.
Result<NoticeNumber> parse_notice_number(std::string_view input);

// The aux-3 NAV of segregation code `segregation_code` (two digits) and IUV base `base`
// (0 <= base < 10^13, written with 13 digits). Errors: nav.segregation_code, nav.base.
Result<NoticeNumber> make_aux3(std::string_view segregation_code, std::int64_t base);

// The aux-3 notice number of a 17-digit IUV: "3" + iuv, checked (the IUV's check digits must be right).
Result<NoticeNumber> nav_of_aux3_iuv(std::string_view iuv);

// "3020 3200 2700 0002 51": groups of four from the left, as printed on notices. Any input is grouped
// as it is (no validation).
std::string grouped(std::string_view nav);

}  // namespace sp::payments
