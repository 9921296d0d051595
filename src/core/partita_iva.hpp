#pragma once
// Partita IVA: the 11-digit VAT number of Italian businesses, also the numeric codice fiscale of bodies
// (SPEC.md section 2). Digits 1-7 are a serial number given by the tax office, 8-10 the office code,
// 11 the check digit.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::piva {

// The check digit (0..9) of the first ten digits: digits in even (1-based) positions are doubled, minus
// 9 when above 9; check = (10 - sum mod 10) mod 10. Precondition: `first10` holds ten ASCII digits.
int check_digit(std::string_view first10);

// Trims surrounding whitespace and drops an "IT" country prefix (as in EU VAT numbers, "IT00743110157").
std::string normalize(std::string_view input);

// Validates a partita IVA after normalize(). Errors: piva.length, piva.format (not all digits),
// piva.zero (serial number 0000000: "00000000000" passes the check digit but is never issued),
// piva.check.
Status validate(std::string_view input);

// What the office code (digits 8-10) says. The list of codes in use, 001-100, 120, 121, 888, 999,
// matches what common validators accept (e.g. python-stdnum); what 120/121/888/999 stand for is not
// confirmed from an Agenzia delle Entrate text *(check)*: 888 and 999 are believed to be numbers given
// centrally (non-resident subjects identified directly, and other numbers assigned by the central
// administration). An unknown code is reported, not rejected: the check digit already catches typos,
// and rejecting a number that was really issued would lock a business out.
enum class OfficeKind {
  provincial,  // 001..100: the office of a province (historically numbered like ISTAT provinces)
  special,     // 120, 121, 888, 999 *(check)*
  unknown,     // anything else (000, 101..119, ...)
};

struct Decoded {
  std::string number;   // the 11 normalised digits
  std::string serial;   // digits 1-7
  int office_code = 0;  // digits 8-10
  OfficeKind office_kind = OfficeKind::unknown;
};

// Validates, then splits the number into its parts.
Result<Decoded> decode(std::string_view input);

}  // namespace sp::piva
