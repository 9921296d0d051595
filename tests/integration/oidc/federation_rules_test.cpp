// Issue 14: what the SPID/CIE OIDC Federation rules add to the flow. JWE (userinfo signed then
// encrypted), RS512, the provider's strict checks on prompt and scopes by profile, the CIE profile, and
// token revocation at the provider.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/oidc/json_util.hpp"
#include "core/crypto/encoding.hpp"
#include "core/crypto/jwe.hpp"
#include "core/crypto/jwt.hpp"
#include "env.hpp"

namespace sp::oidc::testing {
namespace {
namespace json = boost::json;

std::string url_param(const std::string& url, const std::string& name) {
  auto params = http::parse_urlencoded(url.substr(url.find('?') + 1), "test.query");
  auto it = params->find(name);
  return it == params->end() ? std::string() : it->second;
}

// The authorization URL of `begun` with `name` changed both in the query and in the request object,
// which is signed again with the RP's key: only the provider's own rules can refuse it then.
std::string resigned(const std::string& url, const std::string& name, const std::string& value) {
  auto ro = crypto::decode_jwt_unverified(url_param(url, "request"));
  EXPECT_TRUE(ro.ok());
  ro->payload[name] = value;
  const std::string request =
      crypto::sign_jwt(json::object{{"typ", "JWT"}}, ro->payload, env().rp_keys.signing);
  auto params = http::parse_urlencoded(url.substr(url.find('?') + 1), "test.query");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : *params) out.emplace_back(k, k == name ? value : k == "request" ? request : v);
  return url.substr(0, url.find('?') + 1) + adapters::form_encode(out);
}

TEST(OidcJwe, RoundTripsEveryAlgorithmTheRulesList) {
  const auto key = crypto::Key::generate(crypto::JwsAlg::rs256);
  for (auto alg : {crypto::JweAlg::rsa_oaep, crypto::JweAlg::rsa_oaep_256})
    for (auto enc : {crypto::JweEnc::a128cbc_hs256, crypto::JweEnc::a256gcm}) {
      const std::string token = crypto::encrypt_jwe("{\"a\":1}", key, alg, enc, json::object{{"cty", "JWT"}});
      ASSERT_TRUE(crypto::looks_like_jwe(token));
      auto back = crypto::decrypt_jwe(token, {key});
      ASSERT_TRUE(back.ok()) << crypto::jwe_alg_name(alg) << " " << crypto::jwe_enc_name(enc);
      EXPECT_EQ(back->plaintext, "{\"a\":1}");
      EXPECT_EQ(detail::str(back->header, "cty"), "JWT");
      // A changed ciphertext or tag fails authentication, whatever the mode.
      std::string tampered = token;
      const auto last_dot = tampered.rfind('.');
      tampered[last_dot - 2] = tampered[last_dot - 2] == 'A' ? 'B' : 'A';
      auto refused = crypto::decrypt_jwe(tampered, {key});
      ASSERT_FALSE(refused.ok());
      EXPECT_EQ(refused.error().code, "jwe.decrypt");
    }
}

TEST(OidcJwe, RefusesOtherKeysAlgorithmsAndShapes) {
  const auto key = crypto::Key::generate(crypto::JwsAlg::rs256);
  const auto other = crypto::Key::generate(crypto::JwsAlg::rs256);
  const std::string token =
      crypto::encrypt_jwe("x", key, crypto::JweAlg::rsa_oaep_256, crypto::JweEnc::a256gcm);
  EXPECT_EQ(crypto::decrypt_jwe(token, {other}).error().code, "jwe.kid");
  // Another key under the same kid: the unwrap fails and looks like a bad tag.
  const auto impostor = crypto::Key::from_private_pem(other.private_pem(), key.kid());
  EXPECT_EQ(crypto::decrypt_jwe(token, {*impostor}).error().code, "jwe.decrypt");
  EXPECT_EQ(crypto::decrypt_jwe(token, {key}, {crypto::JweAlg::rsa_oaep}).error().code, "jwe.alg");
  EXPECT_EQ(crypto::decrypt_jwe(token, {key}, {crypto::JweAlg::rsa_oaep_256}, {crypto::JweEnc::a128cbc_hs256})
                .error()
                .code,
            "jwe.alg");
  EXPECT_EQ(crypto::decrypt_jwe("a.b.c", {key}).error().code, "jwe.format");
  EXPECT_FALSE(crypto::looks_like_jwe("a.b.c"));
  // An encryption JWK is not a signature key, and back.
  const auto jwk = crypto::encryption_jwk(key);
  EXPECT_EQ(detail::str(jwk, "use"), "enc");
  EXPECT_FALSE(crypto::Key::from_jwk(jwk).ok());
  ASSERT_TRUE(crypto::encryption_key_from_jwk(jwk).ok());
  EXPECT_FALSE(crypto::encryption_key_from_jwk(key.public_jwk()).ok());
}

TEST(OidcJws, Rs512VerifiesAndAPinnedRs256KeyRefusesIt) {
  const auto key = crypto::Key::generate(crypto::JwsAlg::rs512);
  const std::string token = crypto::sign_jwt({}, json::object{{"x", 1}}, key);
  EXPECT_EQ(detail::str(crypto::decode_jwt_unverified(token)->header, "alg"), "RS512");
  EXPECT_TRUE(crypto::verify_jwt(token, crypto::Jwks({key.public_only()}), {crypto::JwsAlg::rs512}).ok());
  EXPECT_EQ(crypto::verify_jwt(token, crypto::Jwks({key.public_only()})).error().code, "jwt.alg")
      << "RS512 must be allowed by the caller";
  // The same key published as RS256 verifies only RS256 (RFC 8725 section 3.1).
  const auto pinned = key.with_alg(crypto::JwsAlg::rs256).public_only();
  EXPECT_EQ(crypto::verify_jwt(token, crypto::Jwks({pinned}), {crypto::JwsAlg::rs256, crypto::JwsAlg::rs512})
                .error()
                .code,
            "jwt.alg");
}

TEST(OidcFederationRules, AnRs512IdTokenAndAnEncryptedUserinfoAreRead) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario, "rs512");
  auto id = client->complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->fiscal_number, kMario);
  EXPECT_EQ(id->given_name, "Mario");  // only in the userinfo JWE
  EXPECT_FALSE(id->access_token.empty());
}

TEST(OidcFederationRules, TheStrictProviderRefusesAWrongPromptAndSpidScopes) {
  auto client = env().client();
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  EXPECT_EQ(open_authorize(begun->redirect_url).status, 200);
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"prompt", "login"}, {"prompt", "none"}, {"scope", "openid profile"}, {"scope", "openid email"}}) {
    auto page = open_authorize(resigned(begun->redirect_url, name, value));
    EXPECT_EQ(page.status, 400) << name << "=" << value;
    EXPECT_TRUE(page.location.empty());
    EXPECT_NE(page.body.find(name), std::string::npos) << page.body;
  }
  // offline_access is allowed by both profiles.
  EXPECT_EQ(open_authorize(resigned(begun->redirect_url, "scope", "openid offline_access")).status, 200);
}

TEST(OidcFederationRules, CieAllowsProfileAndEmailAndRequiresTheCallbackIss) {
  SimulatorOptions so;
  so.client_id = env().client_id;
  so.identities_file = std::string(SPORTELLO_SOURCE_DIR) + "/data/demo/identities.json";
  so.clock = &env().clock;
  so.profile = Profile::cie;
  so.announce_iss = false;  // CIE's profile requires iss whatever the metadata says
  auto cie = start_simulator_thread(so, 0);
  ProviderConfig pc = env().provider();
  pc.id = "cie";
  pc.profile = Profile::cie;
  pc.discovery_url = cie->issuer() + "/.well-known/openid-configuration";
  Client client(pc, env().rp_keys, env().clock);
  auto begun = client.begin(2);
  ASSERT_TRUE(begun.ok());
  EXPECT_EQ(url_param(begun->redirect_url, "scope"), "openid profile email");
  Page page = open_authorize(begun->redirect_url);
  ASSERT_EQ(page.status, 200) << page.body;
  Callback cb = confirm(page, kMario, "normal", cie->port());
  ASSERT_FALSE(cb.code.empty()) << cb.location;
  EXPECT_TRUE(client.check_response_issuer(cb.iss).ok());
  EXPECT_EQ(client.check_response_issuer("").error().code, "oidc.response_issuer");
  auto id = client.complete(cb.code, *begun);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->fiscal_number, kMario);
}

TEST(OidcFederationRules, RevocationEndsTheAccessTokenAtTheProvider) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  auto id = client->complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code;
  Simulator& sim = env().sim->simulator();
  ASSERT_TRUE(sim.token_active(id->access_token));
  const int before = sim.revocations();
  // Another relying party's key cannot revoke it (private_key_jwt at the revocation endpoint).
  RpKeys other = RpKeys::generate();
  auto rogue = env().client(&other);
  auto refused = rogue->revoke(id->access_token);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "oidc.revocation");
  EXPECT_TRUE(sim.token_active(id->access_token));

  ASSERT_TRUE(client->revoke(id->access_token).ok());
  EXPECT_FALSE(sim.token_active(id->access_token));
  EXPECT_EQ(sim.revocations(), before + 1);
  // RFC 7009 section 2.2: revoking again is answered 200 and changes nothing.
  EXPECT_TRUE(client->revoke(id->access_token).ok());
  EXPECT_EQ(sim.revocations(), before + 1);
}

}  // namespace
}  // namespace sp::oidc::testing
