#pragma once
// The OpenID Federation as the SPID/CIE rules use it (SPID/CIE OIDC docs, "Trust Chain", "Entity
// Statements", "Federation Endpoints"; OIDC-FED = OpenID Federation 1.0): a relying party finds and
// trusts providers through the trust anchor, never by plain discovery. Shallow federations only (leaf →
// anchor, no intermediates), as SPID and CIE are today.
//
// Resolving a provider `sub` (OIDC-FED section 10, "Resolving the Trust Chain"):
//   1. its entity configuration, <sub>/.well-known/openid-federation: self-signed with the keys in its
//      own jwks, iss = sub, not expired, authority_hints naming the anchor;
//   2. the anchor's entity configuration, verified with the anchor's keys as configured out of band
//      (or, when none are configured, with those it publishes: the demo's bootstrap);
//   3. the anchor's subordinate statement about sub, from its federation_fetch_endpoint (OIDC-FED 8.1),
//      signed by the anchor; the entity configuration of step 1 must verify with the jwks it attests;
//   4. the anchor's metadata_policy for openid_provider applied to the provider's metadata (OIDC-FED
//      6.1, operators value, add, default, one_of, subset_of, superset_of, essential);
//   5. the chain expires at the earliest exp of the three: that is the cache's expiry too, and a chain is
//      refreshed at least daily (SPID/CIE OIDC docs, "Trust Chain": "the Trust Chain … MUST be
//      periodically renewed").
#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http_client.hpp"
#include "core/crypto/jwk.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::oidc {

// Applies an OIDC-FED metadata policy (one metadata type's object) to `metadata`. Errors:
// oidc.metadata_policy (a value outside one_of / subset_of leaves nothing essential, superset_of
// missing, essential absent, an unknown operator).
Status apply_metadata_policy(boost::json::object& metadata, const boost::json::object& policy);

struct TrustAnchor {
  std::string entity_id;
  crypto::Jwks keys;  // the anchor's federation keys; empty: trust those its entity configuration shows
};

struct ResolvedEntity {
  std::string entity_id;
  boost::json::object metadata;          // metadata.<type> after the anchor's policy
  time::TimePoint expires{};             // the chain's expiry
  std::vector<std::string> trust_chain;  // EC, the anchor's statement, the anchor's EC
};

struct TrustOptions {
  adapters::HttpClientOptions http;
  std::chrono::seconds max_cache{24 * 3600};  // refreshed at least daily
};

// Errors (oidc.trust_chain, 502): unreachable statements, bad signatures, a subject the anchor does not
// know (not reachable through it), a chain past its expiry, a policy the metadata does not satisfy.
class TrustResolver {
 public:
  TrustResolver(TrustAnchor anchor, const time::Clock& clock, TrustOptions options = {});

  [[nodiscard]] const std::string& anchor_id() const { return anchor_.entity_id; }
  // The subordinates of the anchor of `entity_type` ("openid_provider"), from its list endpoint.
  Result<std::vector<std::string>> list(const std::string& entity_type);
  // The chain of `sub` for metadata of `type` ("openid_provider"); cached until it expires.
  Result<ResolvedEntity> resolve(const std::string& sub, const std::string& type, bool refresh = false);
  // Drops every cached chain (the daily refresh, or a test).
  void forget();

 private:
  Result<boost::json::object> anchor_configuration();

  TrustAnchor anchor_;
  const time::Clock& clock_;
  TrustOptions options_;
  adapters::HttpClient http_;
  std::mutex mu_;
  std::map<std::string, std::pair<ResolvedEntity, time::TimePoint>> cache_;  // key: type + " " + sub
};

// An entity configuration or statement fetched and verified: the JWT and its claims. `keys` empty: the
// token's own jwks (self-signed). Errors: oidc.trust_chain.
struct VerifiedStatement {
  std::string jwt;
  boost::json::object claims;
  crypto::Jwks own_keys;  // the "jwks" claim
};
Result<VerifiedStatement> verify_statement(const std::string& jwt, const crypto::Jwks* keys,
                                           time::TimePoint now);

}  // namespace sp::oidc
