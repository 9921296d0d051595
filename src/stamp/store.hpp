#pragma once
// All SQL of the digital stamp: the append-only registry of stamped documents and their revocations
// (migrations 0029). The tenant is in every WHERE that reads one body's records; the public look-up by
// token is the one read that is not scoped, since the token is what a reader of the document holds.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::stamp {

struct Record {
  std::string token;
  tenants::TenantId tenant_id = 0;
  std::string kind;
  std::string title;
  std::string protocol;
  std::string issued_at;  // UTC ISO, whole seconds
  std::string digest;     // hex
  std::string key_id;
  std::string payload;
  std::string issued_by;
  // The revocation, when there is one.
  std::optional<std::string> revoked_at;
  std::string revoked_by;
  std::string revocation_reason;
};

class StampStore {
 public:
  static void insert(db::Conn& tx, const Record& r);
  static std::optional<Record> by_token(db::Conn& c, const std::string& token);
  // The tenant's record, or nullopt (another body's token is not found).
  static std::optional<Record> of_tenant(db::Conn& c, tenants::TenantId tenant, const std::string& token);
  // False when the document was revoked already (ON CONFLICT DO NOTHING).
  static bool revoke(db::Conn& tx, tenants::TenantId tenant, const std::string& token, const std::string& at,
                     const std::string& by, const std::string& reason);
  // The tenant's latest stamped documents, newest first.
  static std::vector<Record> latest(db::Conn& c, tenants::TenantId tenant, int limit);
};

}  // namespace sp::stamp
