#pragma once
// JSON Web Encryption (RFC 7516) in compact serialisation, with the algorithms the SPID/CIE OpenID
// Connect Federation rules list for the encrypted userinfo ("Linee guida OpenID Connect in SPID",
// "Algoritmi crittografici": alg RSA-OAEP / RSA-OAEP-256, enc A128CBC-HS256 / A256GCM). Written over
// OpenSSL EVP (RFC 7518 sections 4.3, 5.2.3 and 5.3) rather than a JOSE library: Debian's libcjose is
// not linked here and these four combinations are all we need.
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/jwk.hpp"
#include "core/result.hpp"

namespace sp::crypto {

enum class JweAlg { rsa_oaep, rsa_oaep_256 };  // key management (RFC 7518 section 4.3)
enum class JweEnc { a128cbc_hs256, a256gcm };  // content encryption (sections 5.2.3, 5.3)
const char* jwe_alg_name(JweAlg alg);          // "RSA-OAEP", "RSA-OAEP-256"
const char* jwe_enc_name(JweEnc enc);          // "A128CBC-HS256", "A256GCM"

// Encrypts `plaintext` to the RSA public key `to`. The protected header carries alg, enc, kid (the
// key's) and the members of `header` (e.g. "cty":"JWT" for a nested signed token, RFC 7519 section 5.2).
std::string encrypt_jwe(std::string_view plaintext, const Key& to, JweAlg alg, JweEnc enc,
                        const boost::json::object& header = {});

struct DecryptedJwe {
  boost::json::object header;
  std::string plaintext;
};

// Decrypts with one of `keys` (private RSA keys, chosen by the header's kid; without kid each is
// tried). Errors (401): jwe.format (not five base64url parts, header not JSON, "crit", "zip"),
// jwe.alg (alg or enc not among those allowed), jwe.kid (no key for it), jwe.decrypt (the key unwrap or
// the authentication tag fails: the two are not told apart, RFC 7516 section 11.5).
Result<DecryptedJwe> decrypt_jwe(std::string_view token, const std::vector<Key>& keys,
                                 const std::vector<JweAlg>& algs = {JweAlg::rsa_oaep, JweAlg::rsa_oaep_256},
                                 const std::vector<JweEnc>& encs = {JweEnc::a128cbc_hs256, JweEnc::a256gcm});

// True when `token` has the five parts of a compact JWE (a JWS has three).
bool looks_like_jwe(std::string_view token);

// The public JWK of an RSA encryption key: {"kty":"RSA","use":"enc","alg":<alg>,"kid","n","e"}.
boost::json::object encryption_jwk(const Key& key, JweAlg alg = JweAlg::rsa_oaep_256);
// Reads an RSA JWK with "use":"enc" (or no "use"). Errors: jwk.format, jwk.unsupported.
Result<Key> encryption_key_from_jwk(const boost::json::object& jwk);
// The first RSA key with "use":"enc" in a JWKS document, or jwk.unsupported when there is none.
Result<Key> encryption_key_from_jwks(const boost::json::value& jwks);

}  // namespace sp::crypto
