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
  json::object rp_meta{
      {"client_id", rp.client_id},
      {"client_name", rp.client_name},
      // required by the reference implementation's RPMetadata (rp_metadata.py)
      {"organization_name", rp.organization_name.empty() ? rp.client_name : rp.organization_name},
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
      {"jwks", keys.core_jwks_json(now)}};
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
      {"jwks", keys.federation_jwks(now).to_json()},
      {"metadata", json::object{{"openid_relying_party", rp_meta}, {"federation_entity", federation_entity}}},
      {"authority_hints", strings(rp.authority_hints)},
      {"trust_marks", marks}};
  return crypto::sign_jwt(json::object{{"typ", "entity-statement+jwt"}}, claims, keys.federation);
}

RpKeys RpPublication::keys() const {
  std::shared_ptr<RpKeyHolder> holder;
  {
    std::lock_guard lock(mu_);
    holder = keys_;
  }
  return holder->get();
}

RpMetadata RpPublication::metadata() const {
  std::lock_guard lock(mu_);
  return metadata_;
}

void RpPublication::set_keys(RpKeys keys) {
  std::lock_guard lock(mu_);
  keys_ = std::make_shared<RpKeyHolder>(std::move(keys));
}

void RpPublication::set_key_holder(std::shared_ptr<RpKeyHolder> keys) {
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
}

void RpPublication::set_metadata(RpMetadata metadata) {
  std::lock_guard lock(mu_);
  metadata_ = std::move(metadata);
}

std::string resolve_response(const RpKeys& keys, const RpMetadata& rp, time::TimePoint now) {
  const std::string ec = entity_configuration(keys, rp, now);
  auto claims = crypto::decode_jwt_unverified(ec).value().payload;
  json::array marks = claims.at("trust_marks").as_array();
  json::object out{{"iss", rp.client_id},
                   {"sub", rp.client_id},
                   {"iat", detail::epoch(now)},
                   {"exp", claims.at("exp")},
                   {"metadata", claims.at("metadata")},
                   {"trust_marks", marks},
                   {"trust_chain", json::array{json::string(ec)}}};
  return crypto::sign_jwt(json::object{{"typ", "resolve-response+jwt"}}, out, keys.federation);
}

void register_rp_routes(http::Router& router, std::shared_ptr<RpPublication> rp, const time::Clock& clock) {
  const std::string base = url_path(rp->metadata().client_id);
  router.get(base + "/.well-known/jwks.json", [rp, &clock](http::Request&) {
    return http::Response::json(json::serialize(rp->keys().core_jwks_json(clock.now())))
        .header("Cache-Control", "public, max-age=300");
  });
  router.get(base + "/.well-known/openid-federation", [rp, &clock](http::Request&) {
    http::Response res;
    res.content_type = "application/entity-statement+jwt";
    res.body = entity_configuration(rp->keys(), rp->metadata(), clock.now());
    res.header("Cache-Control", "public, max-age=300");
    return res;
  });
  router.get(base + "/resolve", [rp, &clock](http::Request& req) {
    const RpMetadata md = rp->metadata();
    if (trim_slash(req.query_param("sub")) != trim_slash(md.client_id))
      return http::Response::json(
          R"({"error":"not_found","error_description":"this entity resolves only itself"})", 404);
    http::Response res;
    res.content_type = "application/resolve-response+jwt";
    res.body = resolve_response(rp->keys(), md, clock.now());
    res.header("Cache-Control", "no-store");
    return res;
  });
}

void register_rp_routes(http::Router& router, const RpKeys& keys, RpMetadata rp, const time::Clock& clock) {
  register_rp_routes(router, std::make_shared<RpPublication>(keys, std::move(rp)), clock);
}

}  // namespace sp::oidc
