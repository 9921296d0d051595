#include "forms/values.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <regex>

#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

namespace sp::forms::values {
namespace {

using std::chrono::year_month_day;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alnum(char c) {
  return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

template <class T>
Parsed<T> fail(std::string code) {
  Parsed<T> p;
  p.code = std::move(code);
  return p;
}
template <class T>
Parsed<T> okv(T v) {
  Parsed<T> p;
  p.value = std::move(v);
  return p;
}

// Digit groups after the first must be three digits long ("1.234.567").
bool grouped_by_three(std::string_view digits_and_seps, char sep) {
  std::size_t start = 0;
  bool first = true;
  while (true) {
    auto pos = digits_and_seps.find(sep, start);
    std::string_view group = digits_and_seps.substr(start, pos == std::string_view::npos ? pos : pos - start);
    if (group.empty() || group.size() > 3 || (!first && group.size() != 3)) return false;
    first = false;
    if (pos == std::string_view::npos) return true;
    start = pos + 1;
  }
}

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

year_month_day clamp_day(std::chrono::year_month ym, std::chrono::day d) {
  year_month_day r{ym / d};
  if (!r.ok()) r = year_month_day{ym / std::chrono::last};
  return r;
}

// IBAN lengths by country (SWIFT IBAN registry).
const std::map<std::string, int, std::less<>>& iban_lengths() {
  static const std::map<std::string, int, std::less<>> m{
      {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
      {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
      {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
      {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
      {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
      {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27},
      {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15},
      {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24},
      {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28},
      {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
  };
  return m;
}

int mod97(std::string_view rearranged) {
  int r = 0;
  for (char c : rearranged) {
    if (is_digit(c)) {
      r = (r * 10 + (c - '0')) % 97;
    } else {
      int v = c - 'A' + 10;
      r = (r * 100 + v) % 97;
    }
  }
  return r;
}

}  // namespace

Parsed<double> number(std::string_view input) {
  std::string s = text::trim(input);
  if (s.empty()) return fail<double>("number_invalid");
  std::string sign;
  if (s[0] == '-' || s[0] == '+') {
    if (s[0] == '-') sign = "-";
    s.erase(0, 1);
  }
  if (s.empty()) return fail<double>("number_invalid");
  for (char c : s)
    if (!is_digit(c) && c != '.' && c != ',') return fail<double>("number_invalid");
  auto last_dot = s.rfind('.'), last_comma = s.rfind(',');
  std::string int_part, frac_part;
  auto split_at = [&](std::size_t pos, char thousands) -> bool {
    std::string_view whole = std::string_view(s).substr(0, pos);
    frac_part = s.substr(pos + 1);
    if (frac_part.empty() || frac_part.find_first_of(".,") != std::string::npos) return false;
    if (whole.find(thousands) != std::string_view::npos) {
      if (!grouped_by_three(whole, thousands)) return false;
      for (char c : whole)
        if (c != thousands) int_part += c;
    } else {
      int_part = std::string(whole);
    }
    return !int_part.empty();
  };
  bool good = true;
  if (last_dot != std::string::npos && last_comma != std::string::npos) {
    good = last_dot > last_comma ? split_at(last_dot, ',') : split_at(last_comma, '.');
  } else if (last_dot != std::string::npos || last_comma != std::string::npos) {
    char sep = last_dot != std::string::npos ? '.' : ',';
    auto count = std::count(s.begin(), s.end(), sep);
    auto pos = s.find(sep);
    bool italian_thousands = sep == '.' && count == 1 && s.size() - pos - 1 == 3 && s.substr(0, pos) != "0";
    if (count == 1 && !italian_thousands) {
      good = split_at(pos, sep == '.' ? ',' : '.');
    } else {
      good = grouped_by_three(s, sep);
      for (char c : s)
        if (c != sep) int_part += c;
    }
  } else {
    int_part = s;
  }
  if (!good || int_part.empty() || int_part.size() > 15) return fail<double>("number_invalid");
  std::string normal = sign + int_part + (frac_part.empty() ? "" : "." + frac_part);
  char* end = nullptr;
  double d = std::strtod(normal.c_str(), &end);
  if (end != normal.c_str() + normal.size()) return fail<double>("number_invalid");
  return okv(d);
}

Parsed<std::int64_t> money(std::string_view input) {
  auto r = sp::money::parse(input);
  if (!r) return fail<std::int64_t>("money_invalid");
  return okv<std::int64_t>(*r);
}

Parsed<year_month_day> date(std::string_view input) {
  std::string s = text::trim(input);
  // The shape first (a wrong format), then the calendar (a date written well that does not exist:
  // 31/02/2020, 2020-13-01), then the years a form can mean.
  static const std::regex iso(R"(^([0-9]{4})-([0-9]{2})-([0-9]{2})$)");
  static const std::regex dmy(R"(^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})$)");
  std::smatch m;
  int d = 0, mo = 0, y = 0;
  if (std::regex_match(s, m, iso)) {
    y = std::stoi(m[1]), mo = std::stoi(m[2]), d = std::stoi(m[3]);
  } else if (std::regex_match(s, m, dmy)) {
    d = std::stoi(m[1]), mo = std::stoi(m[2]), y = std::stoi(m[3]);
  } else {
    return fail<year_month_day>("date_invalid");
  }
  year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                     std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return fail<year_month_day>("date_nonexistent");
  if (y < 1800 || y > 2200) return fail<year_month_day>("date_invalid");
  return okv(ymd);
}

std::optional<year_month_day> date_bound(std::string_view spec, year_month_day today) {
  if (spec.substr(0, 5) != "today") {
    auto d = date(spec);
    return d.value;
  }
  std::string_view rest = spec.substr(5);
  if (rest.empty()) return today;
  if (rest.size() < 3 || (rest[0] != '+' && rest[0] != '-')) return std::nullopt;
  char unit = rest.back();
  auto n = to_int(rest.substr(1, rest.size() - 2));
  if (!n) return std::nullopt;
  int amount = rest[0] == '-' ? -*n : *n;
  switch (unit) {
    case 'd':
      return year_month_day{std::chrono::sys_days(today) + std::chrono::days{amount}};
    case 'm':
      return clamp_day(std::chrono::year_month(today.year(), today.month()) + std::chrono::months{amount},
                       today.day());
    case 'y':
      return clamp_day(std::chrono::year_month(today.year() + std::chrono::years{amount}, today.month()),
                       today.day());
    default:
      return std::nullopt;
  }
}

char italian_cin(std::string_view s) {
  static constexpr std::array<int, 26> odd{1,  0,  5, 7, 9, 13, 15, 17, 19, 21, 2,  4,  18,
                                           20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23};
  int sum = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    int v = is_digit(c) ? c - '0' : c - 'A';
    sum += (i % 2 == 0) ? odd[static_cast<std::size_t>(v)] : v;  // positions 1, 3, 5... are odd
  }
  return static_cast<char>('A' + sum % 26);
}

Parsed<std::string> iban(std::string_view input) {
  std::string s;
  for (char c : input) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    if (!is_alnum(c)) return fail<std::string>("iban_invalid");
    s += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (s.size() < 15 || s.size() > 34) return fail<std::string>("iban_invalid");
  if (!is_upper(s[0]) || !is_upper(s[1]) || !is_digit(s[2]) || !is_digit(s[3]))
    return fail<std::string>("iban_invalid");
  std::string_view country = std::string_view(s).substr(0, 2);
  if (auto it = iban_lengths().find(country);
      it != iban_lengths().end() && static_cast<int>(s.size()) != it->second)
    return fail<std::string>("iban_invalid");
  if (country == "IT" || country == "SM") {
    // CIN letter, ABI (5 digits), CAB (5 digits), account number (12 letters or digits)
    if (!is_upper(s[4])) return fail<std::string>("iban_invalid");
    for (std::size_t i = 5; i < 15; ++i)
      if (!is_digit(s[i])) return fail<std::string>("iban_invalid");
    if (italian_cin(std::string_view(s).substr(5)) != s[4]) return fail<std::string>("iban_invalid");
  }
  std::string rearranged = s.substr(4) + s.substr(0, 4);
  if (mod97(rearranged) != 1) return fail<std::string>("iban_invalid");
  return okv(s);
}

Parsed<std::string> email(std::string_view input) {
  std::string s = text::trim(input);
  if (s.empty() || s.size() > 254) return fail<std::string>("email_invalid");
  auto at = s.find('@');
  if (at == std::string::npos || s.find('@', at + 1) != std::string::npos)
    return fail<std::string>("email_invalid");
  std::string_view local = std::string_view(s).substr(0, at), domain = std::string_view(s).substr(at + 1);
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos)
    return fail<std::string>("email_invalid");
  static constexpr std::string_view atext = "!#$%&'*+-/=?^_`{|}~.";
  for (char c : local)
    if (!is_alnum(c) && atext.find(c) == std::string_view::npos) return fail<std::string>("email_invalid");
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos)
    return fail<std::string>("email_invalid");
  std::size_t start = 0;
  std::string_view last;
  while (start <= domain.size()) {
    auto dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return fail<std::string>("email_invalid");
    for (char c : label)
      if (!is_alnum(c) && c != '-') return fail<std::string>("email_invalid");
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (last.size() < 2) return fail<std::string>("email_invalid");
  for (char c : last)
    if (is_digit(c) || c == '-') {
      if (last.substr(0, 4) != "xn--") return fail<std::string>("email_invalid");
    }
  return okv(s);
}

Parsed<std::string> phone(std::string_view input) {
  std::string s = text::trim(input);
  std::string digits;
  bool international = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && i == 0) {
      international = true;
    } else if (is_digit(c)) {
      digits += c;
    } else if (c != ' ' && c != '.' && c != '-' && c != '/' && c != '(' && c != ')') {
      return fail<std::string>("phone_invalid");
    }
  }
  if (!international && digits.size() > 2 && digits.compare(0, 2, "00") == 0) {
    international = true;
    digits.erase(0, 2);
  }
  auto italian = [](const std::string& n) -> bool {
    if (n.size() < 6 || n.size() > 11) return false;
    if (n[0] == '0') return true;
    if (n[0] == '3') return n.size() >= 9 && n.size() <= 10;
    if (n[0] == '8') return n.size() <= 10;
    return false;
  };
  if (international) {
    if (digits.empty() || digits[0] == '0') return fail<std::string>("phone_invalid");
    if (digits.compare(0, 2, "39") == 0) {
      std::string national = digits.substr(2);
      if (!italian(national)) return fail<std::string>("phone_invalid");
      return okv("+39" + national);
    }
    if (digits.size() < 8 || digits.size() > 15) return fail<std::string>("phone_invalid");
    return okv("+" + digits);
  }
  if (!italian(digits)) return fail<std::string>("phone_invalid");
  return okv("+39" + digits);
}

Parsed<std::string> postcode(std::string_view input) {
  std::string s = text::trim(input);
  if (s.size() != 5) return fail<std::string>("postcode_invalid");
  for (char c : s)
    if (!is_digit(c)) return fail<std::string>("postcode_invalid");
  return okv(s);
}

Parsed<std::string> civic_number(std::string_view input) {
  std::string s = text::trim(input);
  std::string lower = text::to_lower_ascii(s);
  if (lower == "snc" || lower == "s.n.c." || lower == "s.n.c") return okv(std::string("SNC"));
  static const std::regex civic(R"(^[0-9]{1,5}( ?[A-Za-z]{1,6})?( ?/ ?[0-9A-Za-z]{1,4})?$)");
  if (!std::regex_match(s, civic)) return fail<std::string>("civic_invalid");
  return okv(s);
}

std::optional<std::int64_t> whole(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  return std::nullopt;
}

std::string number_text(const boost::json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (!v.is_double()) return {};
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double(), std::chars_format::fixed);
  if (ec != std::errc{}) return {};
  return std::string(buf, end);
}

std::optional<bool> yes_no(std::string_view input) {
  std::string s = text::to_lower_ascii(text::trim(input));
  if (s == "yes" || s == "si" || s == "s\xc3\xac" || s == "s\xc3\x8c" || s == "true" || s == "on" || s == "1")
    return true;
  if (s == "no" || s == "false" || s == "off" || s == "0") return false;
  return std::nullopt;
}

}  // namespace sp::forms::values
