#pragma once
// Codice fiscale of a natural person (16 characters) and of a business or body (11 digits), per
// SPEC.md section 2 (Identity). Validation, decoding, computation from personal data, omocodia.
#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::cf {

enum class Sex { male, female };

// What a valid 16-character code says about its holder.
struct Decoded {
  std::string code;       // the input, trimmed and upper-cased (may be omocodic)
  std::string canonical;  // the non-omocodic form: omocodia letters back to digits, check char recomputed
  bool omocodic = false;  // at least one digit position held an omocodia letter
  Sex sex = Sex::male;
  std::chrono::year_month_day birth_date;  // century chosen by a heuristic, see decode()
  std::string belfiore;                    // place code with digits restored, e.g. "L219" or "Z404"
  bool born_abroad = false;                // Belfiore code starts with Z (a foreign country)
};

// Trims surrounding whitespace and upper-cases ASCII letters; no other change.
std::string normalize(std::string_view input);

// The check character (A..Z) over the first 15 characters of a code (already upper-case).
// Precondition: `first15` holds 15 characters, each A..Z or 0..9.
char check_char(std::string_view first15);

// Validates a 16-character personal code and decodes it. Errors: cf.length, cf.format, cf.month,
// cf.day, cf.check (detail says what was wrong).
//
// The code stores only two digits of the birth year. Heuristic: the century is the latest one that does
// not put the birth after `today` (so with today = 2026-05-01, "85" is 1985, "25" with April is 2025 and
// "26" with December is 1926). It misdates anybody 100 or more years old; use it for display and
// consistency checks, never as the authoritative birth date (that comes from ANPR or the identity
// provider).
Result<Decoded> decode(std::string_view input, std::chrono::year_month_day today);
// As above, with today's date in UTC.
Result<Decoded> decode(std::string_view input);

// Only the structural and check-character validation of a 16-character code.
Status validate_person(std::string_view input);

// What kind of codice fiscale a string is.
enum class Kind { person, numeric };
struct Checked {
  std::string code;  // normalised (trimmed, upper-case)
  Kind kind = Kind::person;
};
// Accepts either form: 16 characters (a person) or 11 digits (a business or body: the same number and
// check digit as its partita IVA; errors then come from sp::piva, codes "piva.*"). Any other length is
// cf.length.
Result<Checked> validate_any(std::string_view input);

// Builds the code from personal data. `surname` and `name` are UTF-8; accents are folded (À→A, é→E,
// ç→C...), spaces, apostrophes, hyphens and dots are dropped. `belfiore` is a letter and three digits.
// Errors: cf.surname, cf.name (no letters or a character that is not a letter), cf.belfiore,
// cf.birth_date (not a valid date).
Result<std::string> compute(std::string_view surname, std::string_view name, Sex sex,
                            std::chrono::year_month_day birth_date, std::string_view belfiore);

// The omocodic variant at `level` (0..7): level k replaces the digits at the first k of the positions
// 15, 14, 13, 11, 10, 8, 7 (1-based) with L M N P Q R S T U V, and recomputes the check character.
// Level 0 is the canonical code. The input may itself be omocodic (it is canonicalised first).
// Errors: those of validate_person, and cf.level.
Result<std::string> omocode(std::string_view code, int level);

}  // namespace sp::cf
