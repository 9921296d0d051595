// The provider simulator's authorization endpoint: checks the relying party's request (signed request
// object, registered redirect_uri, PKCE, state and nonce), shows the test identities, and on
// confirmation sends the browser back with a single-use code.
#include <boost/json.hpp>

#include "adapters/http_client.hpp"
#include "adapters/oidc/json_util.hpp"
#include "adapters/oidc/simulator.hpp"
#include "adapters/oidc/simulator_pages.hpp"
#include "core/ids.hpp"

namespace sp::oidc {
using detail::str;

namespace {

constexpr auto kTransactionLifetime = std::chrono::minutes(10);

// Errors are shown on the provider's own page and never sent to the redirect_uri: until everything is
// verified, that URI may belong to an attacker (RFC 6749 section 4.1.2.1, OpenID Connect Core 3.1.2.6).
http::Response refuse(const std::string& reason) {
  return http::Response::html(pages::error_page(reason), 400);
}

bool has_scope(const std::string& scopes, std::string_view wanted) {
  std::size_t pos = 0;
  while (pos <= scopes.size()) {
    const auto end = std::min(scopes.find(' ', pos), scopes.size());
    if (std::string_view(scopes).substr(pos, end - pos) == wanted) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace

http::Response Simulator::authorize(http::Request& req) {
  const std::string client_id = req.query_param("client_id");
  if (!knows_client(client_id)) return refuse("unknown client_id");
  const std::string request_object = req.query_param("request");
  if (request_object.empty())
    return refuse("the signed request object is required (AgID SPID OIDC guidelines)");

  // The request object must be signed by the RP's key (OpenID Connect Core section 6.3.2) ...
  auto verified = verify_from_rp(client_id, request_object);
  if (!verified) return refuse("request object: " + verified.error().code);
  const auto& ro = verified->payload;
  crypto::ClaimExpectations expect;
  expect.issuer = client_id;
  expect.audience = issuer();
  if (auto ok = crypto::validate_claims(ro, expect, *clock_); !ok)
    return refuse("request object: " + ok.error().code);
  // ... and its parameters are the ones that count (section 6.3.3). The AgID profile wants the plain
  // query parameters to agree with them, so a difference is treated as tampering.
  for (const char* name : {"client_id", "response_type", "redirect_uri", "scope", "state", "nonce",
                           "code_challenge", "code_challenge_method", "acr_values", "prompt"}) {
    if (str(ro, name) != req.query_param(name))
      return refuse(std::string("request object and query differ on ") + name);
  }
  const std::string redirect_uri = str(ro, "redirect_uri");
  if (auto problem = rp_entity_problem(client_id, redirect_uri); !problem.empty()) return refuse(problem);
  if (str(ro, "response_type") != "code") return refuse("response_type must be code");
  if (!has_scope(str(ro, "scope"), "openid")) return refuse("scope must contain openid");
  if (options_.strict) {
    // SPID/CIE OIDC Federation docs, "Authorization Request": prompt is "consent" or "consent login";
    // the scopes are openid and offline_access for SPID, and also profile and email for CIE.
    const std::string prompt = str(ro, "prompt");
    if (prompt != "consent" && prompt != "consent login")
      return refuse("prompt must be 'consent' or 'consent login', not '" + prompt + "'");
    const std::string scopes = str(ro, "scope");
    for (std::size_t pos = 0; pos <= scopes.size();) {
      const auto end = std::min(scopes.find(' ', pos), scopes.size());
      const std::string_view one = std::string_view(scopes).substr(pos, end - pos);
      const bool allowed = one == "openid" || one == "offline_access" ||
                           (options_.profile == Profile::cie && (one == "profile" || one == "email"));
      if (!one.empty() && !allowed)
        return refuse("scope '" + std::string(one) + "' is not allowed by the " +
                      profile_name(options_.profile) + " profile");
      pos = end + 1;
    }
  }
  if (str(ro, "code_challenge_method") != "S256")
    return refuse("code_challenge_method must be S256 (RFC 7636)");
  if (str(ro, "code_challenge").size() != 43) return refuse("code_challenge must be a base64url SHA-256");
  if (str(ro, "state").size() < 32) return refuse("state shorter than 32 characters");
  if (str(ro, "nonce").size() < 32) return refuse("nonce shorter than 32 characters");
  // acr_values lists levels in order of preference; the first we know is the one requested.
  int level = 0;
  const std::string acr_values = str(ro, "acr_values");
  for (std::size_t pos = 0; pos <= acr_values.size() && level == 0;) {
    const auto end = std::min(acr_values.find(' ', pos), acr_values.size());
    level = acr_level_of(std::string_view(acr_values).substr(pos, end - pos));
    pos = end + 1;
  }
  if (level == 0) return refuse("acr_values names no SPID level");

  Transaction tx{client_id, redirect_uri, str(ro, "state"), str(ro, "nonce"), str(ro, "code_challenge"),
                 level,     now()};
  const std::string tx_id = ids::random_token(32);
  {
    std::lock_guard lock(mu_);
    for (auto it = transactions_.begin(); it != transactions_.end();)
      it = now() - it->second.created > kTransactionLifetime ? transactions_.erase(it) : std::next(it);
    transactions_[tx_id] = tx;
  }
  pages::AuthorizeView view{base_path_ + "/authorize/confirm", tx_id, client_id, level, organization_name(),
                            options_.profile == Profile::cie};
  auto res = http::Response::html(pages::authorize_page(view, identities_));
  res.header("Cache-Control", "no-store");
  // The confirm form answers with a redirect to the relying party, and browsers apply form-action to
  // redirects too: allow exactly the registered redirect_uri's origin besides this page's own.
  const auto scheme_end = redirect_uri.find("://");
  const auto origin_end =
      scheme_end == std::string::npos ? std::string::npos : redirect_uri.find('/', scheme_end + 3);
  const std::string rp_origin = redirect_uri.substr(0, origin_end);
  res.header(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self' data:; "
      "frame-ancestors 'none'; base-uri 'self'; form-action 'self' " +
          rp_origin);
  return res;
}

http::Response Simulator::confirm(http::Request& req) {
  auto form = req.form();
  if (!form) return refuse("malformed form");
  auto field = [&](const char* name) {
    auto it = form->find(name);
    return it == form->end() ? std::string() : it->second;
  };
  const auto behaviour = behaviour_from(field("behaviour").empty() ? "normal" : field("behaviour"));
  if (!behaviour) return refuse("unknown behaviour");
  // The person may cancel instead of signing in (SPID UX guidelines: back to the service with the
  // refusal; AgID OIDC guidelines, "Errori": access_denied).
  const bool cancelled = !field("cancel").empty();
  const TestIdentity* person = cancelled ? nullptr : find_identity(field("identity"));
  if (!cancelled && person == nullptr) return refuse("unknown identity");

  std::unique_lock lock(mu_);
  auto it = transactions_.find(field("tx"));  // single use: a second submit finds nothing
  if (it == transactions_.end() || now() - it->second.created > kTransactionLifetime)
    return refuse("unknown or expired transaction");
  const Transaction tx = it->second;
  transactions_.erase(it);

  // The redirect_uri was verified in authorize(), so errors may go back to the RP from here on.
  const char sep = tx.redirect_uri.find('?') == std::string::npos ? '?' : '&';
  // RFC 9207: "iss" in every response, errors included, tells the RP which provider answered (mix-up
  // attacks); the misbehaviours name another provider or leave it out.
  std::vector<std::pair<std::string, std::string>> iss;
  if (*behaviour == Behaviour::wrong_iss)
    iss.emplace_back("iss", "https://another-provider.example.org");
  else if (*behaviour != Behaviour::missing_iss)
    iss.emplace_back("iss", issuer_);
  if (cancelled || (person->max_spid_level < tx.acr_level && *behaviour != Behaviour::lower_acr)) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"error", "access_denied"},
        {"error_description", cancelled ? "the user cancelled the sign-in"
                                        : "the credentials do not reach the requested SPID level"},
        {"state", tx.state}};
    params.insert(params.end(), iss.begin(), iss.end());
    return http::Response::redirect(tx.redirect_uri + sep + adapters::form_encode(params));
  }
  CodeGrant grant;
  grant.tx = tx;
  grant.fiscal_number = person->fiscal_number;
  grant.behaviour = *behaviour;
  grant.nonce_to_send = tx.nonce;
  if (*behaviour == Behaviour::replayed_nonce)
    grant.nonce_to_send = last_nonce_.empty() ? ids::random_token(32) : last_nonce_;
  last_nonce_ = tx.nonce;
  grant.issued = now();
  const std::string code = ids::random_token(32);
  codes_.emplace(code, std::move(grant));
  // Codes are single-use and live 60 s, but kept a little longer so that a replay is recognised as one.
  for (auto c = codes_.begin(); c != codes_.end();)
    c = now() - c->second.issued > std::chrono::minutes(10) ? codes_.erase(c) : std::next(c);
  lock.unlock();
  std::vector<std::pair<std::string, std::string>> params = {{"code", code}, {"state", tx.state}};
  params.insert(params.end(), iss.begin(), iss.end());
  return http::Response::redirect(tx.redirect_uri + sep + adapters::form_encode(params));
}

}  // namespace sp::oidc
