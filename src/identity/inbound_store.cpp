#include "identity/inbound_store.hpp"

namespace sp::identity {
namespace {

#define INBOUND_COLUMNS \
  "id, tenant_id, system, station, secret_hash, cert_fingerprint, identifiers, created_at, rotated_at"

constexpr const char* kInsertInbound =
    "INSERT INTO inbound_credentials (id, tenant_id, system, station, secret_hash, cert_fingerprint, "
    "identifiers, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kRotateInbound =
    "UPDATE inbound_credentials SET secret_hash = $4, rotated_at = $5 "
    "WHERE tenant_id = $1 AND system = $2 AND station = $3";
constexpr const char* kInboundFor = "SELECT " INBOUND_COLUMNS
                                    " FROM inbound_credentials WHERE tenant_id = $1 AND system = $2 "
                                    "ORDER BY station";
constexpr const char* kInboundAt =
    "SELECT COALESCE((SELECT generation FROM inbound_credentials_generation WHERE id = 1), 0), c.id, "
    "c.tenant_id, c.system, c.station, c.secret_hash, c.cert_fingerprint, c.identifiers, c.created_at, "
    "c.rotated_at FROM (SELECT 1 AS one) o LEFT JOIN inbound_credentials c ON c.tenant_id = $1 "
    "AND c.system = $2 ORDER BY c.station";
constexpr const char* kInboundAll =
    "SELECT " INBOUND_COLUMNS " FROM inbound_credentials ORDER BY tenant_id, system, station";
constexpr const char* kInboundOfTenant = "SELECT " INBOUND_COLUMNS
                                         " FROM inbound_credentials WHERE tenant_id = $1 "
                                         "ORDER BY system, station";

// The columns of INBOUND_COLUMNS from `at` on.
InboundCredentialRow inbound_row_at(const db::Row& r, std::size_t at) {
  InboundCredentialRow c;
  c.id = r.text(at);
  c.tenant_id = r.i64(at + 1);
  c.system = r.text(at + 2);
  c.station = r.text(at + 3);
  c.secret_hash = r.text(at + 4);
  c.cert_fingerprint = r.text(at + 5);
  c.identifiers = r.text(at + 6);
  c.created_at = r.text(at + 7);
  c.rotated_at = r.opt_text(at + 8);
  return c;
}

InboundCredentialRow inbound_row_from(const db::Row& r) {
  return inbound_row_at(r, 0);
}

}  // namespace

void insert_inbound_credential(db::Conn& tx, const InboundCredentialRow& c) {
  tx.exec(kInsertInbound, {c.id, c.tenant_id, c.system, c.station, c.secret_hash, c.cert_fingerprint,
                           c.identifiers, c.created_at});
}

std::int64_t rotate_inbound_secret(db::Conn& tx, tenants::TenantId tenant, const std::string& system,
                                   const std::string& station, const std::string& secret_hash,
                                   const std::string& now_iso) {
  return tx.exec(kRotateInbound, {tenant, system, station, secret_hash, now_iso});
}

std::vector<InboundCredentialRow> inbound_credentials_for(db::Database& db, tenants::TenantId tenant,
                                                          const std::string& system) {
  return db::read_all(db, kInboundFor, {tenant, system}, inbound_row_from);
}

InboundCredentialsAt inbound_credentials_at(db::Database& db, tenants::TenantId tenant,
                                            const std::string& system) {
  InboundCredentialsAt out;
  db.read([&](db::Conn& c) {
    for (const auto& r : c.query(kInboundAt, {tenant, system})) {
      out.generation = r.i64(0);
      if (!r.is_null(1)) out.rows.push_back(inbound_row_at(r, 1));
    }
  });
  return out;
}

std::vector<InboundCredentialRow> list_inbound_credentials(db::Database& db,
                                                           std::optional<tenants::TenantId> tenant) {
  if (tenant) return db::read_all(db, kInboundOfTenant, {*tenant}, inbound_row_from);
  return db::read_all(db, kInboundAll, {}, inbound_row_from);
}

}  // namespace sp::identity
