#include "core/crypto/smime.hpp"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

namespace sp::crypto {
namespace {

using SmimeBio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using SmimeKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using SmimeCert = std::unique_ptr<X509, decltype(&X509_free)>;
using SmimeCms = std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)>;
using SmimeStore = std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)>;

SmimeBio memory_bio(std::string_view data) {
  return {BIO_new_mem_buf(data.data(), static_cast<int>(data.size())), &BIO_free};
}

std::string smime_bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string pem_of_key(EVP_PKEY* key) {
  SmimeBio out(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return smime_bio_text(out.get());
}

std::string pem_of_cert(X509* cert) {
  SmimeBio out(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(out.get(), cert);
  return smime_bio_text(out.get());
}

}  // namespace

SigningIdentity self_signed_identity(const std::string& common_name, const std::string& organization,
                                     int days) {
  SmimeKey key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  SmimeCert cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  // A random serial: two simulators' certificates never share issuer and serial.
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);  // clocks a few minutes apart
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("IT"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(organization.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return {pem_of_key(key.get()), pem_of_cert(cert.get())};
}

Result<std::string> smime_sign(std::string_view entity, const SigningIdentity& signer) {
  auto key_bio = memory_bio(signer.key_pem);
  SmimeKey key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  auto cert_bio = memory_bio(signer.cert_pem);
  SmimeCert cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!key || !cert) return Error::make("smime.key", 500);
  auto in = memory_bio(entity);
  const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_STREAM;
  SmimeCms cms(CMS_sign(cert.get(), key.get(), nullptr, in.get(), flags), &CMS_ContentInfo_free);
  if (!cms) return Error::make("smime.sign", 500);
  SmimeBio out(BIO_new(BIO_s_mem()), &BIO_free);
  auto data = memory_bio(entity);
  if (SMIME_write_CMS(out.get(), cms.get(), data.get(), flags | SMIME_CRLFEOL) != 1)
    return Error::make("smime.sign", 500);
  return smime_bio_text(out.get());
}

Result<SmimeVerified> smime_verify(std::string_view message, std::string_view trusted_pem) {
  SmimeStore store(X509_STORE_new(), &X509_STORE_free);
  auto bundle = memory_bio(trusted_pem);
  int trusted = 0;
  while (X509* c = PEM_read_bio_X509(bundle.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), c);
    X509_free(c);
    ++trusted;
  }
  ERR_clear_error();
  if (trusted == 0) return Error::make("smime.trust", 500);
  // Providers' certificates are not issued for e-mail protection by every CA: any purpose, as the PEC
  // rules name the certificate, not its extended key usage.
  X509_STORE_set_purpose(store.get(), X509_PURPOSE_ANY);
  auto in = memory_bio(message);
  BIO* content = nullptr;
  SmimeCms cms(SMIME_read_CMS(in.get(), &content), &CMS_ContentInfo_free);
  SmimeBio content_owner(content, &BIO_free);
  if (!cms) {
    ERR_clear_error();
    return Error::make("smime.format", 422);
  }
  SmimeBio out(BIO_new(BIO_s_mem()), &BIO_free);
  if (CMS_verify(cms.get(), nullptr, store.get(), content, out.get(), CMS_BINARY) != 1) {
    ERR_clear_error();
    return Error::make("smime.signature", 422);
  }
  SmimeVerified v{smime_bio_text(out.get()), {}};
  if (STACK_OF(X509)* signers = CMS_get0_signers(cms.get())) {
    if (sk_X509_num(signers) > 0) {
      SmimeBio name(BIO_new(BIO_s_mem()), &BIO_free);
      X509_NAME_print_ex(name.get(), X509_get_subject_name(sk_X509_value(signers, 0)), 0, XN_FLAG_RFC2253);
      v.signer_subject = smime_bio_text(name.get());
    }
    sk_X509_free(signers);
  }
  return v;
}

}  // namespace sp::crypto
