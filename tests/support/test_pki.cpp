#include "support/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace sp::testing {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test pki: ") + what);
}

Key new_key() {
  Key k(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(k != nullptr, "EC key");
  return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `cn` with `key`, signed by `issuer_key` (self-signed when issuer is null).
Cert make_cert(const char* cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, bool ca, const char* san,
               long serial) {
  Cert c(X509_new(), X509_free);
  check(c != nullptr, "X509_new");
  X509_set_version(c.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 86400);
  X509_set_pubkey(c.get(), key);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Sportello tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer != nullptr ? issuer : c.get();
  if (ca) {
    add_ext(c.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(c.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(c.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(c.get(), iss, NID_key_usage, "critical,digitalSignature");
    add_ext(c.get(), iss, NID_ext_key_usage, san != nullptr ? "serverAuth" : "clientAuth");
  }
  if (san != nullptr) add_ext(c.get(), iss, NID_subject_alt_name, san);
  check(X509_sign(c.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return c;
}

void write_cert(const std::string& path, X509* c) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  check(f != nullptr && PEM_write_X509(f.get(), c) == 1, "write certificate");
}

void write_key(const std::string& path, EVP_PKEY* k) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  check(f != nullptr && PEM_write_PrivateKey(f.get(), k, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  std::filesystem::permissions(path,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace

TestPki make_test_pki(const std::string& dir) {
  std::filesystem::create_directories(dir);
  TestPki p;
  p.ca_cert = dir + "/ca.pem";
  p.server_cert = dir + "/server.pem";
  p.server_key = dir + "/server-key.pem";
  p.client_cert = dir + "/client.pem";
  p.client_key = dir + "/client-key.pem";
  p.other_client_cert = dir + "/other-client.pem";
  p.other_client_key = dir + "/other-client-key.pem";

  auto ca_key = new_key();
  auto ca = make_cert("Sportello test CA", ca_key.get(), nullptr, nullptr, true, nullptr, 1);
  auto server_key = new_key();
  auto server = make_cert("localhost", server_key.get(), ca.get(), ca_key.get(), false,
                          "DNS:localhost,IP:127.0.0.1", 2);
  auto client_key = new_key();
  auto client = make_cert("Polo di prova", client_key.get(), ca.get(), ca_key.get(), false, nullptr, 3);
  auto other_ca_key = new_key();
  auto other_ca = make_cert("Another CA", other_ca_key.get(), nullptr, nullptr, true, nullptr, 1);
  auto other_key = new_key();
  auto other =
      make_cert("Polo di prova", other_key.get(), other_ca.get(), other_ca_key.get(), false, nullptr, 2);

  write_cert(p.ca_cert, ca.get());
  write_cert(p.server_cert, server.get());
  write_key(p.server_key, server_key.get());
  write_cert(p.client_cert, client.get());
  write_key(p.client_key, client_key.get());
  write_cert(p.other_client_cert, other.get());
  write_key(p.other_client_key, other_key.get());
  return p;
}

}  // namespace sp::testing
