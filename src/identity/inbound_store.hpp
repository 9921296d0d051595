#pragma once
// SQL of inbound credentials (migration 0023): the national systems that may call a body.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::identity {

struct InboundCredentialRow {
  std::string id;
  tenants::TenantId tenant_id = 0;
  std::string system;
  std::string station;
  std::string secret_hash;       // SHA-256 hex; empty: certificate only
  std::string cert_fingerprint;  // SHA-256 hex, lower case, no colons; empty: none
  std::string identifiers = "{}";
  std::string created_at;
  std::optional<std::string> rotated_at;
};

void insert_inbound_credential(db::Conn& tx, const InboundCredentialRow& row);
// Sets a new secret hash (and rotated_at); the number of rows changed (0: no such credential).
std::int64_t rotate_inbound_secret(db::Conn& tx, tenants::TenantId tenant, const std::string& system,
                                   const std::string& station, const std::string& secret_hash,
                                   const std::string& now_iso);
// The credentials of one body for one system.
std::vector<InboundCredentialRow> inbound_credentials_for(db::Database& db, tenants::TenantId tenant,
                                                          const std::string& system);
// The credentials' generation (migration 0079: bumped by every change of inbound_credentials) and the
// credentials of one body for one system, read in one statement; generation 0 when its row is missing
// (then nothing may be cached).
struct InboundCredentialsAt {
  std::int64_t generation = 0;
  std::vector<InboundCredentialRow> rows;
};
InboundCredentialsAt inbound_credentials_at(db::Database& db, tenants::TenantId tenant,
                                            const std::string& system);
// Every credential, or one body's (ordered by body, system, station).
std::vector<InboundCredentialRow> list_inbound_credentials(db::Database& db,
                                                           std::optional<tenants::TenantId> tenant);

}  // namespace sp::identity
