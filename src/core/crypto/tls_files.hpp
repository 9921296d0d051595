#pragma once
// Checks of a TLS client certificate and its key as files (`sportello config check`, before the ANPR
// client sends them): both readable, PEM, the key the certificate's, the certificate in its validity.
#include <string>

namespace sp::crypto {

// "" when `cert_file` holds a PEM certificate whose public key is the one of the PEM private key in
// `key_file` (the same file when `key_file` is empty) and is valid now; otherwise what is wrong, in words
// an administrator can act on (never the key's content).
std::string client_certificate_problem(const std::string& cert_file, const std::string& key_file);

}  // namespace sp::crypto
