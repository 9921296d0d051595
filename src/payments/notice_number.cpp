#include "payments/notice_number.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace sp::payments {
namespace {

constexpr std::int64_t kMaxBase13 = 10'000'000'000'000;  // 10^13

bool nav_all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Error nav_error(const char* code, std::string detail) {
  Error e = Error::make(code, 422, std::move(detail));
  e.field = "nav";
  return e;
}

}  // namespace

std::string nav_check_digits(std::string_view first16) {
  // 16 digits fit in 64 bits (< 10^16 < 2^63).
  std::int64_t n = 0;
  for (char c : first16) n = n * 10 + (c - '0');
  const auto r = static_cast<int>(n % 93);
  return std::string{static_cast<char>('0' + r / 10), static_cast<char>('0' + r % 10)};
}

Result<NoticeNumber> parse_notice_number(std::string_view input) {
  std::string decoded(input);
  if (decoded.find('%') != std::string::npos) {
    auto d = text::percent_decode(decoded);
    if (!d) return nav_error("nav.format", std::string(input));
    decoded = std::move(*d);
  }
  std::string nav;
  nav.reserve(decoded.size());
  for (char c : decoded) {
    if (c == ' ' || c == '\t') continue;
    nav += c;
  }
  if (!nav_all_digits(nav)) return nav_error("nav.format", nav);
  if (nav.size() != 18) return nav_error("nav.length", std::to_string(nav.size()));
  NoticeNumber out;
  out.nav = nav;
  out.aux_digit = nav[0] - '0';
  switch (out.aux_digit) {
    case 0:
      out.application_code = nav.substr(1, 2);
      out.iuv = nav.substr(3);
      break;
    case 1:
      out.iuv = nav.substr(1);
      return out;  // no check digits
    case 2:
      out.iuv = nav.substr(1);
      break;
    case 3:
      out.segregation_code = nav.substr(1, 2);
      out.iuv = nav.substr(1);
      break;
    default:
      return nav_error("nav.aux_digit", nav.substr(0, 1));
  }
  out.check_digits = nav.substr(16, 2);
  const auto expected = nav_check_digits(std::string_view(nav).substr(0, 16));
  if (expected != out.check_digits) return nav_error("nav.check", expected);
  return out;
}

Result<NoticeNumber> make_aux3(std::string_view segregation_code, std::int64_t base) {
  if (segregation_code.size() != 2 || !nav_all_digits(segregation_code))
    return nav_error("nav.segregation_code", std::string(segregation_code));
  if (base < 0 || base >= kMaxBase13) return nav_error("nav.base", std::to_string(base));
  std::string base13 = std::to_string(base);
  base13.insert(0, 13 - base13.size(), '0');
  std::string first16 = "3" + std::string(segregation_code) + base13;
  NoticeNumber out;
  out.aux_digit = 3;
  out.segregation_code = std::string(segregation_code);
  out.check_digits = nav_check_digits(first16);
  out.nav = first16 + out.check_digits;
  out.iuv = out.nav.substr(1);
  return out;
}

Result<NoticeNumber> nav_of_aux3_iuv(std::string_view iuv) {
  if (!nav_all_digits(iuv)) return nav_error("nav.format", std::string(iuv));
  if (iuv.size() != 17) return nav_error("nav.length", std::to_string(iuv.size() + 1));
  return parse_notice_number("3" + std::string(iuv));
}

std::string grouped(std::string_view nav) {
  std::string out;
  for (std::size_t i = 0; i < nav.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += nav[i];
  }
  return out;
}

}  // namespace sp::payments
