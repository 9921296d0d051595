#include "catalog/store.hpp"

#include "core/text.hpp"

namespace sp::catalog {
namespace {

constexpr const char* kUpsertLifeEvent =
    "INSERT INTO life_events (code, position, title_it, title_en, description_it, description_en, icon) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO UPDATE SET position = excluded.position, "
    "title_it = excluded.title_it, title_en = excluded.title_en, description_it = excluded.description_it, "
    "description_en = excluded.description_en, icon = excluded.icon";

constexpr const char* kUpsertArea =
    "INSERT INTO thematic_areas (code, title_it, title_en) VALUES ($1, $2, $3) "
    "ON CONFLICT (code) DO UPDATE SET title_it = excluded.title_it, title_en = excluded.title_en";

constexpr const char* kUpsertService =
    "INSERT INTO services (code, title_it, title_en, summary_it, summary_en, description_it, description_en, "
    "life_event, area, audience, level, fee_cents, fee_note_it, fee_note_en, deadline_days, office_it, "
    "office_en, "
    "documents_it, documents_en, spid_level, silence_consent, legal_basis, search_text) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
    "$22, "
    "$23) ON CONFLICT (code) DO UPDATE SET title_it = excluded.title_it, title_en = excluded.title_en, "
    "summary_it = excluded.summary_it, summary_en = excluded.summary_en, description_it = "
    "excluded.description_it, "
    "description_en = excluded.description_en, life_event = excluded.life_event, area = excluded.area, "
    "audience = excluded.audience, level = excluded.level, fee_cents = excluded.fee_cents, "
    "fee_note_it = excluded.fee_note_it, fee_note_en = excluded.fee_note_en, "
    "deadline_days = excluded.deadline_days, office_it = excluded.office_it, office_en = excluded.office_en, "
    "documents_it = excluded.documents_it, documents_en = excluded.documents_en, "
    "spid_level = excluded.spid_level, silence_consent = excluded.silence_consent, "
    "legal_basis = excluded.legal_basis, search_text = excluded.search_text RETURNING id";

constexpr const char* kActivate =
    "INSERT INTO body_services (tenant_id, service_id, level, fee_cents, office_it, office_en, notes_it, "
    "notes_en, "
    "activated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, service_id) DO UPDATE "
    "SET "
    "level = excluded.level, fee_cents = excluded.fee_cents, office_it = excluded.office_it, "
    "office_en = excluded.office_en, notes_it = excluded.notes_it, notes_en = excluded.notes_en";

constexpr const char* kDeactivate = "DELETE FROM body_services WHERE tenant_id = $1 AND service_id = $2";

#define SERVICE_COLUMNS                                                                                     \
  "s.id, s.code, s.title_it, s.title_en, s.summary_it, s.summary_en, s.description_it, s.description_en, "  \
  "s.life_event, s.area, s.audience, s.level, s.fee_cents, s.fee_note_it, s.fee_note_en, s.deadline_days, " \
  "s.office_it, s.office_en, s.documents_it, s.documents_en, s.spid_level, s.silence_consent, s.legal_basis"
constexpr std::size_t kServiceColumnCount = 23;

constexpr const char* kServices = "SELECT " SERVICE_COLUMNS " FROM services s ORDER BY s.title_it";
constexpr const char* kServiceByCode = "SELECT " SERVICE_COLUMNS " FROM services s WHERE s.code = $1";
constexpr const char* kSearch =
    "SELECT " SERVICE_COLUMNS " FROM services s WHERE s.search_text LIKE $1 ORDER BY s.title_it";

// The body's overrides follow the service columns.
constexpr const char* kOfferings =
    "SELECT " SERVICE_COLUMNS
    ", bs.level, bs.fee_cents, bs.office_it, bs.office_en, bs.notes_it, bs.notes_en "
    "FROM body_services bs JOIN services s ON s.id = bs.service_id WHERE bs.tenant_id = $1 ORDER BY "
    "s.title_it";
constexpr const char* kOffering =
    "SELECT " SERVICE_COLUMNS
    ", bs.level, bs.fee_cents, bs.office_it, bs.office_en, bs.notes_it, bs.notes_en "
    "FROM body_services bs JOIN services s ON s.id = bs.service_id WHERE bs.tenant_id = $1 AND s.code = $2";
constexpr const char* kActivations = "SELECT tenant_id, service_id FROM body_services ORDER BY tenant_id";

Service service_from(const db::Row& r) {
  Service s;
  s.id = r.i64(0);
  s.code = r.text(1);
  s.title = {r.text(2), r.text(3)};
  s.summary = {r.text(4), r.text(5)};
  s.description = {r.text(6), r.text(7)};
  s.life_event = r.text(8);
  s.area = r.text(9);
  s.audience = parse_audience(r.text(10)).value_or(Audience::citizens);
  s.level = static_cast<int>(r.i64(11));
  s.fee_cents = r.opt_i64(12);
  s.fee_note = {r.text(13), r.text(14)};
  if (auto d = r.opt_i64(15)) s.deadline_days = static_cast<int>(*d);
  s.office = {r.text(16), r.text(17)};
  s.documents_it = text::split_lines(r.text(18));
  s.documents_en = text::split_lines(r.text(19));
  s.spid_level = static_cast<int>(r.i64(20));
  s.silence_consent = r.boolean(21);
  s.legal_basis = r.text(22);
  return s;
}

Offering offering_from(const db::Row& r, tenants::TenantId tenant) {
  Offering o;
  o.tenant_id = tenant;
  o.service = service_from(r);
  constexpr auto k = kServiceColumnCount;
  o.service.level = static_cast<int>(r.i64(k));
  if (!r.is_null(k + 1)) o.service.fee_cents = r.i64(k + 1);
  if (!r.is_null(k + 2)) o.service.office = {r.text(k + 2), r.text(k + 3)};
  o.notes = {r.text(k + 4), r.text(k + 5)};
  return o;
}

}  // namespace

void CatalogStore::upsert_life_event(db::Conn& tx, const LifeEvent& e) {
  tx.exec(kUpsertLifeEvent, {e.code, std::int64_t{e.position}, e.title.it, e.title.en, e.description.it,
                             e.description.en, e.icon});
}

void CatalogStore::upsert_area(db::Conn& tx, const Area& a) {
  tx.exec(kUpsertArea, {a.code, a.title.it, a.title.en});
}

std::int64_t CatalogStore::upsert_service(db::Conn& tx, const Service& s, const std::string& search_text) {
  auto row = tx.query_one(kUpsertService,
                          {s.code,
                           s.title.it,
                           s.title.en,
                           s.summary.it,
                           s.summary.en,
                           s.description.it,
                           s.description.en,
                           s.life_event,
                           s.area,
                           std::string(to_string(s.audience)),
                           std::int64_t{s.level},
                           db::int_or_null(s.fee_cents),
                           db::text_or_null(s.fee_note.it),
                           db::text_or_null(s.fee_note.en),
                           s.deadline_days ? db::Value{std::int64_t{*s.deadline_days}} : db::Value{nullptr},
                           s.office.it,
                           s.office.en,
                           text::join(s.documents_it, "\n"),
                           text::join(s.documents_en, "\n"),
                           std::int64_t{s.spid_level},
                           std::int64_t{s.silence_consent ? 1 : 0},
                           db::text_or_null(s.legal_basis),
                           search_text});
  return row->i64(0);
}

void CatalogStore::activate(db::Conn& tx, tenants::TenantId tenant, std::int64_t service_id,
                            const Activation& a, const std::string& now_iso) {
  tx.exec(kActivate, {tenant, service_id, std::int64_t{a.level}, db::int_or_null(a.fee_cents),
                      db::text_or_null(a.office.it), db::text_or_null(a.office.en),
                      db::text_or_null(a.notes.it), db::text_or_null(a.notes.en), now_iso});
}

void CatalogStore::deactivate(db::Conn& tx, tenants::TenantId tenant, std::int64_t service_id) {
  tx.exec(kDeactivate, {tenant, service_id});
}

std::vector<LifeEvent> CatalogStore::life_events() {
  return db::read_all(
      db_,
      "SELECT code, position, title_it, title_en, description_it, description_en, icon "
      "FROM life_events ORDER BY position, code",
      {}, [](const db::Row& r) {
        return LifeEvent{
            r.text(0), static_cast<int>(r.i64(1)), {r.text(2), r.text(3)}, {r.text(4), r.text(5)}, r.text(6)};
      });
}

std::vector<Area> CatalogStore::areas() {
  return db::read_all(db_, "SELECT code, title_it, title_en FROM thematic_areas ORDER BY title_it", {},
                      [](const db::Row& r) {
                        return Area{r.text(0), {r.text(1), r.text(2)}};
                      });
}

std::vector<Service> CatalogStore::services() {
  return db::read_all(db_, kServices, {}, service_from);
}

std::optional<Service> CatalogStore::service_by_code(const std::string& code) {
  return db::read_one(db_, kServiceByCode, {code}, service_from);
}

std::vector<Service> CatalogStore::search(const std::string& folded_query) {
  // The query is folded to [a-z0-9 ] plus non-Latin letters, so LIKE wildcards cannot appear in it.
  return db::read_all(db_, kSearch, {"%" + folded_query + "%"}, service_from);
}

std::vector<Offering> CatalogStore::offerings(tenants::TenantId tenant) {
  return db::read_all(db_, kOfferings, {tenant},
                      [tenant](const db::Row& r) { return offering_from(r, tenant); });
}

std::optional<Offering> CatalogStore::offering(tenants::TenantId tenant, const std::string& code) {
  return db::read_one(db_, kOffering, {tenant, code},
                      [tenant](const db::Row& r) { return offering_from(r, tenant); });
}

std::vector<std::pair<tenants::TenantId, std::int64_t>> CatalogStore::activations() {
  return db::read_all(db_, kActivations, {},
                      [](const db::Row& r) { return std::make_pair(r.i64(0), r.i64(1)); });
}

}  // namespace sp::catalog
