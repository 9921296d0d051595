#pragma once
// Proof Key for Code Exchange (RFC 7636): the authorization request carries a hash of a secret, the
// token request the secret itself, so a stolen authorization code alone is useless.
#include <cstddef>
#include <string>
#include <string_view>

namespace sp::crypto {

// A fresh code_verifier of `length` characters (43 to 128, RFC 7636 section 4.1) from the unreserved
// set; at least 256 bits of entropy at the default length. Throws std::invalid_argument otherwise.
std::string pkce_verifier(std::size_t length = 64);

// True when `verifier` is 43-128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 section 4.1).
bool is_valid_pkce_verifier(std::string_view verifier);

// code_challenge for method S256: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 section 4.2).
std::string pkce_challenge_s256(std::string_view verifier);

}  // namespace sp::crypto
