#pragma once
// Message digests (OpenSSL EVP). For secrets at rest (session tokens, API keys) and document digests.
#include <string>
#include <string_view>

namespace sp::digest {

std::string sha256_raw(std::string_view data);  // 32 bytes
std::string sha256_hex(std::string_view data);  // 64 lower-case hex characters
std::string to_hex(std::string_view bytes);
// Constant-time comparison of two strings of equal length (false when lengths differ).
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace sp::digest
