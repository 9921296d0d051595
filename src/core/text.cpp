#include "core/text.hpp"

#include <cstdint>

#include "core/text_numbers.hpp"

namespace sp::text {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

namespace {

// Maps a Latin-1 Supplement / Latin Extended-A code point to its unaccented lower-case ASCII letter,
// or 0 when it is not a letter we fold.
char fold_code_point(std::uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xC5) return 'a';
  if (cp >= 0xE0 && cp <= 0xE5) return 'a';
  if (cp == 0xC7 || cp == 0xE7) return 'c';
  if ((cp >= 0xC8 && cp <= 0xCB) || (cp >= 0xE8 && cp <= 0xEB)) return 'e';
  if ((cp >= 0xCC && cp <= 0xCF) || (cp >= 0xEC && cp <= 0xEF)) return 'i';
  if (cp == 0xD1 || cp == 0xF1) return 'n';
  if ((cp >= 0xD2 && cp <= 0xD6) || (cp >= 0xF2 && cp <= 0xF6) || cp == 0xD8 || cp == 0xF8) return 'o';
  if ((cp >= 0xD9 && cp <= 0xDC) || (cp >= 0xF9 && cp <= 0xFC)) return 'u';
  if (cp == 0xDD || cp == 0xFD || cp == 0xFF) return 'y';
  return 0;
}

}  // namespace

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string fold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  auto emit = [&](char c) {
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += c;
  };
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        emit(static_cast<char>(c));
      else if (c >= 'A' && c <= 'Z')
        emit(static_cast<char>(c - 'A' + 'a'));
      else
        pending_space = true;
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence (input is validated at the HTTP edge; be lenient here).
    std::uint32_t cp = 0;
    std::size_t len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
    if (i + len > s.size()) break;
    cp = (len == 1) ? c : (c & (0xFF >> (len + 1)));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (char f = fold_code_point(cp)) {
      emit(f);
    } else if (cp == 0x2019 || cp == 0x2018 || cp == 0xA0) {
      pending_space = true;  // typographic apostrophes and no-break spaces separate words
    } else {
      if (pending_space && !out.empty()) out += ' ';
      pending_space = false;
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    auto line = trim(s.substr(start, end - start));
    if (!line.empty()) out.push_back(std::move(line));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;  // truncated escape
      int hi = hex_digit(in[i + 1]);
      int lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view s, std::string_view also_keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (c != 0 && also_keep.find(static_cast<char>(c)) != std::string_view::npos)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::optional<std::int64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');  // 18 digits cannot overflow an int64
  }
  return v;
}

std::string group_digits(std::int64_t n, std::string_view lang) {
  const char sep = lang == "en" ? ',' : '.';
  // The magnitude as unsigned, so that INT64_MIN does not overflow.
  const std::uint64_t magnitude = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  const std::string digits = std::to_string(magnitude);
  std::string out = n < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += sep;
    out += digits[i];
  }
  return out;
}

}  // namespace sp::text
