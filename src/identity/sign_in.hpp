#pragma once
// Signing citizens in through SPID/CIE providers: start (remember what the callback must match, send
// the browser to the provider) and finish (match the callback once, verify with the provider, open a
// session). The provider protocol itself lives in adapters/oidc behind AuthProvider.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "identity/person_store.hpp"
#include "identity/session_service.hpp"

namespace sp::identity {

struct AuthStart {
  std::string redirect_url;
  std::string state;
  std::string nonce;
  std::string code_verifier;
  int acr_level = 2;
};

struct VerifiedIdentity {
  std::string provider;
  std::string fiscal_code;
  std::string given_name;
  std::string family_name;
  std::string email;
  std::string birth_date;
  int acr_level = 0;
};

// One configured identity provider (a SPID provider, CIE, or the local simulator).
class AuthProvider {
 public:
  virtual ~AuthProvider() = default;
  [[nodiscard]] virtual const std::string& id() const = 0;
  [[nodiscard]] virtual const std::string& display_name() const = 0;
  virtual Result<AuthStart> begin(int acr_level) = 0;
  virtual Result<VerifiedIdentity> complete(const std::string& code, const AuthStart& pending) = 0;
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

  void add_provider(std::shared_ptr<AuthProvider> p) { providers_.push_back(std::move(p)); }
  // When set, each sign-in is written to the audit log (hub level) in the transaction that opens the session.
  void set_audit(audit::AuditService* audit) { audit_ = audit; }
  [[nodiscard]] const std::vector<std::shared_ptr<AuthProvider>>& providers() const { return providers_; }

  // Returns the provider URL to send the browser to. `return_to` must be a local path (else "/").
  Result<std::string> start(const std::string& provider_id, int acr_level, const std::string& return_to);
  // Handles the provider's callback. Errors: identity.callback_unknown (forged, replayed or expired state),
  // identity.provider_error (the provider said no), identity.fiscal_code, and the adapter's own codes.
  Result<SignedIn> finish(const std::string& state, const std::string& code, const std::string& provider_error,
                          const std::string& previous_token, const std::string& remote_addr = {});

  PersonStore& people() { return people_; }

  static std::string safe_return_to(const std::string& path);

 private:
  AuthProvider* find(const std::string& id) const;

  db::Database& db_;
  PersonStore people_;
  SessionService& sessions_;
  const time::Clock& clock_;
  std::vector<std::shared_ptr<AuthProvider>> providers_;
  audit::AuditService* audit_ = nullptr;
};

}  // namespace sp::identity
