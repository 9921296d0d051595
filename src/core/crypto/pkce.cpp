#include "core/crypto/pkce.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "core/crypto/encoding.hpp"
#include "core/ids.hpp"

namespace sp::crypto {

std::string pkce_verifier(std::size_t length) {
  if (length < 43 || length > 128) throw std::invalid_argument("PKCE verifier length must be 43 to 128");
  // Base64url of random bytes (RFC 7636 section 4.1 suggests 32 octets) uses only unreserved characters;
  // draw enough bytes for `length` characters and cut.
  std::string random((length * 3 + 3) / 4, '\0');
  sp::ids::random_bytes(random.data(), random.size());
  std::string verifier = base64url_encode(random);
  verifier.resize(length);
  return verifier;
}

bool is_valid_pkce_verifier(std::string_view verifier) {
  return verifier.size() >= 43 && verifier.size() <= 128 &&
         std::all_of(verifier.begin(), verifier.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_' || c == '~';
         });
}

std::string pkce_challenge_s256(std::string_view verifier) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(verifier.data(), verifier.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

}  // namespace sp::crypto
