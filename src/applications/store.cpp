#include "applications/store.hpp"

namespace sp::applications {
namespace json = boost::json;
namespace {

constexpr std::string_view kColumns =
    "id, tenant_id, service_code, form_code, form_version, owner_cf, on_behalf_of, answers, prefilled, step, "
    "status, case_id, protocol_label, submitted_at, due_date, revision, created_at, updated_at, "
    "overlay_version";

constexpr std::string_view kInsert =
    "INSERT INTO application_drafts (id, tenant_id, service_code, form_code, form_version, owner_cf, "
    "on_behalf_of, answers, prefilled, step, status, revision, created_at, updated_at, overlay_version) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 1, $11, $11, $12)";
const std::string kFind =
    "SELECT " + std::string(kColumns) + " FROM application_drafts WHERE tenant_id = $1 AND id = $2";
const std::string kFindOpen = "SELECT " + std::string(kColumns) +
                              " FROM application_drafts WHERE tenant_id = $1 AND owner_cf = $2 AND "
                              "on_behalf_of = $3 AND service_code = $4 AND status = 'open'";
const std::string kByOwner = "SELECT " + std::string(kColumns) +
                             " FROM application_drafts WHERE owner_cf = $1 ORDER BY updated_at DESC, id "
                             "LIMIT $2";
constexpr std::string_view kSave =
    "UPDATE application_drafts SET answers = $3, step = $4, form_version = $5, overlay_version = $7, "
    "revision = revision + 1, updated_at = $6 WHERE tenant_id = $1 AND id = $2 AND status = 'open'";
constexpr std::string_view kMarkSubmitted =
    "UPDATE application_drafts SET status = 'submitted', answers = $3, case_id = $4, protocol_label = $5, "
    "submitted_at = $6, due_date = $7, form_version = $9, overlay_version = $10, revision = revision + 1, "
    "updated_at = $8 "
    "WHERE tenant_id = $1 AND id = $2 AND status = 'open'";
constexpr std::string_view kPark =
    "INSERT INTO application_parked_posts (draft_id, tenant_id, token_hash, step, answers, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (draft_id) DO UPDATE SET token_hash = $3, step = $4, "
    "answers = $5, created_at = $6";
constexpr std::string_view kParked =
    "SELECT draft_id, tenant_id, step, answers, created_at FROM application_parked_posts "
    "WHERE tenant_id = $1 AND draft_id = $2 AND token_hash = $3";
constexpr std::string_view kUnpark =
    "DELETE FROM application_parked_posts WHERE tenant_id = $1 AND draft_id = $2";

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) throw db::DbError(db::DbError::Kind::other, "application_drafts: bad JSON");
  return std::move(v.as_object());
}

std::vector<std::string> parse_names(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& x : v.as_array())
    if (x.is_string()) out.emplace_back(x.as_string());
  return out;
}

std::string names_json(const std::vector<std::string>& names) {
  json::array a;
  for (const auto& n : names) a.emplace_back(n);
  return json::serialize(a);
}

Draft from_row(const db::Row& r) {
  Draft d;
  d.id = r.text(0);
  d.tenant_id = r.i64(1);
  d.service_code = r.text(2);
  d.form_code = r.text(3);
  d.form_version = static_cast<int>(r.i64(4));
  d.owner_cf = r.text(5);
  d.on_behalf_of = r.text(6);
  d.answers = parse_object(r.text(7));
  d.prefilled = parse_names(r.text(8));
  d.step = r.text(9);
  d.status = r.text(10) == "submitted" ? DraftStatus::submitted : DraftStatus::open;
  d.case_id = r.text(11);
  d.protocol_label = r.text(12);
  d.submitted_at = r.text(13);
  d.due_date = r.text(14);
  d.revision = r.i64(15);
  d.created_at = r.text(16);
  d.updated_at = r.text(17);
  d.overlay_version = static_cast<int>(r.i64(18));
  return d;
}

}  // namespace

void DraftStore::insert(db::Conn& tx, const Draft& d) {
  tx.exec(kInsert, {d.id, d.tenant_id, d.service_code, d.form_code, std::int64_t{d.form_version}, d.owner_cf,
                    d.on_behalf_of, json::serialize(d.answers), names_json(d.prefilled), d.step, d.created_at,
                    std::int64_t{d.overlay_version}});
}

std::optional<Draft> DraftStore::find(db::Conn& c, tenants::TenantId tenant, const std::string& id) {
  auto row = c.query_one(kFind, {tenant, id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::optional<Draft> DraftStore::find_open(db::Conn& c, tenants::TenantId tenant, const std::string& owner_cf,
                                           const std::string& on_behalf_of, const std::string& service_code) {
  auto row = c.query_one(kFindOpen, {tenant, owner_cf, on_behalf_of, service_code});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::int64_t DraftStore::save(db::Conn& tx, const Draft& d, const std::string& now_iso) {
  return tx.exec(kSave, {d.tenant_id, d.id, json::serialize(d.answers), d.step, std::int64_t{d.form_version},
                         now_iso, std::int64_t{d.overlay_version}});
}

std::int64_t DraftStore::mark_submitted(db::Conn& tx, const Draft& d, const std::string& now_iso) {
  return tx.exec(kMarkSubmitted,
                 {d.tenant_id, d.id, json::serialize(d.answers), d.case_id, d.protocol_label, d.submitted_at,
                  d.due_date, now_iso, std::int64_t{d.form_version}, std::int64_t{d.overlay_version}});
}

std::vector<Draft> DraftStore::by_owner(db::Conn& c, const std::string& owner_cf, int cap) {
  std::vector<Draft> out;
  for (const auto& r : c.query(kByOwner, {owner_cf, std::int64_t{cap}})) out.push_back(from_row(r));
  return out;
}

void DraftStore::park(db::Conn& tx, const ParkedPost& p, const std::string& token_hash) {
  tx.exec(kPark, {p.draft_id, p.tenant_id, token_hash, p.step, json::serialize(p.answers), p.created_at});
}

std::optional<ParkedPost> DraftStore::parked(db::Conn& c, tenants::TenantId tenant,
                                             const std::string& draft_id, const std::string& token_hash) {
  auto row = c.query_one(kParked, {tenant, draft_id, token_hash});
  if (!row) return std::nullopt;
  ParkedPost p;
  p.draft_id = row->text(0);
  p.tenant_id = row->i64(1);
  p.step = row->text(2);
  p.answers = parse_object(row->text(3));
  p.created_at = row->text(4);
  return p;
}

void DraftStore::unpark(db::Conn& tx, tenants::TenantId tenant, const std::string& draft_id) {
  tx.exec(kUnpark, {tenant, draft_id});
}

}  // namespace sp::applications
