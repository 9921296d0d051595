#include "core/crypto/hmac.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace sp::crypto {

const char* hash_name(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::sha1:
      return "SHA1";
    case HashAlgorithm::sha256:
      return "SHA256";
    case HashAlgorithm::sha512:
      return "SHA512";
  }
  return "SHA1";
}

std::string hmac(HashAlgorithm algorithm, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  // A non-null pointer even for an empty key: OpenSSL treats a null key as "no key set".
  static const unsigned char kEmpty = 0;
  const auto* key_ptr = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, hash_name(algorithm), nullptr, key_ptr, key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out,
                &len) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace sp::crypto
