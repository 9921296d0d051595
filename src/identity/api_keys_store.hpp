#pragma once
// SQL for the bodies' API keys. Only the SHA-256 of each key is stored.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::identity {

struct ApiKeyRow {
  std::string id;
  tenants::TenantId tenant_id = 0;
  std::string name;
  std::string prefix;
  std::string key_hash;
  std::string scopes;  // comma-separated
  std::string created_by;
  std::string created_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> last_used_at;
};

class ApiKeyStore {
 public:
  explicit ApiKeyStore(db::Database& db) : db_(db) {}
  void insert(db::Conn& tx, const ApiKeyRow& row);
  std::optional<ApiKeyRow> by_hash(const std::string& key_hash);
  std::optional<ApiKeyRow> by_id(const std::string& id);
  std::vector<ApiKeyRow> by_tenant(tenants::TenantId tenant);
  // Revokes a key of `tenant`; returns how many rows changed (0: unknown, other body, or revoked already).
  std::int64_t revoke(db::Conn& tx, tenants::TenantId tenant, const std::string& id,
                      const std::string& now_iso);
  void touch(const std::string& id, const std::string& now_iso);

 private:
  db::Database& db_;
};

}  // namespace sp::identity
