#include "core/crypto/jwk.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "core/crypto/encoding.hpp"

namespace sp::crypto {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

constexpr int kMinRsaBits = 2048;       // RFC 7518 section 3.3: "2048 bits or larger MUST be used"
constexpr std::size_t kP256Bytes = 32;  // RFC 7518 section 6.2.1.2: x and y are exactly 32 bytes

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// A big-endian unsigned integer parameter (RSA n, e; EC x, y), zero-padded to `width` when non-zero.
std::string bn_param(const EVP_PKEY* pkey, const char* name, std::size_t width = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1)
    throw std::runtime_error(std::string("no key param ") + name);
  BnPtr bn(raw, BN_free);
  const std::size_t size = width ? width : static_cast<std::size_t>(BN_num_bytes(bn.get()));
  std::string out(size, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) < 0) {
    throw std::runtime_error("key param too large");
  }
  return out;
}

std::string json_string(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Error jwk_error(std::string code, std::string detail) {
  return Error::make(std::move(code), 400, std::move(detail));
}

Result<PkeyPtr> rsa_from_jwk(const boost::json::object& jwk) {
  const auto n = base64url_decode(json_string(jwk, "n"));
  const auto e = base64url_decode(json_string(jwk, "e"));
  if (!n || !e || n->empty() || e->empty()) return jwk_error("jwk.format", "RSA key needs base64url n and e");
  BnPtr bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr),
      BN_free);
  BnPtr bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr),
      BN_free);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    throw std::runtime_error("OpenSSL: building RSA parameters failed");
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                 OSSL_PARAM_free);
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return jwk_error("jwk.format", "RSA key rejected by OpenSSL");
  }
  return PkeyPtr(raw, EVP_PKEY_free);
}

Result<PkeyPtr> ec_from_jwk(const boost::json::object& jwk) {
  if (json_string(jwk, "crv") != "P-256") return jwk_error("jwk.unsupported", "EC curve other than P-256");
  const auto x = base64url_decode(json_string(jwk, "x"));
  const auto y = base64url_decode(json_string(jwk, "y"));
  if (!x || !y || x->size() != kP256Bytes || y->size() != kP256Bytes) {
    return jwk_error("jwk.format", "P-256 key needs 32-byte base64url x and y");
  }
  // SEC 1 uncompressed point 04 || X || Y; OpenSSL checks that it lies on the curve.
  std::string point = "\x04" + *x + *y;
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return jwk_error("jwk.format", "EC point rejected by OpenSSL (not on P-256?)");
  }
  PkeyPtr pkey(raw, EVP_PKEY_free);
  CtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr), EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_public_check(check.get()) != 1)
    return jwk_error("jwk.format", "EC point not on P-256");
  return pkey;
}

}  // namespace

const char* jws_alg_name(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::rs256:
      return "RS256";
    case JwsAlg::rs512:
      return "RS512";
    case JwsAlg::es256:
      break;
  }
  return "ES256";
}

Key Key::with_alg(JwsAlg alg) const {
  if (!is_rsa() || alg == JwsAlg::es256) throw std::logic_error("with_alg: RSA algorithms on RSA keys only");
  Key copy = *this;
  copy.alg_ = alg;
  return copy;
}

Key::Key(std::shared_ptr<evp_pkey_st> pkey, JwsAlg alg, std::string kid, bool has_private)
    : pkey_(std::move(pkey)), alg_(alg), kid_(std::move(kid)), has_private_(has_private) {}

// Takes ownership of `pkey` and works out the algorithm from its type; refuses what we cannot sign with.
Result<Key> Key::adopt(EVP_PKEY* pkey, std::string kid, bool has_private) {
  std::shared_ptr<EVP_PKEY> owned(pkey, EVP_PKEY_free);
  JwsAlg alg;
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    if (EVP_PKEY_get_bits(pkey) < kMinRsaBits)
      return Error::make("key.unsupported", 400, "RSA under 2048 bits");
    alg = JwsAlg::rs256;
  } else if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
        std::string_view(group) != "prime256v1") {
      return Error::make("key.unsupported", 400, "EC curve other than P-256");
    }
    alg = JwsAlg::es256;
  } else {
    return Error::make("key.unsupported", 400, "neither RSA nor EC");
  }
  Key key(std::move(owned), alg, std::move(kid), has_private);
  if (key.kid_.empty()) key.kid_ = key.thumbprint();
  return key;
}

Key Key::generate(JwsAlg alg, std::string kid) {
  EVP_PKEY* raw =
      alg != JwsAlg::es256 ? EVP_RSA_gen(static_cast<unsigned>(kMinRsaBits)) : EVP_EC_gen("prime256v1");
  if (raw == nullptr) throw std::runtime_error("OpenSSL key generation failed");
  auto key = adopt(raw, std::move(kid), true);
  if (!key) throw std::runtime_error("generated key refused: " + key.error().detail);
  if (alg == JwsAlg::rs512) key->alg_ = JwsAlg::rs512;
  return std::move(key).value();
}

Result<Key> Key::from_private_pem(std::string_view pem, std::string kid) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  // An empty passphrase callback: an encrypted PEM fails instead of prompting on the terminal.
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(
                            bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr)
                      : nullptr;
  if (raw == nullptr) return Error::make("key.pem", 400, "not an unencrypted PEM private key");
  return adopt(raw, std::move(kid), true);
}

Result<Key> Key::from_public_pem(std::string_view pem, std::string kid) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) return Error::make("key.pem", 400, "not a PEM public key");
  return adopt(raw, std::move(kid), false);
}

Result<Key> Key::from_jwk(const boost::json::object& jwk) {
  const std::string kty = json_string(jwk, "kty");
  if (kty.empty()) return jwk_error("jwk.format", "kty missing");
  if (kty != "RSA" && kty != "EC") return jwk_error("jwk.unsupported", "kty " + kty);
  // RFC 7517 section 4.2: "use" says what the key is for; an encryption key must not verify signatures.
  if (jwk.contains("use") && json_string(jwk, "use") != "sig")
    return jwk_error("jwk.unsupported", "use is not sig");
  if (jwk.contains("kid") && !jwk.at("kid").is_string())
    return jwk_error("jwk.format", "kid is not a string");
  auto pkey = kty == "RSA" ? rsa_from_jwk(jwk) : ec_from_jwk(jwk);
  if (!pkey) return pkey.error();
  auto key = adopt(pkey->release(), json_string(jwk, "kid"), false);
  if (!key) return jwk_error("jwk.unsupported", key.error().detail);
  // RFC 7517 section 4.4: when the JWK names its algorithm, it must be the one this key type gives.
  if (jwk.contains("alg")) {
    const std::string alg = json_string(jwk, "alg");
    if (key->is_rsa() && alg == "RS512")
      key->alg_ = JwsAlg::rs512;
    else if (alg != jws_alg_name(key->alg()))
      return jwk_error("jwk.unsupported", "alg does not match the key");
    key->alg_pinned_ = true;
  }
  return key;
}

std::string Key::private_pem() const {
  if (!has_private_) throw std::logic_error("private_pem() on a public key");
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw std::runtime_error("OpenSSL: writing PEM failed");
  }
  return bio_text(bio.get());
}

std::string Key::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1)
    throw std::runtime_error("OpenSSL: writing PEM failed");
  return bio_text(bio.get());
}

boost::json::object Key::public_jwk() const {
  boost::json::object jwk;
  if (is_rsa()) {
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E));
  } else {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256Bytes));
    jwk["y"] = base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256Bytes));
  }
  jwk["kid"] = kid_;
  jwk["use"] = "sig";
  jwk["alg"] = jws_alg_name(alg_);
  return jwk;
}

std::string Key::thumbprint() const {
  // RFC 7638 section 3.2: only the required members, lexicographic order, no whitespace. Base64url
  // values need no JSON escaping, so plain concatenation is the canonical form.
  std::string canonical;
  if (is_rsa()) {
    canonical = R"({"e":")" + base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E)) +
                R"(","kty":"RSA","n":")" + base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_N)) +
                R"("})";
  } else {
    canonical = R"({"crv":"P-256","kty":"EC","x":")" +
                base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256Bytes)) + R"(","y":")" +
                base64url_encode(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256Bytes)) + R"("})";
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Key Key::public_only() const {
  auto key = from_jwk(public_jwk());
  if (!key) throw std::runtime_error("public_only: " + key.error().detail);
  return std::move(key).value();
}

void Jwks::add(Key key) {
  remove(key.kid());
  keys_.push_back(std::move(key));
}

bool Jwks::remove(std::string_view kid) {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Key& k) { return k.kid() == kid; });
  if (it == keys_.end()) return false;
  keys_.erase(it);
  return true;
}

const Key* Jwks::find(std::string_view kid) const {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Key& k) { return k.kid() == kid; });
  return it == keys_.end() ? nullptr : &*it;
}

boost::json::object Jwks::to_json() const {
  boost::json::array keys;
  for (const Key& key : keys_) keys.push_back(key.public_jwk());
  return {{"keys", std::move(keys)}};
}

Result<Jwks> Jwks::from_json(const boost::json::value& json) {
  const auto* doc = json.if_object();
  const auto* keys = doc ? doc->if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) return Error::make("jwks.format", 400, "not {\"keys\":[...]}");
  Jwks set;
  for (const auto& entry : keys->as_array()) {
    if (!entry.is_object()) return Error::make("jwks.format", 400, "a key is not an object");
    auto key = Key::from_jwk(entry.as_object());
    if (!key || key->kid().empty() || !entry.as_object().contains("kid")) continue;
    if (set.find(key->kid())) return Error::make("jwks.format", 400, "two keys with kid " + key->kid());
    set.keys_.push_back(std::move(key).value());
  }
  return set;
}

}  // namespace sp::crypto
