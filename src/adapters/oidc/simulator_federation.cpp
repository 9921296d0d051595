// The provider simulator as a member of the SPID/CIE OpenID Federation and as its trust anchor (SPID/CIE
// OIDC docs, "Federation Endpoints", "Entity Statements", "Trust Marks"): the provider's entity
// configuration, the anchor's entity configuration, its subordinate statements (fetch), its list, and
// the trust marks it issues to the relying parties it knows.
#include <boost/json.hpp>

#include "adapters/http_client.hpp"
#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/rp_check.hpp"
#include "adapters/oidc/simulator.hpp"
#include "adapters/oidc/trust.hpp"

namespace sp::oidc {
namespace json = boost::json;
using detail::epoch;
using detail::str;

namespace {

http::Response entity_statement(std::string jwt) {
  http::Response res;
  res.content_type = "application/entity-statement+jwt";
  res.body = std::move(jwt);
  res.header("Cache-Control", "no-store");
  return res;
}

http::Response fed_error(int status, const std::string& error, const std::string& description) {
  return http::Response::json(
      json::serialize(json::object{{"error", error}, {"error_description", description}}), status);
}

}  // namespace

json::object Simulator::rp_metadata_policy() {
  return spid_rp_metadata_policy();
}

json::object Simulator::op_metadata_policy() {
  return json::object{
      {"id_token_signing_alg_values_supported",
       json::object{{"subset_of", json::array{"RS256", "RS512", "ES256"}}, {"essential", true}}},
      {"token_endpoint_auth_methods_supported", json::object{{"value", json::array{"private_key_jwt"}}}},
      {"userinfo_encryption_enc_values_supported",
       json::object{{"subset_of", json::array{"A128CBC-HS256", "A256GCM"}}, {"essential", true}}}};
}

crypto::Jwks Simulator::anchor_keys() const {
  return crypto::Jwks({anchor_key_.public_only()});
}

std::string Simulator::statement(const json::object& claims, const crypto::Key& key) const {
  return crypto::sign_jwt(json::object{{"typ", "entity-statement+jwt"}}, claims, key);
}

Result<std::string> Simulator::issue_trust_mark(const std::string& client_id) {
  if (!knows_client(client_id)) return Error::make("oidc.trust_mark", 404, "not a subordinate: " + client_id);
  const auto t = now();
  // SPID/CIE OIDC docs, "Trust Marks": iss (the anchor), sub, id, iat, and the organisation's data.
  json::object claims{{"iss", anchor_id()},
                      {"sub", client_id},
                      {"id", trust_mark_id()},
                      {"iat", epoch(t)},
                      {"exp", epoch(t + std::chrono::hours(24 * 365))},
                      {"ref", anchor_id() + "/onboarding"}};
  return crypto::sign_jwt(json::object{{"typ", "trust-mark+jwt"}}, claims, anchor_key_);
}

http::Response Simulator::op_entity_configuration(http::Request&) {
  const auto t = now();
  const std::string iss = issuer();
  json::object md = provider_metadata();
  if (options_.profile == Profile::cie) {
    // SPID/CIE OIDC docs, "OpenID Connect Provider Metadata (OP)": the openid_provider metadata carries
    // its keys as `jwks`, not `jwks_uri` (OIDC-FED). The SPID simulator keeps jwks_uri, so both kinds
    // are exercised.
    crypto::Jwks set;
    {
      std::lock_guard lock(mu_);
      set.add(active_.public_only());
      set.add(next_.public_only());
    }
    json::object keys = set.to_json();
    for (auto& k : keys["keys"].as_array()) k.as_object().erase("alg");  // RS256 and RS512 (see jwks())
    md["jwks"] = std::move(keys);
    md.erase("jwks_uri");
  }
  // The trust mark its own anchor gives it ("Trust Marks"); none when it names another superior.
  json::array marks;
  if (options_.authority_hint.empty()) {
    json::object tm{{"iss", anchor_id()},
                    {"sub", iss},
                    {"id", provider_trust_mark_id()},
                    {"iat", epoch(t)},
                    {"exp", epoch(t + options_.statement_lifetime)}};
    marks.push_back(json::object{
        {"id", provider_trust_mark_id()},
        {"trust_mark", crypto::sign_jwt(json::object{{"typ", "trust-mark+jwt"}}, tm, anchor_key_)}});
  }
  json::object claims{
      {"iss", iss},
      {"sub", iss},
      {"iat", epoch(t)},
      {"exp", epoch(t + options_.statement_lifetime)},
      {"jwks", crypto::Jwks({federation_key_.public_only()}).to_json()},
      {"metadata", json::object{{"openid_provider", md},
                                {"federation_entity",
                                 json::object{{"organization_name", organization_name()},
                                              {"homepage_uri", iss},
                                              {"contacts", json::array{"simulatore@example.org"}}}}}},
      {"authority_hints",
       json::array{options_.authority_hint.empty() ? anchor_id() : options_.authority_hint}},
      {"trust_marks", marks}};
  return entity_statement(statement(claims, federation_key_));
}

http::Response Simulator::anchor_entity_configuration(http::Request&) {
  const auto t = now();
  const std::string ta = anchor_id();
  json::object claims{
      {"iss", ta},
      {"sub", ta},
      {"iat", epoch(t)},
      {"exp", epoch(t + options_.statement_lifetime)},
      {"jwks", anchor_keys().to_json()},
      {"metadata", json::object{{"federation_entity",
                                 json::object{{"organization_name", options_.profile == Profile::cie
                                                                        ? "Trust anchor CIE del simulatore"
                                                                        : "Trust anchor SPID del simulatore"},
                                              {"homepage_uri", ta},
                                              {"federation_fetch_endpoint", ta + "/fetch"},
                                              {"federation_list_endpoint", ta + "/list"},
                                              {"federation_resolve_endpoint", ta + "/resolve"}}}}},
      {"trust_mark_issuers",
       json::object{{trust_mark_id(), json::array{ta}}, {provider_trust_mark_id(), json::array{ta}}}},
      {"constraints", json::object{{"max_path_length", 0}}}};
  return entity_statement(statement(claims, anchor_key_));
}

http::Response Simulator::anchor_fetch(http::Request& req) {
  // OIDC-FED section 8.1: the anchor's statement about a direct subordinate.
  const std::string sub = trim_slash(req.query_param("sub"));
  const auto t = now();
  json::object claims{
      {"iss", anchor_id()}, {"sub", sub}, {"iat", epoch(t)}, {"exp", epoch(t + options_.statement_lifetime)}};
  // The provider is a subordinate unless it names another superior (then this anchor does not know it).
  if (sub == issuer() && options_.authority_hint.empty()) {
    claims["jwks"] = crypto::Jwks({federation_key_.public_only()}).to_json();
    claims["metadata_policy"] = json::object{{"openid_provider", op_metadata_policy()}};
    return entity_statement(statement(claims, anchor_key_));
  }
  if (knows_client(sub)) {
    // The relying party's federation keys, as its entity configuration shows them.
    auto res = http_.get(sub + "/.well-known/openid-federation");
    if (!res || res->status != 200) return fed_error(502, "server_error", "the subordinate does not answer");
    auto ec = verify_statement(res->body, nullptr, t);
    if (!ec) return fed_error(502, "server_error", ec.error().detail);
    claims["jwks"] = ec->own_keys.to_json();
    claims["metadata_policy"] = json::object{{"openid_relying_party", rp_metadata_policy()}};
    return entity_statement(statement(claims, anchor_key_));
  }
  return fed_error(404, "not_found", "not a subordinate of this anchor");
}

http::Response Simulator::anchor_list(http::Request& req) {
  // OIDC-FED section 8.2.
  const std::string type = req.query_param("entity_type");
  json::array out;
  if ((type.empty() || type == "openid_provider") && options_.authority_hint.empty())
    out.emplace_back(issuer());
  if (type.empty() || type == "openid_relying_party")
    for (const auto& c : clients()) out.emplace_back(c);
  return http::Response::json(json::serialize(out));
}

http::Response Simulator::anchor_resolve(http::Request& req) {
  // OIDC-FED section 8.3, for this anchor's own subordinates: the resolved metadata and the chain.
  const std::string sub = trim_slash(req.query_param("sub"));
  TrustResolver resolver(TrustAnchor{anchor_id(), anchor_keys()}, *clock_, TrustOptions{options_.http});
  const bool op = sub == issuer();
  auto resolved = resolver.resolve(sub, op ? "openid_provider" : "openid_relying_party");
  if (!resolved) return fed_error(404, "not_found", resolved.error().detail);
  json::array chain;
  for (const auto& s : resolved->trust_chain) chain.emplace_back(s);
  const auto t = now();
  json::object claims{
      {"iss", anchor_id()},
      {"sub", sub},
      {"iat", epoch(t)},
      {"exp", epoch(resolved->expires)},
      {"metadata", json::object{{op ? "openid_provider" : "openid_relying_party", resolved->metadata}}},
      {"trust_chain", chain}};
  http::Response res;
  res.content_type = "application/resolve-response+jwt";
  res.body = crypto::sign_jwt(json::object{{"typ", "resolve-response+jwt"}}, claims, anchor_key_);
  return res;
}

http::Response Simulator::anchor_trust_mark(http::Request& req) {
  auto mark = issue_trust_mark(trim_slash(req.query_param("sub")));
  if (!mark) return fed_error(404, "not_found", mark.error().detail);
  return http::Response::json(json::serialize(json::object{{"id", trust_mark_id()}, {"trust_mark", *mark}}));
}

}  // namespace sp::oidc
