// What the simulated provider refuses (tampered request objects, unregistered redirect_uri, reused or
// stale codes, foreign client assertions, wrong PKCE verifier) and key rotation seen by the RP.
#include <gtest/gtest.h>

#include "adapters/oidc/json_util.hpp"
#include "core/crypto/encoding.hpp"
#include "core/crypto/jwt.hpp"
#include "env.hpp"

namespace sp::oidc::testing {
namespace {

// Replaces the value of query parameter `name` in `url`.
std::string with_param(const std::string& url, const std::string& name, const std::string& value) {
  const std::string key = name + "=";
  auto pos = url.find("?" + key);
  if (pos == std::string::npos) pos = url.find("&" + key);
  EXPECT_NE(pos, std::string::npos) << name;
  const auto start = pos + 1 + key.size();
  const auto end = url.find('&', start);
  return url.substr(0, start) + adapters::url_encode(value) +
         (end == std::string::npos ? "" : url.substr(end));
}

std::string param(const std::string& url, const std::string& name) {
  auto params = http::parse_urlencoded(url.substr(url.find('?') + 1), "test.query");
  auto it = params->find(name);
  return it == params->end() ? std::string() : it->second;
}

void expect_refused_page(const Page& page, const std::string& reason_part) {
  EXPECT_EQ(page.status, 400);
  EXPECT_TRUE(page.location.empty()) << "an unverified request must never be redirected: " << page.location;
  EXPECT_NE(page.body.find("Richiesta non valida"), std::string::npos);
  EXPECT_NE(page.body.find(reason_part), std::string::npos) << page.body;
}

TEST(OidcProvider, TamperedRequestObjectIsRefused) {
  auto client = env().client();
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  const std::string ro = param(begun->redirect_url, "request");
  // Change the payload (redirect_uri) and keep the original signature.
  const auto dot1 = ro.find('.');
  const auto dot2 = ro.find('.', dot1 + 1);
  auto payload = crypto::base64url_decode(ro.substr(dot1 + 1, dot2 - dot1 - 1));
  ASSERT_TRUE(payload.has_value());
  auto claims = detail::parse_object(*payload, "x", 400);
  ASSERT_TRUE(claims.ok());
  (*claims)["redirect_uri"] = "https://attacker.example.org/cb";
  const std::string forged =
      ro.substr(0, dot1 + 1) + crypto::base64url_encode(boost::json::serialize(*claims)) + ro.substr(dot2);
  std::string url = with_param(begun->redirect_url, "request", forged);
  url = with_param(url, "redirect_uri", "https://attacker.example.org/cb");
  expect_refused_page(open_authorize(url), "jwt.signature");
}

TEST(OidcProvider, RequestObjectSignedWithAnotherKeyIsRefused) {
  RpKeys other = RpKeys::generate();  // not in the RP's published JWKS
  auto rogue = env().client(&other);
  auto begun = rogue->begin(2);
  ASSERT_TRUE(begun.ok());
  expect_refused_page(open_authorize(begun->redirect_url), "request object: jwt.kid");
}

TEST(OidcProvider, PlainParametersDifferentFromTheRequestObjectAreRefused) {
  auto client = env().client();
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  expect_refused_page(
      open_authorize(with_param(begun->redirect_url, "redirect_uri", "https://attacker.example.org/cb")),
      "differ on redirect_uri");
}

TEST(OidcProvider, UnregisteredRedirectUriIsRefusedEvenWhenSigned) {
  auto client = env().client(nullptr, "https://attacker.example.org/cb");
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  expect_refused_page(open_authorize(begun->redirect_url), "redirect_uri not registered");
}

TEST(OidcProvider, RequestWithoutRequestObjectIsRefused) {
  auto client = env().client();
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  std::string url = begun->redirect_url.substr(0, begun->redirect_url.find("&request="));
  expect_refused_page(open_authorize(url), "request object is required");
}

TEST(OidcProvider, UnknownClientIsRefused) {
  auto client = env().client();
  auto begun = client->begin(2);
  ASSERT_TRUE(begun.ok());
  expect_refused_page(
      open_authorize(with_param(begun->redirect_url, "client_id", "https://other.example.org")),
      "unknown client_id");
}

TEST(OidcProvider, ReusedCodeIsRefused) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  ASSERT_TRUE(client->complete(cb.code, pending).ok());
  auto again = client->complete(cb.code, pending);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "oidc.token");
  EXPECT_NE(again.error().detail.find("invalid_grant"), std::string::npos) << again.error().detail;
  EXPECT_NE(again.error().detail.find("already used"), std::string::npos) << again.error().detail;
}

TEST(OidcProvider, CodeExpiresAfterSixtySeconds) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  env().clock.advance(std::chrono::seconds(61));
  auto late = client->complete(cb.code, pending);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "oidc.token");
  EXPECT_NE(late.error().detail.find("code expired"), std::string::npos) << late.error().detail;
}

TEST(OidcProvider, WrongCodeVerifierIsRefused) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  AuthRequest other = pending;
  other.code_verifier = std::string(64, 'a');
  auto res = client->complete(cb.code, other);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, "oidc.token");
  EXPECT_NE(res.error().detail.find("code_verifier"), std::string::npos) << res.error().detail;
}

TEST(OidcProvider, ClientAssertionSignedWithAnotherKeyIsRefused) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  RpKeys other = RpKeys::generate();
  auto rogue = env().client(&other);
  auto res = rogue->complete(cb.code, pending);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, "oidc.token");
  EXPECT_NE(res.error().detail.find("invalid_client"), std::string::npos) << res.error().detail;
  // The refusal came from client authentication, before the code was looked at: the real RP can still
  // redeem it.
  auto id = client->complete(cb.code, pending);
  EXPECT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
}

TEST(OidcProvider, KeyRotationIsFollowedByTheRelyingParty) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  ASSERT_TRUE(client->complete(cb.code, pending).ok());
  const int fetched = env().sim->simulator().jwks_requests();
  const std::string first_kid = env().sim->simulator().signing_kid();

  // 1st rotation: the new signing key was already published as "next", so the cached JWKS suffices.
  env().sim->simulator().rotate_signing_key();
  EXPECT_NE(env().sim->simulator().signing_kid(), first_kid);
  cb = sign_in(*client, pending, 2, kMario);
  auto id = client->complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code;
  EXPECT_EQ(env().sim->simulator().jwks_requests(), fetched);

  // 2nd rotation, through the control route: now the signing key is unknown to the RP's cache, which
  // must refetch the JWKS exactly once.
  auto rotated = env().http.post_form(env().sim->issuer() + "/control/rotate-key", {});
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->status, 200);
  cb = sign_in(*client, pending, 2, kMario);
  id = client->complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->fiscal_number, kMario);
  EXPECT_EQ(env().sim->simulator().jwks_requests(), fetched + 1);
}

TEST(OidcProvider, UserinfoNeedsAValidBearerToken) {
  auto none = env().http.get(env().sim->issuer() + "/userinfo");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 401);
  auto bad = env().http.get(env().sim->issuer() + "/userinfo", {{"Authorization", "Bearer not-a-token"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 401);
}

TEST(OidcProvider, UnreachableProviderIsADiscoveryError) {
  ProviderConfig p = env().provider();
  p.discovery_url = "http://127.0.0.1:1/.well-known/openid-configuration";
  Client client(p, env().rp_keys, env().clock);
  auto begun = client.begin(2);
  ASSERT_FALSE(begun.ok());
  EXPECT_EQ(begun.error().code, "oidc.discovery");
}

TEST(OidcProvider, DiscoveryForAnotherIssuerIsRefused) {
  ProviderConfig p = env().provider();
  // Same document, reached through "localhost": its issuer (127.0.0.1) is not the one we configured.
  p.discovery_url =
      "http://localhost:" + std::to_string(env().sim->port()) + "/.well-known/openid-configuration";
  Client client(p, env().rp_keys, env().clock);
  auto begun = client.begin(2);
  ASSERT_FALSE(begun.ok());
  EXPECT_EQ(begun.error().code, "oidc.discovery");
  EXPECT_NE(begun.error().detail.find("does not match"), std::string::npos) << begun.error().detail;
}

TEST(OidcProvider, LevelOutsideOneToThreeIsRefused) {
  auto client = env().client();
  auto begun = client->begin(4);
  ASSERT_FALSE(begun.ok());
  EXPECT_EQ(begun.error().code, "oidc.acr_requested");
}

}  // namespace
}  // namespace sp::oidc::testing
