#include "payments/iban.hpp"

#include <cctype>

namespace sp::payments {
namespace {

constexpr std::string_view kPosteAbi = "07601";

}  // namespace

std::string normalize_iban(std::string_view input) {
  std::string out;
  for (char c : input) {
    if (c == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

Result<std::string> validate_iban(std::string_view input) {
  const std::string iban = normalize_iban(input);
  if (iban.size() != 27 || iban.rfind("IT", 0) != 0) return Error::make("iban.format", 400, iban);
  for (std::size_t i = 0; i < iban.size(); ++i) {
    const char c = iban[i];
    const bool digit = c >= '0' && c <= '9';
    const bool letter = c >= 'A' && c <= 'Z';
    // IT, two check digits, the CIN letter, then ABI and CAB (digits) and 12 alphanumerics.
    const bool ok = (i < 2 || i == 4) ? letter : (i < 4 || i < 15) ? digit : (digit || letter);
    if (!ok) return Error::make("iban.format", 400, iban);
  }
  int rem = 0;
  const std::string moved = iban.substr(4) + iban.substr(0, 4);
  for (char c : moved) {
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else {
      const int v = c - 'A' + 10;  // two digits
      rem = (rem * 100 + v) % 97;
    }
  }
  if (rem != 1) return Error::make("iban.check", 400, iban);
  return iban;
}

Result<std::string> validate_postal_iban(std::string_view input) {
  auto iban = validate_iban(input);
  if (!iban) return iban;
  if (iban->substr(5, 5) != kPosteAbi) return Error::make("iban.postal", 400, *iban);
  return iban;
}

}  // namespace sp::payments
