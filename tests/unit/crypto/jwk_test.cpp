#include "core/crypto/jwk.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace {

using sp::crypto::Jwks;
using sp::crypto::JwsAlg;
using sp::crypto::Key;

// RFC 7638 section 3.1: this RSA public key has the thumbprint NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
constexpr const char* kRfc7638N =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
    "BJECPebWKRXjBZCiFV4n3"
    "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
    "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdA"
    "ZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-"
    "csFCur"
    "-kEgU8awapJzKnqDKgw";

boost::json::object rfc7638_jwk() {
  return {{"kty", "RSA"}, {"n", kRfc7638N}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}};
}

std::string jwk_error(const boost::json::object& jwk) {
  auto r = Key::from_jwk(jwk);
  return r ? "ok" : r.error().code;
}

const Key& rsa_key() {
  static const Key key = Key::generate(JwsAlg::rs256, "rsa-1");
  return key;
}
const Key& ec_key() {
  static const Key key = Key::generate(JwsAlg::es256);
  return key;
}

TEST(Jwk, ImportsTheRfc7638KeyAndComputesItsThumbprint) {
  auto key = Key::from_jwk(rfc7638_jwk());
  ASSERT_TRUE(key.ok()) << key.error().detail;
  EXPECT_EQ(key->kid(), "2011-04-29");
  EXPECT_EQ(key->alg(), JwsAlg::rs256);
  EXPECT_FALSE(key->has_private());
  EXPECT_EQ(key->thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  // Exported again, n and e come back byte for byte.
  const auto jwk = key->public_jwk();
  EXPECT_EQ(jwk.at("n").as_string(), kRfc7638N);
  EXPECT_EQ(jwk.at("e").as_string(), "AQAB");
}

TEST(Jwk, KidDefaultsToTheThumbprint) {
  auto jwk = rfc7638_jwk();
  jwk.erase("kid");
  auto key = Key::from_jwk(jwk);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->kid(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ(ec_key().kid(), ec_key().thumbprint());
  EXPECT_EQ(ec_key().kid().size(), 43u);
}

TEST(Jwk, GeneratedKeysHaveTheRightShape) {
  EXPECT_EQ(rsa_key().alg(), JwsAlg::rs256);
  EXPECT_TRUE(rsa_key().has_private());
  const auto rsa = rsa_key().public_jwk();
  EXPECT_EQ(rsa.at("kty").as_string(), "RSA");
  EXPECT_EQ(rsa.at("kid").as_string(), "rsa-1");
  EXPECT_EQ(rsa.at("use").as_string(), "sig");
  EXPECT_EQ(rsa.at("alg").as_string(), "RS256");
  EXPECT_EQ(rsa.at("e").as_string(), "AQAB");
  EXPECT_EQ(rsa.at("n").as_string().size(), 342u);  // 256 bytes in base64url
  EXPECT_FALSE(rsa.contains("d"));

  const auto ec = ec_key().public_jwk();
  EXPECT_EQ(ec.at("kty").as_string(), "EC");
  EXPECT_EQ(ec.at("crv").as_string(), "P-256");
  EXPECT_EQ(ec.at("alg").as_string(), "ES256");
  EXPECT_EQ(ec.at("x").as_string().size(), 43u);  // 32 bytes
  EXPECT_EQ(ec.at("y").as_string().size(), 43u);
  EXPECT_FALSE(ec.contains("d"));
}

TEST(Jwk, ExportImportRoundTripKeepsTheKey) {
  for (const Key* original : {&rsa_key(), &ec_key()}) {
    auto imported = Key::from_jwk(original->public_jwk());
    ASSERT_TRUE(imported.ok()) << imported.error().detail;
    EXPECT_EQ(imported->kid(), original->kid());
    EXPECT_EQ(imported->alg(), original->alg());
    EXPECT_FALSE(imported->has_private());
    EXPECT_EQ(imported->public_pem(), original->public_pem());
    EXPECT_THROW((void)imported->private_pem(), std::logic_error);
  }
}

TEST(Jwk, PrivatePemRoundTrip) {
  for (const Key* original : {&rsa_key(), &ec_key()}) {
    const std::string pem = original->private_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    auto back = Key::from_private_pem(pem, original->kid());
    ASSERT_TRUE(back.ok()) << back.error().detail;
    EXPECT_TRUE(back->has_private());
    EXPECT_EQ(back->alg(), original->alg());
    EXPECT_EQ(back->public_pem(), original->public_pem());
    auto pub = Key::from_public_pem(original->public_pem());
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(pub->thumbprint(), original->thumbprint());
  }
}

TEST(Jwk, PemErrors) {
  auto garbage = Key::from_private_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, "key.pem");
  auto public_as_private = Key::from_private_pem(rsa_key().public_pem());
  ASSERT_FALSE(public_as_private.ok());
  EXPECT_EQ(public_as_private.error().code, "key.pem");
}

TEST(Jwk, RefusesKeysWeCannotUse) {
  auto jwk = rfc7638_jwk();
  jwk["use"] = "enc";
  EXPECT_EQ(jwk_error(jwk), "jwk.unsupported");
  jwk = rfc7638_jwk();
  jwk["alg"] = "ES256";  // an RSA key claiming to be for ES256
  EXPECT_EQ(jwk_error(jwk), "jwk.unsupported");
  jwk = rfc7638_jwk();
  jwk["alg"] = "HS256";
  EXPECT_EQ(jwk_error(jwk), "jwk.unsupported");
  EXPECT_EQ(jwk_error({{"kty", "oct"}, {"k", "c2VjcmV0"}}), "jwk.unsupported");
  EXPECT_EQ(jwk_error({{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}), "jwk.unsupported");  // tiny modulus

  auto ec = ec_key().public_jwk();
  ec["crv"] = "P-384";
  EXPECT_EQ(jwk_error(ec), "jwk.unsupported");
}

TEST(Jwk, RefusesMalformedKeys) {
  EXPECT_EQ(jwk_error({}), "jwk.format");
  EXPECT_EQ(jwk_error({{"kty", "RSA"}, {"e", "AQAB"}}), "jwk.format");
  auto rsa = rfc7638_jwk();
  rsa["n"] = "not base64url!";
  EXPECT_EQ(jwk_error(rsa), "jwk.format");

  auto ec = ec_key().public_jwk();
  ec["x"] = ec["y"];  // (y, y) is not on the curve
  EXPECT_EQ(jwk_error(ec), "jwk.format");
  ec = ec_key().public_jwk();
  ec["y"] = "AAAA";  // too short
  EXPECT_EQ(jwk_error(ec), "jwk.format");
}

TEST(Jwks, FindsAddsReplacesAndRemovesByKid) {
  Jwks set;
  EXPECT_TRUE(set.empty());
  set.add(rsa_key());
  set.add(ec_key());
  ASSERT_NE(set.find("rsa-1"), nullptr);
  EXPECT_EQ(set.find("rsa-1")->alg(), JwsAlg::rs256);
  EXPECT_EQ(set.find(ec_key().kid())->alg(), JwsAlg::es256);
  EXPECT_EQ(set.find("nope"), nullptr);
  set.add(Key::generate(JwsAlg::es256, "rsa-1"));  // same kid: replaces
  EXPECT_EQ(set.keys().size(), 2u);
  EXPECT_EQ(set.find("rsa-1")->alg(), JwsAlg::es256);
  EXPECT_TRUE(set.remove("rsa-1"));
  EXPECT_FALSE(set.remove("rsa-1"));
  EXPECT_EQ(set.find("rsa-1"), nullptr);
}

TEST(Jwks, JsonRoundTripPublishesPublicHalvesOnly) {
  Jwks set({rsa_key(), ec_key()});
  const auto json = set.to_json();
  const std::string text = boost::json::serialize(json);
  EXPECT_EQ(text.find("\"d\""), std::string::npos);
  auto back = Jwks::from_json(boost::json::parse(text));
  ASSERT_TRUE(back.ok()) << back.error().detail;
  ASSERT_EQ(back->keys().size(), 2u);
  EXPECT_FALSE(back->find("rsa-1")->has_private());
  EXPECT_EQ(back->find(ec_key().kid())->public_pem(), ec_key().public_pem());
}

TEST(Jwks, SkipsUnusableKeysAndRefusesDuplicateKids) {
  auto enc = rfc7638_jwk();
  enc["use"] = "enc";
  enc["kid"] = "enc-1";
  auto no_kid = ec_key().public_jwk();
  no_kid.erase("kid");
  boost::json::object doc{{"keys", boost::json::array{rfc7638_jwk(), enc, no_kid, {{"kty", "oct"}}}}};
  auto set = Jwks::from_json(doc);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->keys().size(), 1u);
  EXPECT_NE(set->find("2011-04-29"), nullptr);

  boost::json::object dup{{"keys", boost::json::array{rfc7638_jwk(), rfc7638_jwk()}}};
  auto r = Jwks::from_json(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "jwks.format");
  for (const char* bad : {R"([])", R"({})", R"({"keys":{}})", R"({"keys":[1]})"}) {
    auto e = Jwks::from_json(boost::json::parse(bad));
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().code, "jwks.format") << bad;
  }
}

}  // namespace
