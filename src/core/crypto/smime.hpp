#pragma once
// S/MIME signed messages (RFC 8551, multipart/signed with a detached CMS SignedData, RFC 5652) through
// OpenSSL's CMS: what certified-mail (PEC) providers sign their receipts with, and what the PEC simulator
// signs them with. Also a self-signed identity for simulators and tests (a real provider's certificate
// comes from a qualified CA listed by AgID).
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sp::crypto {

struct SigningIdentity {
  std::string key_pem;   // PKCS#8, unencrypted
  std::string cert_pem;  // X.509
};

// A new RSA 2048 key with a self-signed certificate (CN and O as given, valid from now for `days`).
SigningIdentity self_signed_identity(const std::string& common_name, const std::string& organization,
                                     int days);

// Signs `entity` (a MIME entity: its headers, a blank line, its body; CRLF line endings) as the first part
// of a multipart/signed (SHA-256, detached, the exact bytes: no canonicalisation beyond what is given)
// and gives the multipart's Content-Type header line and body, ready to follow the message's own headers.
// Errors: smime.key (the identity cannot be read), smime.sign.
Result<std::string> smime_sign(std::string_view entity, const SigningIdentity& signer);

struct SmimeVerified {
  std::string content;         // the signed MIME entity, as signed
  std::string signer_subject;  // the signing certificate's subject, one line (RFC 2253)
};

// Verifies a whole message (its headers included) whose body is multipart/signed or an opaque
// application/pkcs7-mime signed-data, against `trusted_pem`: a bundle of certificates, each one trusted
// as it is (the providers' certificates, or the CAs that issue them). Errors: smime.format (not an S/MIME
// signed message), smime.trust (a bundle that cannot be read), smime.signature (the content or the
// signature altered, or a signer outside the bundle).
Result<SmimeVerified> smime_verify(std::string_view message, std::string_view trusted_pem);

}  // namespace sp::crypto
