#include "body_pages/store.hpp"

namespace sp::body_pages::store {
namespace {

constexpr const char* kLatest =
    "SELECT version, fields, saved_by, saved_at FROM body_page_versions WHERE tenant_id = $1 "
    "ORDER BY version DESC LIMIT 1";
constexpr const char* kInsert =
    "INSERT INTO body_page_versions (tenant_id, version, fields, saved_by, saved_at) VALUES ($1, $2, $3, $4, "
    "$5)";

}  // namespace

std::optional<Row> latest(db::Conn& c, tenants::TenantId tenant) {
  auto r = c.query_one(kLatest, {tenant});
  if (!r) return std::nullopt;
  return Row{r->i64(0), r->text(1), r->text(2), r->text(3)};
}

std::int64_t insert_next(db::Conn& tx, tenants::TenantId tenant, const std::string& fields_json,
                         const std::string& saved_by, const std::string& saved_at) {
  const auto current = latest(tx, tenant);
  const std::int64_t version = current ? current->version + 1 : 1;
  tx.exec(kInsert, {tenant, version, fields_json, saved_by, saved_at});
  return version;
}

}  // namespace sp::body_pages::store
