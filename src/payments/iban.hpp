#pragma once
// IBAN checks (ISO 13616): the check digits are right when the number, with its first four characters
// moved to the end and letters as 10..35, is 1 mod 97. Transfers of pagoPA go to Italian accounts
// (27 characters: IT, check, CIN, ABI, CAB, account); a postal IBAN is one at Poste Italiane (ABI 07601).
//
// Errors: iban.format (characters, length, country), iban.check (check digits), iban.postal (a postal IBAN
// that is not at Poste Italiane). The field is the caller's.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::payments {

// Spaces dropped, upper-cased.
std::string normalize_iban(std::string_view input);
// Validates an Italian IBAN after normalize_iban(); returns the normalised form.
Result<std::string> validate_iban(std::string_view input);
// The same, and the ABI must be Poste Italiane's (07601).
Result<std::string> validate_postal_iban(std::string_view input);

}  // namespace sp::payments
