#pragma once
// Signing citizens in through SPID/CIE providers: start (remember what the callback must match, send
// the browser to the provider) and finish (match the callback once, verify with the provider, open a
// session). The provider protocol itself lives in adapters/oidc behind AuthProvider.
//
// Login CSRF: a sign-in is bound to the browser that started it. start() returns a random binding value
// the web layer keeps in a short-lived HttpOnly cookie; the pending sign-in is stored under the hash of
// state and binding together, so a callback URL opened in another browser (an attacker's own sign-in,
// sent to a victim) matches nothing, and the victim's session is left alone.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "identity/person_store.hpp"
#include "identity/session_service.hpp"
#include "identity/sign_in_log.hpp"

namespace sp::identity {

struct AuthStart {
  std::string redirect_url;
  std::string state;
  std::string nonce;
  std::string code_verifier;
  int acr_level = 2;
  // When set, complete() appends every message it exchanges with the provider (the message log).
  std::vector<OidcMessage>* transcript = nullptr;
};

struct VerifiedIdentity {
  std::string provider;
  std::string fiscal_code;
  std::string given_name;
  std::string family_name;
  std::string email;
  std::string birth_date;
  int acr_level = 0;
  std::string access_token;           // the provider's, for revocation (never shown, never logged in clear)
  std::int64_t token_lifetime_s = 0;  // the access token's expires_in (0: not said)
};

// One configured identity provider (a SPID provider, CIE, or the local simulator).
class AuthProvider {
 public:
  virtual ~AuthProvider() = default;
  [[nodiscard]] virtual const std::string& id() const = 0;
  [[nodiscard]] virtual const std::string& display_name() const = 0;
  virtual Result<AuthStart> begin(int acr_level) = 0;
  // RFC 9207: the callback's `iss` (empty when absent). Refuses another issuer than this provider, and a
  // missing one when the provider's profile requires it (CIE).
  virtual Status check_issuer(const std::string& iss) = 0;
  virtual Result<VerifiedIdentity> complete(const std::string& code, const AuthStart& pending) = 0;
  // Revokes the provider's access token (SPID/CIE OIDC Federation docs, "Revocation Endpoint"),
  // appending the messages to `transcript` when given. A provider without tokens has nothing to do.
  virtual Status revoke(const std::string& /*access_token*/, std::vector<OidcMessage>* /*transcript*/) {
    return Ok{};
  }
  // The relying party's client_id at this provider (for the message log); empty when none.
  [[nodiscard]] virtual std::string client_id() const { return {}; }
  // The body (slug) this provider signs in for with the body's own client_id; empty: the hub's.
  [[nodiscard]] virtual std::string body() const { return {}; }
  // Which button the sign-in page shows it under: "spid" (the "Entra con SPID" picker) or "cie" (the
  // "Entra con CIE" button).
  [[nodiscard]] virtual std::string profile() const { return "spid"; }
  // The provider's logo (URL or static path) for the picker; empty: its name only.
  [[nodiscard]] virtual std::string logo() const { return {}; }
};

// What start() gives the web layer: where to send the browser, and the value to keep in its cookie.
struct StartedSignIn {
  std::string redirect_url;
  std::string browser_binding;
};

// The provider's callback as it arrived.
struct ProviderCallback {
  std::string state;
  std::string code;
  std::string error;            // the provider's error code, when it did not sign anyone in
  std::string iss;              // RFC 9207 issuer identification; empty when absent
  std::string browser_binding;  // the sign-in cookie's value; empty when the browser sent none
  std::string lang;             // the site's language in that browser: a new person is written to in it
};

struct SignedIn {
  IssuedSession session;
  std::string return_to;
  VerifiedIdentity identity;
};

class SignInService {
 public:
  SignInService(db::Database& db, SessionService& sessions, const time::Clock& clock)
      : db_(db), people_(db), sessions_(sessions), clock_(clock) {}

  // A sign-in must come back from the provider within this time (and its browser cookie lives as long).
  static constexpr std::chrono::seconds kPendingValidity{10 * 60};

  void add_provider(std::shared_ptr<AuthProvider> p) { providers_.push_back(std::move(p)); }
  // When set, each sign-in is written to the audit log (hub level) in the transaction that opens the session.
  void set_audit(audit::AuditService* audit) { audit_ = audit; }
  // When set, every message of every sign-in goes to the message log, and the provider's access token
  // is kept (sealed) to be revoked at sign-out and when the session ends.
  void set_log(SignInLog* log) { log_ = log; }
  [[nodiscard]] SignInLog* log() const { return log_; }
  [[nodiscard]] const std::vector<std::shared_ptr<AuthProvider>>& providers() const { return providers_; }

  // Returns the provider URL to send the browser to and the browser binding to set in its cookie.
  // `return_to` must be a local path (else "/").
  Result<StartedSignIn> start(const std::string& provider_id, int acr_level, const std::string& return_to);
  // Handles the provider's callback. Errors: identity.callback_unknown (forged or replayed state, or a
  // browser other than the one that started the sign-in: nothing is consumed or changed then),
  // identity.signin_expired (this browser's sign-in came back after kPendingValidity), the provider's
  // refusal as identity.provider.<code> for the codes of the AgID OIDC guidelines ("Authentication
  // Response", "Errori": access_denied, invalid_client, invalid_request, invalid_scope, server_error,
  // temporarily_unavailable) and identity.provider_error for any other, identity.acr_level,
  // identity.fiscal_code, and the adapter's own codes (oidc.response_issuer for a wrong or missing iss).
  Result<SignedIn> finish(const ProviderCallback& callback, const std::string& previous_token,
                          const std::string& remote_addr = {});

  PersonStore& people() { return people_; }

  // Sign-out: revokes the provider's access token of that session (SPID/CIE OIDC Federation docs,
  // "Revocation Endpoint"). Nothing to do without a log or a token. A failure is recorded and retried by
  // revoke_ended().
  Status revoke_at_provider(const std::string& session_id);
  // The revocation job: the tokens of sessions that have ended (signed out everywhere, expired, idle)
  // and are not revoked yet. Returns how many were revoked.
  int revoke_ended(std::chrono::seconds idle);

  // The log's id of a sign-in: derived from its state, so start and finish agree without storing it.
  static std::string sign_in_id(const std::string& state);

  // `path` when it is a path on this host, else "/". Refused: anything not starting with exactly one
  // slash, a backslash or a control character anywhere (browsers drop tabs and newlines and read a
  // backslash as a slash, so "/<TAB>/evil.example" leads to another host), and the same once
  // percent-decoded.
  static std::string safe_return_to(const std::string& path);

 private:
  AuthProvider* find(const std::string& id) const;

  db::Database& db_;
  PersonStore people_;
  SessionService& sessions_;
  const time::Clock& clock_;
  std::vector<std::shared_ptr<AuthProvider>> providers_;
  audit::AuditService* audit_ = nullptr;
  SignInLog* log_ = nullptr;
};

}  // namespace sp::identity
