#include "core/crypto/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <stdexcept>

#include "core/crypto/encoding.hpp"

namespace sp::crypto {
namespace {

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;

constexpr std::size_t kEs256Half = 32;  // RFC 7518 section 3.4: R and S are 32 bytes each

Error jwt_error(std::string code, std::string detail = {}) {
  return Error::make(std::move(code), 401, std::move(detail));
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// OpenSSL speaks DER (SEQUENCE { r INTEGER, s INTEGER }); JWS uses R || S, each left-padded to 32 bytes
// (RFC 7518 section 3.4).
std::string der_to_jws(std::string_view der) {
  const unsigned char* p = bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), ECDSA_SIG_free);
  if (!sig) throw std::runtime_error("OpenSSL produced an unreadable ECDSA signature");
  std::string out(2 * kEs256Half, '\0');
  auto* raw = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, kEs256Half) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + kEs256Half, kEs256Half) < 0) {
    throw std::runtime_error("ECDSA signature component too large");
  }
  return out;
}

std::optional<std::string> jws_to_der(std::string_view rs) {
  if (rs.size() != 2 * kEs256Half) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(bytes(rs), kEs256Half, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(rs) + kEs256Half, kEs256Half, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {  // set0 takes r and s on success
    BN_free(r);
    BN_free(s);
    throw std::runtime_error("OpenSSL: ECDSA_SIG allocation failed");
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) throw std::runtime_error("OpenSSL: DER encoding failed");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

// RS512 is RSASSA-PKCS1-v1_5 with SHA-512 (RFC 7518 section 3.3).
const EVP_MD* digest_of(const Key& key) {
  return key.alg() == JwsAlg::rs512 ? EVP_sha512() : EVP_sha256();
}

std::string sign_bytes(const Key& key, std::string_view input) {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  // RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (OpenSSL's default RSA padding), ES256 ECDSA P-256 + SHA-256.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_of(key), nullptr, key.evp()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, bytes(input), input.size()) != 1) {
    throw std::runtime_error("OpenSSL: signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes(input),
                     input.size()) != 1) {
    throw std::runtime_error("OpenSSL: signing failed");
  }
  sig.resize(len);
  return key.alg() == JwsAlg::es256 ? der_to_jws(sig) : sig;
}

bool verify_bytes(const Key& key, std::string_view input, std::string_view signature) {
  std::string der;
  if (key.alg() == JwsAlg::es256) {
    auto converted = jws_to_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest_of(key), nullptr, key.evp()) != 1) {
    throw std::runtime_error("OpenSSL: verify init failed");
  }
  return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input), input.size()) == 1;
}

std::optional<boost::json::object> decode_json_object(std::string_view part) {
  const auto text = base64url_decode(part);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*text, ec);  // rejects invalid UTF-8 too
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

struct Parts {
  std::string_view header, payload, signature;
};

std::optional<Parts> split(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;  // five parts would be JWE (RFC 7516), which we do not accept
  }
  return Parts{token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1)};
}

std::optional<JwsAlg> parse_alg(std::string_view name) {
  if (name == "RS256") return JwsAlg::rs256;
  if (name == "ES256") return JwsAlg::es256;
  if (name == "RS512") return JwsAlg::rs512;
  return std::nullopt;
}

// A NumericDate (RFC 7519 section 2): seconds since the epoch, possibly fractional.
std::optional<double> numeric_date(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return std::nullopt;
}

bool audience_contains(const boost::json::value& aud, std::string_view expected) {
  if (aud.is_string()) return aud.as_string() == expected;
  if (!aud.is_array()) return false;
  const auto& list = aud.as_array();
  return std::any_of(list.begin(), list.end(),
                     [&](const auto& a) { return a.is_string() && a.as_string() == expected; });
}

}  // namespace

std::optional<JwsAlg> jws_alg_from_name(std::string_view name) {
  return parse_alg(name);
}

std::string jws_digest(JwsAlg alg, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, alg == JwsAlg::rs512 ? EVP_sha512() : EVP_sha256(),
                 nullptr) != 1)
    throw std::runtime_error("OpenSSL: digest failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sign_jwt(const boost::json::object& header, const boost::json::object& claims, const Key& key) {
  if (!key.has_private()) throw std::logic_error("sign_jwt needs a private key");
  boost::json::object full = header;
  full["alg"] = jws_alg_name(key.alg());
  full["kid"] = key.kid();
  // RFC 7515 section 5.1: signing input = BASE64URL(header) '.' BASE64URL(payload).
  std::string token =
      base64url_encode(boost::json::serialize(full)) + "." + base64url_encode(boost::json::serialize(claims));
  const std::string signature = sign_bytes(key, token);
  token += "." + base64url_encode(signature);
  return token;
}

Result<DecodedJwt> decode_jwt_unverified(std::string_view token) {
  const auto parts = split(token);
  if (!parts) return jwt_error("jwt.format", "not three dot-separated parts");
  auto header = decode_json_object(parts->header);
  if (!header) return jwt_error("jwt.format", "header is not base64url JSON object");
  auto payload = decode_json_object(parts->payload);
  if (!payload) return jwt_error("jwt.format", "payload is not base64url JSON object");
  return DecodedJwt{std::move(*header), std::move(*payload)};
}

Result<DecodedJwt> verify_jwt(std::string_view token, const Jwks& keys, const std::vector<JwsAlg>& allowed) {
  const auto parts = split(token);
  if (!parts) return jwt_error("jwt.format", "not three dot-separated parts");
  auto header = decode_json_object(parts->header);
  if (!header) return jwt_error("jwt.format", "header is not base64url JSON object");
  // RFC 7515 section 4.1.11: extensions listed in "crit" must be understood; we understand none.
  if (header->contains("crit")) return jwt_error("jwt.format", "crit header not supported");

  const auto* alg_value = header->if_contains("alg");
  if (alg_value == nullptr || !alg_value->is_string()) return jwt_error("jwt.alg", "alg missing");
  const std::string alg_name(alg_value->as_string());
  const auto alg = parse_alg(alg_name);
  if (!alg || std::find(allowed.begin(), allowed.end(), *alg) == allowed.end()) {
    return jwt_error("jwt.alg", "alg " + alg_name + " not accepted");
  }

  const auto* kid_value = header->if_contains("kid");
  if (kid_value == nullptr || !kid_value->is_string()) return jwt_error("jwt.kid", "kid missing");
  const Key* key = keys.find(kid_value->as_string());
  if (key == nullptr) return jwt_error("jwt.kid", "unknown kid " + std::string(kid_value->as_string()));
  // The key decides the algorithm, not the token (RFC 8725 section 3.1): an RSA key verifies RS256 or
  // RS512 unless its JWK named one of them.
  const bool rsa_family = key->is_rsa() && *alg != JwsAlg::es256 && !key->alg_pinned();
  if (key->alg() != *alg && !rsa_family)
    return jwt_error("jwt.alg", "alg " + alg_name + " on a " + jws_alg_name(key->alg()) + " key");
  const Key verifier = key->alg() == *alg ? *key : key->with_alg(*alg);

  const auto signature = base64url_decode(parts->signature);
  if (!signature) return jwt_error("jwt.format", "signature is not base64url");
  const std::string_view signing_input = token.substr(0, parts->header.size() + 1 + parts->payload.size());
  if (!verify_bytes(verifier, signing_input, *signature)) return jwt_error("jwt.signature");

  auto payload = decode_json_object(parts->payload);
  if (!payload) return jwt_error("jwt.format", "payload is not base64url JSON object");
  return DecodedJwt{std::move(*header), std::move(*payload)};
}

Status validate_claims(const boost::json::object& claims, const ClaimExpectations& expected,
                       const sp::time::Clock& clock) {
  const auto* iss = claims.if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->as_string() != expected.issuer) return jwt_error("jwt.iss");
  const auto* aud = claims.if_contains("aud");
  if (aud == nullptr || !audience_contains(*aud, expected.audience)) return jwt_error("jwt.aud");

  const double now = std::chrono::duration<double>(clock.now().time_since_epoch()).count();
  const auto leeway = static_cast<double>(expected.leeway.count());
  const auto time_claim = [&](const char* name) -> Result<std::optional<double>> {
    const auto* v = claims.if_contains(name);
    if (v == nullptr) return std::optional<double>{};
    auto t = numeric_date(*v);
    if (!t) return jwt_error("jwt.format", std::string(name) + " is not a number");
    return t;
  };

  // RFC 7519 section 4.1.4: reject "on or after" the expiry.
  auto exp = time_claim("exp");
  if (!exp) return exp.error();
  if (!*exp && expected.require_exp) return jwt_error("jwt.expired", "exp missing");
  if (*exp && now >= **exp + leeway) return jwt_error("jwt.expired");

  // Section 4.1.5: reject before "not before".
  auto nbf = time_claim("nbf");
  if (!nbf) return nbf.error();
  if (*nbf && now + leeway < **nbf) return jwt_error("jwt.not_yet_valid");

  // Section 4.1.6 only defines iat; a token issued in the future, or too long ago, is suspicious
  // (OpenID Connect Core 3.1.3.7 point 10).
  auto iat = time_claim("iat");
  if (!iat) return iat.error();
  if (!*iat && expected.require_iat) return jwt_error("jwt.iat", "iat missing");
  if (*iat && **iat > now + leeway) return jwt_error("jwt.iat", "issued in the future");
  if (*iat && expected.max_age && now - **iat > static_cast<double>(expected.max_age->count()) + leeway) {
    return jwt_error("jwt.iat", "issued too long ago");
  }

  if (expected.nonce) {
    const auto* nonce = claims.if_contains("nonce");
    if (nonce == nullptr || !nonce->is_string()) return jwt_error("jwt.nonce", "nonce missing");
    const auto& got = nonce->as_string();
    if (got.size() != expected.nonce->size() ||
        sodium_memcmp(got.data(), expected.nonce->data(), got.size()) != 0) {
      return jwt_error("jwt.nonce");
    }
  }
  return Ok{};
}

}  // namespace sp::crypto
