#include "core/crypto/jwe.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <stdexcept>

#include "core/crypto/encoding.hpp"

namespace sp::crypto {
namespace {

using JweCipherPtr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
using JwePkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

constexpr std::size_t kCekBytes = 32;  // A256GCM's key; A128CBC-HS256's MAC key || ENC key (16 + 16)
constexpr std::size_t kGcmIv = 12;     // RFC 7518 section 5.3: 96-bit IV
constexpr std::size_t kCbcIv = 16;     // section 5.2.3: 128-bit IV
constexpr std::size_t kTagBytes = 16;  // both: 128-bit tag (CBC-HS256: the HMAC truncated to T_LEN 16)

Error jwe_error(std::string code, std::string detail = {}) {
  return Error::make(std::move(code), 401, std::move(detail));
}

const unsigned char* ubytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("OpenSSL: RAND_bytes failed");
  return out;
}

JwePkeyCtxPtr oaep_ctx(const Key& key, JweAlg alg, bool encrypt) {
  JwePkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.evp(), nullptr), EVP_PKEY_CTX_free);
  const EVP_MD* md = alg == JweAlg::rsa_oaep_256 ? EVP_sha256() : EVP_sha1();  // RFC 7518 4.3
  if (!ctx || (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1)
    throw std::runtime_error("OpenSSL: RSA-OAEP setup failed");
  return ctx;
}

std::string wrap_key(const Key& key, JweAlg alg, std::string_view cek) {
  auto ctx = oaep_ctx(key, alg, true);
  std::size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, ubytes(cek), cek.size()) != 1)
    throw std::runtime_error("OpenSSL: RSA-OAEP failed");
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, ubytes(cek),
                       cek.size()) != 1)
    throw std::runtime_error("OpenSSL: RSA-OAEP failed");
  out.resize(len);
  return out;
}

std::optional<std::string> unwrap_key(const Key& key, JweAlg alg, std::string_view wrapped) {
  auto ctx = oaep_ctx(key, alg, false);
  std::size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, ubytes(wrapped), wrapped.size()) != 1) return std::nullopt;
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, ubytes(wrapped),
                       wrapped.size()) != 1)
    return std::nullopt;
  out.resize(len);
  return out;
}

// AES-CBC with PKCS#7 padding (OpenSSL's default).
std::optional<std::string> aes_cbc(bool encrypt, std::string_view key, std::string_view iv,
                                   std::string_view in) {
  JweCipherPtr ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, ubytes(key), ubytes(iv), encrypt ? 1 : 0) != 1)
    throw std::runtime_error("OpenSSL: AES-CBC init failed");
  std::string out(in.size() + 16, '\0');
  int len = 0, fin = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &len, ubytes(in), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), o + len, &fin) != 1)
    return std::nullopt;
  out.resize(static_cast<std::size_t>(len + fin));
  return out;
}

// RFC 7518 section 5.2.2.1: M = HMAC-SHA-256(MAC_KEY, A || IV || E || AL), T = the first 16 bytes.
std::string cbc_hs256_tag(std::string_view mac_key, std::string_view aad, std::string_view iv,
                          std::string_view ciphertext) {
  std::string input(aad);
  input += iv;
  input += ciphertext;
  const std::uint64_t bits = static_cast<std::uint64_t>(aad.size()) * 8;
  for (int i = 7; i >= 0; --i) input.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), mac_key.data(), static_cast<int>(mac_key.size()), ubytes(input), input.size(), mac,
           &len) == nullptr)
    throw std::runtime_error("OpenSSL: HMAC failed");
  return std::string(reinterpret_cast<const char*>(mac), kTagBytes);
}

struct Sealed {
  std::string ciphertext, tag;
};

Sealed gcm_seal(std::string_view key, std::string_view iv, std::string_view aad, std::string_view plain) {
  JweCipherPtr ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  Sealed out{std::string(plain.size(), '\0'), std::string(kTagBytes, '\0')};
  int len = 0;
  auto* c = reinterpret_cast<unsigned char*>(out.ciphertext.data());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, ubytes(key), ubytes(iv)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, ubytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), c, &len, ubytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), c + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), out.tag.data()) != 1)
    throw std::runtime_error("OpenSSL: AES-GCM failed");
  return out;
}

std::optional<std::string> gcm_open(std::string_view key, std::string_view iv, std::string_view aad,
                                    std::string_view ciphertext, std::string tag) {
  JweCipherPtr ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(ciphertext.size(), '\0');
  int len = 0;
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, ubytes(key), ubytes(iv)) != 1)
    throw std::runtime_error("OpenSSL: AES-GCM init failed");
  if (EVP_DecryptUpdate(ctx.get(), nullptr, &len, ubytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), p, &len, ubytes(ciphertext), static_cast<int>(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), p + len, &len) != 1)
    return std::nullopt;
  return out;
}

std::optional<JweAlg> parse_jwe_alg(std::string_view s) {
  if (s == "RSA-OAEP") return JweAlg::rsa_oaep;
  if (s == "RSA-OAEP-256") return JweAlg::rsa_oaep_256;
  return std::nullopt;
}

std::optional<JweEnc> parse_jwe_enc(std::string_view s) {
  if (s == "A128CBC-HS256") return JweEnc::a128cbc_hs256;
  if (s == "A256GCM") return JweEnc::a256gcm;
  return std::nullopt;
}

std::string jwe_member(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string_view> split_five(std::string_view token) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (parts.size() < 6) {
    const auto dot = token.find('.', pos);
    parts.push_back(token.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos));
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return parts;
}

}  // namespace

const char* jwe_alg_name(JweAlg alg) {
  return alg == JweAlg::rsa_oaep ? "RSA-OAEP" : "RSA-OAEP-256";
}

const char* jwe_enc_name(JweEnc enc) {
  return enc == JweEnc::a256gcm ? "A256GCM" : "A128CBC-HS256";
}

bool looks_like_jwe(std::string_view token) {
  return std::count(token.begin(), token.end(), '.') == 4;
}

std::string encrypt_jwe(std::string_view plaintext, const Key& to, JweAlg alg, JweEnc enc,
                        const boost::json::object& header) {
  if (to.alg() == JwsAlg::es256) throw std::logic_error("encrypt_jwe needs an RSA key");
  boost::json::object h = header;
  h["alg"] = jwe_alg_name(alg);
  h["enc"] = jwe_enc_name(enc);
  h["kid"] = to.kid();
  // RFC 7516 section 5.1: the protected header, its base64url form as the AAD, a random CEK wrapped to
  // the recipient, a random IV, then ciphertext and tag.
  const std::string protected_b64 = base64url_encode(boost::json::serialize(h));
  const std::string cek = random_bytes(kCekBytes);
  const std::string wrapped = wrap_key(to, alg, cek);
  std::string iv, ciphertext, tag;
  if (enc == JweEnc::a256gcm) {
    iv = random_bytes(kGcmIv);
    auto sealed = gcm_seal(cek, iv, protected_b64, plaintext);
    ciphertext = std::move(sealed.ciphertext);
    tag = std::move(sealed.tag);
  } else {
    iv = random_bytes(kCbcIv);
    const std::string_view mac_key = std::string_view(cek).substr(0, 16);
    const std::string_view enc_key = std::string_view(cek).substr(16, 16);
    ciphertext = aes_cbc(true, enc_key, iv, plaintext).value();
    tag = cbc_hs256_tag(mac_key, protected_b64, iv, ciphertext);
  }
  return protected_b64 + "." + base64url_encode(wrapped) + "." + base64url_encode(iv) + "." +
         base64url_encode(ciphertext) + "." + base64url_encode(tag);
}

Result<DecryptedJwe> decrypt_jwe(std::string_view token, const std::vector<Key>& keys,
                                 const std::vector<JweAlg>& algs, const std::vector<JweEnc>& encs) {
  const auto parts = split_five(token);
  if (parts.size() != 5) return jwe_error("jwe.format", "not five dot-separated parts");
  const auto header_text = base64url_decode(parts[0]);
  if (!header_text) return jwe_error("jwe.format", "header is not base64url");
  boost::system::error_code ec;
  auto header_value = boost::json::parse(*header_text, ec);
  if (ec || !header_value.is_object()) return jwe_error("jwe.format", "header is not a JSON object");
  auto& header = header_value.as_object();
  if (header.contains("crit") || header.contains("zip"))
    return jwe_error("jwe.format", "crit or zip not supported");
  const auto alg = parse_jwe_alg(jwe_member(header, "alg"));
  const auto enc = parse_jwe_enc(jwe_member(header, "enc"));
  if (!alg || std::find(algs.begin(), algs.end(), *alg) == algs.end())
    return jwe_error("jwe.alg", "alg '" + jwe_member(header, "alg") + "' not accepted");
  if (!enc || std::find(encs.begin(), encs.end(), *enc) == encs.end())
    return jwe_error("jwe.alg", "enc '" + jwe_member(header, "enc") + "' not accepted");
  const auto wrapped = base64url_decode(parts[1]);
  const auto iv = base64url_decode(parts[2]);
  const auto ciphertext = base64url_decode(parts[3]);
  const auto tag = base64url_decode(parts[4]);
  if (!wrapped || !iv || !ciphertext || !tag) return jwe_error("jwe.format", "a part is not base64url");
  if (iv->size() != (*enc == JweEnc::a256gcm ? kGcmIv : kCbcIv) || tag->size() != kTagBytes)
    return jwe_error("jwe.format", "IV or tag of the wrong size");

  const std::string kid = jwe_member(header, "kid");
  std::vector<const Key*> candidates;
  for (const auto& k : keys)
    if (k.has_private() && k.alg() != JwsAlg::es256 && (kid.empty() || k.kid() == kid))
      candidates.push_back(&k);
  if (candidates.empty()) return jwe_error("jwe.kid", "no decryption key for kid '" + kid + "'");

  const std::string_view aad = parts[0];
  for (const Key* key : candidates) {
    // RFC 7516 section 11.5: an unwrap failure continues with a random CEK, so that a bad key and a bad
    // tag look the same to whoever probes us.
    std::string cek = unwrap_key(*key, *alg, *wrapped).value_or(random_bytes(kCekBytes));
    if (cek.size() != kCekBytes) cek = random_bytes(kCekBytes);
    std::optional<std::string> plain;
    if (*enc == JweEnc::a256gcm) {
      plain = gcm_open(cek, *iv, aad, *ciphertext, *tag);
    } else {
      const std::string expected = cbc_hs256_tag(std::string_view(cek).substr(0, 16), aad, *iv, *ciphertext);
      if (sodium_memcmp(expected.data(), tag->data(), kTagBytes) == 0)
        plain = aes_cbc(false, std::string_view(cek).substr(16, 16), *iv, *ciphertext);
    }
    if (plain) return DecryptedJwe{std::move(header), std::move(*plain)};
  }
  return jwe_error("jwe.decrypt");
}

boost::json::object encryption_jwk(const Key& key, JweAlg alg) {
  boost::json::object jwk = key.public_jwk();
  jwk["use"] = "enc";
  jwk["alg"] = jwe_alg_name(alg);
  return jwk;
}

Result<Key> encryption_key_from_jwk(const boost::json::object& jwk) {
  const std::string use = jwe_member(jwk, "use");
  if (!use.empty() && use != "enc") return Error::make("jwk.unsupported", 400, "use is not enc");
  if (jwk.contains("alg") && !parse_jwe_alg(jwe_member(jwk, "alg")))
    return Error::make("jwk.unsupported", 400, "alg is not RSA-OAEP(-256)");
  boost::json::object sig = jwk;  // read the key material through the signature-key reader
  sig.erase("use");
  sig.erase("alg");
  auto key = Key::from_jwk(sig);
  if (!key) return key.error();
  if (key->alg() == JwsAlg::es256) return Error::make("jwk.unsupported", 400, "not an RSA key");
  return key;
}

Result<Key> encryption_key_from_jwks(const boost::json::value& jwks) {
  const auto* doc = jwks.if_object();
  const auto* keys = doc ? doc->if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) return Error::make("jwks.format", 400, "not {\"keys\":[...]}");
  for (const auto& k : keys->as_array()) {
    if (!k.is_object() || jwe_member(k.as_object(), "use") != "enc") continue;
    auto key = encryption_key_from_jwk(k.as_object());
    if (key) return key;
  }
  return Error::make("jwk.unsupported", 400, "no RSA encryption key");
}

}  // namespace sp::crypto
