#pragma once
// A throw-away PKI for the tests of mutual TLS (the ANPR simulator's https front, the HTTP client's
// client certificate): made with OpenSSL when a test runs, in a folder of the test's own, never committed.
#include <string>

namespace sp::testing {

struct TestPki {
  std::string ca_cert;      // the CA both sides trust
  std::string server_cert;  // for localhost and 127.0.0.1, signed by the CA
  std::string server_key;
  std::string client_cert;  // "the hub", signed by the CA
  std::string client_key;
  std::string other_client_cert;  // signed by another CA: a certificate the server must refuse
  std::string other_client_key;
};

// Writes the PEM files into `dir` (created if missing): EC P-256 keys, certificates valid from an hour ago
// for a day. Throws std::runtime_error when OpenSSL fails.
TestPki make_test_pki(const std::string& dir);

}  // namespace sp::testing
