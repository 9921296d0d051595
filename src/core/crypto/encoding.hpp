#pragma once
// Binary-to-text encodings: base64url without padding (JWS/JWK, RFC 7515 section 2 and appendix C), standard
// base64 (MIME bodies, the segnatura's digests), hex, all through libsodium; and base32 (RFC 4648 section 6)
// for TOTP secrets typed or scanned by people, which libsodium does not offer.
#include <optional>
#include <string>
#include <string_view>

namespace sp::crypto {

// URL-safe base64 without '=' padding (RFC 4648 section 5, as JWS requires in RFC 7515 section 2).
std::string base64url_encode(std::string_view bytes);
// Strict decode: only A-Z a-z 0-9 - _, no padding, no whitespace, unused trailing bits zero; nullopt
// otherwise. Being strict means one token has exactly one encoding, so a tampered variant cannot pass.
std::optional<std::string> base64url_decode(std::string_view text);

// Standard base64 (RFC 4648 section 4) with '=' padding.
std::string base64_encode(std::string_view bytes);
// Lenient decode for text from outside (e-mail bodies): CR, LF, spaces and tabs are ignored and the '='
// padding may be missing; any other character outside the alphabet gives nullopt.
std::optional<std::string> base64_decode(std::string_view text);

// Lower-case hex, two digits per byte.
std::string hex_encode(std::string_view bytes);
// Upper or lower case hex of whole bytes; nullopt on an odd length or a character that is not hex.
std::optional<std::string> hex_decode(std::string_view text);

// Base32 with the RFC 4648 section 6 alphabet (A-Z 2-7); `pad` adds '=' to a multiple of 8 characters.
std::string base32_encode(std::string_view bytes, bool pad = true);
// Accepts upper or lower case, optional trailing '=' padding and spaces (secrets are often shown in
// groups of four). Rejects other characters, impossible lengths and non-zero unused bits.
std::optional<std::string> base32_decode(std::string_view text);

}  // namespace sp::crypto
