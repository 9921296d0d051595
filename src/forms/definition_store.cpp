#include "forms/definition_store.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace definition_sql {

constexpr std::string_view kHubColumns = "code, version, file_version, definition, sha256, loaded_at";
const std::string kNewestHub = "SELECT " + std::string(kHubColumns) +
                               " FROM form_definitions WHERE code = $1 ORDER BY version DESC LIMIT 1";
const std::string kHub =
    "SELECT " + std::string(kHubColumns) + " FROM form_definitions WHERE code = $1 AND version = $2";
constexpr std::string_view kInsertHub =
    "INSERT INTO form_definitions (code, version, file_version, definition, sha256, loaded_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr std::string_view kHubCodes = "SELECT DISTINCT code FROM form_definitions ORDER BY code";
constexpr std::string_view kInForce =
    "SELECT (SELECT max(version) FROM form_definitions WHERE code = $1), "
    "(SELECT max(version) FROM form_overlays WHERE tenant_id = $2 AND form_code = $1), "
    "(SELECT revision FROM body_street_lists WHERE tenant_id = $2)";

constexpr std::string_view kOverlayColumns =
    "tenant_id, form_code, version, base_version, overlay, saved_by, saved_by_name, saved_at, restored_from";
const std::string kOverlay = "SELECT " + std::string(kOverlayColumns) +
                             " FROM form_overlays WHERE tenant_id = $1 AND form_code = $2 AND version = $3";
const std::string kOverlays =
    "SELECT " + std::string(kOverlayColumns) +
    " FROM form_overlays WHERE tenant_id = $1 AND form_code = $2 ORDER BY version DESC";
constexpr std::string_view kInsertOverlay =
    "INSERT INTO form_overlays (tenant_id, form_code, version, base_version, overlay, saved_by, "
    "saved_by_name, "
    "saved_at, restored_from) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr std::string_view kNewestOverlays =
    "SELECT form_code, max(version) FROM form_overlays WHERE tenant_id = $1 GROUP BY form_code ORDER BY "
    "form_code";

constexpr std::string_view kStreetInfo =
    "SELECT revision, street_count, imported_by_name, imported_at FROM body_street_lists WHERE tenant_id = "
    "$1";
constexpr std::string_view kStreets =
    "SELECT code, name FROM body_streets WHERE tenant_id = $1 ORDER BY position";
constexpr std::string_view kDeleteStreets = "DELETE FROM body_streets WHERE tenant_id = $1";
constexpr std::string_view kUpsertStreetInfo =
    "INSERT INTO body_street_lists (tenant_id, revision, street_count, imported_by, imported_by_name, "
    "imported_at) VALUES ($1, 1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET "
    "revision = body_street_lists.revision + 1, street_count = $2, imported_by = $3, imported_by_name = $4, "
    "imported_at = $5";
constexpr std::size_t kStreetBatch = 50;

HubVersion hub_from(const db::Row& r) {
  HubVersion h;
  h.code = r.text(0);
  h.version = static_cast<int>(r.i64(1));
  h.file_version = static_cast<int>(r.i64(2));
  h.json = r.text(3);
  h.sha256 = r.text(4);
  h.loaded_at = r.text(5);
  return h;
}

OverlayVersion overlay_from(const db::Row& r) {
  OverlayVersion o;
  o.tenant_id = r.i64(0);
  o.form_code = r.text(1);
  o.version = static_cast<int>(r.i64(2));
  o.base_version = static_cast<int>(r.i64(3));
  boost::system::error_code ec;
  auto v = json::parse(r.text(4), ec);
  if (ec || !v.is_object()) throw db::DbError(db::DbError::Kind::other, "form_overlays: bad JSON");
  o.overlay = std::move(v.as_object());
  o.saved_by = r.text(5);
  o.saved_by_name = r.text(6);
  o.saved_at = r.text(7);
  if (auto v9 = r.opt_i64(8)) o.restored_from = static_cast<int>(*v9);
  return o;
}

// "INSERT ... VALUES ($1, $2, $3, $4), ($1, $5, $6, $7), ..." for n streets of one body.
std::string insert_streets_sql(std::size_t n) {
  std::string sql = "INSERT INTO body_streets (tenant_id, position, code, name) VALUES ";
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t p = 2 + i * 3;
    sql += (i ? ", " : "") + std::string("($1, $") + std::to_string(p) + ", $" + std::to_string(p + 1) +
           ", $" + std::to_string(p + 2) + ")";
  }
  return sql;
}

}  // namespace definition_sql

namespace dsql = definition_sql;

std::optional<HubVersion> DefinitionStore::newest_hub(db::Conn& c, const std::string& code) {
  auto r = c.query_one(dsql::kNewestHub, {code});
  if (!r) return std::nullopt;
  return dsql::hub_from(*r);
}

std::optional<HubVersion> DefinitionStore::hub(db::Conn& c, const std::string& code, int version) {
  auto r = c.query_one(dsql::kHub, {code, std::int64_t{version}});
  if (!r) return std::nullopt;
  return dsql::hub_from(*r);
}

void DefinitionStore::insert_hub(db::Conn& tx, const HubVersion& h) {
  tx.exec(dsql::kInsertHub,
          {h.code, std::int64_t{h.version}, std::int64_t{h.file_version}, h.json, h.sha256, h.loaded_at});
}

std::vector<std::string> DefinitionStore::hub_codes(db::Conn& c) {
  std::vector<std::string> out;
  for (const auto& r : c.query(dsql::kHubCodes)) out.push_back(r.text(0));
  return out;
}

InForce DefinitionStore::in_force(db::Conn& c, tenants::TenantId tenant, const std::string& code) {
  InForce f;
  if (auto r = c.query_one(dsql::kInForce, {code, tenant})) {
    f.hub_version = static_cast<int>(r->opt_i64(0).value_or(0));
    f.overlay_version = static_cast<int>(r->opt_i64(1).value_or(0));
    f.streets_revision = r->opt_i64(2).value_or(0);
  }
  return f;
}

std::optional<OverlayVersion> DefinitionStore::overlay(db::Conn& c, tenants::TenantId tenant,
                                                       const std::string& code, int version) {
  auto r = c.query_one(dsql::kOverlay, {tenant, code, std::int64_t{version}});
  if (!r) return std::nullopt;
  return dsql::overlay_from(*r);
}

void DefinitionStore::insert_overlay(db::Conn& tx, const OverlayVersion& o) {
  tx.exec(dsql::kInsertOverlay,
          {o.tenant_id, o.form_code, std::int64_t{o.version}, std::int64_t{o.base_version},
           json::serialize(o.overlay), o.saved_by, o.saved_by_name, o.saved_at,
           o.restored_from ? db::Value{std::int64_t{*o.restored_from}} : db::Value{nullptr}});
}

std::vector<OverlayVersion> DefinitionStore::overlays(db::Conn& c, tenants::TenantId tenant,
                                                      const std::string& code) {
  std::vector<OverlayVersion> out;
  for (const auto& r : c.query(dsql::kOverlays, {tenant, code})) out.push_back(dsql::overlay_from(r));
  return out;
}

std::vector<std::pair<std::string, int>> DefinitionStore::newest_overlays(db::Conn& c,
                                                                          tenants::TenantId tenant) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& r : c.query(dsql::kNewestOverlays, {tenant}))
    out.emplace_back(r.text(0), static_cast<int>(r.i64(1)));
  return out;
}

StreetListInfo DefinitionStore::street_info(db::Conn& c, tenants::TenantId tenant) {
  StreetListInfo i;
  if (auto r = c.query_one(dsql::kStreetInfo, {tenant})) {
    i.revision = r->i64(0);
    i.count = static_cast<int>(r->i64(1));
    i.imported_by_name = r->text(2);
    i.imported_at = r->text(3);
  }
  return i;
}

std::vector<Street> DefinitionStore::streets(db::Conn& c, tenants::TenantId tenant) {
  std::vector<Street> out;
  for (const auto& r : c.query(dsql::kStreets, {tenant})) out.push_back({r.text(0), r.text(1)});
  return out;
}

std::int64_t DefinitionStore::replace_streets(db::Conn& tx, tenants::TenantId tenant,
                                              const std::vector<Street>& streets, const std::string& by,
                                              const std::string& by_name, const std::string& now_iso) {
  tx.exec(dsql::kDeleteStreets, {tenant});
  // Many rows per statement: a city's list has thousands of streets.
  for (std::size_t start = 0; start < streets.size(); start += dsql::kStreetBatch) {
    const std::size_t n = std::min(dsql::kStreetBatch, streets.size() - start);
    db::Params params{tenant};
    for (std::size_t i = 0; i < n; ++i) {
      params.emplace_back(static_cast<std::int64_t>(start + i + 1));
      params.emplace_back(streets[start + i].code);
      params.emplace_back(streets[start + i].name);
    }
    tx.exec(dsql::insert_streets_sql(n), params);
  }
  tx.exec(dsql::kUpsertStreetInfo, {tenant, static_cast<std::int64_t>(streets.size()), by, by_name, now_iso});
  return street_info(tx, tenant).revision;
}

}  // namespace sp::forms
