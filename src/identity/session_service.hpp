#pragma once
// Sessions: random tokens in an HttpOnly cookie, their hashes in the database (shared by every node),
// idle and absolute timeouts, rotation on sign-in, sign-out here or everywhere.
//
// Who a session acts for (acting_for) is never trusted on its own: each request that carries it asks the
// acting-for check (installed by DelegationService) whether the delegation still stands, and a session
// whose delegation was revoked, withdrawn or has lapsed (the minor came of age) goes back to the person
// themself, in the request and in the stored session.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "identity/session_store.hpp"

namespace sp::identity {

struct SessionPolicy {
  std::chrono::seconds idle{30 * 60};        // signed out after 30 minutes without requests
  std::chrono::seconds absolute{12 * 3600};  // and after 12 hours in any case
  std::chrono::seconds touch_every{60};      // last_seen is written at most once a minute per session
};

struct NewSession {
  PrincipalKind kind = PrincipalKind::person;
  std::string subject;
  tenants::TenantId tenant_id = 0;
  std::set<Role> roles;
  int auth_level = 0;
  std::string display_name;
};

struct IssuedSession {
  std::string token;  // goes into the cookie, never stored
  std::string id;
  std::string csrf_token;
};

class SessionService {
 public:
  SessionService(db::Database& db, const time::Clock& clock, SessionPolicy policy = {})
      : store_(db), db_(db), clock_(clock), policy_(policy) {}

  static constexpr const char* kCookie = "sp_session";

  // Starts a session (inside the caller's transaction when given one). A previous session of the same
  // browser (its token) is revoked: sign-in always rotates the id.
  IssuedSession start(db::Conn& tx, const NewSession& s, std::string_view previous_token = {});
  IssuedSession start(const NewSession& s, std::string_view previous_token = {});

  // The principal of a live session, or nullptr when the token is unknown, revoked, idle or expired.
  std::shared_ptr<const Principal> resume(std::string_view token);

  // Signs out one session / every session of the principal's subject. Return how many were ended.
  std::int64_t end(std::string_view token);
  std::int64_t end_everywhere(PrincipalKind kind, const std::string& subject);

  // Changes what a session acts for (a represented person/business, or the citizen at the counter).
  void set_acting_for(const Principal& p, const std::optional<Represented>& who);

  // Whether `subject` may still act for `who` (a cheap indexed query). Installed once, before serving,
  // by DelegationService; without one, acting_for is kept as stored (tests of sessions alone).
  using ActingForCheck = std::function<bool(const std::string& subject, const Represented& who)>;
  void set_acting_for_check(ActingForCheck check) { acting_for_check_ = std::move(check); }
  // Inside the caller's transaction: every live session of the person `subject` that acts for
  // (`kind`, `id`) goes back to acting as the person themself. Returns how many changed.
  std::int64_t end_acting_for(db::Conn& tx, const std::string& subject, const std::string& kind,
                              const std::string& id);
  void set_assisting(const Principal& p, const std::optional<AssistedCitizen>& who);

  // The Set-Cookie header value for a token (Secure when the public URL is https).
  [[nodiscard]] std::string cookie(const std::string& token, bool secure) const;
  [[nodiscard]] static std::string clearing_cookie(bool secure);
  [[nodiscard]] const SessionPolicy& policy() const { return policy_; }

  static std::string hash_token(std::string_view token);

 private:
  SessionStore store_;
  db::Database& db_;
  const time::Clock& clock_;
  SessionPolicy policy_;
  ActingForCheck acting_for_check_;
};

}  // namespace sp::identity
