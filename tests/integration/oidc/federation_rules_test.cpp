// Issue 14: what the SPID/CIE OIDC Federation rules add to the flow. JWE (userinfo signed then
// encrypted), RS512, the provider's strict checks on prompt and scopes by profile, the CIE profile, and
// token revocation at the provider.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/trust.hpp"
#include "core/crypto/encoding.hpp"
#include "core/crypto/jwe.hpp"
#include "core/crypto/jwt.hpp"
#include "env.hpp"
#include "support/testing.hpp"

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
  SimulatorOptions so = sibling_simulator();
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

// --- The federation: the simulator as trust anchor (issue 14, priority 4) ---

std::shared_ptr<TrustResolver> anchor_resolver(const time::Clock& clock) {
  Simulator& sim = env().sim->simulator();
  return std::make_shared<TrustResolver>(TrustAnchor{sim.anchor_id(), sim.anchor_keys()}, clock);
}

SimulatorOptions other_simulator(const time::Clock& clock) {
  SimulatorOptions so;
  so.client_id = env().client_id;
  so.identities_file = sp::testing::source_dir() + "/data/demo/identities.json";
  so.clock = &clock;
  return so;
}

TEST(OidcMetadataPolicy, OperatorsApplyAsOidcFedSays) {
  json::object md{{"grant_types", json::array{"authorization_code"}},
                  {"token_endpoint_auth_method", "client_secret_basic"},
                  {"algs", json::array{"RS256", "HS256"}}};
  auto bad = md;
  EXPECT_EQ(apply_metadata_policy(bad, Simulator::rp_metadata_policy()).error().code, "oidc.metadata_policy")
      << "grant_types without refresh_token breaks superset_of";
  auto m = md;
  ASSERT_TRUE(apply_metadata_policy(
                  m, json::object{{"algs", json::object{{"subset_of", json::array{"RS256", "RS512"}}}},
                                  {"contacts", json::object{{"default", json::array{"a@pec.it"}}}},
                                  {"grant_types", json::object{{"add", json::array{"refresh_token"}}}},
                                  {"token_endpoint_auth_method", json::object{{"value", "private_key_jwt"}}}})
                  .ok());
  EXPECT_EQ(m.at("algs"), json::array{"RS256"});
  EXPECT_EQ(m.at("contacts"), json::array{"a@pec.it"});
  EXPECT_EQ(m.at("grant_types"), (json::array{"authorization_code", "refresh_token"}));
  EXPECT_EQ(m.at("token_endpoint_auth_method"), "private_key_jwt");
  auto e = md;
  EXPECT_FALSE(apply_metadata_policy(e, json::object{{"jwks", json::object{{"essential", true}}}}).ok());
  EXPECT_FALSE(
      apply_metadata_policy(e, json::object{{"token_endpoint_auth_method",
                                             json::object{{"one_of", json::array{"private_key_jwt"}}}}})
          .ok());
}

TEST(OidcTrust, TheRpFindsAndTrustsTheProviderThroughTheAnchorAndSignsIn) {
  auto trust = anchor_resolver(env().clock);
  auto listed = trust->list("openid_provider");
  ASSERT_TRUE(listed.ok()) << listed.error().detail;
  ASSERT_EQ(*listed, std::vector<std::string>{env().sim->issuer()});
  auto chain = trust->resolve(env().sim->issuer(), "openid_provider");
  ASSERT_TRUE(chain.ok()) << chain.error().detail;
  EXPECT_EQ(chain->trust_chain.size(), 3u);
  // The anchor's policy was applied.
  EXPECT_EQ(chain->metadata.at("token_endpoint_auth_methods_supported"), json::array{"private_key_jwt"});

  ProviderConfig pc = env().provider();
  pc.discovery_url.clear();  // no plain discovery
  pc.entity_id = env().sim->issuer();
  ClientOptions options;
  options.trust = trust;
  Client client(pc, env().rp_keys, env().clock, options);
  AuthRequest pending;
  Callback cb = sign_in(client, pending, 2, kGiulia);
  auto id = client.complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->fiscal_number, kGiulia);
}

TEST(OidcTrust, TheCieProviderIsFoundThroughItsOwnAnchorWithItsKeysInlineAndSignsIn) {
  // As in the demo: a SPID provider and, on the same port under /cie, a CIE provider with its own anchor.
  SimulatorOptions cie_options = sibling_simulator();
  cie_options.profile = Profile::cie;
  auto sims = start_simulator_thread(sibling_simulator(), 0, cie_options);
  Simulator* cie = sims->cie();
  ASSERT_NE(cie, nullptr);
  ASSERT_EQ(cie->issuer(), sims->issuer() + "/cie");
  auto trust =
      std::make_shared<TrustResolver>(TrustAnchor{cie->anchor_id(), cie->anchor_keys()}, env().clock);
  auto listed = trust->list("openid_provider");
  ASSERT_TRUE(listed.ok()) << listed.error().detail;
  EXPECT_EQ(*listed, std::vector<std::string>{cie->issuer()});
  auto chain = trust->resolve(cie->issuer(), "openid_provider");
  ASSERT_TRUE(chain.ok()) << chain.error().detail;
  // CIE's openid_provider metadata ("OpenID Connect Provider Metadata (OP) per CIE").
  const json::object& md = chain->metadata;
  EXPECT_FALSE(md.contains("jwks_uri"));
  ASSERT_TRUE(md.contains("jwks"));
  EXPECT_EQ(md.at("tls_client_certificate_bound_access_tokens"), true);
  EXPECT_EQ(md.at("authorization_response_iss_parameter_supported"), true);
  EXPECT_EQ(md.at("scopes_supported"), (json::array{"openid", "offline_access", "profile", "email"}));
  EXPECT_EQ(md.at("organization_name"), "Simulatore CIE");
  // Its entity configuration shows the trust mark its anchor gave it.
  auto ec = env().http.get(cie->issuer() + "/.well-known/openid-federation");
  ASSERT_TRUE(ec.ok());
  auto ec_claims = crypto::decode_jwt_unverified(ec->body);
  ASSERT_TRUE(ec_claims.ok());
  const auto& marks = ec_claims->payload.at("trust_marks").as_array();
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].at("id"), json::value(cie->provider_trust_mark_id()));
  auto mark = crypto::verify_jwt(std::string(marks[0].at("trust_mark").as_string()), cie->anchor_keys());
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(mark->payload.at("sub"), json::value(cie->issuer()));

  ProviderConfig pc = env().provider();
  pc.id = "cie";
  pc.profile = Profile::cie;
  pc.require_iss = true;
  pc.discovery_url.clear();
  pc.entity_id = cie->issuer();
  ClientOptions options;
  options.trust = trust;
  Client client(pc, env().rp_keys, env().clock, options);
  auto sign_in_once = [&](const char* who) -> Result<Identity> {
    auto begun = client.begin(2);
    if (!begun) return begun.error();
    EXPECT_EQ(url_param(begun->redirect_url, "scope"), "openid profile email");
    Page page = open_authorize(begun->redirect_url);
    EXPECT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("Simulatore CIE"), std::string::npos);
    Callback cb = confirm(page, who, "normal", sims->port());
    EXPECT_EQ(cb.iss, cie->issuer());
    if (auto st = client.check_response_issuer(cb.iss); !st) return st.error();
    return client.complete(cb.code, *begun);
  };
  auto id = sign_in_once(kMario);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->given_name, "Mario");  // only in the userinfo JWE

  // The provider rolls its keys twice: the inline keys the chain gave are refreshed by resolving it again.
  cie->rotate_signing_key();
  cie->rotate_signing_key();
  auto again = sign_in_once(kGiulia);
  ASSERT_TRUE(again.ok()) << again.error().code << " " << again.error().detail;
  EXPECT_EQ(again->fiscal_number, kGiulia);
  // Sign-out revokes the token at the CIE provider.
  EXPECT_TRUE(client.revoke(again->access_token).ok());
  EXPECT_FALSE(cie->token_active(again->access_token));
  EXPECT_EQ(cie->revocations(), 1);
}

TEST(OidcTrust, AProviderNotReachableThroughTheAnchorIsRefused) {
  // B names our anchor as its superior, but the anchor has no statement about it.
  auto so = other_simulator(env().clock);
  so.authority_hint = env().sim->simulator().anchor_id();
  auto b = start_simulator_thread(so, 0);
  // C is in another federation altogether (its own anchor).
  auto c = start_simulator_thread(other_simulator(env().clock), 0);
  auto trust = anchor_resolver(env().clock);
  for (const auto* sim : {b.get(), c.get()}) {
    auto chain = trust->resolve(sim->issuer(), "openid_provider");
    ASSERT_FALSE(chain.ok()) << sim->issuer();
    EXPECT_EQ(chain.error().code, "oidc.trust_chain");
    ProviderConfig pc = env().provider();
    pc.entity_id = sim->issuer();
    ClientOptions options;
    options.trust = trust;
    Client client(pc, env().rp_keys, env().clock, options);
    auto begun = client.begin(2);
    ASSERT_FALSE(begun.ok()) << "no sign-in may start at a provider outside the federation";
    EXPECT_EQ(begun.error().code, "oidc.trust_chain");
  }
  auto listed = trust->list("openid_provider");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u) << "the anchor lists only its own subordinates";
}

TEST(OidcTrust, AChainPastItsExpiryIsRefusedAndTheCacheLastsNoLonger) {
  time::TestClock provider_clock(std::chrono::system_clock::now());
  auto so = other_simulator(provider_clock);
  so.statement_lifetime = std::chrono::hours(1);
  auto d = start_simulator_thread(so, 0);
  time::TestClock rp_clock(provider_clock.now());
  TrustResolver trust(TrustAnchor{d->simulator().anchor_id(), d->simulator().anchor_keys()}, rp_clock);
  auto chain = trust.resolve(d->issuer(), "openid_provider");
  ASSERT_TRUE(chain.ok()) << chain.error().detail;
  EXPECT_LE(chain->expires, provider_clock.now() + std::chrono::hours(1));
  // Two hours on at the relying party: the cached chain has expired with its statements, and the
  // provider (whose clock stands still, a stale mirror) keeps serving statements already past.
  rp_clock.advance(std::chrono::hours(2));
  auto again = trust.resolve(d->issuer(), "openid_provider");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "oidc.trust_chain");
  EXPECT_NE(again.error().detail.find("expired"), std::string::npos) << again.error().detail;
}

TEST(OidcTrust, TheStrictProviderRefusesAnRpWithoutItsFederationsTrustMark) {
  // Another simulator (another anchor): the RP's trust mark is not one of its federation.
  auto e = start_simulator_thread(other_simulator(env().clock), 0);
  ProviderConfig pc = env().provider();
  pc.discovery_url = e->issuer() + "/.well-known/openid-configuration";
  Client client(pc, env().rp_keys, env().clock);
  auto begun = client.begin(2);
  ASSERT_TRUE(begun.ok());
  Page page = open_authorize(begun->redirect_url);
  EXPECT_EQ(page.status, 400);
  EXPECT_NE(page.body.find("trust mark"), std::string::npos) << page.body;
}

// --- One client per body (issue 14, priority 3) ---

TEST(OidcBodies, TwoBodiesSignInWithTheirOwnClientIdsAndCannotTouchEachOthersTokens) {
  ASSERT_EQ(env().bodies.size(), 2u);
  std::vector<Identity> ids;
  for (std::size_t i = 0; i < 2; ++i) {
    auto client = env().body_client(i);
    EXPECT_EQ(client->config().client_id, env().client_id + "/" + env().bodies[i].ipa_code + "/");
    AuthRequest pending;
    Callback cb = sign_in(*client, pending, 2, kMario);
    auto id = client->complete(cb.code, pending);
    ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
    ids.push_back(*id);
  }
  // Pairwise subjects: the same person is another sub at each body.
  EXPECT_NE(ids[0].sub, ids[1].sub);
  // Body 1 cannot revoke body 0's token (the provider answers 200 but revokes nothing: RFC 7009 2.1).
  Simulator& sim = env().sim->simulator();
  ASSERT_TRUE(env().body_client(1)->revoke(ids[0].access_token).ok());
  EXPECT_TRUE(sim.token_active(ids[0].access_token));
  ASSERT_TRUE(env().body_client(0)->revoke(ids[0].access_token).ok());
  EXPECT_FALSE(sim.token_active(ids[0].access_token));
  // Body 0's keys cannot authenticate as body 1.
  ProviderConfig pc = env().provider();
  pc.client_id = env().bodies[1].client_id;
  pc.redirect_uri = env().bodies[1].client_id + "auth/callback";
  Client impostor(pc, env().bodies[0].keys, env().clock);
  auto refused = impostor.revoke(ids[1].access_token);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(sim.token_active(ids[1].access_token));
}

}  // namespace
}  // namespace sp::oidc::testing
