#include "export/store.hpp"

#include <cctype>
#include <stdexcept>

namespace sp::body_export::store {
namespace {

constexpr const char* kSqliteTables =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
constexpr const char* kPgTables =
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
    "AND table_type = 'BASE TABLE' ORDER BY table_name";
constexpr const char* kSqliteColumns = "SELECT name, type FROM pragma_table_info($1) ORDER BY cid";
constexpr const char* kPgColumns =
    "SELECT column_name, data_type, is_identity, COALESCE(column_default, '') FROM "
    "information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position";

constexpr const char* kFindBody =
    "SELECT b.id, b.hub_id, b.slug, b.name, b.fiscal_code, COALESCE(b.belfiore_code, ''), "
    "COALESCE((SELECT MIN(a.admin_code) FROM aoo a WHERE a.tenant_id = b.id), ''), b.active FROM bodies b "
    "WHERE b.slug = $1 OR b.fiscal_code = $1 OR lower('c_' || COALESCE(b.belfiore_code, '')) = lower($1) "
    "OR b.id IN (SELECT a.tenant_id FROM aoo a WHERE lower(a.admin_code) = lower($1)) ORDER BY b.id LIMIT 1";
constexpr const char* kFileContent = "SELECT content FROM stored_files WHERE id = $1 AND tenant_id = $2";
constexpr const char* kAnyHub = "SELECT id FROM hubs ORDER BY id LIMIT 1";

constexpr const char* kInsertRun =
    "INSERT INTO export_runs (id, tenant_id, state, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kStartRun = "UPDATE export_runs SET state = 'running' WHERE id = $1";
constexpr const char* kFinishRun =
    "UPDATE export_runs SET state = $2, finished_at = $3, out_dir = $4, manifest_sha256 = $5, counts = $6, "
    "error = $7 WHERE id = $1";
constexpr const char* kRunColumns =
    "SELECT id, tenant_id, state, requested_by, requested_at, COALESCE(finished_at, ''), out_dir, "
    "manifest_sha256, counts, error, archive_size, archive_sha256 FROM export_runs ";
constexpr const char* kSetArchive =
    "UPDATE export_runs SET archive_size = $2, archive_sha256 = $3 WHERE id = $1";
constexpr const char* kInsertLink =
    "INSERT INTO export_links (token_hash, run_id, tenant_id, created_by, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kLinkForUse =
    "SELECT run_id, tenant_id, expires_at, COALESCE(used_at, '') FROM export_links WHERE token_hash = $1";
constexpr const char* kUseLink = "UPDATE export_links SET used_at = $2, used_by = $3 WHERE token_hash = $1";
constexpr const char* kDeparted = "SELECT left_at FROM body_departures WHERE tenant_id = $1";
constexpr const char* kInsertDeparture =
    "INSERT INTO body_departures (tenant_id, left_at, left_by, export_id, manifest_sha256, reason) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kRevokeSessions =
    "UPDATE sessions SET revoked_at = $2 WHERE tenant_id = $1 AND kind = 'staff' AND revoked_at IS NULL";
constexpr const char* kRevokeApiKeys =
    "UPDATE api_keys SET revoked_at = $2 WHERE tenant_id = $1 AND revoked_at IS NULL";
constexpr const char* kRevokeInbound =
    "UPDATE inbound_credentials SET secret_hash = '', cert_fingerprint = '', rotated_at = $2 WHERE tenant_id "
    "= $1";

std::string quoted(const std::string& ident) {
  // Names come from exported_tables() and the catalog; quoting keeps a reserved word usable anyway.
  for (char ch : ident)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
      throw std::invalid_argument("export: unexpected identifier " + ident);
  return "\"" + ident + "\"";
}

std::string select_list(const db::Conn& c, const std::vector<Column>& cols) {
  std::string out;
  for (const auto& col : cols) {
    if (!out.empty()) out += ", ";
    if (col.timestamptz && c.dialect() == db::Dialect::postgres)
      out += "to_char(" + quoted(col.name) + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS " +
             quoted(col.name);
    else
      out += quoted(col.name);
  }
  return out;
}

std::string scope_where(const TableSpec& spec) {
  switch (spec.scope) {
    case Scope::body:
    case Scope::hub:
      return "id = $1";
    case Scope::direct:
      return quoted(spec.column) + " = $1";
    case Scope::child:
      return quoted(spec.column) + " IN (SELECT " + quoted(spec.parent_key) + " FROM " + quoted(spec.parent) +
             " WHERE tenant_id = $1)";
    case Scope::referenced:
      return "(" + spec.referenced_where + ")";
  }
  return "1 = 0";
}

}  // namespace

std::vector<std::string> tables(db::Conn& c) {
  std::vector<std::string> out;
  for (const auto& r : c.query(c.dialect() == db::Dialect::sqlite ? kSqliteTables : kPgTables))
    out.push_back(r.text(0));
  return out;
}

std::vector<Column> columns(db::Conn& c, const std::string& table) {
  std::vector<Column> out;
  if (c.dialect() == db::Dialect::sqlite) {
    for (const auto& r : c.query(kSqliteColumns, {table})) {
      Column col;
      col.name = r.text(0);
      std::string type = r.text(1);
      for (auto& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      col.blob = type == "BLOB";
      out.push_back(col);
    }
  } else {
    for (const auto& r : c.query(kPgColumns, {table})) {
      Column col;
      col.name = r.text(0);
      col.blob = r.text(1) == "bytea";
      col.timestamptz = r.text(1) == "timestamp with time zone";
      col.identity = r.text(2) == "YES" || r.text(3).rfind("nextval(", 0) == 0;
      out.push_back(col);
    }
  }
  return out;
}

std::optional<BodyRef> find_body(db::Conn& c, const std::string& ref) {
  auto r = c.query_one(kFindBody, {ref});
  if (!r) return std::nullopt;
  BodyRef b;
  b.id = r->i64(0);
  b.hub_id = r->i64(1);
  b.slug = r->text(2);
  b.name = r->text(3);
  b.fiscal_code = r->text(4);
  std::string belfiore = r->text(5);
  for (auto& ch : belfiore) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  b.ipa_code = !r->text(6).empty() ? r->text(6) : (belfiore.empty() ? b.slug : "c_" + belfiore);
  b.active = r->boolean(7);
  return b;
}

std::optional<std::string> body_slug(db::Conn& c, std::int64_t id) {
  auto r = c.query_one("SELECT slug FROM bodies WHERE id = $1", {id});
  if (!r) return std::nullopt;
  return r->text(0);
}

bool body_taken(db::Conn& c, std::int64_t id, const std::string& slug) {
  return c.query_one("SELECT id FROM bodies WHERE id = $1 OR slug = $2", {id, slug}).has_value();
}

void begin_snapshot(db::Conn& c) {
  if (c.dialect() == db::Dialect::postgres) c.exec_script("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

void end_snapshot(db::Conn& c, bool commit) {
  if (c.dialect() == db::Dialect::postgres) c.exec_script(commit ? "COMMIT" : "ROLLBACK");
}

std::vector<db::Row> page(db::Conn& c, const TableSpec& spec, const std::vector<Column>& cols,
                          std::int64_t tenant, std::int64_t hub_id, const std::vector<db::Value>& after,
                          int limit) {
  std::string sql =
      "SELECT " + select_list(c, cols) + " FROM " + quoted(spec.name) + " WHERE " + scope_where(spec);
  db::Params params{spec.scope == Scope::hub ? hub_id : tenant};
  std::string order;
  std::string keys;
  std::string marks;
  for (std::size_t i = 0; i < spec.key.size(); ++i) {
    const std::string k = quoted(spec.key[i]);
    order += (i ? ", " : "") + k;
    keys += (i ? ", " : "") + spec.name + "." + k;
    marks += (i ? ", $" : "$") + std::to_string(i + 2);
  }
  if (!after.empty()) {
    sql += spec.key.size() == 1 ? " AND " + keys + " > " + marks : " AND (" + keys + ") > (" + marks + ")";
    for (const auto& v : after) params.push_back(v);
  }
  sql += " ORDER BY " + order + " LIMIT " + std::to_string(limit);
  return c.query(sql, params);
}

std::vector<db::Row> rows_where(db::Conn& c, const std::string& table, const std::vector<Column>& cols,
                                const std::string& where, const db::Value& param, int limit) {
  return c.query("SELECT " + select_list(c, cols) + " FROM " + quoted(table) + " WHERE " + where + " LIMIT " +
                     std::to_string(limit),
                 {param});
}

std::optional<std::string> file_content(db::Conn& c, std::int64_t tenant, const std::string& id) {
  auto r = c.query_one(kFileContent, {id, tenant});
  if (!r || r->is_null(0)) return std::nullopt;
  return r->blob(0);
}

void insert(db::Conn& c, const std::string& table, const std::vector<std::string>& cols,
            const db::Params& values, const std::string& merge_on) {
  std::string names;
  std::string marks;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    names += (i ? ", " : "") + quoted(cols[i]);
    marks += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  std::string sql = "INSERT INTO " + quoted(table) + " (" + names + ")";
  if (c.dialect() == db::Dialect::postgres) sql += " OVERRIDING SYSTEM VALUE";
  sql += " VALUES (" + marks + ")";
  if (!merge_on.empty()) sql += " ON CONFLICT DO NOTHING";
  c.exec(sql, values);
}

std::optional<std::int64_t> id_by(db::Conn& c, const std::string& table, const std::string& column,
                                  const db::Value& value) {
  auto r = c.query_one("SELECT id FROM " + quoted(table) + " WHERE " + quoted(column) + " = $1", {value});
  if (!r) return std::nullopt;
  return r->i64(0);
}

std::optional<std::string> text_by(db::Conn& c, const std::string& table, const std::string& column,
                                   const std::string& where_column, const db::Value& value) {
  auto r = c.query_one(
      "SELECT " + quoted(column) + " FROM " + quoted(table) + " WHERE " + quoted(where_column) + " = $1",
      {value});
  if (!r) return std::nullopt;
  return r->text(0);
}

std::int64_t count_rows(db::Conn& c, const std::string& table) {
  return c.query_one("SELECT COUNT(*) FROM " + quoted(table))->i64(0);
}

std::int64_t any_hub(db::Conn& c) {
  auto r = c.query_one(kAnyHub);
  return r ? r->i64(0) : 0;
}

void reset_sequences(db::Conn& c, const std::string& table, const std::vector<Column>& cols) {
  if (c.dialect() != db::Dialect::postgres) return;  // SQLite's rowids and AUTOINCREMENT follow by themselves
  for (const auto& col : cols) {
    if (!col.identity) continue;
    c.query("SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT COALESCE(MAX(" +
                quoted(col.name) + "), 0) FROM " + quoted(table) + "), 1))",
            {table, col.name});
  }
}

void insert_run(db::Conn& c, const ExportRun& r) {
  c.exec(kInsertRun, {r.id, r.tenant_id, r.state, r.requested_by, r.requested_at});
}

void start_run(db::Conn& c, const std::string& id) {
  c.exec(kStartRun, {id});
}

void finish_run(db::Conn& c, const std::string& id, const std::string& state, const std::string& finished_at,
                const std::string& out_dir, const std::string& manifest_sha256, const std::string& counts,
                const std::string& error) {
  c.exec(kFinishRun, {id, state, finished_at, out_dir, manifest_sha256, counts, error});
}

namespace {
ExportRun to_run(const db::Row& r) {
  return ExportRun{r.text(0), r.i64(1),  r.text(2), r.text(3), r.text(4), r.text(5),
                   r.text(6), r.text(7), r.text(8), r.text(9), r.i64(10), r.text(11)};
}
}  // namespace

void set_archive(db::Conn& c, const std::string& id, std::int64_t size, const std::string& sha256) {
  c.exec(kSetArchive, {id, size, sha256});
}

void insert_link(db::Conn& c, const std::string& token_hash, const ExportRun& r, const std::string& by,
                 const std::string& at, const std::string& expires_at) {
  c.exec(kInsertLink, {token_hash, r.id, r.tenant_id, by, at, expires_at});
}

std::optional<ExportLink> link_for_use(db::Conn& c, const std::string& token_hash) {
  auto r = c.query_one(c.dialect() == db::Dialect::postgres ? std::string(kLinkForUse) + " FOR UPDATE"
                                                            : std::string(kLinkForUse),
                       {token_hash});
  if (!r) return std::nullopt;
  return ExportLink{r->text(0), r->i64(1), r->text(2), r->text(3)};
}

void use_link(db::Conn& c, const std::string& token_hash, const std::string& at, const std::string& by) {
  c.exec(kUseLink, {token_hash, at, by});
}

std::vector<ExportRun> runs(db::Database& db, std::int64_t tenant, int limit) {
  return db::read_all(db,
                      std::string(kRunColumns) +
                          "WHERE tenant_id = $1 ORDER BY requested_at DESC, id LIMIT " +
                          std::to_string(limit),
                      {tenant}, to_run);
}

std::optional<ExportRun> run(db::Database& db, std::int64_t tenant, const std::string& id) {
  return db::read_one(db, std::string(kRunColumns) + "WHERE tenant_id = $1 AND id = $2", {tenant, id},
                      to_run);
}

std::optional<std::string> departed(db::Conn& c, std::int64_t tenant) {
  auto r = c.query_one(kDeparted, {tenant});
  if (!r) return std::nullopt;
  return r->text(0);
}

void insert_departure(db::Conn& c, std::int64_t tenant, const std::string& at, const std::string& by,
                      const std::string& export_id, const std::string& manifest_sha256,
                      const std::string& reason) {
  c.exec(kInsertDeparture, {tenant, at, by, export_id, manifest_sha256, reason});
}

void deactivate_body(db::Conn& c, std::int64_t tenant) {
  c.exec(c.dialect() == db::Dialect::postgres ? "UPDATE bodies SET active = FALSE WHERE id = $1"
                                              : "UPDATE bodies SET active = 0 WHERE id = $1",
         {tenant});
}

void revoke_access(db::Conn& c, std::int64_t tenant, const std::string& at) {
  c.exec(kRevokeSessions, {tenant, at});
  c.exec(kRevokeApiKeys, {tenant, at});
  c.exec(kRevokeInbound, {tenant, at});
}

}  // namespace sp::body_export::store
