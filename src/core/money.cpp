#include "core/money.hpp"

#include <fmt/format.h>

#include <limits>
#include <vector>

#include "core/text_numbers.hpp"

namespace sp::money {
namespace {

constexpr std::string_view kEuro = "\xE2\x82\xAC";  // U+20AC in UTF-8

Error error(const char* code, std::string detail) {
  return Error::make(code, 400, std::move(detail));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Removes leading/trailing blanks: ASCII whitespace, U+00A0 and U+202F (no-break spaces, which
// copy-pasted amounts often carry).
std::string_view trim(std::string_view s) {
  for (;;) {
    std::size_t before = s.size();
    for (std::string_view blank : {" ", "\t", "\n", "\r", "\xC2\xA0", "\xE2\x80\xAF"}) {
      while (s.starts_with(blank)) s.remove_prefix(blank.size());
      while (s.ends_with(blank)) s.remove_suffix(blank.size());
    }
    if (s.size() == before) return s;
  }
}

bool strip_currency_prefix(std::string_view& s) {
  for (std::string_view sym : {kEuro, std::string_view("EUR"), std::string_view("eur")}) {
    if (s.starts_with(sym)) {
      s.remove_prefix(sym.size());
      return true;
    }
  }
  return false;
}

bool strip_currency_suffix(std::string_view& s) {
  for (std::string_view sym : {kEuro, std::string_view("EUR"), std::string_view("eur")}) {
    if (s.ends_with(sym)) {
      s.remove_suffix(sym.size());
      return true;
    }
  }
  return false;
}

// Splits "1.234.567" on `sep` and checks the grouping: a first group of 1-3 digits, then groups of 3.
bool valid_grouping(std::string_view s, char sep) {
  std::size_t start = 0;
  bool first = true;
  while (true) {
    std::size_t end = s.find(sep, start);
    std::string_view group = s.substr(start, end == std::string_view::npos ? end : end - start);
    if (first ? (group.empty() || group.size() > 3) : group.size() != 3) return false;
    first = false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace

std::string format(Cents cents, std::string_view lang) {
  bool en = lang == "en";
  bool negative = cents < 0;
  // Magnitude as unsigned so that INT64_MIN does not overflow.
  std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  auto euros = static_cast<Cents>(magnitude / 100);
  auto rest = static_cast<unsigned>(magnitude % 100);
  std::string body = fmt::format("{}{}{:02}", text::group_digits(euros, lang), en ? '.' : ',', rest);
  return fmt::format("{}{}{}{}", negative ? "-" : "", kEuro, en ? "" : " ", body);
}

Result<Cents> parse(std::string_view input, ParseOptions options) {
  std::string_view s = trim(input);
  bool negative = false;
  if (s.starts_with("-")) negative = true, s.remove_prefix(1), s = trim(s);
  bool prefixed = strip_currency_prefix(s);
  s = trim(s);
  if (!negative && s.starts_with("-")) negative = true, s.remove_prefix(1), s = trim(s);
  if (!prefixed) strip_currency_suffix(s);
  s = trim(s);
  if (s.empty()) return error("money.format", "no amount");

  for (char c : s) {
    if (!is_digit(c) && c != '.' && c != ',') {
      return error("money.format", fmt::format("unexpected character '{}'", c));
    }
  }
  std::size_t last_dot = s.rfind('.'), last_comma = s.rfind(',');
  std::string_view integer = s, decimals;
  char group_sep = '\0';
  if (last_dot != std::string_view::npos && last_comma != std::string_view::npos) {
    std::size_t dec = std::max(last_dot, last_comma);
    group_sep = dec == last_dot ? ',' : '.';
    integer = s.substr(0, dec);
    decimals = s.substr(dec + 1);
    if (decimals.empty()) return error("money.format", "no digits after the decimal separator");
  } else if (last_dot != std::string_view::npos || last_comma != std::string_view::npos) {
    char sep = last_dot != std::string_view::npos ? '.' : ',';
    std::size_t pos = s.rfind(sep);
    bool single = s.find(sep) == pos;
    std::size_t after = s.size() - pos - 1;
    if (single && (after == 1 || after == 2)) {
      integer = s.substr(0, pos);
      decimals = s.substr(pos + 1);
    } else {
      group_sep = sep;  // "1.234" or "1.234.567": thousands
    }
  }
  if (decimals.size() > 2) return error("money.format", "more than two decimal digits");
  if (decimals.find_first_of(".,") != std::string_view::npos) {
    return error("money.format", "separator in the decimal part");
  }
  if (integer.empty()) return error("money.format", "no digits before the decimal separator");
  if (group_sep != '\0') {
    if (integer.find(group_sep == '.' ? ',' : '.') != std::string_view::npos ||
        !valid_grouping(integer, group_sep)) {
      return error("money.format", "thousands must be grouped by three");
    }
  }

  constexpr Cents kMax = std::numeric_limits<Cents>::max();
  Cents euros = 0;
  for (char c : integer) {
    if (c == group_sep) continue;
    int digit = c - '0';
    if (euros > (kMax - digit) / 10) return error("money.overflow", "amount too large");
    euros = euros * 10 + digit;
  }
  Cents fraction = 0;
  if (!decimals.empty()) fraction = (decimals[0] - '0') * 10 + (decimals.size() == 2 ? decimals[1] - '0' : 0);
  if (euros > (kMax - fraction) / 100) return error("money.overflow", "amount too large");
  Cents cents = euros * 100 + fraction;

  if (negative && cents != 0 && !options.allow_negative) {
    return error("money.negative", "the amount cannot be negative");
  }
  return negative ? -cents : cents;
}

Result<Cents> parse_fixed2(std::string_view input) {
  const auto bad = [&] { return error("money.format", std::string(input.substr(0, 40))); };
  if (input.size() < 4 || input[input.size() - 3] != '.') return bad();
  const std::string_view whole = input.substr(0, input.size() - 3);
  const std::string_view fraction = input.substr(input.size() - 2);
  constexpr Cents kMax = std::numeric_limits<Cents>::max();
  Cents cents = 0;
  for (char c : whole) {
    if (!is_digit(c)) return bad();
    const int digit = c - '0';
    if (cents > (kMax - digit) / 10) return error("money.overflow", std::string(input.substr(0, 40)));
    cents = cents * 10 + digit;
  }
  for (char c : fraction)
    if (!is_digit(c)) return bad();
  const int hundredths = (fraction[0] - '0') * 10 + (fraction[1] - '0');
  if (cents > (kMax - hundredths) / 100) return error("money.overflow", std::string(input.substr(0, 40)));
  return cents * 100 + hundredths;
}

}  // namespace sp::money
