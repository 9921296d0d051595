#include "core/crypto/encoding.hpp"

#include <sodium.h>

#include <cstdint>

namespace sp::crypto {

std::string base64url_encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 1, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  // libsodium rejects padding in the NO_PADDING variant and non-zero leftover bits; `end` tells us
  // whether it stopped early on a character outside the alphabet.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // Padding is optional for us, not for libsodium's ORIGINAL variant: drop it (and the whitespace) and
  // decode the rest without padding; '=' anywhere but at the end is an error.
  std::string compact;
  compact.reserve(text.size());
  bool padding = false;
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return std::nullopt;
    compact += c;
  }
  std::string out(compact.size() * 3 / 4 + 1, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), compact.data(),
                        compact.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
      end != compact.data() + compact.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string hex_encode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out(text.size() / 2, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                     nullptr, &len, &end) != 0 ||
      end != text.data() + text.size() || len != out.size()) {
    return std::nullopt;
  }
  return out;
}

namespace {
constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}
}  // namespace

std::string base32_encode(std::string_view bytes, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];  // RFC 4648 section 6: zero-fill
  if (pad) {
    while (out.size() % 8 != 0) out += '=';
  }
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string symbols;
  symbols.reserve(text.size());
  std::size_t padding = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0 || base32_value(c) < 0) return std::nullopt;  // data after padding, or not base32
    symbols += c;
  }
  // A final quantum of 1, 3 or 6 symbols cannot come from whole bytes (RFC 4648 section 6 lists 2, 4,
  // 5 and 7 as the only partial lengths).
  const std::size_t rest = symbols.size() % 8;
  if (rest == 1 || rest == 3 || rest == 6) return std::nullopt;
  if (padding > 0 && (symbols.size() + padding) % 8 != 0) return std::nullopt;

  std::string out;
  out.reserve(symbols.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : symbols) {
    buffer = (buffer << 5) | static_cast<std::uint32_t>(base32_value(c));
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;  // leftover bits must be zero
  return out;
}

}  // namespace sp::crypto
