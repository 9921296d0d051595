#include "adapters/oidc/rp_routes.hpp"

#include <boost/json.hpp>

#include "adapters/oidc/json_util.hpp"
#include "core/crypto/jwt.hpp"

namespace sp::oidc {
namespace json = boost::json;

std::string entity_configuration(const RpKeys& keys, const RpMetadata& rp, time::TimePoint now) {
  auto strings = [](const std::vector<std::string>& items) {
    json::array out;
    for (const auto& i : items) out.emplace_back(i);
    return out;
  };
  // metadata.openid_relying_party as the SPID/CIE OIDC Federation docs list it ("Entity Configuration
  // Leaf", "Metadata openid_relying_party"): the provider reads redirect_uris and the core jwks from
  // here to check our request objects and client assertions, and the encryption key to encrypt userinfo.
  json::object rp_meta{{"client_id", rp.client_id},
                       {"client_name", rp.client_name},
                       {"client_registration_types", json::array{"automatic"}},
                       {"application_type", "web"},
                       {"redirect_uris", strings(rp.redirect_uris)},
                       {"response_types", json::array{"code"}},
                       // the trust anchor's metadata policy expects refresh_token among them
                       {"grant_types", json::array{"authorization_code", "refresh_token"}},
                       {"token_endpoint_auth_method", "private_key_jwt"},
                       {"id_token_signed_response_alg", "RS256"},
                       {"userinfo_signed_response_alg", "RS256"},
                       {"userinfo_encrypted_response_alg", "RSA-OAEP-256"},
                       {"userinfo_encrypted_response_enc", "A256GCM"},
                       {"subject_type", "pairwise"},
                       {"contacts", strings(rp.contacts)},
                       {"jwks", keys.core_jwks_json()}};
  const std::string base = trim_slash(rp.client_id);
  json::object federation_entity{{"federation_resolve_endpoint", base + "/resolve"},
                                 {"contacts", strings(rp.contacts)}};
  if (!rp.organization_name.empty()) federation_entity["organization_name"] = rp.organization_name;
  if (!rp.homepage_uri.empty()) federation_entity["homepage_uri"] = rp.homepage_uri;
  if (!rp.policy_uri.empty()) federation_entity["policy_uri"] = rp.policy_uri;
  if (!rp.logo_uri.empty()) federation_entity["logo_uri"] = rp.logo_uri;
  json::array marks;
  for (const auto& m : rp.trust_marks)
    marks.push_back(json::object{{"id", m.id}, {"trust_mark", m.trust_mark}});
  json::object claims{
      {"iss", rp.client_id},
      {"sub", rp.client_id},
      {"iat", detail::epoch(now)},
      {"exp", detail::epoch(now + rp.lifetime)},
      {"jwks", keys.federation_jwks().to_json()},
      {"metadata", json::object{{"openid_relying_party", rp_meta}, {"federation_entity", federation_entity}}},
      {"authority_hints", strings(rp.authority_hints)},
      {"trust_marks", marks}};
  return crypto::sign_jwt(json::object{{"typ", "entity-statement+jwt"}}, claims, keys.federation);
}

void register_rp_routes(http::Router& router, const RpKeys& keys, RpMetadata rp, const time::Clock& clock) {
  const std::string base = url_path(rp.client_id);
  const std::string jwks_body = json::serialize(keys.core_jwks_json());
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
