// The provider simulator: keys, discovery, token and userinfo endpoints (authorize is in
// simulator_authorize.cpp).
#include "adapters/oidc/simulator.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/trust.hpp"
#include "core/config.hpp"
#include "core/crypto/encoding.hpp"
#include "core/crypto/jwe.hpp"
#include "core/crypto/pkce.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"

namespace sp::oidc {
namespace json = boost::json;
using detail::epoch;
using detail::str;

namespace {

constexpr auto kCodeLifetime = std::chrono::seconds(60);
constexpr auto kTokenLifetime = std::chrono::minutes(10);
constexpr auto kLeeway = std::chrono::seconds(30);

// OAuth 2.0 error response (RFC 6749 section 5.2).
http::Response oauth_error(int status, const std::string& error, const std::string& description) {
  auto res = http::Response::json(
      json::serialize(json::object{{"error", error}, {"error_description", description}}), status);
  res.header("Cache-Control", "no-store");
  return res;
}

std::vector<TestIdentity> identities_of(const SimulatorOptions& o) {
  if (!o.identities.empty()) return o.identities;
  const std::string path =
      o.identities_file.empty() ? built_in_share_dir() + "/data/demo/identities.json" : o.identities_file;
  auto loaded = load_identities(path);
  if (!loaded) throw std::runtime_error(loaded.error().code + ": " + loaded.error().detail);
  return std::move(loaded).value();
}

}  // namespace

Simulator::Simulator(SimulatorOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &time::system_clock()),
      base_path_(url_path(options_.issuer)),
      identities_(identities_of(options_)),
      http_(options_.http),
      issuer_(trim_slash(options_.issuer)),
      active_(crypto::Key::generate(crypto::JwsAlg::rs256)),
      next_(crypto::Key::generate(crypto::JwsAlg::rs256)),
      // The federation's statements and trust marks are ES256 (SPID/CIE OIDC docs, "Algoritmi
      // crittografici": RS256, RS512, ES256, ES512 are allowed): an EC key is made in a millisecond where
      // an RSA key takes a tenth of a second or more, and a demo starts two simulators.
      federation_key_(crypto::Key::generate(crypto::JwsAlg::es256)),
      anchor_key_(crypto::Key::generate(crypto::JwsAlg::es256)) {
  if (options_.client_id.empty()) throw std::runtime_error("simulator: client_id is required");
  if (options_.rp_jwks_url.empty())
    options_.rp_jwks_url = trim_slash(options_.client_id) + "/.well-known/jwks.json";
}

void Simulator::set_issuer(std::string issuer) {
  std::lock_guard lock(mu_);
  issuer_ = trim_slash(issuer);
}

std::string Simulator::organization_name() const {
  if (!options_.organization_name.empty()) return options_.organization_name;
  return options_.profile == Profile::cie ? "Simulatore CIE" : "Simulatore SPID";
}

std::string Simulator::issuer() const {
  std::lock_guard lock(mu_);
  return issuer_;
}

void Simulator::rotate_signing_key() {
  auto fresh = crypto::Key::generate(crypto::JwsAlg::rs256);
  std::lock_guard lock(mu_);
  active_ = next_;
  next_ = std::move(fresh);
}

std::string Simulator::signing_kid() const {
  std::lock_guard lock(mu_);
  return active_.kid();
}

const TestIdentity* Simulator::find_identity(std::string_view fiscal_number) const {
  for (const auto& id : identities_)
    if (id.fiscal_number == fiscal_number) return &id;
  return nullptr;
}

bool Simulator::knows_client(const std::string& client_id) const {
  if (client_id.empty()) return false;
  if (client_id == options_.client_id) return true;
  std::lock_guard lock(mu_);
  return std::find(extra_clients_.begin(), extra_clients_.end(), client_id) != extra_clients_.end();
}

void Simulator::add_client(const std::string& client_id) {
  std::lock_guard lock(mu_);
  if (client_id != options_.client_id &&
      std::find(extra_clients_.begin(), extra_clients_.end(), client_id) == extra_clients_.end())
    extra_clients_.push_back(client_id);
}

std::vector<std::string> Simulator::clients() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out{options_.client_id};
  out.insert(out.end(), extra_clients_.begin(), extra_clients_.end());
  return out;
}

Result<crypto::Jwks> Simulator::rp_keys(const std::string& client_id, bool refresh) {
  {
    std::lock_guard lock(mu_);
    if (auto it = rps_.find(client_id); !refresh && it != rps_.end() && it->second.jwks)
      return *it->second.jwks;
  }
  const std::string url = client_id == options_.client_id ? options_.rp_jwks_url
                                                          : trim_slash(client_id) + "/.well-known/jwks.json";
  auto res = http_.get(url, {{"Accept", "application/json"}});
  if (!res) return res.error();
  if (res->status != 200)
    return Error::make("oidc.rp_jwks", 502, "RP JWKS status " + std::to_string(res->status));
  boost::system::error_code ec;
  auto value = json::parse(res->body, ec);
  if (ec) return Error::make("oidc.rp_jwks", 502, "RP JWKS is not JSON");
  auto keys = crypto::Jwks::from_json(value);
  if (!keys) return keys.error();
  auto enc = crypto::encryption_key_from_jwks(value);
  std::lock_guard lock(mu_);
  auto& rp = rps_[client_id];
  rp.jwks = *keys;
  if (enc) rp.enc_key = *enc;
  return std::move(keys).value();
}

Result<crypto::Key> Simulator::rp_encryption_key(const std::string& client_id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = rps_.find(client_id); it != rps_.end() && it->second.enc_key) return *it->second.enc_key;
  }
  if (auto keys = rp_keys(client_id, true); !keys) return keys.error();
  std::lock_guard lock(mu_);
  auto it = rps_.find(client_id);
  if (it == rps_.end() || !it->second.enc_key)
    return Error::make("oidc.rp_jwks", 502, "the RP publishes no encryption key");
  return *it->second.enc_key;
}

bool Simulator::token_active(const std::string& access_token) const {
  std::lock_guard lock(mu_);
  auto it = access_.find(access_token);
  return it != access_.end() && it->second.expires > clock_->now();
}

Result<crypto::DecodedJwt> Simulator::verify_from_rp(const std::string& client_id, std::string_view token) {
  auto keys = rp_keys(client_id, false);
  if (!keys) return keys.error();
  auto verified = crypto::verify_jwt(token, *keys);
  if (!verified && verified.error().code == "jwt.kid") {  // the RP may have rotated its key
    keys = rp_keys(client_id, true);
    if (!keys) return keys.error();
    verified = crypto::verify_jwt(token, *keys);
  }
  return verified;
}

std::string Simulator::rp_entity_problem(const std::string& client_id, const std::string& redirect_uri) {
  if (client_id == options_.client_id && !options_.redirect_uri.empty() &&
      redirect_uri == options_.redirect_uri && !options_.strict)
    return {};
  if (!options_.use_entity_configuration && !options_.strict)
    return "redirect_uri not registered for this client";
  std::optional<RpEntity> entity;
  {
    std::lock_guard lock(mu_);
    if (auto it = rps_.find(client_id);
        it != rps_.end() && it->second.entity && it->second.entity->expires > now())
      entity = it->second.entity;
  }
  if (!entity) {
    // The RP's entity configuration is self-signed (OpenID Federation 1.0 section 3): check it with the
    // keys it carries, then read metadata.openid_relying_party.
    auto res = http_.get(trim_slash(client_id) + "/.well-known/openid-federation");
    if (!res || res->status != 200) return "the relying party's entity configuration is unreachable";
    auto st = verify_statement(res->body, nullptr, now());
    if (!st) return "entity configuration: " + st.error().detail;
    const auto& p = st->claims;
    if (str(p, "iss") != client_id || str(p, "sub") != client_id)
      return "the entity configuration is about another entity";
    entity.emplace();
    entity->expires = time::TimePoint(std::chrono::seconds(p.at("exp").as_int64()));
    json::object rp;
    if (const auto* md = p.if_contains("metadata"); md != nullptr && md->is_object())
      if (const auto* r = md->as_object().if_contains("openid_relying_party"); r != nullptr && r->is_object())
        rp = r->as_object();
    if (const auto* uris = rp.if_contains("redirect_uris"); uris != nullptr && uris->is_array())
      for (const auto& u : uris->as_array())
        if (u.is_string()) entity->redirect_uris.emplace_back(u.as_string());
    // SPID/CIE OIDC docs, "Trust Marks": a provider accepts a relying party that shows a valid trust mark
    // issued by the federation (here: by this simulator's trust anchor) for it.
    entity->trust_marked = false;
    if (const auto* marks = p.if_contains("trust_marks"); marks != nullptr && marks->is_array())
      for (const auto& m : marks->as_array()) {
        if (!m.is_object()) continue;
        const std::string jwt = str(m.as_object(), "trust_mark");
        auto own = crypto::verify_jwt(jwt, crypto::Jwks({anchor_key_.public_only()}));
        const bool from_own = own && str(own->payload, "iss") == anchor_id();
        auto other = from_own || options_.federation_anchor_id.empty()
                         ? Result<crypto::DecodedJwt>(Error::make("jwt.kid", 401))
                         : crypto::verify_jwt(jwt, options_.federation_anchor_keys);
        const bool from_federation = other && str(other->payload, "iss") == options_.federation_anchor_id;
        const auto& tm = from_own ? own : other;
        if ((from_own || from_federation) && str(tm->payload, "sub") == client_id &&
            str(tm->payload, "id") == str(m.as_object(), "id"))
          entity->trust_marked = true;
      }
    // The anchor's metadata policy for relying parties (OIDC-FED 6.1), as a provider applies it when it
    // resolves the relying party's trust chain.
    entity->policy_problem.clear();
    if (auto applied = apply_metadata_policy(rp, rp_metadata_policy()); !applied)
      entity->policy_problem = applied.error().detail;
    std::lock_guard lock(mu_);
    rps_[client_id].entity = entity;
  }
  if (std::find(entity->redirect_uris.begin(), entity->redirect_uris.end(), redirect_uri) ==
          entity->redirect_uris.end() &&
      !(client_id == options_.client_id && redirect_uri == options_.redirect_uri))
    return "redirect_uri not registered for this client";
  if (options_.strict && !entity->trust_marked)
    return "the relying party shows no valid trust mark of the federation";
  if (options_.strict && !entity->policy_problem.empty())
    return "the relying party's metadata breaks the federation's policy: " + entity->policy_problem;
  return {};
}

json::object Simulator::provider_metadata() const {
  const std::string iss = issuer();
  // OpenID Connect Discovery 1.0 section 3, with the values the AgID SPID profile fixes.
  json::object doc{{"issuer", iss},
                   {"authorization_endpoint", iss + "/authorize"},
                   {"token_endpoint", iss + "/token"},
                   {"userinfo_endpoint", iss + "/userinfo"},
                   {"jwks_uri", iss + "/jwks.json"},
                   {"revocation_endpoint", iss + "/revoke"},
                   {"response_types_supported", json::array{"code"}},
                   {"response_modes_supported", json::array{"query"}},
                   {"grant_types_supported", json::array{"authorization_code", "refresh_token"}},
                   {"subject_types_supported", json::array{"pairwise"}},
                   {"scopes_supported", options_.profile == Profile::cie
                                            ? json::array{"openid", "offline_access", "profile", "email"}
                                            : json::array{"openid", "offline_access"}},
                   {"prompt_values_supported", json::array{"consent", "consent login"}},
                   {"acr_values_supported", json::array{acr_uri(1), acr_uri(2), acr_uri(3)}},
                   {"id_token_signing_alg_values_supported", json::array{"RS256", "RS512"}},
                   {"userinfo_signing_alg_values_supported", json::array{"RS256", "RS512"}},
                   {"userinfo_encryption_alg_values_supported", json::array{"RSA-OAEP", "RSA-OAEP-256"}},
                   {"userinfo_encryption_enc_values_supported", json::array{"A128CBC-HS256", "A256GCM"}},
                   {"revocation_endpoint_auth_methods_supported", json::array{"private_key_jwt"}},
                   {"request_object_signing_alg_values_supported", json::array{"RS256", "ES256"}},
                   {"request_parameter_supported", true},
                   {"token_endpoint_auth_methods_supported", json::array{"private_key_jwt"}},
                   {"token_endpoint_auth_signing_alg_values_supported", json::array{"RS256", "ES256"}},
                   {"code_challenge_methods_supported", json::array{"S256"}},
                   {"authorization_response_iss_parameter_supported", options_.announce_iss},
                   {"claims_supported", json::array{"sub", "given_name", "family_name", "email", "birthdate",
                                                    std::string(kFiscalNumberClaim)}},
                   // SPID/CIE OIDC docs, "OpenID Connect Provider Metadata (OP)": for both federations.
                   {"organization_name", organization_name()},
                   {"client_registration_types_supported", json::array{"automatic"}},
                   {"request_authentication_methods_supported",
                    json::object{{"authorization_endpoint", json::array{"request_object"}}}},
                   {"request_authentication_signing_alg_values_supported", json::array{"RS256", "ES256"}},
                   {"claims_parameter_supported", true}};
  if (options_.profile == Profile::cie) {
    // "OpenID Connect Provider Metadata (OP) per CIE": access tokens bound to the client's TLS
    // certificate (announced as CIE does; the simulator does not check it: the relying party has no client
    // certificate), and the CIE user claims. (iss in the response: announce_iss, true unless a test says.)
    doc["tls_client_certificate_bound_access_tokens"] = true;
    doc["claims_supported"] = json::array{"sub",
                                          "given_name",
                                          "family_name",
                                          "email",
                                          "email_verified",
                                          "gender",
                                          "birthdate",
                                          "phone_number",
                                          "phone_number_verified",
                                          "address",
                                          "place_of_birth",
                                          "document_details",
                                          "e_delivery_service",
                                          std::string(kFiscalNumberClaim),
                                          "physical_phone_number"};
  }
  return doc;
}

http::Response Simulator::discovery(http::Request&) {
  return http::Response::json(json::serialize(provider_metadata()));
}

http::Response Simulator::jwks(http::Request&) {
  jwks_requests_.fetch_add(1);
  crypto::Jwks set;
  {
    std::lock_guard lock(mu_);
    set.add(active_.public_only());
    set.add(next_.public_only());  // published ahead of use, so caches learn it before the switch
  }
  // Without "alg": the provider signs with RS256 or RS512 (the SPID/CIE rules require both), and a JWK
  // naming one algorithm would rightly refuse the other (RFC 8725 section 3.1).
  json::object doc = set.to_json();
  for (auto& k : doc["keys"].as_array()) k.as_object().erase("alg");
  return http::Response::json(json::serialize(doc));
}

http::Response Simulator::rotate(http::Request&) {
  rotate_signing_key();
  return http::Response::json(json::serialize(json::object{{"signing_kid", signing_kid()}}));
}

std::string Simulator::authenticate_client(const http::Params& form, const std::string& audience,
                                           std::string& authenticated) {
  auto field = [&](const char* name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };
  // Client authentication, private_key_jwt (RFC 7523 sections 2.2 and 3; OpenID Connect Core section 9).
  if (field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    return "client_assertion_type must be jwt-bearer";
  // The client is the one named in the form, else the assertion's issuer (checked by its signature).
  std::string client_id = field("client_id");
  if (client_id.empty()) {
    auto unverified = crypto::decode_jwt_unverified(field("client_assertion"));
    if (unverified) client_id = str(unverified->payload, "iss");
  }
  if (!knows_client(client_id)) return "unknown client_id";
  auto assertion = verify_from_rp(client_id, field("client_assertion"));
  if (!assertion) return "client_assertion: " + assertion.error().code;
  crypto::ClaimExpectations expect;
  expect.issuer = client_id;
  expect.audience = audience;
  expect.leeway = kLeeway;
  auto claims_ok = crypto::validate_claims(assertion->payload, expect, *clock_);
  if (!claims_ok && claims_ok.error().code == "jwt.aud") {
    expect.audience = issuer();  // RFC 7523 section 3 point 3 also allows the issuer as audience
    claims_ok = crypto::validate_claims(assertion->payload, expect, *clock_);
  }
  if (!claims_ok) return "client_assertion: " + claims_ok.error().code;
  if (str(assertion->payload, "sub") != client_id) return "client_assertion: sub must be the client_id";
  const std::string jti = str(assertion->payload, "jti");
  if (jti.empty()) return "client_assertion: jti missing";
  const auto t = now();
  std::lock_guard lock(mu_);
  for (auto it = used_jti_.begin(); it != used_jti_.end();)
    it = it->second < t ? used_jti_.erase(it) : std::next(it);
  // RFC 7523 section 3 point 7: a jti may be used once, or an intercepted assertion could be replayed.
  if (!used_jti_.emplace(jti, t + std::chrono::minutes(10)).second)
    return "client_assertion: jti already used";
  authenticated = client_id;
  return {};
}

http::Response Simulator::revocation(http::Request& req) {
  auto form = req.form();
  if (!form) return oauth_error(400, "invalid_request", "malformed form");
  std::string client_id;
  if (auto why = authenticate_client(*form, issuer() + "/revoke", client_id); !why.empty())
    return oauth_error(401, "invalid_client", why);
  auto it = form->find("token");
  if (it == form->end() || it->second.empty()) return oauth_error(400, "invalid_request", "token missing");
  {
    std::lock_guard lock(mu_);
    auto grant = access_.find(it->second);
    // RFC 7009 section 2.1: only the client the token was issued to may revoke it; section 2.2: an
    // unknown token is answered 200 all the same.
    if (grant != access_.end() && grant->second.client_id == client_id) {
      access_.erase(grant);
      revocations_.fetch_add(1);
    }
  }
  auto res = http::Response::json("{}");
  res.header("Cache-Control", "no-store");
  return res;
}

http::Response Simulator::token(http::Request& req) {
  auto form = req.form();
  if (!form) return oauth_error(400, "invalid_request", "malformed form");
  auto field = [&](const char* name) {
    auto it = form->find(name);
    return it == form->end() ? std::string() : it->second;
  };
  if (field("grant_type") != "authorization_code")
    return oauth_error(400, "unsupported_grant_type", "only authorization_code");

  std::string client_id;
  if (auto why = authenticate_client(*form, token_endpoint(), client_id); !why.empty())
    return oauth_error(401, "invalid_client", why);

  const auto t = now();
  std::lock_guard lock(mu_);

  auto grant_it = codes_.find(field("code"));
  if (grant_it == codes_.end()) return oauth_error(400, "invalid_grant", "unknown code");
  CodeGrant& grant = grant_it->second;
  if (grant.used) {
    // RFC 6749 section 4.1.2: a code used twice is an attack; revoke what the first use obtained.
    access_.erase(grant.access_token);
    return oauth_error(400, "invalid_grant", "code already used");
  }
  grant.used = true;
  if (t - grant.issued > kCodeLifetime) return oauth_error(400, "invalid_grant", "code expired");
  if (grant.tx.client_id != client_id)
    return oauth_error(400, "invalid_grant", "code issued to another client");
  if (field("redirect_uri") != grant.tx.redirect_uri)
    return oauth_error(400, "invalid_grant", "redirect_uri differs");
  // PKCE, RFC 7636 section 4.6.
  const std::string verifier = field("code_verifier");
  if (!crypto::is_valid_pkce_verifier(verifier) ||
      !digest::equal_constant_time(crypto::pkce_challenge_s256(verifier), grant.tx.code_challenge))
    return oauth_error(400, "invalid_grant", "code_verifier does not match code_challenge");

  const TestIdentity* person = find_identity(grant.fiscal_number);
  if (person == nullptr) return oauth_error(400, "invalid_grant", "identity gone");
  grant.access_token = ids::random_token(32);
  access_[grant.access_token] =
      AccessGrant{person->fiscal_number, grant.tx.client_id, t + kTokenLifetime, grant.behaviour};

  // ID token (OpenID Connect Core section 2), with a pairwise sub (section 8.1): the same person gets
  // a different, unlinkable sub at each relying party.
  int acr = grant.tx.acr_level;
  if (grant.behaviour == Behaviour::lower_acr) acr = std::max(1, acr - 1);
  const auto iat = grant.behaviour == Behaviour::expired ? t - std::chrono::minutes(20) : t;
  const auto exp = grant.behaviour == Behaviour::expired ? t - std::chrono::minutes(10) : t + kTokenLifetime;
  json::object claims{
      {"iss", issuer_},
      {"sub", digest::sha256_hex(person->fiscal_number + grant.tx.client_id)},
      {"aud", grant.behaviour == Behaviour::wrong_audience ? std::string("https://another-rp.example.org")
                                                           : grant.tx.client_id},
      {"iat", epoch(iat)},
      {"exp", epoch(exp)},
      {"jti", ids::random_token(16)},
      {"nonce", grant.nonce_to_send},
      {"acr", acr_uri(acr)},
      {std::string(kFiscalNumberClaim), "TINIT-" + person->fiscal_number}};
  // bad_signature: a key with the signing key's kid that is not the published key, so the RP finds the
  // kid, checks the signature and must refuse it. rs512: the same key, signing RS512.
  crypto::Key signer = grant.behaviour == Behaviour::bad_signature
                           ? crypto::Key::generate(crypto::JwsAlg::rs256, active_.kid())
                           : active_;
  if (grant.behaviour == Behaviour::rs512) signer = signer.with_alg(crypto::JwsAlg::rs512);
  // at_hash (OpenID Connect Core 3.1.3.6), required by the SPID/CIE docs ("ID Token").
  const std::string hashed =
      grant.behaviour == Behaviour::bad_at_hash ? ids::random_token(32) : grant.access_token;
  const std::string digest_full = crypto::jws_digest(signer.alg(), hashed);
  claims["at_hash"] =
      crypto::base64url_encode(std::string_view(digest_full).substr(0, digest_full.size() / 2));
  json::object body{{"access_token", grant.access_token},
                    {"token_type", "Bearer"},
                    {"expires_in", std::chrono::seconds(kTokenLifetime).count()},
                    {"id_token", crypto::sign_jwt(json::object{{"typ", "JWT"}}, claims, signer)}};
  auto res = http::Response::json(json::serialize(body));
  res.header("Cache-Control", "no-store");
  return res;
}

http::Response Simulator::userinfo(http::Request& req) {
  const std::string* auth = req.header("authorization");
  std::string token;
  if (auth != nullptr && auth->rfind("Bearer ", 0) == 0) token = auth->substr(7);
  std::string client_id;
  {
    std::lock_guard lock(mu_);
    if (auto a = access_.find(token); a != access_.end()) client_id = a->second.client_id;
  }
  // The RP's encryption key is fetched before taking the lock (rp_keys takes it too).
  auto enc_key = client_id.empty() ? Result<crypto::Key>(Error::make("oidc.rp_jwks", 401))
                                   : rp_encryption_key(client_id);
  std::unique_lock lock(mu_);
  auto it = access_.find(token);
  if (it == access_.end() || it->second.expires < now()) {
    http::Response res = http::Response::json(R"({"error":"invalid_token"})", 401);
    res.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return res;
  }
  const TestIdentity* person = find_identity(it->second.fiscal_number);
  if (person == nullptr) return oauth_error(401, "invalid_token", "identity gone");
  const auto t = now();
  const Behaviour behaviour = it->second.behaviour;
  json::object claims{{"iss", issuer_},
                      {"aud", it->second.client_id},
                      {"sub", digest::sha256_hex(person->fiscal_number + it->second.client_id)},
                      {"iat", epoch(t)},
                      {"given_name", person->given_name},
                      {"family_name", person->family_name},
                      {"email", person->email},
                      {"birthdate", person->birthdate},
                      {std::string(kFiscalNumberClaim), "TINIT-" + person->fiscal_number}};
  const crypto::Key signer = behaviour == Behaviour::userinfo_bad_signature
                                 ? crypto::Key::generate(crypto::JwsAlg::rs256, active_.kid())
                                 : active_;
  lock.unlock();
  http::Response res;
  res.header("Cache-Control", "no-store");
  if (behaviour == Behaviour::plain_userinfo) {
    res.content_type = "application/json";
    res.body = json::serialize(claims);
    return res;
  }
  const std::string jws = crypto::sign_jwt(json::object{{"typ", "JWT"}}, claims, signer);
  if (behaviour == Behaviour::signed_only_userinfo) {
    res.content_type = "application/jwt";
    res.body = jws;
    return res;
  }
  // SPID/CIE OIDC Federation docs, "UserInfo Endpoint": signed, then encrypted to the RP's encryption
  // key (nested JWT, RFC 7519 section 5.2: cty "JWT").
  if (!enc_key) return oauth_error(500, "server_error", "no RP encryption key: " + enc_key.error().detail);
  res.content_type = "application/jose";
  res.body = crypto::encrypt_jwe(jws, *enc_key, crypto::JweAlg::rsa_oaep_256, crypto::JweEnc::a256gcm,
                                 json::object{{"cty", "JWT"}});
  return res;
}

std::shared_ptr<Simulator> register_simulator_routes(http::Router& router, SimulatorOptions options) {
  auto sim = std::make_shared<Simulator>(std::move(options));
  const std::string base = sim->base_path();
  auto bind = [sim](http::Response (Simulator::*fn)(http::Request&)) {
    return [sim, fn](http::Request& req) { return ((*sim).*fn)(req); };
  };
  router.get(base + "/.well-known/openid-configuration", bind(&Simulator::discovery));
  router.get(base + "/jwks.json", bind(&Simulator::jwks));
  router.get(base + "/authorize", bind(&Simulator::authorize));
  router.post(base + "/authorize/confirm", bind(&Simulator::confirm));
  router.post(base + "/token", bind(&Simulator::token));
  router.get(base + "/userinfo", bind(&Simulator::userinfo));
  router.post(base + "/revoke", bind(&Simulator::revocation));
  router.get(base + "/.well-known/openid-federation", bind(&Simulator::op_entity_configuration));
  router.get(base + "/ta/.well-known/openid-federation", bind(&Simulator::anchor_entity_configuration));
  router.get(base + "/ta/fetch", bind(&Simulator::anchor_fetch));
  router.get(base + "/ta/list", bind(&Simulator::anchor_list));
  router.get(base + "/ta/resolve", bind(&Simulator::anchor_resolve));
  router.get(base + "/ta/control/trust-mark", bind(&Simulator::anchor_trust_mark));
  router.post(base + "/control/rotate-key", bind(&Simulator::rotate));
  return sim;
}

}  // namespace sp::oidc
