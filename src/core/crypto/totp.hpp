#pragma once
// Time-based one-time passwords for staff second factor: RFC 6238 on top of HOTP (RFC 4226), and the
// otpauth:// URI that authenticator apps scan as a QR code.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/hmac.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::crypto {

// RFC 6238 section 4 defaults are SHA-1, 30 s, T0 = 0; 6 digits is what every authenticator app shows.
struct TotpParams {
  HashAlgorithm algorithm = HashAlgorithm::sha1;
  int digits = 6;                 // 6 to 8 (RFC 4226 section 5.3 requires at least 6)
  std::chrono::seconds step{30};  // X in RFC 6238 section 4.1
  std::chrono::seconds t0{0};     // T0: Unix time the step counting starts from
};

// 20 random bytes: the 160-bit key length RFC 4226 section 4 recommends (R6). Store it encrypted or
// at least out of reach: whoever reads it can generate codes.
std::string generate_totp_secret(std::size_t bytes = 20);

// HOTP (RFC 4226 section 5.3): dynamic truncation of HMAC(key, counter), `digits` decimal digits with
// leading zeros. Throws std::invalid_argument when digits is outside 6..8.
std::string hotp(std::string_view key, std::uint64_t counter, int digits = 6,
                 HashAlgorithm algorithm = HashAlgorithm::sha1);

// T = floor((unix time - T0) / X), RFC 6238 section 4.2. Throws std::invalid_argument before T0.
// The sys_seconds overloads reach beyond 2262, where system_clock's nanoseconds end (RFC 6238's last
// test vector is in the year 2603).
std::uint64_t totp_time_step(sp::time::TimePoint at, const TotpParams& params = {});
std::uint64_t totp_time_step(std::chrono::sys_seconds at, const TotpParams& params = {});

// The code valid at `at`.
std::string totp_code(std::string_view key, sp::time::TimePoint at, const TotpParams& params = {});
std::string totp_code(std::string_view key, std::chrono::sys_seconds at, const TotpParams& params = {});

// Checks `code` against the steps at, at - 1 and at + 1 step (RFC 6238 section 5.2 allows one step
// of clock drift and transmission delay) and returns the step that matched. The caller stores it and
// passes it back as `last_used_step` next time: a code from that step or an earlier one is refused
// (totp.replayed), so a code seen over someone's shoulder cannot be used a second time (section 5.2,
// "the verifier MUST NOT accept the second attempt"). Errors: totp.format (not `digits` digits),
// totp.invalid (no step matched), totp.replayed. Spaces in `code` are ignored ("123 456").
Result<std::uint64_t> verify_totp(std::string_view key, std::string_view code, sp::time::TimePoint at,
                                  const TotpParams& params = {},
                                  std::optional<std::uint64_t> last_used_step = std::nullopt);

// otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30 (the
// "Key Uri Format" Google Authenticator defined and other apps follow). Issuer and account are
// percent-encoded (RFC 3986: everything but unreserved characters), so spaces, ':' and accented
// letters survive; the secret is base32 without padding.
std::string totp_provisioning_uri(std::string_view issuer, std::string_view account, std::string_view key,
                                  const TotpParams& params = {});

}  // namespace sp::crypto
