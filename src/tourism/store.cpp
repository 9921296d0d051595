#include "tourism/store.hpp"

namespace sp::tourism::store {
namespace {

constexpr const char* kColumns =
    "id, tenant_id, kind, state, name, description_it, description_en, category, address, latitude, "
    "longitude, opening_hours, starts_on, ends_on, image_file_id, image_alt, created_by, created_at, "
    "updated_at, published_at, version";

constexpr const char* kInsert =
    "INSERT INTO tourism_items (id, tenant_id, kind, state, name, description_it, description_en, category, "
    "address, latitude, longitude, opening_hours, starts_on, ends_on, image_file_id, image_alt, created_by, "
    "created_at, updated_at, published_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12, $13, $14, $15, $16, $17, $18, $19, $20, 1)";
constexpr const char* kUpdate =
    "UPDATE tourism_items SET kind = $3, state = $4, name = $5, description_it = $6, description_en = $7, "
    "category = $8, address = $9, latitude = $10, longitude = $11, opening_hours = $12, starts_on = $13, "
    "ends_on = $14, image_file_id = $15, image_alt = $16, updated_at = $17, published_at = $18, "
    "version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $19";
constexpr const char* kNextSeq =
    "SELECT COALESCE(MAX(seq), 0) + 1 FROM tourism_item_history WHERE tenant_id = $1 AND item_id = $2";
constexpr const char* kAppendHistory =
    "INSERT INTO tourism_item_history (item_id, seq, tenant_id, action, from_state, to_state, actor, at, "
    "reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr const char* kHistory =
    "SELECT seq, action, from_state, to_state, actor, at, reason FROM tourism_item_history "
    "WHERE tenant_id = $1 AND item_id = $2 ORDER BY seq";
constexpr const char* kOrigins = "SELECT widget_origins FROM tourism_settings WHERE tenant_id = $1";
constexpr const char* kSetOrigins =
    "INSERT INTO tourism_settings (tenant_id, widget_origins, updated_at, updated_by) VALUES ($1, $2, $3, "
    "$4) "
    "ON CONFLICT (tenant_id) DO UPDATE SET widget_origins = excluded.widget_origins, "
    "updated_at = excluded.updated_at, updated_by = excluded.updated_by";

db::Value text_or_null(const std::string& s) {
  return s.empty() ? db::Value(nullptr) : db::Value(s);
}

db::Value real_or_null(const std::optional<double>& v) {
  return v ? db::Value(*v) : db::Value(nullptr);
}

Item item_of(const db::Row& r) {
  Item i;
  i.id = r.text(0);
  i.tenant_id = r.i64(1);
  i.kind = parse_kind(r.text(2)).value_or(Kind::poi);
  i.state = parse_state(r.text(3)).value_or(State::draft);
  i.name = r.text(4);
  i.description_it = r.text(5);
  i.description_en = r.text(6);
  i.category = r.text(7);
  i.address = r.text(8);
  if (!r.is_null(9)) i.latitude = r.f64(9);
  if (!r.is_null(10)) i.longitude = r.f64(10);
  i.opening_hours = r.text(11);
  i.starts_on = r.text(12);
  i.ends_on = r.text(13);
  i.image_file_id = r.text(14);
  i.image_alt = r.text(15);
  i.created_by = r.text(16);
  i.created_at = r.text(17);
  i.updated_at = r.text(18);
  i.published_at = r.text(19);
  i.version = r.i64(20);
  return i;
}

std::vector<Item> items_of(const std::vector<db::Row>& rows) {
  std::vector<Item> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(item_of(r));
  return out;
}

std::string select(const char* where_and_order) {
  return std::string("SELECT ") + kColumns + " FROM tourism_items " + where_and_order;
}

}  // namespace

void insert_item(db::Conn& tx, const Item& i) {
  tx.exec(kInsert, {i.id,
                    i.tenant_id,
                    std::string(to_string(i.kind)),
                    std::string(to_string(i.state)),
                    i.name,
                    i.description_it,
                    i.description_en,
                    i.category,
                    i.address,
                    real_or_null(i.latitude),
                    real_or_null(i.longitude),
                    i.opening_hours,
                    text_or_null(i.starts_on),
                    text_or_null(i.ends_on),
                    text_or_null(i.image_file_id),
                    i.image_alt,
                    i.created_by,
                    i.created_at,
                    i.updated_at,
                    text_or_null(i.published_at)});
}

bool update_item(db::Conn& tx, const Item& i, std::int64_t expected) {
  return tx.exec(kUpdate, {i.tenant_id, i.id, std::string(to_string(i.kind)), std::string(to_string(i.state)),
                           i.name, i.description_it, i.description_en, i.category, i.address,
                           real_or_null(i.latitude), real_or_null(i.longitude), i.opening_hours,
                           text_or_null(i.starts_on), text_or_null(i.ends_on), text_or_null(i.image_file_id),
                           i.image_alt, i.updated_at, text_or_null(i.published_at), expected}) == 1;
}

std::optional<Item> find_item(db::Conn& c, std::int64_t tenant, const std::string& id) {
  static const std::string sql = select("WHERE tenant_id = $1 AND id = $2");
  auto r = c.query_one(sql, {tenant, id});
  if (!r) return std::nullopt;
  return item_of(*r);
}

std::vector<Item> body_items(db::Conn& c, std::int64_t tenant) {
  static const std::string sql = select("WHERE tenant_id = $1 ORDER BY updated_at DESC, id LIMIT 1000");
  return items_of(c.query(sql, {tenant}));
}

std::vector<Item> submitted_items(db::Conn& c) {
  static const std::string sql = select("WHERE state = 'submitted' ORDER BY updated_at, id LIMIT 500");
  return items_of(c.query(sql));
}

std::vector<Item> published_items(db::Conn& c, const PublicQuery& q) {
  // One statement: each filter is either off ('' / 0) or compared; events are matched on the days they
  // run, points of interest on nothing but body, kind and category.
  static const std::string sql = select(
      "WHERE state = 'published' AND ($1 = 0 OR tenant_id = $1) AND ($2 = '' OR category = $2) "
      "AND ($3 = '' OR kind = $3) "
      "AND ($4 = '' OR kind = 'poi' OR ends_on >= $4) AND ($5 = '' OR kind = 'poi' OR starts_on <= $5) "
      "ORDER BY CASE WHEN kind = 'event' THEN 0 ELSE 1 END, starts_on, name, id LIMIT $6");
  return items_of(
      c.query(sql, {q.tenant, q.category, q.kind ? std::string(to_string(*q.kind)) : std::string(), q.from,
                    q.to, static_cast<std::int64_t>(q.limit)}));
}

void append_history(db::Conn& tx, const Item& item, Action action, State from, const std::string& actor,
                    const std::string& at, const std::string& reason) {
  const auto seq = tx.query_one(kNextSeq, {item.tenant_id, item.id})->i64(0);
  tx.exec(kAppendHistory,
          {item.id, seq, item.tenant_id, std::string(to_string(action)), std::string(to_string(from)),
           std::string(to_string(item.state)), actor, at, reason});
}

std::vector<HistoryEntry> history(db::Conn& c, std::int64_t tenant, const std::string& id) {
  std::vector<HistoryEntry> out;
  for (const auto& r : c.query(kHistory, {tenant, id})) {
    HistoryEntry h;
    h.seq = r.i64(0);
    const auto a = r.text(1);
    h.action = a == "submit"    ? Action::submit
               : a == "publish" ? Action::publish
               : a == "return"  ? Action::send_back
                                : Action::save;
    h.from = parse_state(r.text(2)).value_or(State::draft);
    h.to = parse_state(r.text(3)).value_or(State::draft);
    h.actor = r.text(4);
    h.at = r.text(5);
    h.reason = r.text(6);
    out.push_back(std::move(h));
  }
  return out;
}

std::string widget_origins(db::Conn& c, std::int64_t tenant) {
  auto r = c.query_one(kOrigins, {tenant});
  return r ? r->text(0) : std::string();
}

void set_widget_origins(db::Conn& tx, std::int64_t tenant, const std::string& origins, const std::string& at,
                        const std::string& by) {
  tx.exec(kSetOrigins, {tenant, origins, at, by});
}

}  // namespace sp::tourism::store
