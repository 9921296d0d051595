#pragma once
// What the relying party publishes so that providers can trust it (AgID SPID OIDC guidelines, OpenID
// Federation 1.0): its JWKS and its entity configuration, a self-signed JWT at
// <client_id>/.well-known/openid-federation.
#include <chrono>
#include <string>
#include <vector>

#include "adapters/oidc/model.hpp"
#include "core/time.hpp"
#include "http/router.hpp"

namespace sp::oidc {

struct RpMetadata {
  std::string client_id;                   // our entity id, e.g. "https://sportello.example.it"
  std::vector<std::string> redirect_uris;  // every callback a provider may send the browser back to
  std::string client_name = "Sportello";
  std::vector<std::string> contacts;         // e-mail addresses of the RP's technical contacts
  std::chrono::seconds lifetime{24 * 3600};  // exp - iat of the entity configuration
};

// The entity configuration JWT (typ "entity-statement+jwt"): iss = sub = client_id, iat, exp, jwks,
// metadata.openid_relying_party {...}, authority_hints [] (no federation authority in the demo).
std::string entity_configuration(const RpKeys& keys, const RpMetadata& rp, time::TimePoint now);

// GET <path of client_id>/.well-known/jwks.json          {"keys":[...]} (application/json)
// GET <path of client_id>/.well-known/openid-federation  entity configuration
//                                                        (application/entity-statement+jwt)
// `clock` must outlive the router.
void register_rp_routes(http::Router& router, const RpKeys& keys, RpMetadata rp, const time::Clock& clock);

}  // namespace sp::oidc
