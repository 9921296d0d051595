#pragma once
// API keys of the member bodies, for the JSON API's bearer authentication: "sp_" + 43 random URL-safe
// characters, shown once at creation; only the SHA-256 is stored, with the first 8 characters to let
// administrators recognise a key. Scoped ("catalog:read", "protocollo:write"), revocable.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/service.hpp"
#include "audit/throttle.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/api_keys_store.hpp"
#include "identity/model.hpp"

namespace sp::identity {

struct ApiKey {
  std::string id;
  tenants::TenantId tenant_id = 0;
  std::string name;
  std::string prefix;  // e.g. "sp_AbC12"
  std::vector<std::string> scopes;
  std::string created_by;
  std::string created_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> last_used_at;
};

struct CreatedApiKey {
  ApiKey key;
  std::string secret;  // the whole key: shown once, never stored
};

// Who calls the JSON API with a key (the web layer carries it in the request: identity/request.hpp).
struct ApiPrincipal {
  tenants::TenantId tenant_id = 0;
  std::string key_id;
  std::set<std::string> scopes;
  [[nodiscard]] bool has_scope(std::string_view scope) const { return scopes.count(std::string(scope)) > 0; }
};

class ApiKeyService {
 public:
  ApiKeyService(db::Database& db, const time::Clock& clock) : db_(db), store_(db), clock_(clock) {}

  // When set, keys created and revoked are audited (api_key.created, api_key.revoked) on their body, in
  // the transaction that makes the change, and note_invalid() records refused keys.
  void set_audit(audit::AuditService* audit) { audit_ = audit; }

  static constexpr std::string_view kPrefix = "sp_";
  static constexpr std::size_t kShownChars = 8;

  // Guarded by permissions::authorize(caller, manage_api_keys, tenant). Errors: auth.required, forbidden,
  // api.name (empty or longer than 100), api.scope (no scope, or one not shaped "area:read|write").
  Result<CreatedApiKey> create(const Principal* caller, tenants::TenantId tenant, const std::string& name,
                               const std::vector<std::string>& scopes);
  Result<std::vector<ApiKey>> list(const Principal* caller, tenants::TenantId tenant);
  // Errors: auth.required, forbidden, not_found (unknown, another body's, or already revoked).
  Status revoke(const Principal* caller, tenants::TenantId tenant, const std::string& key_id);

  // The key of an "Authorization: Bearer ..." header (or the bare key). api.key_invalid (401) when it is
  // unknown, revoked or malformed.
  Result<ApiPrincipal> authenticate(std::string_view bearer_token);
  // An invalid key was presented for `target` (the body whose API was called; the hub otherwise), from
  // `remote_addr`: api_key.invalid on that body's chain, at most one entry per address and body every
  // ten minutes (the next carries how many were not recorded).
  void note_invalid(tenants::TenantId target, const std::string& remote_addr, const std::string& path);

  // "Bearer abc" → "abc" (scheme case-insensitive); anything else → "".
  static std::string bearer_from_header(std::string_view authorization);
  // "catalog:read, protocollo:write" → {"catalog:read", "protocollo:write"} (trimmed, no empties).
  static std::vector<std::string> parse_scopes(std::string_view text);

 private:
  ApiKey to_key(const ApiKeyRow& row) const;
  void audit_change(db::Conn& tx, const Principal* caller, tenants::TenantId tenant,
                    const std::string& action, const std::string& key_id, const std::string& details);

  db::Database& db_;
  ApiKeyStore store_;
  const time::Clock& clock_;
  audit::AuditService* audit_ = nullptr;
  audit::RefusalThrottle invalid_keys_;
};

}  // namespace sp::identity
