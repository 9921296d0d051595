#pragma once
// What the relying party publishes so that providers can trust it (AgID SPID OIDC guidelines, OpenID
// Federation 1.0): its JWKS and its entity configuration, a self-signed JWT at
// <client_id>/.well-known/openid-federation.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/oidc/model.hpp"
#include "core/time.hpp"
#include "http/router.hpp"

namespace sp::oidc {

// A trust mark the RP received (SPID/CIE OIDC Federation docs, "Trust Marks"): its id and the signed JWT.
struct TrustMark {
  std::string id;
  std::string trust_mark;
};

struct RpMetadata {
  std::string client_id;                   // our entity id, e.g. "https://sportello.example.it/c_a123/"
  std::vector<std::string> redirect_uris;  // every callback a provider may send the browser back to
  std::string client_name = "Sportello";
  std::vector<std::string> contacts;         // e-mail addresses (PEC) of the RP's contacts
  std::chrono::seconds lifetime{24 * 3600};  // exp - iat of the entity configuration
  // metadata.federation_entity (SPID/CIE OIDC Federation docs, "Entity Configuration Leaf"):
  std::string organization_name;
  std::string homepage_uri;
  std::string policy_uri;
  std::string logo_uri;
  std::vector<std::string> authority_hints;  // the trust anchor or intermediate above us
  std::vector<TrustMark> trust_marks;
};

// The entity configuration JWT (typ "entity-statement+jwt"), signed with the federation key: iss = sub
// = client_id, iat, exp, jwks (federation keys), metadata.openid_relying_party {... jwks: the core
// signing and encryption keys}, metadata.federation_entity, authority_hints, trust_marks.
std::string entity_configuration(const RpKeys& keys, const RpMetadata& rp, time::TimePoint now);

// What a relying party publishes, changeable while it is served (a trust mark received, keys rolled
// over). Thread-safe.
class RpPublication {
 public:
  RpPublication(RpKeys keys, RpMetadata metadata)
      : keys_(std::make_shared<RpKeyHolder>(std::move(keys))), metadata_(std::move(metadata)) {}
  RpPublication(std::shared_ptr<RpKeyHolder> keys, RpMetadata metadata)
      : keys_(std::move(keys)), metadata_(std::move(metadata)) {}
  [[nodiscard]] RpKeys keys() const;
  [[nodiscard]] RpMetadata metadata() const;
  void set_keys(RpKeys keys);
  void set_key_holder(std::shared_ptr<RpKeyHolder> keys);
  void set_metadata(RpMetadata metadata);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<RpKeyHolder> keys_;
  RpMetadata metadata_;
};

// The answer of our resolve endpoint about ourselves (OIDC-FED section 8.3; SPID/CIE OIDC docs,
// "Federation Endpoints": every entity has one): a resolve-response+jwt signed with the federation key,
// with our metadata, trust marks and trust chain (our entity configuration).
std::string resolve_response(const RpKeys& keys, const RpMetadata& rp, time::TimePoint now);

// GET <path of client_id>/.well-known/jwks.json          {"keys":[sig, enc]} (application/json)
// GET <path of client_id>/.well-known/openid-federation  entity configuration
//                                                        (application/entity-statement+jwt)
// GET <path of client_id>/resolve?sub=<client_id>[&anchor=]  resolve_response (404 for another sub)
// `clock` must outlive the router.
void register_rp_routes(http::Router& router, std::shared_ptr<RpPublication> rp, const time::Clock& clock);
void register_rp_routes(http::Router& router, const RpKeys& keys, RpMetadata rp, const time::Clock& clock);

}  // namespace sp::oidc
