#pragma once
// JSON Web Tokens (RFC 7519) in JWS compact serialisation (RFC 7515 section 7.1), signed with RS256 or
// ES256: the SPID/CIE request object, the private_key_jwt client assertion, the providers' ID tokens
// and the federation entity configuration.
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/jwk.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::crypto {

struct DecodedJwt {
  boost::json::object header;
  boost::json::object payload;
};

// header.payload.signature. "alg" and "kid" in the header are set from the key (anything the caller put
// there is overwritten); other members ("typ", ...) are kept. Throws std::logic_error when the key has
// no private half.
std::string sign_jwt(const boost::json::object& header, const boost::json::object& claims, const Key& key);

// Checks the signature and returns header and payload. The steps follow RFC 7515 section 5.2, with
// RFC 8725 (JWT best practices) section 3.1: the algorithm must be one the caller allows AND the one the
// selected key is for, so "none", HS256 signed with a public key as the secret, or an ES256 header on an
// RSA key are all refused before any signature check. Errors (401):
//   jwt.format     not three base64url parts, header or payload not a JSON object, "crit" present
//   jwt.alg        "alg" missing, not allowed, or not the algorithm of the key named by "kid"
//   jwt.kid        "kid" missing or not in `keys`
//   jwt.signature  the signature does not verify
Result<DecodedJwt> verify_jwt(std::string_view token, const Jwks& keys,
                              const std::vector<JwsAlg>& allowed = {JwsAlg::rs256, JwsAlg::es256});

// The algorithm named "RS256", "RS512" or "ES256"; nullopt for anything else.
std::optional<JwsAlg> jws_alg_from_name(std::string_view name);
// The raw hash the algorithm signs with: SHA-256 (RS256, ES256) or SHA-512 (RS512). For at_hash and
// c_hash (OpenID Connect Core section 3.1.3.6).
std::string jws_digest(JwsAlg alg, std::string_view data);

// Header and payload WITHOUT checking the signature: only to learn which keys to verify with (e.g. a
// federation entity configuration carries its own JWKS), never to trust the content. Error: jwt.format.
Result<DecodedJwt> decode_jwt_unverified(std::string_view token);

// What the claims of a verified token must say (RFC 7519 section 4.1, OpenID Connect Core 3.1.3.7).
struct ClaimExpectations {
  std::string issuer;                           // "iss" must equal it
  std::string audience;                         // "aud" (a string or an array) must contain it
  std::optional<std::string> nonce;             // when set, "nonce" must equal it
  std::chrono::seconds leeway{60};              // clock skew tolerated on exp, nbf and iat
  std::optional<std::chrono::seconds> max_age;  // when set, "iat" must not be older than this
  bool require_exp = true;
  bool require_iat = true;
};

// Validates the registered claims against `expected` at clock.now(). Errors (401), checked in this
// order: jwt.iss, jwt.aud, jwt.expired (now >= exp + leeway, or exp missing), jwt.not_yet_valid
// (now + leeway < nbf), jwt.iat (missing, in the future beyond the leeway, or older than max_age),
// jwt.nonce (missing or different), jwt.format (a time claim that is not a number).
Status validate_claims(const boost::json::object& claims, const ClaimExpectations& expected,
                       const sp::time::Clock& clock);

}  // namespace sp::crypto
