#include "stamp/store.hpp"

namespace sp::stamp {
namespace {

constexpr const char* kInsert =
    "INSERT INTO stamped_documents (token, tenant_id, kind, title, protocol, issued_at, digest, key_id, "
    "payload, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
#define RECORD_COLUMNS                                                                                      \
  "d.token, d.tenant_id, d.kind, d.title, d.protocol, d.issued_at, d.digest, d.key_id, d.payload, "         \
  "d.issued_by, r.revoked_at, r.revoked_by, r.reason FROM stamped_documents d LEFT JOIN stamp_revocations " \
  "r ON r.token = d.token"
constexpr const char* kByToken = "SELECT " RECORD_COLUMNS " WHERE d.token = $1";
constexpr const char* kOfTenant = "SELECT " RECORD_COLUMNS " WHERE d.token = $1 AND d.tenant_id = $2";
constexpr const char* kLatest =
    "SELECT " RECORD_COLUMNS " WHERE d.tenant_id = $1 ORDER BY d.issued_at DESC, d.token LIMIT $2";
constexpr const char* kRevoke =
    "INSERT INTO stamp_revocations (token, tenant_id, revoked_at, revoked_by, reason) "
    "SELECT token, tenant_id, $3, $4, $5 FROM stamped_documents WHERE token = $1 AND tenant_id = $2 "
    "ON CONFLICT (token) DO NOTHING";

Record record_from(const db::Row& r) {
  Record out;
  out.token = r.text(0);
  out.tenant_id = r.i64(1);
  out.kind = r.text(2);
  out.title = r.text(3);
  out.protocol = r.text(4);
  out.issued_at = r.text(5);
  out.digest = r.text(6);
  out.key_id = r.text(7);
  out.payload = r.text(8);
  out.issued_by = r.text(9);
  out.revoked_at = r.opt_text(10);
  out.revoked_by = r.text(11);
  out.revocation_reason = r.text(12);
  return out;
}

}  // namespace

void StampStore::insert(db::Conn& tx, const Record& r) {
  tx.exec(kInsert, {r.token, r.tenant_id, r.kind, r.title, r.protocol, r.issued_at, r.digest, r.key_id,
                    r.payload, r.issued_by});
}

std::optional<Record> StampStore::by_token(db::Conn& c, const std::string& token) {
  auto row = c.query_one(kByToken, {token});
  if (!row) return std::nullopt;
  return record_from(*row);
}

std::optional<Record> StampStore::of_tenant(db::Conn& c, tenants::TenantId tenant, const std::string& token) {
  auto row = c.query_one(kOfTenant, {token, tenant});
  if (!row) return std::nullopt;
  return record_from(*row);
}

bool StampStore::revoke(db::Conn& tx, tenants::TenantId tenant, const std::string& token,
                        const std::string& at, const std::string& by, const std::string& reason) {
  return tx.exec(kRevoke, {token, tenant, at, by, reason}) == 1;
}

std::vector<Record> StampStore::latest(db::Conn& c, tenants::TenantId tenant, int limit) {
  std::vector<Record> out;
  for (const auto& r : c.query(kLatest, {tenant, static_cast<std::int64_t>(limit)}))
    out.push_back(record_from(r));
  return out;
}

}  // namespace sp::stamp
