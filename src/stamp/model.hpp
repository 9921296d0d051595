#pragma once
// The hub's digital stamp (contrassegno elettronico, CAD art. 23-ter c.5; AgID circular 62/2013), the
// data part: what the 2D code carries, its canonical form and the Ed25519 signature over it
// (docs/stamp.md). Nothing here talks to the database, to HTTP or to the PDF layer.
//
// The code's text is a URL on the hub's own domain, so a phone that scans it opens the verification
// page; its query holds every field in a fixed order, each value percent-encoded:
//
//   https://hub.example/verifica?v=1&id=<token>&e=<body slug>&t=<kind>&d=<issued, 20261205T140405Z>
//     &p=<protocol number or empty>&h=<SHA-256 of the document before the stamp, base64url>&k=<key id>
//     &s=<Ed25519 signature, base64url>
//
// The canonical form is that URL up to `&s=` (exclusive); the signature is made over
// "sportello-stamp/1\n" + the canonical form with the body's stamp-signing key `k` (core/keys). parse()
// accepts only text that serialises back to itself, so one document has exactly one code.
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::stamp {

// What a stamp says. `digest` is the raw 32-byte SHA-256 and `signature` the raw 64 bytes.
struct Seal {
  std::string base_url;  // the hub's public URL, without a trailing '/'
  std::string token;     // the document's identifier: 16 random bytes, base64url (22 characters); printed
                         // for typing as typing_code(token)
  std::string body;      // the issuing body's slug
  std::string kind;      // payment-receipt, payment-notice, application-receipt, case-letter, ...
  time::TimePoint issued_at{};
  std::string protocol;  // the protocol number printed on the document, empty when it has none
  std::string digest;
  std::string key_id;
  std::string signature;
};

// "https://hub/verifica?id=<token>": what a person types or scans to reach the document's record.
std::string verification_url(std::string_view base_url, std::string_view token);
// The URL up to `&s=`: the canonical form.
std::string canonical(const Seal& s);
// The bytes signed: "sportello-stamp/1\n" + canonical(s).
std::string signed_message(const Seal& s);
// canonical(s) + "&s=" + base64url(signature): the 2D code's text.
std::string payload(const Seal& s);
// The payload back into a Seal; errors: stamp.malformed (anything that does not serialise back to the
// same text).
Result<Seal> parse(std::string_view payload);

// A token as issued: 22 characters of [A-Za-z0-9_-].
bool valid_token(std::string_view token);

// The identifier as printed for typing (docs/stamp.md, "Typing the identifier"): the same 16 bytes in
// Crockford's base32 — 26 characters of 0-9 A-Z without I, L, O, U, in groups of five (5-5-5-5-6) —, so
// case, spaces and dashes do not matter and 0/O, 1/I/L are the same key. Nothing is lost: the 128 bits are
// all there. Empty when `token` is not a valid token.
std::string typing_code(std::string_view token);
// What a person typed or pasted, back to the token: the token itself (22 characters, exact, as in the
// code's URL), or the typing code in any case, with any spaces, dashes or dots. nullopt: neither.
std::optional<std::string> token_from_typed(std::string_view typed);
// A document kind: 1 to 40 characters of [a-z0-9-].
bool valid_kind(std::string_view kind);
// 20261205T140405Z, and back.
std::string compact_utc(time::TimePoint t);
std::optional<time::TimePoint> parse_compact_utc(std::string_view text);

// What a verification answers (docs/stamp.md).
enum class Verdict {
  valid,    // the stamp's signature holds with the body's key, the bytes are the ones stamped, and the
            // registry knows the document and has not revoked it
  altered,  // the document or its code is not what was stamped (or another body's key, or no key)
  revoked,  // stamped as shown, but the body revoked the document
  unknown,  // no such identifier, or no stamp in the file
};
const char* to_string(Verdict v);

}  // namespace sp::stamp
