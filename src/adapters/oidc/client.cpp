#include "adapters/oidc/client.hpp"

#include <algorithm>
#include <cctype>

#include "adapters/oidc/json_util.hpp"
#include "core/crypto/encoding.hpp"
#include "core/crypto/jwe.hpp"
#include "core/crypto/pkce.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace sp::oidc {
namespace json = boost::json;
using detail::epoch;
using detail::str;

namespace {

constexpr std::string_view kWellKnown = "/.well-known/openid-configuration";
// SPID/CIE OIDC Federation docs, "Authorization Request" (prompt): "consent login" or "consent" only;
// "consent login" asks for a fresh authentication and the consent to release the attributes.
constexpr std::string_view kPrompt = "consent login";

// The relying party's error codes are what the UI shows; jwt.* codes from the crypto layer are
// translated here so that each misbehaviour of a provider has its own message.
Error id_token_error(const Error& e) {
  static const std::pair<std::string_view, std::string_view> map[] = {
      {"jwt.format", "oidc.id_token_format"},   {"jwt.alg", "oidc.id_token_signature"},
      {"jwt.kid", "oidc.id_token_signature"},   {"jwt.signature", "oidc.id_token_signature"},
      {"jwt.iss", "oidc.id_token_issuer"},      {"jwt.aud", "oidc.id_token_audience"},
      {"jwt.expired", "oidc.id_token_expired"}, {"jwt.not_yet_valid", "oidc.id_token_iat"},
      {"jwt.iat", "oidc.id_token_iat"},         {"jwt.nonce", "oidc.nonce"},
  };
  for (const auto& [from, to] : map)
    if (e.code == from) return Error::make(std::string(to), 401, e.detail);
  return Error::make("oidc.id_token_format", 401, e.code + ": " + e.detail);
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out.push_back(sep);
    out += s;
  }
  return out;
}

// "TINIT-RSSMRA80A01H501U" → "RSSMRA80A01H501U". A person's codice fiscale has 16 characters, a
// business's 11 digits; anything else is refused rather than stored.
std::optional<std::string> fiscal_number_of(std::string value) {
  if (value.rfind("TINIT-", 0) == 0) value.erase(0, 6);
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::toupper(c); });
  if (value.size() != 16 && value.size() != 11) return std::nullopt;
  if (!std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isalnum(c); }))
    return std::nullopt;
  return value;
}

// The SPID/CIE OIDC Federation docs ("Algoritmi crittografici") require RS256 and RS512 for signatures
// and allow ES256; never "none" nor HMAC (RFC 8725 section 3.1).
const std::vector<crypto::JwsAlg> kProviderAlgs = {crypto::JwsAlg::rs256, crypto::JwsAlg::rs512,
                                                   crypto::JwsAlg::es256};

// OpenID Connect Core section 3.1.3.6: at_hash is the base64url of the left half of the hash of the
// access token's ASCII octets, the hash being the one of the ID token's "alg" (SHA-256 for RS256 and
// ES256, SHA-512 for RS512).
std::string at_hash_of(const std::string& access_token, std::string_view alg) {
  const auto parsed = crypto::jws_alg_from_name(alg);
  if (!parsed) return {};
  const std::string full = crypto::jws_digest(*parsed, access_token);
  return crypto::base64url_encode(std::string_view(full).substr(0, full.size() / 2));
}

}  // namespace

Client::Client(ProviderConfig config, RpKeys keys, const time::Clock& clock, ClientOptions options)
    : config_(std::move(config)),
      keys_(std::make_shared<RpKeyHolder>(std::move(keys))),
      clock_(clock),
      options_(std::move(options)),
      http_(options_.http) {}

Client::Client(ProviderConfig config, std::shared_ptr<RpKeyHolder> keys, const time::Clock& clock,
               ClientOptions options)
    : config_(std::move(config)),
      keys_(std::move(keys)),
      clock_(clock),
      options_(std::move(options)),
      http_(options_.http) {}

void Client::forget_metadata() {
  std::lock_guard lock(mu_);
  metadata_.reset();
  jwks_.reset();
}

Result<ProviderMetadata> Client::metadata(bool refresh) {
  // Through the trust anchor, the resolver's cache (bounded by the chain's expiry) is the only one.
  if (options_.trust) return federation_metadata(refresh);
  {
    std::lock_guard lock(mu_);
    if (!refresh && metadata_ && clock_.now() - metadata_at_ < options_.discovery_ttl) return *metadata_;
  }
  auto res = http_.get(config_.discovery_url, {{"Accept", "application/json"}});
  if (!res) return Error::make("oidc.discovery", 502, res.error().detail);
  if (res->status != 200)
    return Error::make("oidc.discovery", 502,
                       config_.discovery_url + " answered " + std::to_string(res->status));
  auto doc = detail::parse_object(res->body, "oidc.discovery", 502);
  if (!doc) return doc.error();
  ProviderMetadata md{str(*doc, "issuer"),         str(*doc, "authorization_endpoint"),
                      str(*doc, "token_endpoint"), str(*doc, "userinfo_endpoint"),
                      str(*doc, "jwks_uri"),       str(*doc, "revocation_endpoint")};
  if (const auto* sends_iss = doc->if_contains("authorization_response_iss_parameter_supported"))
    md.iss_parameter_supported = sends_iss->is_bool() && sends_iss->as_bool();
  // OpenID Connect Discovery 1.0 section 4.3: the issuer in the document must be exactly the one the
  // discovery URL was derived from, or a provider could speak for another.
  if (md.issuer.empty() || trim_slash(md.issuer) + std::string(kWellKnown) != config_.discovery_url)
    return Error::make("oidc.discovery", 502,
                       "issuer '" + md.issuer + "' does not match " + config_.discovery_url);
  if (md.authorization_endpoint.empty() || md.token_endpoint.empty() || md.userinfo_endpoint.empty() ||
      md.jwks_uri.empty())
    return Error::make("oidc.discovery", 502, "an endpoint is missing from the provider metadata");
  std::lock_guard lock(mu_);
  if (metadata_ && metadata_->jwks_uri != md.jwks_uri) jwks_.reset();
  metadata_ = md;
  metadata_at_ = clock_.now();
  return md;
}

Result<ProviderMetadata> Client::federation_metadata(bool refresh) {
  // SPID/CIE OIDC docs, "Trust Chain": the provider's metadata is what its trust chain says, with the
  // anchor's policy applied; the chain's expiry bounds how long it is used (TrustResolver caches it).
  auto chain = options_.trust->resolve(config_.entity_id, "openid_provider", refresh);
  if (!chain) return chain.error();
  const json::object& m = chain->metadata;
  ProviderMetadata md{str(m, "issuer"),         str(m, "authorization_endpoint"),
                      str(m, "token_endpoint"), str(m, "userinfo_endpoint"),
                      str(m, "jwks_uri"),       str(m, "revocation_endpoint")};
  if (const auto* sends_iss = m.if_contains("authorization_response_iss_parameter_supported"))
    md.iss_parameter_supported = sends_iss->is_bool() && sends_iss->as_bool();
  if (trim_slash(md.issuer) != trim_slash(config_.entity_id))
    return Error::make("oidc.trust_chain", 502,
                       "issuer '" + md.issuer + "' is not the entity " + config_.entity_id);
  if (const auto* inline_keys = m.if_contains("jwks"); inline_keys != nullptr) {
    auto keys = crypto::Jwks::from_json(*inline_keys);
    if (!keys || keys->empty())
      return Error::make(
          "oidc.trust_chain", 502,
          "the provider's jwks: " + (keys ? std::string("no usable key") : keys.error().detail));
    md.jwks = std::move(keys).value();
  }
  if (md.authorization_endpoint.empty() || md.token_endpoint.empty() || md.userinfo_endpoint.empty() ||
      (md.jwks_uri.empty() && !md.jwks))
    return Error::make("oidc.trust_chain", 502, "an endpoint is missing from the provider metadata");
  std::lock_guard lock(mu_);
  if (metadata_ && metadata_->jwks_uri != md.jwks_uri) jwks_.reset();
  metadata_ = md;
  metadata_at_ = clock_.now();
  return md;
}

Result<crypto::Jwks> Client::provider_keys(const ProviderMetadata& md, bool refresh) {
  if (md.jwks) {
    // Keys inline in the resolved metadata: a refresh resolves the trust chain again.
    if (!refresh) return *md.jwks;
    auto again = metadata(true);
    if (!again) return again.error();
    if (!again->jwks) return provider_keys(*again, true);
    return *again->jwks;
  }
  {
    std::lock_guard lock(mu_);
    if (!refresh && jwks_) return *jwks_;
  }
  auto res = http_.get(md.jwks_uri, {{"Accept", "application/json"}});
  if (!res || res->status != 200) {
    forget_metadata();  // the provider may have moved: rediscover next time
    return Error::make("oidc.jwks", 502,
                       res ? md.jwks_uri + " answered " + std::to_string(res->status) : res.error().detail);
  }
  boost::system::error_code ec;
  auto value = json::parse(res->body, ec);
  if (ec) return Error::make("oidc.jwks", 502, "JWKS is not JSON");
  auto keys = crypto::Jwks::from_json(value);
  if (!keys) return Error::make("oidc.jwks", 502, keys.error().detail);
  if (keys->empty()) return Error::make("oidc.jwks", 502, "no usable signing key in the provider's JWKS");
  std::lock_guard lock(mu_);
  jwks_ = *keys;
  return std::move(keys).value();
}

Result<crypto::DecodedJwt> Client::verify_from_provider(const std::string& token, const ProviderMetadata& md,
                                                        const char* what) {
  auto keys = provider_keys(md, false);
  if (!keys) return keys.error();
  auto verified = crypto::verify_jwt(token, *keys, kProviderAlgs);
  if (!verified && verified.error().code == "jwt.kid") {
    // A kid we do not know: the provider may have rotated its keys since we cached them (OpenID Connect
    // Core section 10.1.1). Refetch once; a second miss is a forgery or a broken provider.
    keys = provider_keys(md, true);
    if (!keys) return keys.error();
    verified = crypto::verify_jwt(token, *keys, kProviderAlgs);
  }
  if (!verified) {
    if (std::string_view(what) == "userinfo")
      return Error::make("oidc.userinfo", 401, verified.error().code + ": " + verified.error().detail);
    return id_token_error(verified.error());
  }
  return verified;
}

std::string Client::client_assertion(const std::string& audience) const {
  // RFC 7523 section 3 and 2.2 (private_key_jwt, OpenID Connect Core section 9): iss = sub = client_id,
  // aud = the token endpoint, a short exp and a unique jti so the provider can refuse a replay.
  const auto now = clock_.now();
  json::object claims{{"iss", config_.client_id},
                      {"sub", config_.client_id},
                      {"aud", audience},
                      {"iat", epoch(now)},
                      {"exp", epoch(now + options_.assertion_lifetime)},
                      {"jti", ids::random_token(32)}};
  return crypto::sign_jwt(json::object{{"typ", "JWT"}}, claims, keys_->get().signing);
}

Result<AuthRequest> Client::begin(int acr_level) {
  if (acr_level < 1 || acr_level > 3)
    return Error::make("oidc.acr_requested", 500, "SPID level " + std::to_string(acr_level));
  auto md = metadata();
  if (!md) return md.error();

  AuthRequest req;
  req.acr_level = acr_level;
  req.state = ids::random_token(32);  // 43 characters; the AgID guidelines ask for at least 32
  req.nonce = ids::random_token(32);
  req.code_verifier = crypto::pkce_verifier();  // RFC 7636 section 4.1
  const std::string challenge = crypto::pkce_challenge_s256(req.code_verifier);
  const std::string scope = join(scopes_for(config_), ' ');
  const auto now = clock_.now();

  // The request object (OpenID Connect Core section 6.1; required by the AgID guidelines): the same
  // parameters, signed, so the provider knows they come from us and were not altered in the browser.
  json::object attrs{{"given_name", nullptr},
                     {"family_name", nullptr},
                     {"email", nullptr},
                     {"birthdate", nullptr},
                     {std::string(kFiscalNumberClaim), json::object{{"essential", true}}}};
  json::object claims{{"iss", config_.client_id},
                      {"aud", md->issuer},
                      {"iat", epoch(now)},
                      {"exp", epoch(now + std::chrono::minutes(5))},
                      {"jti", ids::random_token(16)},
                      {"client_id", config_.client_id},
                      {"response_type", "code"},
                      {"scope", scope},
                      {"redirect_uri", config_.redirect_uri},
                      {"state", req.state},
                      {"nonce", req.nonce},
                      {"code_challenge", challenge},
                      {"code_challenge_method", "S256"},
                      {"acr_values", acr_uri(acr_level)},
                      {"prompt", std::string(kPrompt)},
                      {"claims", json::object{{"userinfo", attrs}}}};
  const std::string request_object =
      crypto::sign_jwt(json::object{{"typ", "JWT"}}, claims, keys_->get().signing);

  const std::vector<std::pair<std::string, std::string>> params = {{"client_id", config_.client_id},
                                                                   {"response_type", "code"},
                                                                   {"scope", scope},
                                                                   {"redirect_uri", config_.redirect_uri},
                                                                   {"state", req.state},
                                                                   {"nonce", req.nonce},
                                                                   {"code_challenge", challenge},
                                                                   {"code_challenge_method", "S256"},
                                                                   {"acr_values", acr_uri(acr_level)},
                                                                   {"prompt", std::string(kPrompt)},
                                                                   {"request", request_object}};
  const char sep = md->authorization_endpoint.find('?') == std::string::npos ? '?' : '&';
  req.redirect_url = md->authorization_endpoint + sep + adapters::form_encode(params);
  return req;
}

Status Client::check_response_issuer(std::string_view iss) {
  auto md = metadata();
  if (!md) return md.error();
  // A wrong or missing iss is a forged or mixed-up response (or a misconfigured provider): nothing
  // the provider could fix by being asked again, so 400, not 502.
  if (iss.empty()) {
    // CIE requires it (CIE OIDC profile, "Authentication Response"; RFC 9207 section 2.4).
    if (config_.require_iss || config_.profile == Profile::cie || md->iss_parameter_supported)
      return Error::make("oidc.response_issuer", 400, "iss missing from the authentication response");
    return Ok{};
  }
  if (iss != md->issuer)
    return Error::make("oidc.response_issuer", 400,
                       "iss '" + std::string(iss.substr(0, 200)) + "' is not '" + md->issuer + "'");
  return Ok{};
}

Result<Identity> Client::complete(const std::string& code, const AuthRequest& pending,
                                  Transcript* transcript) {
  auto md = metadata();
  if (!md) return md.error();

  // Token request (OpenID Connect Core section 3.1.3.1) with private_key_jwt (RFC 7523) and the PKCE
  // verifier (RFC 7636 section 4.5).
  const std::vector<std::pair<std::string, std::string>> form = {
      {"grant_type", "authorization_code"},
      {"code", code},
      {"redirect_uri", config_.redirect_uri},
      {"client_id", config_.client_id},
      {"code_verifier", pending.code_verifier},
      {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
      {"client_assertion", client_assertion(md->token_endpoint)}};
  if (transcript)
    transcript->push_back({"token_request", md->token_endpoint + "\n" + adapters::form_encode(form)});
  auto res = http_.post_form(md->token_endpoint, form, {{"Accept", "application/json"}});
  if (!res) {
    forget_metadata();
    return Error::make("oidc.token", 502, res.error().detail);
  }
  if (transcript) transcript->push_back({"token_response", std::to_string(res->status) + "\n" + res->body});
  auto body = detail::parse_object(res->body, "oidc.token", 502);
  if (res->status != 200) {
    std::string why = "status " + std::to_string(res->status);
    if (body) why += ": " + str(*body, "error") + " " + str(*body, "error_description");
    // invalid_grant (RFC 6749 section 5.2): the code is unknown, used, expired, or was issued for another
    // verifier or redirect_uri. That is what a forged, replayed or stale callback gets: the request's
    // fault (400), and the provider works. Anything else (invalid_client: our keys; 5xx; nonsense) is a
    // gateway problem (502) for operators to look at.
    const bool code_refused =
        res->status >= 400 && res->status < 500 && body && str(*body, "error") == "invalid_grant";
    return Error::make("oidc.token", code_refused ? 400 : 502, why);
  }
  if (!body) return body.error();
  const std::string id_token = str(*body, "id_token");
  const std::string access_token = str(*body, "access_token");
  const std::string token_type = text::to_lower_ascii(str(*body, "token_type"));
  if (id_token.empty() || access_token.empty() || token_type != "bearer")
    return Error::make("oidc.token", 502, "the token response lacks id_token, access_token or Bearer type");

  // ID token validation, OpenID Connect Core section 3.1.3.7: (6) signature with the provider's keys,
  // (7) alg as expected; (2) iss, (3) aud contains our client_id, (4,5) azp, (9) exp, (10) iat,
  // (11, section 3.1.2.1) nonce equals the one we sent; (12) acr as requested.
  auto verified = verify_from_provider(id_token, *md, "id_token");
  if (!verified) return verified.error();
  const json::object& claims = verified->payload;
  crypto::ClaimExpectations expect;
  expect.issuer = md->issuer;
  expect.audience = config_.client_id;
  expect.nonce = pending.nonce;
  expect.leeway = options_.leeway;
  if (auto ok = crypto::validate_claims(claims, expect, clock_); !ok) return id_token_error(ok.error());
  if (const auto* azp = claims.if_contains("azp");
      azp != nullptr && (!azp->is_string() || azp->as_string() != config_.client_id))
    return Error::make("oidc.id_token_audience", 401, "azp names another client");
  // at_hash (SPID/CIE OIDC Federation docs, "ID Token": REQUIRED; OpenID Connect Core 3.1.3.8 and
  // 3.2.2.9): ties the access token to this ID token, so a substituted access token is refused.
  {
    const std::string alg = str(verified->header, "alg");
    const std::string at_hash = str(claims, "at_hash");
    const std::string expected = at_hash_of(access_token, alg);
    if (expected.empty() || at_hash.size() != expected.size() ||
        !digest::equal_constant_time(at_hash, expected))
      return Error::make("oidc.id_token_at_hash", 401,
                         at_hash.empty() ? "at_hash missing" : "at_hash differs");
  }

  Identity id;
  id.provider = config_.id;
  id.access_token = access_token;
  id.refresh_token = str(*body, "refresh_token");
  if (const auto* e = body->if_contains("expires_in"); e != nullptr && e->is_int64())
    id.expires_in = e->as_int64();
  id.sub = str(claims, "sub");
  if (id.sub.empty()) return Error::make("oidc.id_token_format", 401, "sub missing");
  id.acr_level = acr_level_of(str(claims, "acr"));
  if (id.acr_level < pending.acr_level)
    return Error::make(
        "oidc.acr", 401,
        "asked SpidL" + std::to_string(pending.acr_level) + ", got '" + str(claims, "acr") + "'");

  auto person = fetch_userinfo(*md, access_token, std::move(id), transcript);
  if (!person) return person.error();
  if (person->fiscal_number.empty()) {
    // Some providers put the attribute in the ID token too; take it from there as a last resort.
    auto cf = fiscal_number_of(str(claims, kFiscalNumberClaim));
    if (!cf) return Error::make("oidc.fiscal_number", 502, "no fiscal number among the claims");
    person->fiscal_number = *cf;
  }
  return person;
}

Result<Identity> Client::fetch_userinfo(const ProviderMetadata& md, const std::string& access_token,
                                        Identity identity, Transcript* transcript) {
  if (transcript) transcript->push_back({"userinfo_request", md.userinfo_endpoint});
  auto res = http_.get(md.userinfo_endpoint,
                       {{"Authorization", "Bearer " + access_token}, {"Accept", "application/jose"}});
  if (!res) return Error::make("oidc.userinfo", 502, res.error().detail);
  if (transcript)
    transcript->push_back(
        {"userinfo_response", std::to_string(res->status) + " " + res->media_type() + "\n" + res->body});
  if (res->status != 200) return Error::make("oidc.userinfo", 502, "status " + std::to_string(res->status));

  // SPID/CIE OIDC Federation docs, "UserInfo Endpoint": the answer is a JWE (RSA-OAEP or RSA-OAEP-256,
  // A128CBC-HS256 or A256GCM) to our encryption key, wrapping a JWS signed by the provider (OpenID
  // Connect Core section 5.3.2, signed then encrypted). A plain JSON or a bare JWS answer is a
  // downgrade and is refused, whatever its content type.
  std::string token = res->body;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (!crypto::looks_like_jwe(token))
    return Error::make("oidc.userinfo_format", 401,
                       "userinfo is not encrypted (" + res->media_type() + "), refused as a downgrade");
  auto decrypted = crypto::decrypt_jwe(token, keys_->get().decryption_keys(clock_.now()));
  if (!decrypted)
    return Error::make("oidc.userinfo_format", 401, decrypted.error().code + ": " + decrypted.error().detail);
  auto verified = verify_from_provider(decrypted->plaintext, md, "userinfo");
  if (!verified) return verified.error();
  crypto::ClaimExpectations expect;
  expect.issuer = md.issuer;
  expect.audience = config_.client_id;
  expect.leeway = options_.leeway;
  expect.require_exp = false;
  expect.require_iat = false;
  if (auto ok = crypto::validate_claims(verified->payload, expect, clock_); !ok)
    return Error::make("oidc.userinfo", 401, ok.error().code + ": " + ok.error().detail);
  json::object claims = std::move(verified->payload);
  // Section 5.3.2: the sub in the userinfo response MUST match the ID token's, or the answer may be
  // about somebody else (a token substitution).
  if (str(claims, "sub") != identity.sub)
    return Error::make("oidc.userinfo", 401, "sub differs from the ID token's");

  std::string raw_cf = str(claims, kFiscalNumberClaim);
  if (raw_cf.empty()) raw_cf = str(claims, "fiscal_number");
  if (!raw_cf.empty()) {
    auto cf = fiscal_number_of(raw_cf);
    if (!cf) return Error::make("oidc.fiscal_number", 502, "malformed fiscal number");
    identity.fiscal_number = *cf;
  }
  identity.given_name = str(claims, "given_name");
  identity.family_name = str(claims, "family_name");
  identity.email = str(claims, "email");
  identity.birthdate = str(claims, "birthdate");
  return identity;
}

Status Client::revoke(const std::string& access_token, Transcript* transcript) {
  if (access_token.empty()) return Ok{};
  auto md = metadata();
  if (!md) return md.error();
  if (md->revocation_endpoint.empty())
    return Error::make("oidc.revocation", 502, "the provider announces no revocation_endpoint");
  // RFC 7009 section 2.1, with the client authenticated as at the token endpoint (private_key_jwt, the
  // assertion's aud being the revocation endpoint).
  const std::vector<std::pair<std::string, std::string>> form = {
      {"token", access_token},
      {"token_type_hint", "access_token"},
      {"client_id", config_.client_id},
      {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
      {"client_assertion", client_assertion(md->revocation_endpoint)}};
  if (transcript)
    transcript->push_back(
        {"revocation_request", md->revocation_endpoint + "\n" + adapters::form_encode(form)});
  auto res = http_.post_form(md->revocation_endpoint, form, {{"Accept", "application/json"}});
  if (!res) return Error::make("oidc.revocation", 502, res.error().detail);
  if (transcript)
    transcript->push_back({"revocation_response", std::to_string(res->status) + "\n" + res->body});
  // Section 2.2: 200 whether or not the token was still valid.
  if (res->status != 200) return Error::make("oidc.revocation", 502, "status " + std::to_string(res->status));
  return Ok{};
}

}  // namespace sp::oidc
