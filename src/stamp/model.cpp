#include "stamp/model.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

#include "core/crypto/encoding.hpp"

namespace sp::stamp {
namespace {

constexpr std::string_view kMessagePrefix = "sportello-stamp/1\n";
constexpr std::string_view kVersion = "1";

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;  // lower-case escapes are not canonical
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex(text[i + 1]);
    int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool all_of(std::string_view text, bool (*ok)(char)) {
  for (char c : text)
    if (!ok(c)) return false;
  return true;
}

Error malformed(std::string detail) {
  return Error::make("stamp.malformed", 400, std::move(detail));
}

}  // namespace

std::string verification_url(std::string_view base_url, std::string_view token) {
  return std::string(base_url) + "/verifica?id=" + percent_encode(token);
}

std::string canonical(const Seal& s) {
  std::string out = s.base_url;
  out += "/verifica?v=";
  out += kVersion;
  out += "&id=" + percent_encode(s.token);
  out += "&e=" + percent_encode(s.body);
  out += "&t=" + percent_encode(s.kind);
  out += "&d=" + compact_utc(s.issued_at);
  out += "&p=" + percent_encode(s.protocol);
  out += "&h=" + crypto::base64url_encode(s.digest);
  out += "&k=" + percent_encode(s.key_id);
  return out;
}

std::string signed_message(const Seal& s) {
  return std::string(kMessagePrefix) + canonical(s);
}

std::string payload(const Seal& s) {
  return canonical(s) + "&s=" + crypto::base64url_encode(s.signature);
}

Result<Seal> parse(std::string_view text) {
  auto q = text.find("/verifica?");
  if (q == std::string_view::npos) return malformed("no /verifica?");
  Seal s;
  s.base_url = std::string(text.substr(0, q));
  std::string_view query = text.substr(q + std::string_view("/verifica?").size());
  static constexpr std::array<std::string_view, 9> kNames = {"v", "id", "e", "t", "d", "p", "h", "k", "s"};
  std::vector<std::string> values;
  std::size_t at = 0;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    auto end = query.find('&', at);
    if (i + 1 == kNames.size()) end = query.size();
    if (end == std::string_view::npos) return malformed("missing fields");
    auto field = query.substr(at, end - at);
    auto eq = field.find('=');
    if (eq == std::string_view::npos || field.substr(0, eq) != kNames[i])
      return malformed("expected field " + std::string(kNames[i]));
    auto value = percent_decode(field.substr(eq + 1));
    if (!value) return malformed("bad escape in " + std::string(kNames[i]));
    values.push_back(std::move(*value));
    at = end + 1;
  }
  if (values[0] != kVersion) return malformed("version");
  s.token = values[1];
  s.body = values[2];
  s.kind = values[3];
  auto issued = parse_compact_utc(values[4]);
  if (!issued) return malformed("date");
  s.issued_at = *issued;
  s.protocol = values[5];
  auto digest = crypto::base64url_decode(values[6]);
  auto signature = crypto::base64url_decode(values[8]);
  if (!digest || digest->size() != 32) return malformed("digest");
  if (!signature || signature->size() != 64) return malformed("signature");
  s.digest = std::move(*digest);
  s.key_id = values[7];
  s.signature = std::move(*signature);
  if (!valid_token(s.token) || !valid_kind(s.kind) || s.body.empty()) return malformed("fields");
  if (payload(s) != text) return malformed("not canonical");
  return s;
}

namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kTypingDigits = 26;  // 130 bits for the 128 of a token: the first digit is 0-7

// A digit's value, reading 0/O, 1/I/L alike and either case; -1 for anything else.
int crockford_value(char c) {
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  const auto at = kCrockford.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

std::string typing_code(std::string_view token) {
  if (!valid_token(token)) return {};
  auto bytes = crypto::base64url_decode(token);
  if (!bytes || bytes->size() != 16) return {};
  // 128 bits as 26 base-32 digits, most significant first (two leading zero bits).
  std::string digits(kTypingDigits, '0');
  for (std::size_t i = 0; i < kTypingDigits; ++i) {
    const std::size_t last_bit = 129 - 5 * (kTypingDigits - 1 - i);  // of the 130-bit number, from the top
    int v = 0;
    for (std::size_t b = last_bit - 4; b <= last_bit; ++b) {
      const bool bit =
          b >= 2 && ((static_cast<unsigned char>((*bytes)[(b - 2) / 8]) >> (7 - (b - 2) % 8)) & 1);
      v = (v << 1) | (bit ? 1 : 0);
    }
    digits[i] = kCrockford[static_cast<std::size_t>(v)];
  }
  std::string out;
  for (std::size_t i = 0; i < kTypingDigits; ++i) {
    if (i > 0 && i % 5 == 0 && i < 25) out += '-';
    out += digits[i];
  }
  return out;
}

std::optional<std::string> token_from_typed(std::string_view typed) {
  std::string_view t = typed;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  if (valid_token(t)) return std::string(t);
  std::vector<int> values;
  for (char c : t) {
    if (c == '-' || c == '.' || std::isspace(static_cast<unsigned char>(c))) continue;
    const int v = crockford_value(c);
    if (v < 0 || values.size() == kTypingDigits) return std::nullopt;
    values.push_back(v);
  }
  if (values.size() != kTypingDigits || values[0] > 7) return std::nullopt;
  std::string bytes(16, '\0');
  std::size_t bit = 0;  // of the 130-bit number, from the top
  for (int v : values) {
    for (int k = 4; k >= 0; --k, ++bit) {
      if (bit < 2 || ((v >> k) & 1) == 0) continue;
      bytes[(bit - 2) / 8] =
          static_cast<char>(static_cast<unsigned char>(bytes[(bit - 2) / 8]) | (0x80u >> ((bit - 2) % 8)));
    }
  }
  auto token = crypto::base64url_encode(bytes);
  return valid_token(token) ? std::optional<std::string>(token) : std::nullopt;
}

bool valid_token(std::string_view token) {
  return token.size() == 22 && all_of(token, [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_';
         });
}

bool valid_kind(std::string_view kind) {
  return !kind.empty() && kind.size() <= 40 &&
         all_of(kind, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::string compact_utc(time::TimePoint t) {
  auto iso = time::format_iso_utc(t);  // 2026-12-05T14:04:05Z
  std::string out;
  for (char c : iso)
    if (c != '-' && c != ':') out += c;
  return out;
}

std::optional<time::TimePoint> parse_compact_utc(std::string_view text) {
  // 20261205T140405Z
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  for (std::size_t i = 0; i < 15; ++i)
    if (i != 8 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  std::string iso = std::string(text.substr(0, 4)) + "-" + std::string(text.substr(4, 2)) + "-" +
                    std::string(text.substr(6, 2)) + "T" + std::string(text.substr(9, 2)) + ":" +
                    std::string(text.substr(11, 2)) + ":" + std::string(text.substr(13, 2)) + "Z";
  auto t = time::parse_iso_utc(iso);
  if (!t) return std::nullopt;
  if (compact_utc(*t) != text) return std::nullopt;
  return *t;
}

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::valid:
      return "valid";
    case Verdict::altered:
      return "altered";
    case Verdict::revoked:
      return "revoked";
    case Verdict::unknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace sp::stamp
