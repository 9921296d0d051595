#include "core/partita_iva.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sp::piva {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

Error error(const char* code, std::string detail) {
  return Error::make(code, 400, std::move(detail));
}

OfficeKind office_kind(int code) {
  if (code >= 1 && code <= 100) return OfficeKind::provincial;
  if (code == 120 || code == 121 || code == 888 || code == 999) return OfficeKind::special;
  return OfficeKind::unknown;
}

}  // namespace

int check_digit(std::string_view first10) {
  int sum = 0;
  for (int i = 0; i < 10; ++i) {
    int d = first10[i] - '0';
    if (i % 2 == 1) {  // even 1-based position
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - sum % 10) % 10;
}

std::string normalize(std::string_view input) {
  std::size_t b = 0, e = input.size();
  while (b < e && is_space(input[b])) ++b;
  while (e > b && is_space(input[e - 1])) --e;
  std::string_view s = input.substr(b, e - b);
  if (s.size() >= 2 && (s[0] == 'I' || s[0] == 'i') && (s[1] == 'T' || s[1] == 't')) s.remove_prefix(2);
  return std::string(s);
}

Status validate(std::string_view input) {
  std::string n = normalize(input);
  if (n.size() != 11) return error("piva.length", fmt::format("expected 11 digits, got {}", n.size()));
  auto bad = std::find_if(n.begin(), n.end(), [](char c) { return !is_digit(c); });
  if (bad != n.end()) {
    return error("piva.format",
                 fmt::format("unexpected character '{}' at position {}", *bad, bad - n.begin() + 1));
  }
  if (n.compare(0, 7, "0000000") == 0) return error("piva.zero", "serial number (digits 1-7) is zero");
  int expected = check_digit(n);
  if (n[10] - '0' != expected) {
    return error("piva.check", fmt::format("check digit is {}, expected {}", n[10], expected));
  }
  return Ok{};
}

Result<Decoded> decode(std::string_view input) {
  if (auto st = validate(input); !st) return st.error();
  Decoded d;
  d.number = normalize(input);
  d.serial = d.number.substr(0, 7);
  d.office_code = std::stoi(d.number.substr(7, 3));
  d.office_kind = office_kind(d.office_code);
  return d;
}

}  // namespace sp::piva
