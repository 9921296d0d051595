// The normal SPID/CIE sign-in over real HTTP: relying party → simulator → relying party.
#include <gtest/gtest.h>

#include "adapters/oidc/json_util.hpp"
#include "core/crypto/jwt.hpp"
#include "core/crypto/pkce.hpp"
#include "core/digest.hpp"
#include "env.hpp"

namespace sp::oidc::testing {
namespace {

std::string query_value(const std::string& url, const std::string& name) {
  auto params = http::parse_urlencoded(url.substr(url.find('?') + 1), "test.query");
  if (!params) return {};
  auto it = params->find(name);
  return it == params->end() ? std::string() : it->second;
}

TEST(OidcFlow, SignInAtLevel2ReturnsTheIdentity) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  EXPECT_EQ(cb.iss, env().sim->issuer());
  auto id = client->complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->provider, "sim");
  EXPECT_EQ(id->fiscal_number, kMario);  // without "TINIT-"
  EXPECT_EQ(id->given_name, "Mario");
  EXPECT_EQ(id->family_name, "Rossi");
  EXPECT_EQ(id->email, "mario.rossi@example.org");
  EXPECT_EQ(id->birthdate, "1980-01-01");
  EXPECT_EQ(id->acr_level, 2);
  // Pairwise subject: SHA-256 of fiscal number + client_id, never the fiscal number itself.
  EXPECT_EQ(id->sub, digest::sha256_hex(std::string(kMario) + env().client_id));
}

TEST(OidcFlow, AuthorizationRequestCarriesASignedRequestObject) {
  auto client = env().client();
  auto begun = client->begin(3);
  ASSERT_TRUE(begun.ok());
  const std::string& url = begun->redirect_url;
  EXPECT_EQ(url.rfind(env().sim->issuer() + "/authorize?", 0), 0u) << url;
  EXPECT_GE(begun->state.size(), 32u);
  EXPECT_GE(begun->nonce.size(), 32u);
  EXPECT_NE(begun->state, begun->nonce);
  EXPECT_EQ(query_value(url, "acr_values"), "https://www.spid.gov.it/SpidL3");
  EXPECT_EQ(query_value(url, "prompt"), "consent login");
  EXPECT_EQ(query_value(url, "scope"), "openid");  // SPID: the claims are asked for, not the scopes
  EXPECT_EQ(query_value(url, "code_challenge_method"), "S256");
  EXPECT_EQ(query_value(url, "code_challenge"), crypto::pkce_challenge_s256(begun->code_verifier));

  auto ro = crypto::verify_jwt(query_value(url, "request"), env().rp_keys.jwks());
  ASSERT_TRUE(ro.ok()) << "the request object must verify with the RP's published key";
  const auto& c = ro->payload;
  EXPECT_EQ(detail::str(c, "iss"), env().client_id);
  EXPECT_EQ(detail::str(c, "aud"), env().sim->issuer());
  EXPECT_EQ(detail::str(c, "client_id"), env().client_id);
  EXPECT_EQ(detail::str(c, "response_type"), "code");
  EXPECT_EQ(detail::str(c, "redirect_uri"), env().redirect_uri);
  EXPECT_EQ(detail::str(c, "state"), begun->state);
  EXPECT_EQ(detail::str(c, "nonce"), begun->nonce);
  EXPECT_EQ(detail::str(c, "code_challenge"), crypto::pkce_challenge_s256(begun->code_verifier));
  EXPECT_EQ(detail::str(c, "acr_values"), "https://www.spid.gov.it/SpidL3");
  EXPECT_EQ(detail::str(c, "prompt"), "consent login");
  EXPECT_NE(detail::str(c, "scope").find("openid"), std::string::npos);
  ASSERT_TRUE(c.contains("iat") && c.contains("exp"));
  EXPECT_GT(c.at("exp").as_int64(), c.at("iat").as_int64());
}

TEST(OidcFlow, EachSignInHasFreshStateNonceAndVerifier) {
  auto client = env().client();
  auto a = client->begin(2);
  auto b = client->begin(2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->state, b->state);
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_NE(a->code_verifier, b->code_verifier);
}

TEST(OidcFlow, Level3WorksForAnIdentityThatReachesIt) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 3, kGiulia);
  auto id = client->complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code;
  EXPECT_EQ(id->acr_level, 3);
  EXPECT_EQ(id->fiscal_number, kGiulia);
}

TEST(OidcFlow, AuthorizePageListsIdentitiesWithoutScriptsOrInlineStyles) {
  auto client = env().client();
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  Page page = open_authorize(begun->redirect_url);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<html lang=\"it\">"), std::string::npos);
  EXPECT_NE(page.body.find("SPID livello 2"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"identity\" value=\"" + std::string(kMario) + "\""), std::string::npos);
  EXPECT_NE(page.body.find("<label for=\"behaviour\">"), std::string::npos);
  for (const char* b :
       {"normal", "bad_signature", "expired", "wrong_audience", "replayed_nonce", "lower_acr"})
    EXPECT_NE(page.body.find(std::string("<option value=\"") + b + "\""), std::string::npos) << b;
  // An L1-only identity cannot be chosen for an L2 sign-in.
  EXPECT_EQ(page.body.find("name=\"identity\" value=\"" + std::string(kGiuseppe) + "\""), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.body.find("<style"), std::string::npos);
  EXPECT_EQ(page.body.find("style="), std::string::npos);
}

TEST(OidcFlow, IdentityBelowTheRequestedLevelIsDeniedBackToTheRp) {
  auto client = env().client();
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  Callback cb = confirm(open_authorize(begun->redirect_url), kGiuseppe);  // the form posted by hand
  EXPECT_EQ(cb.status, 303);
  EXPECT_EQ(cb.error, "access_denied");
  EXPECT_EQ(cb.state, begun->state);
  EXPECT_TRUE(cb.code.empty());
}

}  // namespace
}  // namespace sp::oidc::testing
