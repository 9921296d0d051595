#pragma once
// SQL for the body pages' versions (migration 0018). Free functions on a connection, as in protocollo.
#include <optional>
#include <string>
#include <vector>

#include "body_pages/model.hpp"
#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::body_pages::store {

// The newest version of a body's fields (fields as JSON text), or nothing when it never saved any.
struct Row {
  std::int64_t version = 0;
  std::string fields_json;
  std::string saved_by;
  std::string saved_at;
};
std::optional<Row> latest(db::Conn& c, tenants::TenantId tenant);
// Appends version latest+1 (inside the caller's write transaction, which serialises the numbering).
std::int64_t insert_next(db::Conn& tx, tenants::TenantId tenant, const std::string& fields_json,
                         const std::string& saved_by, const std::string& saved_at);

}  // namespace sp::body_pages::store
