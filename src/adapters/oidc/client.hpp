#pragma once
// The OpenID Connect relying party for one SPID/CIE provider: authorization code flow with PKCE and a
// signed request object (begin), token request with private_key_jwt, ID token validation and userinfo
// (complete). Thread-safe: discovery and the provider's JWKS are cached under a mutex, and HTTP calls
// happen outside it.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/http_client.hpp"
#include "adapters/oidc/model.hpp"
#include "adapters/oidc/trust.hpp"
#include "core/crypto/jwk.hpp"
#include "core/crypto/jwt.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::oidc {

// The provider metadata we use (OpenID Connect Discovery 1.0 section 3).
struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string userinfo_endpoint;
  std::string jwks_uri;
  std::string revocation_endpoint;       // RFC 7009; the SPID/CIE docs require it ("Revocation Endpoint")
  bool iss_parameter_supported = false;  // RFC 9207 authorization_response_iss_parameter_supported
  // The keys inline (OIDC-FED: a provider's openid_provider metadata in the federation carries `jwks`
  // instead of jwks_uri, as CIE's does); used instead of fetching jwks_uri.
  std::optional<crypto::Jwks> jwks;
};

struct ClientOptions {
  adapters::HttpClientOptions http;
  std::chrono::seconds leeway{30};              // clock skew tolerated on exp/iat
  std::chrono::seconds discovery_ttl{3600};     // refetch discovery after this long
  std::chrono::seconds assertion_lifetime{60};  // request object and client assertion "exp - iat"
  // The federation's trust anchor: the provider's metadata then comes from its resolved trust chain
  // (config().entity_id), never from plain discovery. Shared by every client of the hub.
  std::shared_ptr<TrustResolver> trust;
};

// Errors (all sp::Error, message keys "error.oidc.*" in web/locales/*/oidc.json):
//   oidc.acr_requested      begin() with a level outside 1..3 (500)
//   oidc.discovery          provider metadata unreachable or invalid (502)
//   oidc.trust_chain        the provider is not reachable through the trust anchor, or its chain is
//                           invalid or past its expiry (502)
//   oidc.jwks               provider keys unreachable or invalid (502)
//   oidc.response_issuer    the callback's iss names another provider, or is missing where required (400)
//   oidc.token              the token endpoint refused the code (invalid_grant: forged, reused, expired
//                           or not ours, 400) or failed / answered nonsense (502)
//   oidc.id_token_format    the ID token is not a JWT or misses sub/acr (401)
//   oidc.id_token_signature bad signature, unknown key even after refetching, or alg not RS256/RS512/ES256
//   oidc.id_token_at_hash   at_hash missing or not the access token's hash
//   oidc.id_token_issuer    iss is not the provider
//   oidc.id_token_audience  aud does not contain our client_id (or azp is another client)
//   oidc.id_token_expired   exp in the past
//   oidc.id_token_iat       iat missing or in the future
//   oidc.nonce              nonce missing or not the one we sent (replay)
//   oidc.acr                authenticated at a lower SPID level than requested
//   oidc.userinfo_format    userinfo not encrypted (plain JSON or a bare JWS: a downgrade), or not a
//                           JWE we can decrypt (401)
//   oidc.userinfo           userinfo refused, its inner signature wrong, or about another subject (502/401)
//   oidc.revocation         the revocation endpoint refused or failed (502)
//   oidc.fiscal_number      no usable fiscal number among the claims
class Client {
 public:
  Client(ProviderConfig config, RpKeys keys, const time::Clock& clock, ClientOptions options = {});
  // With keys made on first use (a body's).
  Client(ProviderConfig config, std::shared_ptr<RpKeyHolder> keys, const time::Clock& clock,
         ClientOptions options = {});

  [[nodiscard]] const ProviderConfig& config() const { return config_; }

  // Starts a sign-in at SPID level `acr_level` (1..3).
  Result<AuthRequest> begin(int acr_level);
  // RFC 9207 section 2.4: the callback's `iss` (empty when absent) must be this provider's issuer, by
  // simple string comparison; absent, it is refused when config().require_iss or the provider's metadata
  // announces it (authorization_response_iss_parameter_supported).
  Status check_response_issuer(std::string_view iss);
  // Exchanges the code from the callback and validates everything the provider says.
  // Every request and answer is appended to `transcript` when given (the message log).
  Result<Identity> complete(const std::string& code, const AuthRequest& pending,
                            Transcript* transcript = nullptr);
  // Revokes an access token at the provider (RFC 7009, client authenticated with private_key_jwt), at
  // logout and when the session ends (SPID/CIE OIDC Federation docs, "Revocation Endpoint").
  Status revoke(const std::string& access_token, Transcript* transcript = nullptr);

  // Provider metadata (cached). `refresh` forces a new fetch.
  Result<ProviderMetadata> metadata(bool refresh = false);

 private:
  Result<crypto::Jwks> provider_keys(const ProviderMetadata& md, bool refresh);
  Result<ProviderMetadata> federation_metadata(bool refresh);
  // Verifies a JWT from the provider; on an unknown kid refetches the JWKS once (key rotation).
  Result<crypto::DecodedJwt> verify_from_provider(const std::string& token, const ProviderMetadata& md,
                                                  const char* what);
  std::string client_assertion(const std::string& audience) const;
  Result<Identity> fetch_userinfo(const ProviderMetadata& md, const std::string& access_token,
                                  Identity identity, Transcript* transcript);
  void forget_metadata();

  ProviderConfig config_;
  std::shared_ptr<RpKeyHolder> keys_;
  const time::Clock& clock_;
  ClientOptions options_;
  adapters::HttpClient http_;

  std::mutex mu_;
  std::optional<ProviderMetadata> metadata_;
  time::TimePoint metadata_at_{};
  std::optional<crypto::Jwks> jwks_;
};

}  // namespace sp::oidc
