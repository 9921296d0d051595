#include "core/crypto/jwt.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/crypto/encoding.hpp"
#include "core/crypto/hmac.hpp"

namespace {

using namespace std::chrono_literals;
using sp::crypto::Jwks;
using sp::crypto::JwsAlg;
using sp::crypto::Key;

const Key& jwt_rsa_key() {
  static const Key key = Key::generate(JwsAlg::rs256, "rsa-2026");
  return key;
}
const Key& jwt_ec_key() {
  static const Key key = Key::generate(JwsAlg::es256, "ec-2026");
  return key;
}
// The verifier's view: public halves only, as read from a provider's JWKS.
Jwks published_keys() {
  return Jwks({jwt_rsa_key().public_only(), jwt_ec_key().public_only()});
}

const boost::json::object kClaims{
    {"iss", "https://idp.example.it"}, {"sub", "abc"}, {"aud", "https://rp.example.it"}};

std::string error_code(std::string_view token, const Jwks& keys = published_keys(),
                       const std::vector<JwsAlg>& allowed = {JwsAlg::rs256, JwsAlg::es256}) {
  auto r = sp::crypto::verify_jwt(token, keys, allowed);
  return r ? "ok" : r.error().code;
}

std::string b64json(std::string_view json) {
  return sp::crypto::base64url_encode(json);
}

TEST(Jwt, RoundTripsWithBothAlgorithms) {
  for (const Key* key : {&jwt_rsa_key(), &jwt_ec_key()}) {
    const auto token = sp::crypto::sign_jwt({{"typ", "JWT"}}, kClaims, *key);
    auto r = sp::crypto::verify_jwt(token, published_keys());
    ASSERT_TRUE(r.ok()) << r.error().code << " " << r.error().detail;
    EXPECT_EQ(r->header.at("alg").as_string(), sp::crypto::jws_alg_name(key->alg()));
    EXPECT_EQ(r->header.at("kid").as_string(), key->kid());
    EXPECT_EQ(r->header.at("typ").as_string(), "JWT");
    EXPECT_EQ(r->payload, kClaims);
  }
}

TEST(Jwt, HeaderAlgAndKidComeFromTheKey) {
  const auto token = sp::crypto::sign_jwt({{"alg", "none"}, {"kid", "other"}}, kClaims, jwt_ec_key());
  auto decoded = sp::crypto::decode_jwt_unverified(token);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->header.at("alg").as_string(), "ES256");
  EXPECT_EQ(decoded->header.at("kid").as_string(), "ec-2026");
  EXPECT_EQ(error_code(token), "ok");
}

TEST(Jwt, Es256SignatureIsRawRAndS) {
  const auto token = sp::crypto::sign_jwt({}, kClaims, jwt_ec_key());
  const auto sig = sp::crypto::base64url_decode(token.substr(token.rfind('.') + 1));
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->size(), 64u);  // RFC 7518 section 3.4, not DER (70-72 bytes)
  const auto rsa_token = sp::crypto::sign_jwt({}, kClaims, jwt_rsa_key());
  EXPECT_EQ(sp::crypto::base64url_decode(rsa_token.substr(rsa_token.rfind('.') + 1))->size(), 256u);
}

TEST(Jwt, SigningNeedsThePrivateKey) {
  EXPECT_THROW((void)sp::crypto::sign_jwt({}, kClaims, jwt_rsa_key().public_only()), std::logic_error);
}

TEST(Jwt, RefusesATamperedPayload) {
  for (const Key* key : {&jwt_rsa_key(), &jwt_ec_key()}) {
    const auto token = sp::crypto::sign_jwt({}, kClaims, *key);
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    auto claims = kClaims;
    claims["sub"] = "abd";
    const std::string forged =
        token.substr(0, first + 1) + b64json(boost::json::serialize(claims)) + token.substr(second);
    EXPECT_EQ(error_code(forged), "jwt.signature");
  }
}

TEST(Jwt, RefusesATamperedSignature) {
  for (const Key* key : {&jwt_rsa_key(), &jwt_ec_key()}) {
    const auto token = sp::crypto::sign_jwt({}, kClaims, *key);
    const auto dot = token.rfind('.');
    auto sig = *sp::crypto::base64url_decode(token.substr(dot + 1));
    sig[sig.size() / 2] ^= 0x01;
    EXPECT_EQ(error_code(token.substr(0, dot + 1) + sp::crypto::base64url_encode(sig)), "jwt.signature");
    sig.pop_back();  // wrong length
    EXPECT_EQ(error_code(token.substr(0, dot + 1) + sp::crypto::base64url_encode(sig)), "jwt.signature");
  }
}

TEST(Jwt, RefusesAKeyNotInTheSet) {
  const Key stranger = Key::generate(JwsAlg::es256, "stranger");
  EXPECT_EQ(error_code(sp::crypto::sign_jwt({}, kClaims, stranger)), "jwt.kid");
  // Same kid as a published key but a different key: the signature check catches it.
  const Key impostor = Key::generate(JwsAlg::es256, "ec-2026");
  EXPECT_EQ(error_code(sp::crypto::sign_jwt({}, kClaims, impostor)), "jwt.signature");
}

TEST(Jwt, RefusesAlgNone) {
  const std::string payload = b64json(boost::json::serialize(kClaims));
  EXPECT_EQ(error_code(b64json(R"({"alg":"none"})") + "." + payload + "."), "jwt.alg");
  EXPECT_EQ(error_code(b64json(R"({"alg":"none","kid":"rsa-2026"})") + "." + payload + "."), "jwt.alg");
  EXPECT_EQ(error_code(b64json(R"({"alg":"None","kid":"rsa-2026"})") + "." + payload + "."), "jwt.alg");
  EXPECT_EQ(error_code(b64json(R"({"kid":"rsa-2026"})") + "." + payload + "."), "jwt.alg");
}

// The classic algorithm confusion: HS256 with the RSA public key (as published) used as the HMAC secret.
// A library that lets the token pick the algorithm would verify it.
TEST(Jwt, RefusesHs256SignedWithThePublicKey) {
  const std::string input =
      b64json(R"({"alg":"HS256","kid":"rsa-2026"})") + "." + b64json(boost::json::serialize(kClaims));
  for (const std::string& secret :
       {jwt_rsa_key().public_pem(), std::string(jwt_rsa_key().public_jwk().at("n").as_string())}) {
    const auto mac = sp::crypto::hmac(sp::crypto::HashAlgorithm::sha256, secret, input);
    EXPECT_EQ(error_code(input + "." + sp::crypto::base64url_encode(mac)), "jwt.alg");
  }
}

TEST(Jwt, RefusesAnAlgorithmThatDoesNotMatchTheKey) {
  // An ES256 header naming the RSA key: the key decides.
  const auto token = sp::crypto::sign_jwt({}, kClaims, jwt_ec_key());
  const std::string relabelled =
      b64json(R"({"alg":"ES256","kid":"rsa-2026"})") + token.substr(token.find('.'));
  EXPECT_EQ(error_code(relabelled), "jwt.alg");
}

TEST(Jwt, RefusesAlgorithmsTheCallerDoesNotAllow) {
  const auto token = sp::crypto::sign_jwt({}, kClaims, jwt_rsa_key());
  EXPECT_EQ(error_code(token, published_keys(), {JwsAlg::es256}), "jwt.alg");
  EXPECT_EQ(error_code(token, published_keys(), {JwsAlg::rs256}), "ok");
}

TEST(Jwt, RequiresAKid) {
  const auto token = sp::crypto::sign_jwt({}, kClaims, jwt_rsa_key());
  const std::string no_kid = b64json(R"({"alg":"RS256"})") + token.substr(token.find('.'));
  EXPECT_EQ(error_code(no_kid), "jwt.kid");
}

TEST(Jwt, VerifiesAcrossKeyRotation) {
  const Key old_key = Key::generate(JwsAlg::es256, "2025");
  const Key new_key = Key::generate(JwsAlg::es256, "2026");
  const auto old_token = sp::crypto::sign_jwt({}, kClaims, old_key);
  const auto new_token = sp::crypto::sign_jwt({}, kClaims, new_key);
  // During the rotation the provider publishes both.
  auto during = Jwks::from_json(Jwks({old_key, new_key}).to_json());
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(error_code(old_token, *during), "ok");
  EXPECT_EQ(error_code(new_token, *during), "ok");
  // Afterwards only the new one: old tokens stop verifying.
  Jwks after = *during;
  ASSERT_TRUE(after.remove("2025"));
  EXPECT_EQ(error_code(old_token, after), "jwt.kid");
  EXPECT_EQ(error_code(new_token, after), "ok");
}

TEST(Jwt, VerifiesWithAJwkImportedFromItsExport) {
  for (const Key* key : {&jwt_rsa_key(), &jwt_ec_key()}) {
    auto imported = Key::from_jwk(boost::json::parse(boost::json::serialize(key->public_jwk())).as_object());
    ASSERT_TRUE(imported.ok());
    const auto token = sp::crypto::sign_jwt({}, kClaims, *key);
    EXPECT_EQ(error_code(token, Jwks({*imported})), "ok");
  }
}

TEST(Jwt, RefusesMalformedTokens) {
  const auto token = sp::crypto::sign_jwt({}, kClaims, jwt_ec_key());
  const auto first = token.find('.');
  const std::string payload_and_sig = token.substr(first);
  EXPECT_EQ(error_code(""), "jwt.format");
  EXPECT_EQ(error_code("abc"), "jwt.format");
  EXPECT_EQ(error_code("a.b"), "jwt.format");
  EXPECT_EQ(error_code(token + ".x.y"), "jwt.format");                          // five parts: JWE
  EXPECT_EQ(error_code("!!" + payload_and_sig), "jwt.format");                  // header not base64url
  EXPECT_EQ(error_code(b64json("[1,2]") + payload_and_sig), "jwt.format");      // header not an object
  EXPECT_EQ(error_code(b64json("{\"alg\":") + payload_and_sig), "jwt.format");  // not JSON
  EXPECT_EQ(error_code(token + "="), "jwt.format");                             // padded signature
  const std::string crit = b64json(R"({"alg":"ES256","kid":"ec-2026","crit":["exp"]})");
  EXPECT_EQ(error_code(crit + payload_and_sig), "jwt.format");
  auto r = sp::crypto::verify_jwt("a.b", published_keys());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_EQ(r.error().message_key, "error.jwt.format");
}

TEST(Jwt, DecodeUnverifiedReadsHeaderAndPayloadButNeedsObjects) {
  const auto token = sp::crypto::sign_jwt({}, kClaims, jwt_ec_key());
  auto decoded = sp::crypto::decode_jwt_unverified(token);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->payload, kClaims);
  const std::string header = b64json(R"({"alg":"ES256","kid":"ec-2026"})");
  EXPECT_EQ(sp::crypto::decode_jwt_unverified(header + "." + b64json("[1]") + ".AA").error().code,
            "jwt.format");
  // verify_jwt checks the signature before it reads the payload: garbage there is a signature failure.
  EXPECT_EQ(error_code(header + "." + b64json("[1]") + "." + token.substr(token.rfind('.') + 1)),
            "jwt.signature");
}

// --- claims ---------------------------------------------------------------------------------------

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15

sp::time::TestClock clock_at(std::int64_t unix) {
  return sp::time::TestClock(sp::time::TimePoint{std::chrono::seconds{unix}});
}

sp::crypto::ClaimExpectations expectations() {
  sp::crypto::ClaimExpectations e;
  e.issuer = "https://idp.example.it";
  e.audience = "https://rp.example.it";
  e.nonce = "n-0S6_WzA2Mj-the-nonce-must-be-32-chars";
  e.leeway = 30s;
  return e;
}

boost::json::object id_token_claims() {
  return {{"iss", "https://idp.example.it"},
          {"aud", "https://rp.example.it"},
          {"sub", "pairwise-123"},
          {"iat", kNow - 10},
          {"exp", kNow + 300},
          {"nonce", "n-0S6_WzA2Mj-the-nonce-must-be-32-chars"}};
}

std::string claims_code(const boost::json::object& claims, std::int64_t now = kNow,
                        const sp::crypto::ClaimExpectations& e = expectations()) {
  auto clock = clock_at(now);
  auto r = sp::crypto::validate_claims(claims, e, clock);
  return r ? "ok" : r.error().code;
}

TEST(JwtClaims, AcceptsAGoodIdToken) {
  EXPECT_EQ(claims_code(id_token_claims()), "ok");
}

TEST(JwtClaims, Issuer) {
  auto c = id_token_claims();
  c["iss"] = "https://evil.example.it";
  EXPECT_EQ(claims_code(c), "jwt.iss");
  c.erase("iss");
  EXPECT_EQ(claims_code(c), "jwt.iss");
}

TEST(JwtClaims, AudienceStringOrArray) {
  auto c = id_token_claims();
  c["aud"] = "https://other-rp.example.it";
  EXPECT_EQ(claims_code(c), "jwt.aud");
  c["aud"] = boost::json::array{"https://other-rp.example.it", "https://rp.example.it"};
  EXPECT_EQ(claims_code(c), "ok");
  c["aud"] = boost::json::array{"https://other-rp.example.it"};
  EXPECT_EQ(claims_code(c), "jwt.aud");
  c.erase("aud");
  EXPECT_EQ(claims_code(c), "jwt.aud");
}

TEST(JwtClaims, ExpiryWithLeeway) {
  const auto c = id_token_claims();  // exp = kNow + 300, leeway 30 s
  EXPECT_EQ(claims_code(c, kNow + 329), "ok");
  EXPECT_EQ(claims_code(c, kNow + 330), "jwt.expired");  // "on or after" exp (+ leeway) is expired
  auto no_exp = c;
  no_exp.erase("exp");
  EXPECT_EQ(claims_code(no_exp), "jwt.expired");
  auto e = expectations();
  e.require_exp = false;
  EXPECT_EQ(claims_code(no_exp, kNow, e), "ok");
  auto text_exp = c;
  text_exp["exp"] = "tomorrow";
  EXPECT_EQ(claims_code(text_exp), "jwt.format");
  auto fractional = c;
  fractional["exp"] = static_cast<double>(kNow) + 0.5;
  EXPECT_EQ(claims_code(fractional, kNow - 30), "ok");
  EXPECT_EQ(claims_code(fractional, kNow + 31), "jwt.expired");
}

TEST(JwtClaims, NotBeforeWithLeeway) {
  auto c = id_token_claims();
  c["nbf"] = kNow + 100;
  EXPECT_EQ(claims_code(c, kNow + 70), "ok");
  EXPECT_EQ(claims_code(c, kNow + 69), "jwt.not_yet_valid");
}

TEST(JwtClaims, IssuedAt) {
  auto c = id_token_claims();
  c["iat"] = kNow + 31;  // from the future beyond the leeway
  EXPECT_EQ(claims_code(c), "jwt.iat");
  c["iat"] = kNow + 30;
  EXPECT_EQ(claims_code(c), "ok");
  c.erase("iat");
  EXPECT_EQ(claims_code(c), "jwt.iat");
  auto e = expectations();
  e.max_age = 120s;
  c["iat"] = kNow - 150;
  EXPECT_EQ(claims_code(c, kNow, e), "ok");  // 150 <= 120 + 30 leeway
  c["iat"] = kNow - 151;
  EXPECT_EQ(claims_code(c, kNow, e), "jwt.iat");
}

TEST(JwtClaims, Nonce) {
  auto c = id_token_claims();
  c["nonce"] = "n-0S6_WzA2Mj-the-nonce-must-be-32-chaRs";
  EXPECT_EQ(claims_code(c), "jwt.nonce");
  c["nonce"] = "short";
  EXPECT_EQ(claims_code(c), "jwt.nonce");
  c.erase("nonce");
  EXPECT_EQ(claims_code(c), "jwt.nonce");
  auto e = expectations();
  e.nonce.reset();  // e.g. a client assertion: no nonce expected
  EXPECT_EQ(claims_code(c, kNow, e), "ok");
}

TEST(JwtClaims, ClockMovesTokenFromValidToExpired) {
  auto clock = clock_at(kNow);
  const auto c = id_token_claims();
  EXPECT_TRUE(sp::crypto::validate_claims(c, expectations(), clock).ok());
  clock.advance(10min);
  auto r = sp::crypto::validate_claims(c, expectations(), clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "jwt.expired");
  EXPECT_EQ(r.error().http_status, 401);
}

TEST(JwtClaims, SignedThenVerifiedThenValidated) {
  const auto token = sp::crypto::sign_jwt({}, id_token_claims(), jwt_rsa_key());
  auto decoded = sp::crypto::verify_jwt(token, published_keys());
  ASSERT_TRUE(decoded.ok());
  auto clock = clock_at(kNow);
  EXPECT_TRUE(sp::crypto::validate_claims(decoded->payload, expectations(), clock).ok());
}

}  // namespace
