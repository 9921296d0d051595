#include "adapters/oidc/trust.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/model.hpp"
#include "core/crypto/jwt.hpp"

namespace sp::oidc {
namespace json = boost::json;
using detail::epoch;
using detail::str;

namespace {

Error trust_error(std::string detail) {
  return Error::make("oidc.trust_chain", 502, std::move(detail));
}

Error policy_error(std::string detail) {
  return Error::make("oidc.metadata_policy", 502, std::move(detail));
}

bool contains(const json::array& a, const json::value& v) {
  return std::find(a.begin(), a.end(), v) != a.end();
}

// A scalar seen as a one-element array (subset_of / superset_of compare sets).
json::array as_array(const json::value& v) {
  return v.is_array() ? v.as_array() : json::array{v};
}

}  // namespace

Status apply_metadata_policy(json::object& metadata, const json::object& policy) {
  // OIDC-FED section 6.1.3 (the standard operators), in the order the specification applies them.
  for (const auto& [name, ops_value] : policy) {
    if (!ops_value.is_object()) return policy_error("policy of " + std::string(name) + " is not an object");
    const auto& ops = ops_value.as_object();
    for (const auto& [op, _] : ops) {
      static const char* known[] = {"value",     "add",         "default",  "one_of",
                                    "subset_of", "superset_of", "essential"};
      if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return op == k; }))
        return policy_error("unknown policy operator " + std::string(op));
    }
    if (const auto* v = ops.if_contains("value")) {
      if (v->is_null())
        metadata.erase(name);
      else
        metadata[name] = *v;
    }
    if (const auto* add = ops.if_contains("add")) {
      json::array current = metadata.contains(name) ? as_array(metadata.at(name)) : json::array{};
      for (const auto& item : as_array(*add))
        if (!contains(current, item)) current.push_back(item);
      metadata[name] = current;
    }
    if (const auto* def = ops.if_contains("default"); def != nullptr && !metadata.contains(name))
      metadata[name] = *def;
    const bool essential =
        ops.contains("essential") && ops.at("essential").is_bool() && ops.at("essential").as_bool();
    if (const auto* one_of = ops.if_contains("one_of"); one_of != nullptr && metadata.contains(name)) {
      if (!one_of->is_array() || !contains(one_of->as_array(), metadata.at(name)))
        return policy_error(std::string(name) + " is not one of the values allowed");
    }
    if (const auto* subset = ops.if_contains("subset_of"); subset != nullptr && metadata.contains(name)) {
      json::array kept;
      for (const auto& item : as_array(metadata.at(name)))
        if (contains(as_array(*subset), item)) kept.push_back(item);
      if (kept.empty()) {
        if (essential) return policy_error(std::string(name) + ": nothing left within subset_of");
        metadata.erase(name);
      } else {
        metadata[name] = kept;
      }
    }
    if (const auto* superset = ops.if_contains("superset_of")) {
      const json::array current = metadata.contains(name) ? as_array(metadata.at(name)) : json::array{};
      for (const auto& item : as_array(*superset))
        if (!contains(current, item))
          return policy_error(std::string(name) + " lacks " + json::serialize(item) + " (superset_of)");
    }
    if (essential && !metadata.contains(name)) return policy_error(std::string(name) + " is essential");
  }
  return Ok{};
}

Result<VerifiedStatement> verify_statement(const std::string& jwt, const crypto::Jwks* keys,
                                           time::TimePoint now) {
  auto unverified = crypto::decode_jwt_unverified(jwt);
  if (!unverified) return trust_error("not a JWT");
  if (str(unverified->header, "typ") != "entity-statement+jwt")
    return trust_error("typ is not entity-statement+jwt");
  const auto* jwks = unverified->payload.if_contains("jwks");
  if (jwks == nullptr) return trust_error("jwks missing");
  auto own = crypto::Jwks::from_json(*jwks);
  if (!own || own->empty()) return trust_error("jwks unusable");
  auto verified = crypto::verify_jwt(jwt, keys != nullptr ? *keys : *own,
                                     {crypto::JwsAlg::rs256, crypto::JwsAlg::rs512, crypto::JwsAlg::es256});
  if (!verified)
    return trust_error("signature of " + str(unverified->payload, "iss") + ": " + verified.error().code);
  const auto* exp = verified->payload.if_contains("exp");
  if (exp == nullptr || !exp->is_int64()) return trust_error("exp missing");
  if (exp->as_int64() <= epoch(now))
    return trust_error("the statement of " + str(verified->payload, "iss") + " about " +
                       str(verified->payload, "sub") + " expired");
  return VerifiedStatement{jwt, std::move(verified->payload), std::move(own).value()};
}

TrustResolver::TrustResolver(TrustAnchor anchor, const time::Clock& clock, TrustOptions options)
    : anchor_(std::move(anchor)), clock_(clock), options_(std::move(options)), http_(options_.http) {
  anchor_.entity_id = trim_slash(anchor_.entity_id);
}

void TrustResolver::forget() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

Result<json::object> TrustResolver::anchor_configuration() {
  auto res = http_.get(anchor_.entity_id + "/.well-known/openid-federation");
  if (!res || res->status != 200)
    return trust_error("the trust anchor's entity configuration is unreachable");
  auto st = verify_statement(res->body, anchor_.keys.empty() ? nullptr : &anchor_.keys, clock_.now());
  if (!st) return st.error();
  if (str(st->claims, "iss") != anchor_.entity_id || str(st->claims, "sub") != anchor_.entity_id)
    return trust_error("the anchor's entity configuration is not its own");
  json::object out = st->claims;
  out["__jwt"] = st->jwt;
  return out;
}

Result<std::vector<std::string>> TrustResolver::list(const std::string& entity_type) {
  auto ec = anchor_configuration();
  if (!ec) return ec.error();
  std::string endpoint;
  if (const auto* md = ec->if_contains("metadata"); md != nullptr && md->is_object())
    if (const auto* fe = md->as_object().if_contains("federation_entity"); fe != nullptr && fe->is_object())
      endpoint = str(fe->as_object(), "federation_list_endpoint");
  if (endpoint.empty()) return trust_error("the anchor has no federation_list_endpoint");
  auto res = http_.get(endpoint + "?entity_type=" + adapters::url_encode(entity_type));
  if (!res || res->status != 200) return trust_error("the anchor's list is unreachable");
  boost::system::error_code ec2;
  auto doc = json::parse(res->body, ec2);
  if (ec2 || !doc.is_array()) return trust_error("the anchor's list is not a JSON array");
  std::vector<std::string> out;
  for (const auto& v : doc.as_array())
    if (v.is_string()) out.emplace_back(v.as_string());
  return out;
}

Result<ResolvedEntity> TrustResolver::resolve(const std::string& sub_in, const std::string& type,
                                              bool refresh) {
  const std::string sub = trim_slash(sub_in);
  const auto now = clock_.now();
  const std::string key = type + " " + sub;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      if (!refresh && now < it->second.second) return it->second.first;
      cache_.erase(it);
    }
  }
  // 1. The subject's own entity configuration.
  auto res = http_.get(sub + "/.well-known/openid-federation");
  if (!res || res->status != 200) return trust_error(sub + ": entity configuration unreachable");
  auto leaf = verify_statement(res->body, nullptr, now);
  if (!leaf) return leaf.error();
  if (trim_slash(str(leaf->claims, "iss")) != sub || trim_slash(str(leaf->claims, "sub")) != sub)
    return trust_error(sub + ": the entity configuration is about another entity");
  bool hinted = false;
  if (const auto* hints = leaf->claims.if_contains("authority_hints"); hints != nullptr && hints->is_array())
    for (const auto& h : hints->as_array())
      if (h.is_string() && trim_slash(h.as_string()) == anchor_.entity_id) hinted = true;
  if (!hinted) return trust_error(sub + " does not name the trust anchor among its authority_hints");

  // 2. The anchor.
  auto anchor_ec = anchor_configuration();
  if (!anchor_ec) return anchor_ec.error();
  auto anchor_keys = anchor_.keys.empty() ? crypto::Jwks::from_json(anchor_ec->at("jwks"))
                                          : Result<crypto::Jwks>(anchor_.keys);
  if (!anchor_keys) return trust_error("the anchor's keys are unusable");
  std::string fetch;
  if (const auto* md = anchor_ec->if_contains("metadata"); md != nullptr && md->is_object())
    if (const auto* fe = md->as_object().if_contains("federation_entity"); fe != nullptr && fe->is_object())
      fetch = str(fe->as_object(), "federation_fetch_endpoint");
  if (fetch.empty()) return trust_error("the anchor has no federation_fetch_endpoint");

  // 3. The anchor's statement about the subject: without it, the subject is not in this federation.
  auto fetched = http_.get(fetch + "?sub=" + adapters::url_encode(sub));
  if (!fetched || fetched->status != 200)
    return trust_error(sub + " is not reachable through the trust anchor " + anchor_.entity_id);
  auto statement = verify_statement(fetched->body, &*anchor_keys, now);
  if (!statement) return statement.error();
  if (trim_slash(str(statement->claims, "iss")) != anchor_.entity_id ||
      trim_slash(str(statement->claims, "sub")) != sub)
    return trust_error("the anchor's statement is about another entity");
  // The leaf's configuration must be signed with a key the anchor attests.
  if (!crypto::verify_jwt(leaf->jwt, statement->own_keys,
                          {crypto::JwsAlg::rs256, crypto::JwsAlg::rs512, crypto::JwsAlg::es256}))
    return trust_error(sub + ": its entity configuration is not signed with the keys the anchor attests");

  // 4. Metadata and policy.
  json::object metadata;
  if (const auto* md = leaf->claims.if_contains("metadata"); md != nullptr && md->is_object())
    if (const auto* m = md->as_object().if_contains(type); m != nullptr && m->is_object())
      metadata = m->as_object();
  if (metadata.empty()) return trust_error(sub + " has no " + type + " metadata");
  if (const auto* mp = statement->claims.if_contains("metadata_policy"); mp != nullptr && mp->is_object())
    if (const auto* p = mp->as_object().if_contains(type); p != nullptr && p->is_object())
      if (auto st = apply_metadata_policy(metadata, p->as_object()); !st)
        return trust_error(sub + ": " + st.error().detail);

  // 5. Expiry: the earliest of the chain.
  std::int64_t exp = leaf->claims.at("exp").as_int64();
  exp = std::min(exp, statement->claims.at("exp").as_int64());
  exp = std::min(exp, anchor_ec->at("exp").as_int64());
  ResolvedEntity out{sub,
                     std::move(metadata),
                     time::TimePoint(std::chrono::seconds(exp)),
                     {leaf->jwt, statement->jwt, std::string(anchor_ec->at("__jwt").as_string())}};
  std::lock_guard lock(mu_);
  cache_[key] = {out, std::min(out.expires, now + options_.max_cache)};
  return out;
}

}  // namespace sp::oidc
