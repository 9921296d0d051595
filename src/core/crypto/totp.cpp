#include "core/crypto/totp.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "core/crypto/encoding.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace sp::crypto {
namespace {

constexpr std::array<std::uint32_t, 9> kPowersOfTen = {1,      10,      100,      1000,     10000,
                                                       100000, 1000000, 10000000, 100000000};

void check_digits(int digits) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("TOTP digits must be 6 to 8");
}

}  // namespace

std::string generate_totp_secret(std::size_t bytes) {
  std::string key(bytes, '\0');
  sp::ids::random_bytes(key.data(), key.size());
  return key;
}

std::string hotp(std::string_view key, std::uint64_t counter, int digits, HashAlgorithm algorithm) {
  check_digits(digits);
  // The counter is an 8-byte big-endian value (RFC 4226 section 5.1, "C").
  std::string message(8, '\0');
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<char>(counter & 0xFF);
    counter >>= 8;
  }
  const std::string mac = hmac(algorithm, key, message);
  // Dynamic truncation (RFC 4226 section 5.3): the low 4 bits of the last byte pick an offset; 31 bits
  // from there, big-endian, modulo 10^digits. RFC 6238 uses the same for SHA-256/512 (its appendix A).
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(mac[i]));
  };
  const std::size_t offset = byte(mac.size() - 1) & 0x0F;
  const std::uint32_t binary =
      ((byte(offset) & 0x7F) << 24) | (byte(offset + 1) << 16) | (byte(offset + 2) << 8) | byte(offset + 3);
  std::string code = std::to_string(binary % kPowersOfTen[static_cast<std::size_t>(digits)]);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

std::uint64_t totp_time_step(sp::time::TimePoint at, const TotpParams& params) {
  return totp_time_step(std::chrono::floor<std::chrono::seconds>(at), params);
}

std::uint64_t totp_time_step(std::chrono::sys_seconds at, const TotpParams& params) {
  if (params.step.count() <= 0) throw std::invalid_argument("TOTP step must be positive");
  const auto unix = at.time_since_epoch();
  if (unix < params.t0) throw std::invalid_argument("time before TOTP T0");
  return static_cast<std::uint64_t>((unix - params.t0) / params.step);
}

std::string totp_code(std::string_view key, sp::time::TimePoint at, const TotpParams& params) {
  return hotp(key, totp_time_step(at, params), params.digits, params.algorithm);
}

std::string totp_code(std::string_view key, std::chrono::sys_seconds at, const TotpParams& params) {
  return hotp(key, totp_time_step(at, params), params.digits, params.algorithm);
}

Result<std::uint64_t> verify_totp(std::string_view key, std::string_view code, sp::time::TimePoint at,
                                  const TotpParams& params, std::optional<std::uint64_t> last_used_step) {
  check_digits(params.digits);
  std::string given;
  for (char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return Error::make("totp.format", 400);
    given += c;
  }
  if (given.size() != static_cast<std::size_t>(params.digits)) return Error::make("totp.format", 400);

  const std::uint64_t now = totp_time_step(at, params);
  // Try every step in the window without stopping early, comparing in constant time, so the response
  // time does not tell which step (if any) matched.
  std::optional<std::uint64_t> matched;
  for (std::uint64_t step : {now - 1, now, now + 1}) {
    if (step == now - 1 && now == 0) continue;  // no step before the first
    const std::string expected = hotp(key, step, params.digits, params.algorithm);
    if (sodium_memcmp(expected.data(), given.data(), given.size()) == 0 && !matched) matched = step;
  }
  if (!matched) return Error::make("totp.invalid", 401);
  if (last_used_step && *matched <= *last_used_step) return Error::make("totp.replayed", 401);
  return *matched;
}

std::string totp_provisioning_uri(std::string_view issuer, std::string_view account, std::string_view key,
                                  const TotpParams& params) {
  // The label carries the issuer as a prefix for old apps; the issuer parameter is the one newer apps
  // trust. The ':' between them stays literal: it is the separator, any ':' inside is encoded.
  std::string uri = "otpauth://totp/" + text::percent_encode(issuer) + ":" + text::percent_encode(account);
  uri += "?secret=" + base32_encode(key, /*pad=*/false);
  uri += "&issuer=" + text::percent_encode(issuer);
  uri += "&algorithm=";
  uri += hash_name(params.algorithm);
  uri += "&digits=" + std::to_string(params.digits);
  uri += "&period=" + std::to_string(params.step.count());
  return uri;
}

}  // namespace sp::crypto
