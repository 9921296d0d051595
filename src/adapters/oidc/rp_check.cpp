#include "adapters/oidc/rp_check.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/model.hpp"
#include "adapters/oidc/trust.hpp"
#include "core/crypto/jwe.hpp"
#include "core/crypto/jwt.hpp"

namespace sp::oidc {
namespace json = boost::json;
using detail::epoch;
using detail::str;

namespace {

bool is_url(const json::value& v) {
  if (!v.is_string()) return false;
  const std::string_view s = v.as_string();
  return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

const json::object* object_at(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}

}  // namespace

json::object spid_rp_metadata_policy() {
  // What the SPID/CIE federation expects of a relying party (SPID/CIE OIDC docs, "Metadata
  // openid_relying_party"): private_key_jwt, userinfo signed and encrypted with the listed algorithms,
  // automatic registration, and grant_types including refresh_token.
  return json::object{
      {"grant_types", json::object{{"superset_of", json::array{"authorization_code", "refresh_token"}},
                                   {"subset_of", json::array{"authorization_code", "refresh_token"}},
                                   {"essential", true}}},
      {"token_endpoint_auth_method",
       json::object{{"one_of", json::array{"private_key_jwt"}}, {"essential", true}}},
      {"userinfo_encrypted_response_alg",
       json::object{{"one_of", json::array{"RSA-OAEP", "RSA-OAEP-256"}}, {"essential", true}}},
      {"userinfo_encrypted_response_enc",
       json::object{{"one_of", json::array{"A128CBC-HS256", "A256GCM"}}, {"essential", true}}},
      {"client_registration_types",
       json::object{{"subset_of", json::array{"automatic"}}, {"essential", true}}},
      {"redirect_uris", json::object{{"essential", true}}},
      {"jwks", json::object{{"essential", true}}}};
}

std::vector<RpCheck> check_rp_entity_configuration(const std::string& jwt, const std::string& client_id,
                                                   time::TimePoint now, const crypto::Jwks* anchor_keys) {
  std::vector<RpCheck> out;
  auto add = [&](std::string id, bool ok, std::string detail = {}) {
    out.push_back(RpCheck{std::move(id), ok, std::move(detail)});
    return ok;
  };
  // Reference: entity configuration signature validation (onboarding), OIDC-FED section 3.
  auto st = verify_statement(jwt, nullptr, now);
  if (!add("ec.signature", st.ok(), st ? "self-signed with its federation jwks" : st.error().detail))
    return out;
  const json::object& c = st->claims;
  add("ec.iss_sub", str(c, "iss") == client_id && str(c, "sub") == client_id,
      "iss '" + str(c, "iss") + "', sub '" + str(c, "sub") + "'");
  add("ec.iat", c.contains("iat") && c.at("iat").is_int64() && c.at("iat").as_int64() <= epoch(now) + 60);
  const auto* hints = c.if_contains("authority_hints");
  add("ec.authority_hints", hints != nullptr && hints->is_array() && !hints->as_array().empty(),
      "the trust anchor or intermediate above the entity");

  const json::object* md = object_at(c, "metadata");
  const json::object* rp = md ? object_at(*md, "openid_relying_party") : nullptr;
  if (!add("rp.present", rp != nullptr, "metadata.openid_relying_party")) return out;
  // Reference: RPMetadata (rp_metadata.py).
  add("rp.client_id", str(*rp, "client_id") == client_id, str(*rp, "client_id"));
  add("rp.client_name", !str(*rp, "client_name").empty());
  add("rp.organization_name", !str(*rp, "organization_name").empty());
  const auto* uris = rp->if_contains("redirect_uris");
  add("rp.redirect_uris",
      uris != nullptr && uris->is_array() && !uris->as_array().empty() &&
          std::all_of(uris->as_array().begin(), uris->as_array().end(), is_url),
      "a non-empty list of URLs");
  add("rp.response_types",
      rp->if_contains("response_types") && rp->at("response_types") == json::array{"code"}, "[\"code\"]");
  const auto* grants = rp->if_contains("grant_types");
  add("rp.grant_types",
      grants != nullptr && grants->is_array() && !grants->as_array().empty() &&
          std::all_of(grants->as_array().begin(), grants->as_array().end(),
                      [](const json::value& g) { return g == "authorization_code" || g == "refresh_token"; }),
      "authorization_code, refresh_token");
  const bool has_jwks = rp->contains("jwks"), has_uri = rp->contains("jwks_uri");
  add("rp.jwks_or_jwks_uri", has_jwks != has_uri, "exactly one of jwks and jwks_uri");
  if (has_jwks) {
    // Reference: Jwk (jwks.py): kid, kty EC|RSA, alg among the JOSE ones listed, use sig|enc.
    bool keys_ok = rp->at("jwks").is_object() && rp->at("jwks").as_object().contains("keys") &&
                   rp->at("jwks").at("keys").is_array();
    bool sig = false, enc = false;
    std::string why;
    if (keys_ok)
      for (const auto& k : rp->at("jwks").at("keys").as_array()) {
        if (!k.is_object() || str(k.as_object(), "kid").empty() ||
            (str(k.as_object(), "kty") != "RSA" && str(k.as_object(), "kty") != "EC")) {
          keys_ok = false;
          why = "a key without kid or of another kty";
          continue;
        }
        static const char* algs[] = {"RS256",        "RS384",   "RS512",          "ES256",         "ES384",
                                     "ES512",        "PS256",   "PS384",          "PS512",         "RSA-OAEP",
                                     "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"};
        const std::string alg = str(k.as_object(), "alg");
        if (!alg.empty() &&
            std::none_of(std::begin(algs), std::end(algs), [&](const char* a) { return alg == a; })) {
          keys_ok = false;
          why = "alg " + alg;
        }
        const std::string use = str(k.as_object(), "use");
        if (use == "sig") sig = true;
        if (use == "enc") enc = true;
        if (!use.empty() && use != "sig" && use != "enc") keys_ok = false;
      }
    add("rp.jwks.keys", keys_ok, why);
    // Ours (SPID/CIE OIDC docs, "UserInfo Endpoint" and "Entity Configuration"): a signing and an
    // encryption key, neither of them the federation key.
    add("rp.jwks.sig_and_enc", sig && enc, "one key with use=sig and one with use=enc");
    bool distinct = true;
    for (const auto& k : st->own_keys.keys())
      for (const auto& ck : rp->at("jwks").at("keys").as_array())
        if (ck.is_object() && str(ck.as_object(), "kid") == k.kid()) distinct = false;
    add("keys.federation_distinct", distinct, "the federation key is not an OpenID Connect core key");
  }
  // Ours: the federation's policy for relying parties.
  json::object applied = *rp;
  auto policy = apply_metadata_policy(applied, spid_rp_metadata_policy());
  add("rp.federation_policy", policy.ok(), policy ? "" : policy.error().detail);

  // SPID/CIE OIDC docs, "Entity Configuration Leaf": metadata.federation_entity.
  const json::object* fe = md ? object_at(*md, "federation_entity") : nullptr;
  add("fe.present", fe != nullptr, "metadata.federation_entity");
  if (fe != nullptr) {
    add("fe.organization_name", !str(*fe, "organization_name").empty());
    for (const char* u : {"homepage_uri", "policy_uri", "logo_uri", "federation_resolve_endpoint"})
      add(std::string("fe.") + u, fe->contains(u) && is_url(fe->at(u)), str(*fe, u));
    const auto* contacts = fe->if_contains("contacts");
    add("fe.contacts", contacts != nullptr && contacts->is_array() && !contacts->as_array().empty(),
        "at least one (PEC) address");
  }
  // Trust marks: present, about this entity, and (with the anchor's keys) genuine — the onboarding
  // tool's "trust marks forgery" check. A relying party of both federations shows the SPID anchor's mark
  // and the CIE anchor's: with an anchor, a mark signed by a key the anchor does not have is another
  // federation's and is not judged here — unless it names the same issuer as this anchor's genuine
  // marks (a forgery) — but at least one must be this anchor's.
  const auto* marks = c.if_contains("trust_marks");
  bool marks_ok = marks != nullptr && marks->is_array() && !marks->as_array().empty();
  std::string marks_why = marks_ok ? "" : "none";
  std::vector<std::string> anchor_issuers;
  std::vector<std::string> foreign_issuers;
  if (marks_ok)
    for (const auto& m : marks->as_array()) {
      const std::string tm = m.is_object() ? str(m.as_object(), "trust_mark") : std::string();
      if (anchor_keys != nullptr) {
        auto unverified = crypto::decode_jwt_unverified(tm);
        if (unverified && anchor_keys->find(str(unverified->header, "kid")) == nullptr) {
          foreign_issuers.push_back(str(unverified->payload, "iss"));
          continue;
        }
      }
      auto decoded = anchor_keys ? crypto::verify_jwt(tm, *anchor_keys) : crypto::decode_jwt_unverified(tm);
      if (!decoded || str(decoded->payload, "sub") != client_id ||
          str(decoded->payload, "id") != str(m.as_object(), "id")) {
        marks_ok = false;
        marks_why = decoded ? "a trust mark about another entity or with another id" : decoded.error().code;
      } else {
        anchor_issuers.push_back(str(decoded->payload, "iss"));
      }
    }
  if (marks_ok && anchor_keys != nullptr) {
    for (const auto& iss : foreign_issuers)
      if (std::find(anchor_issuers.begin(), anchor_issuers.end(), iss) != anchor_issuers.end()) {
        marks_ok = false;
        marks_why = "a trust mark in the anchor's name signed with another key";
      }
    if (anchor_issuers.empty()) {
      marks_ok = false;
      marks_why = "no trust mark of this anchor";
    }
  }
  add("ec.trust_marks", marks_ok, marks_why);
  return out;
}

std::vector<RpCheck> check_configured_federation_data(const std::string& jwt,
                                                      const OidcBodyConfig& configured) {
  std::vector<RpCheck> out;
  auto decoded = crypto::decode_jwt_unverified(jwt);
  if (!decoded) return {RpCheck{"config.readable", false, decoded.error().code}};
  const json::object& c = decoded->payload;
  const json::object* md = object_at(c, "metadata");
  const json::object* fe = md ? object_at(*md, "federation_entity") : nullptr;
  const json::object empty;
  const json::object& f = fe ? *fe : empty;
  auto same = [&](const char* field, const std::string& want) {
    if (want.empty()) return;
    const std::string got = str(f, field);
    out.push_back(
        RpCheck{std::string("config.") + field, got == want,
                got == want ? "as configured" : "published '" + got + "', configured '" + want + "'"});
  };
  same("organization_name", configured.organization_name);
  same("homepage_uri", configured.homepage_uri);
  same("policy_uri", configured.policy_uri);
  same("logo_uri", configured.logo_uri);
  if (!configured.contacts.empty()) {
    json::array want;
    for (const auto& a : configured.contacts) want.emplace_back(a);
    const auto* got = f.if_contains("contacts");
    const bool ok = got != nullptr && *got == json::value(want);
    out.push_back(RpCheck{"config.contacts", ok, ok ? "as configured" : "the published contacts differ"});
  }
  for (const auto& m : configured.trust_marks) {
    bool found = false;
    if (const auto* marks = c.if_contains("trust_marks"); marks != nullptr && marks->is_array())
      for (const auto& p : marks->as_array())
        if (p.is_object() && str(p.as_object(), "id") == m.id &&
            str(p.as_object(), "trust_mark") == m.trust_mark)
          found = true;
    out.push_back(RpCheck{"config.trust_marks", found, found ? m.id : "not published: " + m.id});
  }
  return out;
}

}  // namespace sp::oidc
