#pragma once
// HMAC (RFC 2104) through OpenSSL's EVP_MAC interface: the primitive under TOTP.
#include <string>
#include <string_view>

namespace sp::crypto {

enum class HashAlgorithm { sha1, sha256, sha512 };

// OpenSSL's name for the digest: "SHA1", "SHA256", "SHA512".
const char* hash_name(HashAlgorithm algorithm);

// The raw MAC (20, 32 or 64 bytes). Throws std::runtime_error only if OpenSSL itself fails.
std::string hmac(HashAlgorithm algorithm, std::string_view key, std::string_view data);

}  // namespace sp::crypto
