#include "hub/store.hpp"

namespace sp::hub {
namespace {

constexpr const char* kRules =
    "SELECT min_high, max_high, cost_level_1, cost_level_2, cost_level_3, cost_level_4, updated_at, "
    "updated_by "
    "FROM hub_credit_rules WHERE id = 1";
constexpr const char* kSaveRules =
    "UPDATE hub_credit_rules SET min_high = $1, max_high = $2, cost_level_1 = $3, cost_level_2 = $4, "
    "cost_level_3 = $5, cost_level_4 = $6, updated_at = $7, updated_by = $8 WHERE id = 1";

constexpr const char* kPackageColumns =
    "id, code, name_it, name_en, body_kind, min_population, max_population, credits, updated_at, updated_by, "
    "min_high, max_high";
constexpr const char* kUpsertPackage =
    "INSERT INTO hub_packages (code, name_it, name_en, body_kind, min_population, max_population, credits, "
    "updated_at, updated_by, min_high, max_high) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "ON CONFLICT (code) DO UPDATE SET min_high = excluded.min_high, max_high = excluded.max_high, "
    "name_it = excluded.name_it, name_en = excluded.name_en, body_kind = excluded.body_kind, "
    "min_population = excluded.min_population, max_population = excluded.max_population, "
    "credits = excluded.credits, updated_at = excluded.updated_at, updated_by = excluded.updated_by "
    "RETURNING id";
constexpr const char* kDeleteItems = "DELETE FROM hub_package_services WHERE package_id = $1";
constexpr const char* kInsertItem =
    "INSERT INTO hub_package_services (package_id, service_code, level) VALUES ($1, $2, $3)";
constexpr const char* kItems =
    "SELECT package_id, service_code, level FROM hub_package_services ORDER BY package_id, service_code";

constexpr const char* kComuniAsOf = "SELECT as_of FROM istat_comuni_imports ORDER BY id DESC LIMIT 1";
constexpr const char* kComune =
    "SELECT istat_code, belfiore_code, name, province FROM istat_comuni WHERE istat_code = $1";
constexpr const char* kDeleteComuni = "DELETE FROM istat_comuni";
constexpr const char* kInsertComune =
    "INSERT INTO istat_comuni (istat_code, belfiore_code, name, province) VALUES ($1, $2, $3, $4)";
constexpr const char* kInsertComuniImport =
    "INSERT INTO istat_comuni_imports (as_of, imported_at, row_count, sha256) VALUES ($1, $2, $3, $4)";

constexpr const char* kLogo =
    "SELECT tenant_id, file_id, mime_type, width, height, sha256, updated_at, updated_by FROM body_logos "
    "WHERE tenant_id = $1";
constexpr const char* kSetLogo =
    "INSERT INTO body_logos (tenant_id, file_id, mime_type, width, height, sha256, updated_at, updated_by) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id) DO UPDATE SET file_id = "
    "excluded.file_id, mime_type = excluded.mime_type, width = excluded.width, height = excluded.height, "
    "sha256 = excluded.sha256, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
constexpr const char* kRemoveLogo = "DELETE FROM body_logos WHERE tenant_id = $1";

constexpr const char* kBodyPackage = "SELECT package_id FROM body_packages WHERE tenant_id = $1";
constexpr const char* kBodyPackages =
    "SELECT tenant_id, package_id FROM body_packages WHERE package_id IS NOT NULL ORDER BY tenant_id";
constexpr const char* kSetBodyPackage =
    "INSERT INTO body_packages (tenant_id, package_id, assigned_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (tenant_id) DO UPDATE SET package_id = excluded.package_id, assigned_at = "
    "excluded.assigned_at";

constexpr const char* kLedgerColumns =
    "tenant_id, seq, at, actor, action, service_code, level_before, level_after, credits_before, "
    "credits_after, "
    "note";
constexpr const char* kAppend =
    "INSERT INTO body_credit_ledger (tenant_id, seq, at, actor, action, service_code, level_before, "
    "level_after, "
    "credits_before, credits_after, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
constexpr const char* kBalances =
    "SELECT l.tenant_id, l.credits_after FROM body_credit_ledger l "
    "WHERE l.seq = (SELECT MAX(m.seq) FROM body_credit_ledger m WHERE m.tenant_id = l.tenant_id)";

constexpr const char* kDraftColumns =
    "id, created_by, created_at, updated_at, step, data, progress, tenant_id, completed_at";
constexpr const char* kInsertDraft =
    "INSERT INTO hub_onboarding_drafts (id, created_by, created_at, updated_at, step, data, progress, "
    "tenant_id, "
    "completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr const char* kUpdateDraft =
    "UPDATE hub_onboarding_drafts SET updated_at = $2, step = $3, data = $4, progress = $5, tenant_id = $6, "
    "completed_at = $7 WHERE id = $1";

Package package_from(const db::Row& r) {
  Package p;
  p.id = r.i64(0);
  p.code = r.text(1);
  p.name_it = r.text(2);
  p.name_en = r.text(3);
  p.body_kind = tenants::parse_body_kind(r.text(4)).value_or(tenants::BodyKind::comune);
  p.min_population = r.i64(5);
  p.max_population = r.opt_i64(6);
  p.credits = r.i64(7);
  p.updated_at = r.text(8);
  p.updated_by = r.text(9);
  if (auto v = r.opt_i64(10)) p.min_high = static_cast<int>(*v);
  if (auto v = r.opt_i64(11)) p.max_high = static_cast<int>(*v);
  return p;
}

LedgerEntry entry_from(const db::Row& r) {
  LedgerEntry e;
  e.tenant_id = r.i64(0);
  e.seq = r.i64(1);
  e.at = r.text(2);
  e.actor = r.text(3);
  e.action = r.text(4);
  e.service_code = r.text(5);
  e.level_before = static_cast<int>(r.opt_i64(6).value_or(0));
  e.level_after = static_cast<int>(r.opt_i64(7).value_or(0));
  e.credits_before = r.i64(8);
  e.credits_after = r.i64(9);
  e.note = r.text(10);
  return e;
}

std::pair<Draft, std::string> draft_from(const db::Row& r) {
  Draft d;
  d.id = r.text(0);
  d.created_by = r.text(1);
  d.created_at = r.text(2);
  d.updated_at = r.text(3);
  d.step = static_cast<int>(r.i64(4));
  d.progress = r.text(6);
  d.tenant_id = r.opt_i64(7).value_or(0);
  d.completed_at = r.text(8);
  return {d, r.text(5)};
}

db::Value level_or_null(int level) {
  return level > 0 ? db::Value{std::int64_t{level}} : db::Value{nullptr};
}

}  // namespace

Rules HubStore::rules() {
  Rules out;
  if (auto r = db::read_one(db_, kRules, {}, [](const db::Row& r) {
        Rules x;
        x.min_high = static_cast<int>(r.i64(0));
        x.max_high = static_cast<int>(r.i64(1));
        for (int l = 1; l <= 4; ++l) x.cost[l] = static_cast<int>(r.i64(static_cast<std::size_t>(l + 1)));
        x.updated_at = r.text(6);
        x.updated_by = r.text(7);
        return x;
      })) {
    out = *r;
  }
  return out;
}

void HubStore::save_rules(db::Conn& tx, const Rules& r) {
  tx.exec(kSaveRules, {std::int64_t{r.min_high}, std::int64_t{r.max_high}, std::int64_t{r.cost[1]},
                       std::int64_t{r.cost[2]}, std::int64_t{r.cost[3]}, std::int64_t{r.cost[4]},
                       r.updated_at, r.updated_by});
}

std::vector<Package> HubStore::packages() {
  auto list = db::read_all(db_,
                           std::string("SELECT ") + kPackageColumns +
                               " FROM hub_packages ORDER BY body_kind, "
                               "min_population, code",
                           {}, package_from);
  auto items = db::read_all(db_, kItems, {}, [](const db::Row& r) {
    return std::make_pair(r.i64(0), PackageItem{r.text(1), static_cast<int>(r.i64(2))});
  });
  for (auto& p : list)
    for (const auto& [id, item] : items)
      if (id == p.id) p.items.push_back(item);
  return list;
}

std::optional<Package> HubStore::package_by_code(const std::string& code) {
  for (auto& p : packages())
    if (p.code == code) return p;
  return std::nullopt;
}

std::optional<Package> HubStore::package_by_id(std::int64_t id) {
  for (auto& p : packages())
    if (p.id == id) return p;
  return std::nullopt;
}

std::int64_t HubStore::save_package(db::Conn& tx, const Package& p) {
  auto row = tx.query_one(
      kUpsertPackage, {p.code, p.name_it, p.name_en, std::string(tenants::to_string(p.body_kind)),
                       p.min_population, db::int_or_null(p.max_population), p.credits, p.updated_at,
                       p.updated_by, p.min_high ? db::Value{std::int64_t{*p.min_high}} : db::Value{nullptr},
                       p.max_high ? db::Value{std::int64_t{*p.max_high}} : db::Value{nullptr}});
  const auto id = row->i64(0);
  tx.exec(kDeleteItems, {id});
  for (const auto& i : p.items) tx.exec(kInsertItem, {id, i.service_code, std::int64_t{i.level}});
  return id;
}

std::optional<std::int64_t> HubStore::body_package_id(tenants::TenantId tenant) {
  auto r = db::read_one(db_, kBodyPackage, {tenant}, [](const db::Row& r) { return r.opt_i64(0); });
  return r ? *r : std::nullopt;
}

std::vector<std::pair<tenants::TenantId, std::int64_t>> HubStore::body_packages() {
  return db::read_all(db_, kBodyPackages, {},
                      [](const db::Row& r) { return std::make_pair(r.i64(0), r.i64(1)); });
}

void HubStore::set_body_package(db::Conn& tx, tenants::TenantId tenant,
                                std::optional<std::int64_t> package_id, const std::string& at) {
  tx.exec(kSetBodyPackage, {tenant, db::int_or_null(package_id), at});
}

std::optional<LedgerEntry> HubStore::last_entry(db::Conn& c, tenants::TenantId tenant) {
  if (auto r = c.query_one(std::string("SELECT ") + kLedgerColumns +
                               " FROM body_credit_ledger WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1",
                           {tenant}))
    return entry_from(*r);
  return std::nullopt;
}

void HubStore::append(db::Conn& tx, const LedgerEntry& e) {
  tx.exec(kAppend, {e.tenant_id, e.seq, e.at, e.actor, e.action, db::text_or_null(e.service_code),
                    level_or_null(e.level_before), level_or_null(e.level_after), e.credits_before,
                    e.credits_after, e.note});
}

std::vector<LedgerEntry> HubStore::ledger(tenants::TenantId tenant, int limit) {
  return db::read_all(db_,
                      std::string("SELECT ") + kLedgerColumns +
                          " FROM body_credit_ledger WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2",
                      {tenant, std::int64_t{limit}}, entry_from);
}

std::vector<std::pair<tenants::TenantId, std::int64_t>> HubStore::balances() {
  return db::read_all(db_, kBalances, {},
                      [](const db::Row& r) { return std::make_pair(r.i64(0), r.i64(1)); });
}

void HubStore::insert_draft(db::Conn& tx, const Draft& d, const std::string& data_json) {
  tx.exec(kInsertDraft,
          {d.id, d.created_by, d.created_at, d.updated_at, std::int64_t{d.step}, data_json,
           d.progress.empty() ? std::string("{}") : d.progress,
           d.tenant_id > 0 ? db::Value{d.tenant_id} : db::Value{nullptr}, db::text_or_null(d.completed_at)});
}

void HubStore::update_draft(db::Conn& tx, const Draft& d, const std::string& data_json) {
  tx.exec(kUpdateDraft,
          {d.id, d.updated_at, std::int64_t{d.step}, data_json,
           d.progress.empty() ? std::string("{}") : d.progress,
           d.tenant_id > 0 ? db::Value{d.tenant_id} : db::Value{nullptr}, db::text_or_null(d.completed_at)});
}

std::optional<std::pair<Draft, std::string>> HubStore::draft(const std::string& id) {
  return db::read_one(db_,
                      std::string("SELECT ") + kDraftColumns + " FROM hub_onboarding_drafts WHERE id = $1",
                      {id}, draft_from);
}

std::vector<std::pair<Draft, std::string>> HubStore::open_drafts() {
  return db::read_all(db_,
                      std::string("SELECT ") + kDraftColumns +
                          " FROM hub_onboarding_drafts WHERE completed_at IS NULL ORDER BY updated_at DESC",
                      {}, draft_from);
}

std::optional<Logo> HubStore::logo(tenants::TenantId tenant) {
  return db::read_one(db_, kLogo, {tenant}, [](const db::Row& r) {
    Logo l;
    l.tenant_id = r.i64(0);
    l.file_id = r.text(1);
    l.mime_type = r.text(2);
    l.width = r.i64(3);
    l.height = r.i64(4);
    l.sha256 = r.text(5);
    l.updated_at = r.text(6);
    l.updated_by = r.text(7);
    return l;
  });
}

void HubStore::set_logo(db::Conn& tx, const Logo& l) {
  tx.exec(kSetLogo,
          {l.tenant_id, l.file_id, l.mime_type, l.width, l.height, l.sha256, l.updated_at, l.updated_by});
}

void HubStore::remove_logo(db::Conn& tx, tenants::TenantId tenant) {
  tx.exec(kRemoveLogo, {tenant});
}

std::optional<std::string> HubStore::comuni_as_of() {
  return db::read_one(db_, kComuniAsOf, {}, [](const db::Row& r) { return r.text(0); });
}

std::optional<Comune> HubStore::comune(const std::string& istat_code) {
  return db::read_one(db_, kComune, {istat_code}, [](const db::Row& r) {
    return Comune{r.text(0), r.text(1), r.text(2), r.text(3)};
  });
}

void HubStore::replace_comuni(db::Conn& tx, const std::vector<Comune>& list, const std::string& as_of,
                              const std::string& imported_at, const std::string& sha256) {
  tx.exec(kDeleteComuni);
  for (const auto& c : list) tx.exec(kInsertComune, {c.istat_code, c.belfiore_code, c.name, c.province});
  tx.exec(kInsertComuniImport, {as_of, imported_at, static_cast<std::int64_t>(list.size()), sha256});
}

}  // namespace sp::hub
