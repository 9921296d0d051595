#include "tenants/store.hpp"

namespace sp::tenants {
namespace {

constexpr const char* kInsertHub =
    "INSERT INTO hubs (slug, name, fiscal_code, pec, description_it, description_en, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

constexpr const char* kInsertBody =
    "INSERT INTO bodies (hub_id, kind, slug, name, istat_code, belfiore_code, fiscal_code, pec, logo_path, "
    "color_primary, population, province, region, host_name, description_it, description_en, active, "
    "created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id";

constexpr const char* kBodyColumns =
    "id, hub_id, kind, slug, name, istat_code, belfiore_code, fiscal_code, pec, logo_path, color_primary, "
    "population, province, region, host_name, description_it, description_en, active";

constexpr const char* kHubColumns = "id, slug, name, fiscal_code, pec, description_it, description_en";

Body body_from(const db::Row& r) {
  Body b;
  b.id = r.i64(0);
  b.hub_id = r.i64(1);
  b.kind = parse_body_kind(r.text(2)).value_or(BodyKind::comune);
  b.slug = r.text(3);
  b.name = r.text(4);
  b.istat_code = r.text(5);
  b.belfiore_code = r.text(6);
  b.fiscal_code = r.text(7);
  b.pec = r.text(8);
  b.logo_path = r.text(9);
  b.color_primary = r.text(10);
  b.population = r.opt_i64(11).value_or(0);
  b.province = r.text(12);
  b.region = r.text(13);
  b.host_name = r.text(14);
  b.description_it = r.text(15);
  b.description_en = r.text(16);
  b.active = r.boolean(17);
  return b;
}

Hub hub_from(const db::Row& r) {
  return Hub{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)};
}

}  // namespace

std::int64_t TenantStore::insert_hub(db::Conn& tx, const Hub& h, const std::string& now_iso) {
  auto row = tx.query_one(kInsertHub, {h.slug, h.name, db::text_or_null(h.fiscal_code),
                                       db::text_or_null(h.pec), h.description_it, h.description_en, now_iso});
  return row->i64(0);
}

TenantId TenantStore::insert_body(db::Conn& tx, const Body& b, const std::string& now_iso) {
  auto row = tx.query_one(
      kInsertBody, {b.hub_id, std::string(to_string(b.kind)), b.slug, b.name, db::text_or_null(b.istat_code),
                    db::text_or_null(b.belfiore_code), b.fiscal_code, db::text_or_null(b.pec),
                    db::text_or_null(b.logo_path), b.color_primary,
                    b.population > 0 ? db::Value{b.population} : db::Value{nullptr},
                    db::text_or_null(b.province), db::text_or_null(b.region), db::text_or_null(b.host_name),
                    b.description_it, b.description_en, std::int64_t{b.active ? 1 : 0}, now_iso});
  return row->i64(0);
}

std::vector<Hub> TenantStore::hubs() {
  return db::read_all(db_, std::string("SELECT ") + kHubColumns + " FROM hubs ORDER BY id", {}, hub_from);
}

std::vector<Body> TenantStore::bodies() {
  return db::read_all(db_, std::string("SELECT ") + kBodyColumns + " FROM bodies ORDER BY name, id", {},
                      body_from);
}

std::optional<Body> TenantStore::body_by_slug(const std::string& slug) {
  return db::read_one(db_, std::string("SELECT ") + kBodyColumns + " FROM bodies WHERE slug = $1", {slug},
                      body_from);
}

std::optional<Hub> TenantStore::hub_by_slug(const std::string& slug) {
  return db::read_one(db_, std::string("SELECT ") + kHubColumns + " FROM hubs WHERE slug = $1", {slug},
                      hub_from);
}

}  // namespace sp::tenants
