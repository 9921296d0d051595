#pragma once
// XAdES baseline B signatures (ETSI EN 319 132-1) enveloped in an XML document, as AgID's segnatura
// informatica requires (segnatura_protocollo.xsd: the last child of the root is a ds:Signature). xmlsec1
// (OpenSSL engine) canonicalises, digests, signs and verifies; nothing here canonicalises by hand.
//
// The signature made:
//   ds:Signature Id="sig-…"
//     ds:SignedInfo: exclusive c14n; RSA-SHA256 or ECDSA-SHA256 (the certificate's key);
//       ds:Reference URI=""  (enveloped-signature + exc-c14n, SHA-256): the whole document
//       ds:Reference URI="#xades-…" Type="http://uri.etsi.org/01903#SignedProperties" (exc-c14n, SHA-256)
//     ds:SignatureValue, ds:KeyInfo/ds:X509Data/ds:X509Certificate (the signer's certificate)
//     ds:Object/xades:QualifyingProperties Target="#sig-…"/xades:SignedProperties Id="xades-…"/
//       xades:SignedSignatureProperties: xades:SigningTime, xades:SigningCertificateV2 (SHA-256 of the
//       certificate's DER)
//
// Verification refuses (error codes, all 422): xades.xml (not well-formed, a DOCTYPE, no root),
// xades.missing (no ds:Signature as the root's last child), xades.structure (references other than
// exactly the two above, a transform other than enveloped/c14n, the SignedProperties or the
// SigningCertificateV2 missing), xades.signature (a changed byte: digest or signature value wrong),
// xades.untrusted (the certificate is not one of the trusted ones nor issued by a trusted CA, or
// expired), xades.certificate (SigningCertificateV2 does not name the certificate that signed).
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::protocollo::xades {

struct Signer {
  std::string key_pem;   // PKCS#8 or traditional PEM private key (RSA or EC)
  std::string cert_pem;  // its X.509 certificate
};

// `xml` (UTF-8, without a signature) with the ds:Signature appended as the root's last child, signed at
// `signing_time`. Errors: xades.xml (the input), xades.key (key or certificate unreadable, or not a pair),
// xades.sign.
Result<std::string> sign_enveloped(std::string_view xml, const Signer& signer, time::TimePoint signing_time);

struct Verified {
  std::string cert_pem;        // the certificate that signed
  std::string signer_subject;  // its subject, one line (RFC 2253)
  time::TimePoint signing_time{};
};

// Checks the enveloped signature of `xml` against `trusted_pem`: certificates (the hub members' own) and
// CAs, each trusted as it is. The certificate must be in the document's KeyInfo.
Result<Verified> verify_enveloped(std::string_view xml, std::string_view trusted_pem);

// SHA-256 of the certificate's DER, base64 (what SigningCertificateV2 carries); "" when unreadable.
std::string certificate_digest(std::string_view cert_pem);

// libxml2 and xmlsec (OpenSSL) initialised once for the process (the WS-Security header, wssec.hpp, too).
void init_xmlsec();

// What an X.509 certificate says, read by OpenSSL.
struct CertificateInfo {
  std::string der;
  std::string pem;
  std::string sha256_hex;  // of the DER: how a registered certificate is matched
  std::string subject;     // one line (RFC 2253)
  time::TimePoint not_before{};
  time::TimePoint not_after{};
  bool ec = false;  // an EC key (ECDSA) rather than RSA
};
// The first certificate of a PEM text, or nullopt.
std::optional<CertificateInfo> certificate_info(std::string_view pem);
// A DER certificate (a WS-Security BinarySecurityToken's), or nullopt.
std::optional<CertificateInfo> certificate_info_der(std::string_view der);

}  // namespace sp::protocollo::xades
