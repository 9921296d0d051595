// RFC 9207 issuer identification in the authentication response, and what a refused code costs: the
// callback's "iss" must name the provider the sign-in was sent to (mix-up attacks); CIE's profile
// requires it, SPID's makes it optional, and a provider that announces it in its metadata must send it.
#include <gtest/gtest.h>

#include "env.hpp"

namespace sp::oidc::testing {
namespace {

TEST(OidcIssuer, TheSimulatorAnnouncesAndSendsItsIssuer) {
  auto doc = env().http.get(env().sim->issuer() + "/.well-known/openid-configuration");
  ASSERT_TRUE(doc.ok());
  EXPECT_NE(doc->body.find("\"authorization_response_iss_parameter_supported\":true"), std::string::npos)
      << doc->body;
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  EXPECT_EQ(cb.iss, env().sim->issuer());
  auto checked = client->check_response_issuer(cb.iss);
  EXPECT_TRUE(checked.ok()) << checked.error().detail;
  EXPECT_TRUE(client->complete(cb.code, pending).ok());
}

TEST(OidcIssuer, AnotherProvidersIssuerIsRefused) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario, "wrong_iss");
  EXPECT_EQ(cb.iss, "https://another-provider.example.org");
  auto checked = client->check_response_issuer(cb.iss);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, "oidc.response_issuer");
  EXPECT_EQ(checked.error().http_status, 400);
  EXPECT_EQ(checked.error().message_key, "error.oidc.response_issuer");
  // The same issuer with a trailing slash is another string (RFC 9207 section 2.4: simple comparison).
  EXPECT_FALSE(client->check_response_issuer(env().sim->issuer() + "/").ok());
}

TEST(OidcIssuer, AMissingIssuerIsRefusedWhenTheProviderAnnouncesIt) {
  auto client = env().client();  // require_iss not set: the provider's metadata decides
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario, "missing_iss");
  EXPECT_TRUE(cb.iss.empty()) << cb.location;
  auto checked = client->check_response_issuer(cb.iss);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, "oidc.response_issuer");
}

// A provider that does not announce "iss" (as SPID's profile allows): a response without it is accepted
// unless our configuration requires it (CIE); a wrong one is refused all the same.
TEST(OidcIssuer, WithoutTheAnnouncementOnlyTheConfigurationRequiresIt) {
  SimulatorOptions so = sibling_simulator();
  so.announce_iss = false;
  auto spid = start_simulator_thread(so, 0);
  ProviderConfig config = env().provider();
  config.discovery_url = spid->issuer() + "/.well-known/openid-configuration";

  auto run = [&](Client& client, const std::string& behaviour, AuthRequest& pending) {
    auto begun = client.begin(2);
    EXPECT_TRUE(begun.ok());
    pending = *begun;
    Page page = open_authorize(pending.redirect_url);
    EXPECT_EQ(page.status, 200) << page.body;
    return confirm(page, kMario, behaviour, spid->port());
  };

  Client lenient(config, env().rp_keys, env().clock);
  AuthRequest pending;
  Callback cb = run(lenient, "missing_iss", pending);
  ASSERT_FALSE(cb.code.empty()) << cb.location;
  EXPECT_TRUE(cb.iss.empty());
  auto accepted = lenient.check_response_issuer(cb.iss);
  EXPECT_TRUE(accepted.ok()) << accepted.error().detail;
  auto id = lenient.complete(cb.code, pending);
  ASSERT_TRUE(id.ok()) << id.error().code << " " << id.error().detail;
  EXPECT_EQ(id->fiscal_number, kMario);
  cb = run(lenient, "wrong_iss", pending);
  EXPECT_EQ(lenient.check_response_issuer(cb.iss).error().code, "oidc.response_issuer");

  config.require_iss = true;
  Client strict(config, env().rp_keys, env().clock);
  cb = run(strict, "missing_iss", pending);
  auto refused = strict.check_response_issuer(cb.iss);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "oidc.response_issuer");
  cb = run(strict, "normal", pending);
  EXPECT_TRUE(strict.check_response_issuer(cb.iss).ok());
}

// A code the provider refuses (invalid_grant: forged, reused, expired) is a bad request, not a provider
// failure: 400. A provider that refuses us (invalid_client) stays a gateway error.
TEST(OidcIssuer, ARefusedCodeIsABadRequestAndARefusedClientAGatewayError) {
  auto client = env().client();
  AuthRequest pending;
  Callback cb = sign_in(*client, pending, 2, kMario);
  auto forged = client->complete("forged-code-" + std::string(31, 'x'), pending);
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, "oidc.token");
  EXPECT_EQ(forged.error().http_status, 400) << forged.error().detail;
  EXPECT_NE(forged.error().detail.find("invalid_grant"), std::string::npos) << forged.error().detail;

  RpKeys other = RpKeys::generate();
  auto rogue = env().client(&other);
  auto refused = rogue->complete(cb.code, pending);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "oidc.token");
  EXPECT_EQ(refused.error().http_status, 502) << refused.error().detail;

  ASSERT_TRUE(client->complete(cb.code, pending).ok());
  auto reused = client->complete(cb.code, pending);
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().http_status, 400) << reused.error().detail;
}

}  // namespace
}  // namespace sp::oidc::testing
