#include "core/crypto/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "core/text.hpp"

namespace sp::crypto {
namespace {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    return true;
  }();
  (void)ready;
}

// UTF-8 code points: every byte that is not a continuation byte (10xxxxxx) starts one.
std::size_t count_chars(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// "aaaaaaaaaaaa" or "àààààààààààà": the first character (a UTF-8 sequence of 1-4 bytes) over and over.
bool one_character_repeated(std::string_view s) {
  std::size_t n = 1;
  while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) ++n;
  if (s.size() % n != 0) return false;
  for (std::size_t i = n; i < s.size(); i += n) {
    if (s.compare(i, n, s.substr(0, n)) != 0) return false;
  }
  return true;
}

// Passwords of 12 characters or more that lead the public breach lists (NordPass, NCSC "100k most
// common", RockYou), with some Italian ones. Shorter common passwords already fail the length rule.
// Kept in lower case; compared ignoring case.
constexpr std::array<std::string_view, 32> kCommonPasswords = {
    "123456789012", "1234567890123",  "12345678901234",      "123123123123",     "111111111111",
    "000000000000", "password1234",   "password12345",       "passwordpassword", "password123!",
    "qwertyuiop12", "qwertyuiopasdf", "qwertyuiopasdfghjkl", "1qaz2wsx3edc",     "1q2w3e4r5t6y",
    "qwerty123456", "abcdefghijkl",   "abc123abc123",        "iloveyou1234",     "administrator",
    "admin1234567", "changemenow1",   "welcome12345",        "letmein12345",     "football1234",
    "asdfghjklzxc", "ciaociaociao",   "passworditalia",      "amoremioamore",    "forzajuventus",
    "forzainter12", "napolinapoli",
};

Error policy_error(std::string code) {
  Error e = Error::make("password." + std::move(code), 400);
  e.field = "password";
  return e;
}

}  // namespace

bool is_argon2id_hash(std::string_view hash) {
  if (!hash.starts_with("$argon2id$") || hash.size() >= crypto_pwhash_STRBYTES) return false;
  ensure_sodium();
  const std::string h(hash);
  // -1 means the string cannot be parsed as a hash; 0 or 1 only say whether its cost matches.
  return crypto_pwhash_str_needs_rehash(h.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != -1;
}

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

Result<std::string> hash_password(std::string_view password, PasswordCost cost) {
  if (password.size() > kMaxPasswordBytes) return policy_error("too_long");
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  // crypto_pwhash_str picks a random salt and writes the algorithm (argon2id), version and cost into
  // the string, so verify and needs_rehash need nothing else.
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.opslimit, cost.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::make("password.hash_failed", 500, "argon2id: out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  if (password.size() > kMaxPasswordBytes || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  ensure_sodium();
  const std::string hash(stored_hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view stored_hash, PasswordCost cost) {
  if (stored_hash.size() >= crypto_pwhash_STRBYTES) return true;
  ensure_sodium();
  const std::string hash(stored_hash);
  // 1: other parameters; -1: not an argon2id string we understand. Both mean "hash again".
  if (hash.rfind("$argon2id$", 0) != 0) return true;
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost.opslimit, cost.memlimit) != 0;
}

Status check_password_policy(std::string_view password, std::string_view username) {
  if (count_chars(password) < kMinPasswordChars) return policy_error("too_short");
  if (password.size() > kMaxPasswordBytes) return policy_error("too_long");
  if (one_character_repeated(password)) return policy_error("repeated");
  const std::string lower = text::to_lower_ascii(password);
  if (!username.empty() && lower == text::to_lower_ascii(username)) return policy_error("username");
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lower) != kCommonPasswords.end()) {
    return policy_error("common");
  }
  return Ok{};
}

}  // namespace sp::crypto
