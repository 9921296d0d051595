#pragma once
// Signing keys for JWS (RS256, ES256) and their JSON Web Key form (RFC 7517, RFC 7518 section 6): our
// own keys (generated, stored as PEM, published in a JWKS) and the identity providers' keys (read from
// their JWKS, chosen by `kid`, several at once so that keys can be rotated).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace sp::crypto {

// The JWS algorithms we sign and accept (RFC 7518 section 3.1). The SPID/CIE OpenID Connect Federation
// rules ("Linee guida OpenID Connect in SPID", "Algoritmi crittografici") require RS256 and RS512 and
// allow ES256; "none" and the HMAC family are never accepted (a public key must not double as an HMAC
// secret).
enum class JwsAlg { rs256, es256, rs512 };

const char* jws_alg_name(JwsAlg alg);  // "RS256", "ES256", "RS512"

// An RSA (at least 2048 bits) or EC P-256 key pair, or just its public half. Copies share the key.
class Key {
 public:
  // A new key pair: RSA 2048 bits for RS256, P-256 for ES256. An empty kid becomes the RFC 7638
  // thumbprint, so the same key always gets the same kid.
  static Key generate(JwsAlg alg, std::string kid = {});
  // An unencrypted PKCS#8 or traditional PEM private key (as private_pem() writes). Errors: key.pem,
  // key.unsupported (not RSA >= 2048 nor EC P-256).
  static Result<Key> from_private_pem(std::string_view pem, std::string kid = {});
  // A PEM "PUBLIC KEY" (SubjectPublicKeyInfo). Same errors.
  static Result<Key> from_public_pem(std::string_view pem, std::string kid = {});
  // The public key of a JWK. Errors: jwk.format (missing or malformed members), jwk.unsupported (kty
  // other than RSA/EC, curve other than P-256, RSA under 2048 bits, "alg" other than RS256/ES256 or not
  // matching the key type, "use" other than "sig"). Private members ("d", ...) are ignored.
  static Result<Key> from_jwk(const boost::json::object& jwk);

  [[nodiscard]] const std::string& kid() const { return kid_; }
  [[nodiscard]] JwsAlg alg() const { return alg_; }
  [[nodiscard]] bool is_rsa() const { return alg_ != JwsAlg::es256; }
  // True when the key came from a JWK naming its "alg": then only that algorithm verifies with it. An
  // RSA key that names none verifies RS256 and RS512 alike (same key type, RFC 8725 section 3.1).
  [[nodiscard]] bool alg_pinned() const { return alg_pinned_; }
  // The same RSA key signing with another RSA algorithm (RS256 / RS512). Throws std::logic_error on EC.
  [[nodiscard]] Key with_alg(JwsAlg alg) const;
  [[nodiscard]] bool has_private() const { return has_private_; }

  // The private key as unencrypted PKCS#8 PEM: protect the file it goes into. Throws std::logic_error
  // on a public-only key.
  [[nodiscard]] std::string private_pem() const;
  [[nodiscard]] std::string public_pem() const;
  // {"kty","kid","use":"sig","alg", "n","e" | "crv","x","y"}: the public half only.
  [[nodiscard]] boost::json::object public_jwk() const;
  // RFC 7638 JWK thumbprint: base64url(SHA-256 of the required members in lexicographic order).
  [[nodiscard]] std::string thumbprint() const;
  // The same key without the private half, for publishing or for a verifier.
  [[nodiscard]] Key public_only() const;

  [[nodiscard]] evp_pkey_st* evp() const { return pkey_.get(); }

 private:
  Key(std::shared_ptr<evp_pkey_st> pkey, JwsAlg alg, std::string kid, bool has_private);
  static Result<Key> adopt(evp_pkey_st* pkey, std::string kid, bool has_private);

  std::shared_ptr<evp_pkey_st> pkey_;
  JwsAlg alg_;
  std::string kid_;
  bool has_private_;
  bool alg_pinned_ = false;
};

// A JSON Web Key Set (RFC 7517 section 5): the keys a party signs with, looked up by kid. During a
// rotation it holds the old and the new key, so tokens signed with either still verify.
class Jwks {
 public:
  Jwks() = default;
  explicit Jwks(std::vector<Key> keys) : keys_(std::move(keys)) {}

  // Adds a key; one with the same kid is replaced.
  void add(Key key);
  // Removes the key with that kid; false when there was none.
  bool remove(std::string_view kid);
  [[nodiscard]] const Key* find(std::string_view kid) const;
  [[nodiscard]] const std::vector<Key>& keys() const { return keys_; }
  [[nodiscard]] bool empty() const { return keys_.empty(); }

  // {"keys":[...]} with public halves only: what goes on the well-known URL or into the entity
  // configuration.
  [[nodiscard]] boost::json::object to_json() const;
  // Reads a JWKS document. Keys we cannot use (other kty, "use":"enc", ...) are skipped, as RFC 7517
  // section 5 asks; keys without kid are skipped too, since we select by kid. Errors: jwks.format (not
  // {"keys":[...]}, or two keys with one kid).
  static Result<Jwks> from_json(const boost::json::value& json);

 private:
  std::vector<Key> keys_;
};

}  // namespace sp::crypto
