#include "adapters/oidc/rp_routes.hpp"

#include <boost/json.hpp>

#include "adapters/oidc/json_util.hpp"
#include "core/crypto/jwt.hpp"

namespace sp::oidc {
namespace json = boost::json;

std::string entity_configuration(const RpKeys& keys, const RpMetadata& rp, time::TimePoint now) {
  const json::object jwks = keys.jwks().to_json();
  json::array redirect_uris;
  for (const auto& u : rp.redirect_uris) redirect_uris.emplace_back(u);
  json::array contacts;
  for (const auto& c : rp.contacts) contacts.emplace_back(c);
  // metadata.openid_relying_party as the AgID guidelines list it: the provider reads redirect_uris and
  // jwks from here to check our request objects and client assertions.
  json::object rp_meta{{"client_id", rp.client_id},
                       {"client_name", rp.client_name},
                       {"client_registration_types", json::array{"automatic"}},
                       {"redirect_uris", redirect_uris},
                       {"response_types", json::array{"code"}},
                       {"grant_types", json::array{"authorization_code"}},
                       {"token_endpoint_auth_method", "private_key_jwt"},
                       {"id_token_signed_response_alg", "RS256"},
                       {"userinfo_signed_response_alg", "RS256"},
                       {"contacts", contacts},
                       {"jwks", jwks}};
  json::object claims{{"iss", rp.client_id},
                      {"sub", rp.client_id},
                      {"iat", detail::epoch(now)},
                      {"exp", detail::epoch(now + rp.lifetime)},
                      {"jwks", jwks},
                      {"metadata", json::object{{"openid_relying_party", rp_meta}}},
                      {"authority_hints", json::array{}}};
  return crypto::sign_jwt(json::object{{"typ", "entity-statement+jwt"}}, claims, keys.signing);
}

void register_rp_routes(http::Router& router, const RpKeys& keys, RpMetadata rp, const time::Clock& clock) {
  const std::string base = url_path(rp.client_id);
  const std::string jwks_body = json::serialize(keys.jwks().to_json());
  router.get(base + "/.well-known/jwks.json", [jwks_body](http::Request&) {
    return http::Response::json(jwks_body).header("Cache-Control", "public, max-age=300");
  });
  router.get(base + "/.well-known/openid-federation", [keys, rp, &clock](http::Request&) {
    http::Response res;
    res.content_type = "application/entity-statement+jwt";
    res.body = entity_configuration(keys, rp, clock.now());
    res.header("Cache-Control", "public, max-age=300");
    return res;
  });
}

}  // namespace sp::oidc
