// SQL of levels.hpp: body_services, bound to the tenant the caller was given.
#include "catalog/levels.hpp"
#include "core/time.hpp"

namespace sp::catalog {
namespace {

constexpr const char* kLevelService = "SELECT id, level FROM services WHERE code = $1";
constexpr const char* kLevelUpdate =
    "UPDATE body_services SET level = $3 WHERE tenant_id = $1 AND service_id = $2";
constexpr const char* kLevelInsert =
    "INSERT INTO body_services (tenant_id, service_id, level, activated_at) VALUES ($1, $2, $3, $4)";
constexpr const char* kLevelDelete = "DELETE FROM body_services WHERE tenant_id = $1 AND service_id = $2";
constexpr const char* kLockBody = "SELECT id FROM bodies WHERE id = $1 FOR UPDATE";
constexpr const char* kLevels =
    "SELECT s.code, bs.level FROM body_services bs JOIN services s ON s.id = bs.service_id "
    "WHERE bs.tenant_id = $1";

}  // namespace

Status set_level(db::Conn& tx, tenants::TenantId tenant, const std::string& code, int level) {
  auto s = tx.query_one(kLevelService, {code});
  if (!s) return Error::not_found("service " + code);
  if (level < 1 || level > s->i64(1)) return Error::make("catalog.activation_level", 400, code);
  const auto id = s->i64(0);
  if (tx.exec(kLevelUpdate, {tenant, id, std::int64_t{level}}) > 0) return Ok{};
  tx.exec(kLevelInsert, {tenant, id, std::int64_t{level}, time::format_iso_utc(time::system_clock().now())});
  return Ok{};
}

Status withdraw(db::Conn& tx, tenants::TenantId tenant, const std::string& code) {
  auto s = tx.query_one(kLevelService, {code});
  if (!s) return Error::not_found("service " + code);
  tx.exec(kLevelDelete, {tenant, s->i64(0)});
  return Ok{};
}

std::map<std::string, int> levels_for_update(db::Conn& tx, tenants::TenantId tenant) {
  if (tx.dialect() == db::Dialect::postgres) tx.query(kLockBody, {tenant});
  std::map<std::string, int> out;
  for (const auto& r : tx.query(kLevels, {tenant})) out[r.text(0)] = static_cast<int>(r.i64(1));
  return out;
}

}  // namespace sp::catalog
