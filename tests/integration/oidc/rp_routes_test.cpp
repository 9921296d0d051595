// What the relying party publishes: its JWKS and its signed entity configuration (AgID SPID OIDC
// guidelines, OpenID Federation 1.0), and the persistence of its key.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/rp_check.hpp"
#include "core/crypto/jwe.hpp"
#include "core/crypto/jwt.hpp"
#include "env.hpp"

namespace sp::oidc::testing {
namespace {
namespace json = boost::json;

TEST(OidcRp, PublishesItsJwks) {
  auto res = env().http.get(env().client_id + "/.well-known/jwks.json");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->media_type(), "application/json");
  auto keys = crypto::Jwks::from_json(json::parse(res->body));
  ASSERT_TRUE(keys.ok());
  ASSERT_NE(keys->find(env().rp_keys.kid()), nullptr);
  EXPECT_FALSE(keys->find(env().rp_keys.kid())->has_private());
  EXPECT_EQ(res->body.find("\"d\""), std::string::npos) << "the private exponent must never be published";
}

TEST(OidcRp, PublishesASignedEntityConfiguration) {
  auto res = env().http.get(env().client_id + "/.well-known/openid-federation");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->media_type(), "application/entity-statement+jwt");
  // Signed with the federation key, which is not the OpenID Connect core key (issue 14).
  EXPECT_FALSE(crypto::verify_jwt(res->body, env().rp_keys.jwks()).ok());
  auto verified = crypto::verify_jwt(res->body, env().rp_keys.federation_jwks());
  ASSERT_TRUE(verified.ok()) << verified.error().code;
  EXPECT_EQ(detail::str(verified->header, "typ"), "entity-statement+jwt");
  EXPECT_NE(env().rp_keys.federation.kid(), env().rp_keys.signing.kid());
  const auto& c = verified->payload;
  EXPECT_EQ(detail::str(c, "iss"), env().client_id);
  EXPECT_EQ(detail::str(c, "sub"), env().client_id);
  ASSERT_TRUE(c.contains("iat") && c.contains("exp") && c.contains("jwks"));
  EXPECT_GT(c.at("exp").as_int64(), c.at("iat").as_int64());
  ASSERT_TRUE(c.at("authority_hints").is_array());
  EXPECT_EQ(c.at("authority_hints"), json::array{json::string(env().sim->simulator().anchor_id())});
  const auto& rp = c.at("metadata").at("openid_relying_party").as_object();
  EXPECT_EQ(detail::str(rp, "client_id"), env().client_id);
  EXPECT_EQ(detail::str(rp, "token_endpoint_auth_method"), "private_key_jwt");
  EXPECT_EQ(rp.at("redirect_uris"), json::array{json::string(env().redirect_uri)});
  EXPECT_EQ(rp.at("response_types"), json::array{"code"});
  auto own = crypto::Jwks::from_json(rp.at("jwks"));
  ASSERT_TRUE(own.ok());
  EXPECT_NE(own->find(env().rp_keys.kid()), nullptr);
  EXPECT_EQ(own->find(env().rp_keys.federation.kid()), nullptr) << "the federation key is not a core key";
  auto enc = crypto::encryption_key_from_jwks(rp.at("jwks"));
  ASSERT_TRUE(enc.ok()) << "the encryption key is published with use=enc";
  EXPECT_EQ(enc->kid(), env().rp_keys.encryption.kid());
  EXPECT_EQ(detail::str(rp, "userinfo_encrypted_response_alg"), "RSA-OAEP-256");
  EXPECT_EQ(detail::str(rp, "userinfo_encrypted_response_enc"), "A256GCM");
  EXPECT_EQ(rp.at("grant_types"), (json::array{"authorization_code", "refresh_token"}));
  const auto& fe = c.at("metadata").at("federation_entity").as_object();
  EXPECT_EQ(detail::str(fe, "federation_resolve_endpoint"), env().client_id + "/resolve");
  ASSERT_EQ(c.at("trust_marks").as_array().size(), 1u);
  EXPECT_EQ(detail::str(fe, "organization_name"), "Comune di Prova");
  // The trust mark is the anchor's, about this RP.
  auto mark = crypto::verify_jwt(detail::str(c.at("trust_marks").as_array()[0].as_object(), "trust_mark"),
                                 env().sim->simulator().anchor_keys());
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(detail::str(mark->payload, "sub"), env().client_id);
}

TEST(OidcRp, ResolvesItselfOnly) {
  auto res = env().http.get(env().client_id + "/resolve?sub=" + adapters::url_encode(env().client_id));
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->media_type(), "application/resolve-response+jwt");
  auto verified = crypto::verify_jwt(res->body, env().rp_keys.federation_jwks());
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->payload.at("trust_chain").as_array().size(), 1u);
  auto other = env().http.get(env().client_id + "/resolve?sub=https%3A%2F%2Fother.example");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->status, 404);
}

TEST(OidcRp, KeySurvivesAPemRoundTrip) {
  auto back = RpKeys::from_pem(env().rp_keys.to_pem());
  ASSERT_TRUE(back.ok()) << back.error().code;
  EXPECT_EQ(back->kid(), env().rp_keys.kid());  // kid = RFC 7638 thumbprint, stable across restarts
  EXPECT_TRUE(back->complete);
  EXPECT_EQ(back->encryption.kid(), env().rp_keys.encryption.kid());
  EXPECT_EQ(back->federation.kid(), env().rp_keys.federation.kid());
  // A key file of before issue 14 held the signing key only: the other two are made, to be saved.
  auto old = RpKeys::from_pem(env().rp_keys.signing.private_pem());
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->complete);
  EXPECT_EQ(old->kid(), env().rp_keys.kid());
  EXPECT_NE(old->encryption.kid(), old->signing.kid());
  auto not_a_key = RpKeys::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  EXPECT_FALSE(not_a_key.ok());
}

TEST(OidcRp, SimulatorDiscoveryDescribesTheProfile) {
  auto res = env().http.get(env().sim->issuer() + "/.well-known/openid-configuration");
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->status, 200);
  auto doc = json::parse(res->body).as_object();
  EXPECT_EQ(detail::str(doc, "issuer"), env().sim->issuer());
  EXPECT_EQ(doc.at("code_challenge_methods_supported"), json::array{"S256"});
  EXPECT_EQ(doc.at("token_endpoint_auth_methods_supported"), json::array{"private_key_jwt"});
  EXPECT_EQ(doc.at("subject_types_supported"), json::array{"pairwise"});
}

}  // namespace
}  // namespace sp::oidc::testing

namespace sp::oidc::testing {
namespace {

// `sportello oidc check`'s checks (docs/oidc.md): a body's entity configuration passes them all; one
// without trust mark, with a forged one, or without federation data does not.
TEST(OidcCheck, EachBodysEntityConfigurationPassesTheOnboardingChecks) {
  for (const auto& b : env().bodies) {
    auto res = env().http.get(b.client_id + ".well-known/openid-federation");
    ASSERT_TRUE(res.ok());
    const crypto::Jwks anchor = env().sim->simulator().anchor_keys();
    for (const auto& c : check_rp_entity_configuration(res->body, b.client_id, env().clock.now(), &anchor))
      EXPECT_TRUE(c.ok) << b.ipa_code << " " << c.id << ": " << c.detail;
  }
}

TEST(OidcCheck, MissingOrForgedTrustMarksAndFederationDataAreReported) {
  auto failed = [](const std::vector<RpCheck>& checks) {
    std::vector<std::string> out;
    for (const auto& c : checks)
      if (!c.ok) out.push_back(c.id);
    return out;
  };
  const auto& b = env().bodies.at(0);
  RpMetadata bare{b.client_id, {b.client_id + "auth/callback"}};
  auto checks = check_rp_entity_configuration(entity_configuration(b.keys, bare, env().clock.now()),
                                              b.client_id, env().clock.now());
  const auto f = failed(checks);
  for (const char* id : {"ec.authority_hints", "ec.trust_marks", "fe.homepage_uri", "fe.policy_uri",
                         "fe.logo_uri", "fe.contacts"})
    EXPECT_NE(std::find(f.begin(), f.end(), id), f.end()) << id;
  // A trust mark made by someone else than the anchor (body 1's mark shown by body 0).
  RpMetadata forged = b.publication->metadata();
  forged.trust_marks = env().bodies.at(1).publication->metadata().trust_marks;
  const crypto::Jwks anchor = env().sim->simulator().anchor_keys();
  const auto g = failed(check_rp_entity_configuration(entity_configuration(b.keys, forged, env().clock.now()),
                                                      b.client_id, env().clock.now(), &anchor));
  EXPECT_NE(std::find(g.begin(), g.end(), "ec.trust_marks"), g.end());
  // Beside its genuine mark: another federation's mark (another issuer, another key) is not judged by
  // this anchor; one in the anchor's name signed with another key is a forgery.
  Simulator& sim = env().sim->simulator();
  auto mark_by = [&](const std::string& iss) {
    return TrustMark{
        sim.trust_mark_id(),
        crypto::sign_jwt(json::object{{"typ", "trust-mark+jwt"}},
                         json::object{{"iss", iss}, {"sub", b.client_id}, {"id", sim.trust_mark_id()}},
                         crypto::Key::generate(crypto::JwsAlg::rs256))};
  };
  RpMetadata two = b.publication->metadata();
  two.trust_marks.push_back(mark_by("https://registry.example/"));
  const auto both = failed(check_rp_entity_configuration(entity_configuration(b.keys, two, env().clock.now()),
                                                         b.client_id, env().clock.now(), &anchor));
  EXPECT_EQ(std::find(both.begin(), both.end(), "ec.trust_marks"), both.end());
  RpMetadata impostor = b.publication->metadata();
  impostor.trust_marks.push_back(mark_by(sim.anchor_id()));
  const auto i = failed(check_rp_entity_configuration(
      entity_configuration(b.keys, impostor, env().clock.now()), b.client_id, env().clock.now(), &anchor));
  EXPECT_NE(std::find(i.begin(), i.end(), "ec.trust_marks"), i.end());
  // Another body's entity configuration is not this body's.
  auto other = env().http.get(env().bodies.at(1).client_id + ".well-known/openid-federation");
  ASSERT_TRUE(other.ok());
  const auto h = failed(check_rp_entity_configuration(other->body, b.client_id, env().clock.now(), &anchor));
  EXPECT_NE(std::find(h.begin(), h.end(), "ec.iss_sub"), h.end());
}

}  // namespace
}  // namespace sp::oidc::testing
