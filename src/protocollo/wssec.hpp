#pragma once
// The calling registry office's signature on a SOAP call: AgID's interoperability model (ModI, "Linee
// guida sull'interoperabilità tecnica", security pattern ID_AUTH_SOAP_02, "Direct Trust con certificato
// X.509 su SOAP con unicità del token/messaggio"), a profile of OASIS WS-Security 1.1 with the X.509
// Certificate Token Profile and W3C WS-Addressing. xmlsec1 (OpenSSL) canonicalises, digests, signs and
// verifies; nothing here canonicalises by hand.
//
// The header made (SOAP 1.1):
//   soapenv:Header
//     wsa:To wsu:Id="To-…"                the URL called
//     wsa:MessageID wsu:Id="MessageID-…"  urn:uuid:…, new for every call (the receiver keeps it: replays)
//     wsse:Security soapenv:mustUnderstand="1"
//       wsu:Timestamp wsu:Id="TS-…": wsu:Created, wsu:Expires (a few minutes later)
//       wsse:BinarySecurityToken wsu:Id="X509-…" (X509v3, Base64Binary): the signer's certificate
//       ds:Signature: exclusive c14n; RSA-SHA256 or ECDSA-SHA256 (the certificate's key); one
//         ds:Reference (exc-c14n, SHA-256) each to soapenv:Body wsu:Id="Body-…", the Timestamp, wsa:To
//         and wsa:MessageID; ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference to the token.
//
// verify() checks the signature and the shape, not whom to trust nor the time (check_time()): both are
// the receiver's decisions. It refuses (error codes, 401): soap_auth.unsigned (no wsse:Security, or no
// signature in it), soap_auth.structure (detail: what is wrong: not one Body, a missing or repeated
// header, an id missing or used twice, a reference to anything else than the four parts, a transform or
// algorithm other than those above, the token missing or not an X.509 certificate), soap_auth.signature
// (xmlsec's verdict: a part changed after signing, or the signature value wrong). check_time() refuses
// soap_auth.expired (the Timestamp is not within its window, allowing the clock skew, or longer than
// allowed) and soap_auth.certificate (the certificate not valid now).
#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "protocollo/xades.hpp"

namespace sp::protocollo::wssec {

inline constexpr const char* kWsseNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr const char* kWsuNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr const char* kWsaNs = "http://www.w3.org/2005/08/addressing";

struct Stamp {
  std::string to;          // wsa:To: the URL called
  std::string message_id;  // wsa:MessageID; "" for a new urn:uuid
  time::TimePoint created{};
  std::chrono::seconds ttl{300};  // wsu:Expires = Created + ttl
};

// `envelope` (SOAP 1.1, without a wsse:Security header) with the header above, signed by `signer`.
// Errors: soap.format (not a SOAP envelope), xades.key (key and certificate unusable), xades.sign.
Result<std::string> sign(std::string_view envelope, const xades::Signer& signer, const Stamp& stamp);

// Who signed a call, and what it said about itself.
struct Signed {
  xades::CertificateInfo certificate;
  std::string to;
  std::string message_id;
  time::TimePoint created{};
  time::TimePoint expires{};
};
Result<Signed> verify(std::string_view envelope);

// The Timestamp at `now`: Created no later than now + skew, Expires no earlier than now - skew, Expires
// after Created by at most `longest`; and the certificate valid now (with the same skew).
Status check_time(const Signed& s, time::TimePoint now, std::chrono::seconds skew,
                  std::chrono::seconds longest = std::chrono::hours(1));

}  // namespace sp::protocollo::wssec
