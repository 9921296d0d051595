#include "identity/api_keys_store.hpp"

namespace sp::identity {
namespace {

#define API_KEY_COLUMNS \
  "id, tenant_id, name, prefix, key_hash, scopes, created_by, created_at, revoked_at, last_used_at"

constexpr const char* kInsertApiKey =
    "INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kApiKeyByHash = "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE key_hash = $1";
constexpr const char* kApiKeyById = "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE id = $1";
constexpr const char* kApiKeysByTenant =
    "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC, name";
constexpr const char* kRevokeApiKey =
    "UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL";
constexpr const char* kTouchApiKey = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1";

ApiKeyRow api_key_from(const db::Row& r) {
  ApiKeyRow k;
  k.id = r.text(0);
  k.tenant_id = r.i64(1);
  k.name = r.text(2);
  k.prefix = r.text(3);
  k.key_hash = r.text(4);
  k.scopes = r.text(5);
  k.created_by = r.text(6);
  k.created_at = r.text(7);
  k.revoked_at = r.opt_text(8);
  k.last_used_at = r.opt_text(9);
  return k;
}

}  // namespace

void ApiKeyStore::insert(db::Conn& tx, const ApiKeyRow& k) {
  tx.exec(kInsertApiKey,
          {k.id, k.tenant_id, k.name, k.prefix, k.key_hash, k.scopes, k.created_by, k.created_at});
}

std::optional<ApiKeyRow> ApiKeyStore::by_hash(const std::string& key_hash) {
  return db::read_one(db_, kApiKeyByHash, {key_hash}, api_key_from);
}

std::optional<ApiKeyRow> ApiKeyStore::by_id(const std::string& id) {
  return db::read_one(db_, kApiKeyById, {id}, api_key_from);
}

std::vector<ApiKeyRow> ApiKeyStore::by_tenant(tenants::TenantId tenant) {
  return db::read_all(db_, kApiKeysByTenant, {tenant}, api_key_from);
}

std::int64_t ApiKeyStore::revoke(db::Conn& tx, tenants::TenantId tenant, const std::string& id,
                                 const std::string& now_iso) {
  return tx.exec(kRevokeApiKey, {tenant, id, now_iso});
}

void ApiKeyStore::touch(const std::string& id, const std::string& now_iso) {
  db_.write([&](db::Conn& tx) { tx.exec(kTouchApiKey, {id, now_iso}); });
}

}  // namespace sp::identity
