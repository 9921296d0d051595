#include "core/crypto/tls_files.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

namespace sp::crypto {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

std::string client_certificate_problem(const std::string& cert_file, const std::string& key_file) {
  const std::string& key_path = key_file.empty() ? cert_file : key_file;
  File cf(std::fopen(cert_file.c_str(), "rb"));
  if (!cf) return "'" + cert_file + "' cannot be read";
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_X509(cf.get(), nullptr, nullptr, nullptr),
                                                   X509_free);
  if (!cert) return "'" + cert_file + "' holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  File kf(std::fopen(key_path.c_str(), "rb"));
  if (!kf) return "'" + key_path + "' cannot be read";
  // An empty passphrase callback: an encrypted key is reported, never prompted for.
  auto no_pass = [](char*, int, int, void*) -> int { return 0; };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_PrivateKey(kf.get(), nullptr, no_pass, nullptr), EVP_PKEY_free);
  if (!key) return "'" + key_path + "' holds no unencrypted PEM private key";
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return "the key in '" + key_path + "' is not the key of the certificate in '" + cert_file + "'";
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) <= 0)
    return "the certificate in '" + cert_file + "' has expired";
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) >= 0)
    return "the certificate in '" + cert_file + "' is not valid yet";
  return "";
}

}  // namespace sp::crypto
