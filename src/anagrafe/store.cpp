#include "anagrafe/store.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

namespace sp::anagrafe::store {
namespace {

// The format's keys are the table's column names, in kKeys order.
std::string columns(const char* prefix = "") {
  std::string out;
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (i) out += ", ";
    out += prefix;
    out += kKeys[i];
  }
  return out;
}

const std::string& version_columns() {
  static const std::string s = columns("v.");
  return s;
}

constexpr const char* kBeginImport =
    "INSERT INTO anagrafe_imports (tenant_id, file_name, format, actor, started_at) VALUES ($1, $2, $3, $4, "
    "$5) "
    "RETURNING id";
constexpr const char* kFinishImport =
    "UPDATE anagrafe_imports SET finished_at = $3, rows_read = $4, inserted = $5, unchanged = $6, errors = "
    "$7 "
    "WHERE tenant_id = $1 AND id = $2";
constexpr const char* kAddError =
    "INSERT INTO anagrafe_import_errors (import_id, line, codice_fiscale, code, detail) VALUES ($1, $2, $3, "
    "$4, "
    "$5) ON CONFLICT DO NOTHING";
constexpr const char* kAddStreet =
    "INSERT INTO anagrafe_streets (tenant_id, specie, denominazione, import_id) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT DO NOTHING";
constexpr const char* kStreets =
    "SELECT specie, denominazione FROM anagrafe_streets WHERE tenant_id = $1 ORDER BY denominazione, specie";
constexpr const char* kCountPeople =
    "SELECT COUNT(DISTINCT codice_fiscale), COUNT(*) FROM anagrafe_versions WHERE tenant_id = $1";
constexpr const char* kCountStreets = "SELECT COUNT(*) FROM anagrafe_streets WHERE tenant_id = $1";
constexpr const char* kAny = "SELECT 1 FROM anagrafe_versions LIMIT 1";
constexpr const char* kImportColumns =
    "id, file_name, format, started_at, finished_at, rows_read, inserted, unchanged, errors, actor";
constexpr const char* kImportErrors =
    "SELECT e.line, e.codice_fiscale, e.code, e.detail FROM anagrafe_import_errors e JOIN anagrafe_imports i "
    "ON "
    "i.id = e.import_id WHERE i.tenant_id = $1 AND e.import_id = $2 ORDER BY e.line";

// Rows per INSERT statement, a power of two: on PostgreSQL 512 (27 parameters each: 13,824, under its
// 65,535), fewer round trips per batch; on SQLite 64, because its parser and sqlite3_bind_parameter_name
// look named parameters ($1 ...) up in a list, so preparing a statement costs the square of its
// parameters (512 rows took seconds to prepare) while a longer statement saves nothing in-process.
std::size_t max_rows_per_statement(const db::Conn& c) {
  return c.dialect() == db::Dialect::postgres ? 512 : 64;
}
constexpr std::size_t kLargestStatement = 512;

std::string insert_sql(std::size_t n) {
  std::string sql =
      "INSERT INTO anagrafe_versions (tenant_id, import_id, " + columns() + ", content_hash) VALUES ";
  std::size_t p = 3;
  for (std::size_t r = 0; r < n; ++r) {
    sql += r ? ", ($1, $2" : "($1, $2";
    for (std::size_t i = 0; i <= kFieldCount; ++i) sql += ", $" + std::to_string(p++);
    sql += ")";
  }
  sql += " ON CONFLICT DO NOTHING RETURNING codice_fiscale, data_variazione";
  return sql;
}

std::string existing_sql(std::size_t n) {
  std::string sql =
      "SELECT codice_fiscale, data_variazione, content_hash FROM anagrafe_versions WHERE tenant_id = $1 AND "
      "codice_fiscale IN (";
  for (std::size_t i = 0; i < n; ++i) sql += (i ? ", $" : "$") + std::to_string(i + 2);
  return sql + ")";
}

// How many rows the next statement takes when `left` remain: the largest power of two not above `left`
// nor `most`. Statements thus come in ten sizes, each prepared once per connection, whatever the batches'
// lengths (a batch ends with a person, so its length varies).
std::size_t chunk(std::size_t left, std::size_t most) {
  std::size_t n = 1;
  while (n * 2 <= left && n * 2 <= most) n *= 2;
  return n;
}

// The statements' texts, made once: [k] for 2^k rows.
template <std::string (*Make)(std::size_t)>
const std::string& sql_for(std::size_t n) {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> v;
    for (std::size_t k = 1; k <= kLargestStatement; k *= 2) v.push_back(Make(k));
    return v;
  }();
  std::size_t i = 0;
  for (std::size_t k = 1; k < n; k *= 2) ++i;
  return texts.at(i);
}

PersonVersion read_version(const db::Row& r, std::size_t first = 0) {
  PersonVersion p;
  for (std::size_t i = 0; i < kFieldCount; ++i) p.f[i] = r.text(first + i);
  return p;
}

ImportRun read_import(const db::Row& r) {
  return ImportRun{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4),
                   r.i64(5), r.i64(6),  r.i64(7),  r.i64(8),  r.text(9)};
}

const std::string& current_sql() {
  static const std::string s = "SELECT " + version_columns() +
                               " FROM anagrafe_versions v WHERE v.tenant_id = $1 AND v.codice_fiscale = $2 "
                               "AND v.data_variazione <= $3 ORDER BY v.data_variazione DESC LIMIT 1";
  return s;
}
const std::string& history_sql() {
  static const std::string s = "SELECT " + version_columns() +
                               " FROM anagrafe_versions v WHERE v.tenant_id = $1 AND v.codice_fiscale = $2 "
                               "ORDER BY v.data_variazione";
  return s;
}
// The latest version not after the day of each person who ever was in the household.
const std::string& household_sql() {
  static const std::string s =
      "SELECT " + version_columns() +
      " FROM anagrafe_versions v WHERE v.tenant_id = $1 AND v.codice_fiscale IN (SELECT codice_fiscale FROM "
      "anagrafe_versions WHERE tenant_id = $1 AND id_famiglia = $2) AND v.data_variazione = (SELECT "
      "MAX(w.data_variazione) FROM anagrafe_versions w WHERE w.tenant_id = v.tenant_id AND w.codice_fiscale "
      "= "
      "v.codice_fiscale AND w.data_variazione <= $3) ORDER BY v.relazione_parentela, v.data_nascita, "
      "v.codice_fiscale";
  return s;
}
const std::string& residences_sql() {
  static const std::string s =
      "SELECT v.tenant_id, " + version_columns() +
      " FROM anagrafe_versions v WHERE v.codice_fiscale = $1 AND v.data_variazione = (SELECT "
      "MAX(w.data_variazione) FROM anagrafe_versions w WHERE w.tenant_id = v.tenant_id AND w.codice_fiscale "
      "= "
      "v.codice_fiscale AND w.data_variazione <= $2) ORDER BY v.tenant_id";
  return s;
}

}  // namespace

std::int64_t begin_import(db::Conn& tx, std::int64_t tenant, const std::string& file_name, Format format,
                          const std::string& actor, const std::string& started_at) {
  auto r = tx.query_one(
      kBeginImport,
      {tenant, file_name, std::string(format == Format::csv ? "csv" : "jsonl"), actor, started_at});
  return r->i64(0);
}

void finish_import(db::Conn& tx, std::int64_t tenant, std::int64_t import_id, const std::string& finished_at,
                   const ImportReport& report) {
  tx.exec(kFinishImport,
          {tenant, import_id, finished_at, static_cast<std::int64_t>(report.rows),
           static_cast<std::int64_t>(report.inserted), static_cast<std::int64_t>(report.unchanged),
           static_cast<std::int64_t>(report.error_count)});
}

void add_import_errors(db::Conn& tx, std::int64_t import_id, const std::vector<RowError>& errors) {
  for (const auto& e : errors)
    tx.exec(kAddError, {import_id, static_cast<std::int64_t>(e.line), e.codice_fiscale, e.code, e.detail});
}

std::vector<Outcome> insert_versions(db::Conn& tx, std::int64_t tenant, std::int64_t import_id,
                                     const std::vector<PersonVersion>& versions,
                                     const std::vector<std::string>& hashes) {
  using Key = std::pair<std::string, std::string>;  // codice fiscale, data_variazione
  auto key_of = [&](std::size_t i) {
    return Key{versions[i][F::codice_fiscale], versions[i][F::data_variazione]};
  };
  using View = std::pair<std::string_view, std::string_view>;
  auto view_of = [&](std::size_t i) {
    return View{versions[i][F::codice_fiscale], versions[i][F::data_variazione]};
  };
  std::vector<Outcome> out(versions.size(), Outcome::inserted);
  // In key order (no copies of the keys): the same version twice in one batch is found next to itself,
  // and the first one in the file stands for both. The rows are then written in key order too.
  std::vector<std::size_t> order(versions.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return view_of(a) < view_of(b); });
  std::vector<std::size_t> todo;
  todo.reserve(versions.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto i = order[k];
    if (!todo.empty() && view_of(todo.back()) == view_of(i)) {
      out[i] = hashes[todo.back()] == hashes[i] ? Outcome::unchanged : Outcome::conflict;
    } else {
      todo.push_back(i);
    }
  }
  // RETURNING names the rows inserted; when a statement inserts fewer than it was given, the others were
  // there already.
  const std::size_t most = max_rows_per_statement(tx);
  std::vector<std::size_t> present;
  for (std::size_t at = 0, n = 0; at < todo.size(); at += n) {
    n = chunk(todo.size() - at, most);
    db::Params params;
    params.reserve(2 + n * (kFieldCount + 1));
    params.emplace_back(tenant);
    params.emplace_back(import_id);
    for (std::size_t k = 0; k < n; ++k) {
      const auto& v = versions[todo[at + k]];
      for (const auto& value : v.f) params.emplace_back(value);
      params.emplace_back(hashes[todo[at + k]]);
    }
    const auto rows = tx.query(sql_for<insert_sql>(n), params);
    if (rows.size() == n) continue;
    std::set<Key> inserted;
    for (const auto& r : rows) inserted.emplace(r.text(0), r.text(1));
    for (std::size_t k = 0; k < n; ++k)
      if (!inserted.count(key_of(todo[at + k]))) present.push_back(todo[at + k]);
  }
  // The versions that were there already: the same values (unchanged) or not (conflict).
  for (std::size_t at = 0, n = 0; at < present.size(); at += n) {
    n = chunk(present.size() - at, most);
    db::Params params{tenant};
    for (std::size_t k = 0; k < n; ++k) params.emplace_back(versions[present[at + k]][F::codice_fiscale]);
    std::map<Key, std::string> stored;
    for (const auto& r : tx.query(sql_for<existing_sql>(n), params))
      stored[{r.text(0), r.text(1)}] = r.text(2);
    for (std::size_t k = 0; k < n; ++k) {
      const auto i = present[at + k];
      auto it = stored.find(key_of(i));
      out[i] = it != stored.end() && it->second == hashes[i] ? Outcome::unchanged : Outcome::conflict;
    }
  }
  return out;
}

std::size_t add_streets(db::Conn& tx, std::int64_t tenant, std::int64_t import_id,
                        const std::vector<Street>& streets) {
  std::size_t added = 0;
  for (const auto& s : streets)
    added += static_cast<std::size_t>(tx.exec(kAddStreet, {tenant, s.specie, s.denominazione, import_id}));
  return added;
}

std::optional<PersonVersion> current(db::Conn& c, std::int64_t tenant, const std::string& cf,
                                     const std::string& day) {
  auto r = c.query_one(current_sql(), {tenant, cf, day});
  if (!r) return std::nullopt;
  return read_version(*r);
}

std::vector<PersonVersion> history(db::Conn& c, std::int64_t tenant, const std::string& cf) {
  std::vector<PersonVersion> out;
  for (const auto& r : c.query(history_sql(), {tenant, cf})) out.push_back(read_version(r));
  return out;
}

std::vector<PersonVersion> household(db::Conn& c, std::int64_t tenant, const std::string& id_famiglia,
                                     const std::string& day) {
  std::vector<PersonVersion> out;
  for (const auto& r : c.query(household_sql(), {tenant, id_famiglia, day})) out.push_back(read_version(r));
  return out;
}

std::vector<Residence> residences(db::Conn& c, const std::string& cf, const std::string& day) {
  std::vector<Residence> out;
  for (const auto& r : c.query(residences_sql(), {cf, day}))
    out.push_back(Residence{r.i64(0), read_version(r, 1)});
  return out;
}

std::vector<std::string> residents(db::Conn& c, std::int64_t tenant, const std::string& day,
                                   const std::vector<std::string>& streets) {
  // $3: "|VIA ROMA|CORSO ALFIERI|" or "" for every street (instr on SQLite, strpos on PostgreSQL).
  static const std::string base =
      "SELECT v.codice_fiscale FROM anagrafe_versions v WHERE v.tenant_id = $1 AND v.data_variazione = "
      "(SELECT MAX(w.data_variazione) FROM anagrafe_versions w WHERE w.tenant_id = v.tenant_id AND "
      "w.codice_fiscale = v.codice_fiscale AND w.data_variazione <= $2) AND v.data_cancellazione = '' AND "
      "v.data_decesso = '' AND ($3 = '' OR ";
  static const std::string sqlite_sql =
      base +
      "instr($3, '|' || v.specie_via || ' ' || v.denominazione_via || '|') > 0) ORDER BY v.codice_fiscale";
  static const std::string pg_sql =
      base +
      "strpos($3, '|' || v.specie_via || ' ' || v.denominazione_via || '|') > 0) ORDER BY v.codice_fiscale";
  std::string set;
  if (!streets.empty()) {
    set = "|";
    for (const auto& s : streets) set += s + "|";
  }
  std::vector<std::string> out;
  for (const auto& r :
       c.query(c.dialect() == db::Dialect::postgres ? pg_sql : sqlite_sql, {tenant, day, set}))
    out.push_back(r.text(0));
  return out;
}

std::vector<Street> streets(db::Conn& c, std::int64_t tenant) {
  std::vector<Street> out;
  for (const auto& r : c.query(kStreets, {tenant})) out.push_back(Street{r.text(0), r.text(1)});
  return out;
}

RegisterCounts counts(db::Conn& c, std::int64_t tenant) {
  RegisterCounts out;
  if (auto r = c.query_one(kCountPeople, {tenant})) {
    out.people = r->i64(0);
    out.versions = r->i64(1);
  }
  if (auto r = c.query_one(kCountStreets, {tenant})) out.streets = r->i64(0);
  return out;
}

bool any_version(db::Conn& c) {
  return c.query_one(kAny).has_value();
}

std::vector<ImportRun> imports(db::Conn& c, std::int64_t tenant, int limit) {
  std::vector<ImportRun> out;
  const std::string sql = std::string("SELECT ") + kImportColumns +
                          " FROM anagrafe_imports WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2";
  for (const auto& r : c.query(sql, {tenant, static_cast<std::int64_t>(limit)}))
    out.push_back(read_import(r));
  return out;
}

std::optional<ImportRun> import_run(db::Conn& c, std::int64_t tenant, std::int64_t import_id) {
  const std::string sql =
      std::string("SELECT ") + kImportColumns + " FROM anagrafe_imports WHERE tenant_id = $1 AND id = $2";
  auto r = c.query_one(sql, {tenant, import_id});
  if (!r) return std::nullopt;
  return read_import(*r);
}

std::vector<RowError> import_errors(db::Conn& c, std::int64_t tenant, std::int64_t import_id) {
  std::vector<RowError> out;
  for (const auto& r : c.query(kImportErrors, {tenant, import_id}))
    out.push_back(RowError{static_cast<std::size_t>(r.i64(0)), r.text(1), r.text(2), r.text(3)});
  return out;
}

std::optional<std::string> last_poll_end(db::Conn& c, std::int64_t tenant) {
  auto r = c.query_one(
      "SELECT period_to FROM anagrafe_anpr_polls WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1", {tenant});
  if (!r) return std::nullopt;
  return r->text(0);
}

std::vector<std::string> known_notifications(db::Conn& c, std::int64_t tenant,
                                             const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  for (const auto& id : ids)
    if (c.query_one(
            "SELECT 1 FROM anagrafe_anpr_notifications WHERE tenant_id = $1 AND anpr_operation_id = $2",
            {tenant, id}))
      out.push_back(id);
  return out;
}

std::int64_t add_poll(db::Conn& tx, std::int64_t tenant, const SyncReport& r, const std::string& created_at) {
  auto row = tx.query_one(
      "INSERT INTO anagrafe_anpr_polls (tenant_id, period_from, period_to, received, applied, known, "
      "refused, "
      "import_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
      {tenant, r.period_from, r.period_to, static_cast<std::int64_t>(r.received),
       static_cast<std::int64_t>(r.applied), static_cast<std::int64_t>(r.known),
       static_cast<std::int64_t>(r.refused), r.import_id ? db::Value{r.import_id} : db::Value{nullptr},
       created_at});
  return row->i64(0);
}

void add_notifications(db::Conn& tx, std::int64_t tenant, std::int64_t poll_id,
                       const std::vector<NotificationOutcome>& outcomes,
                       const std::vector<std::string>& operations) {
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const auto& o = outcomes[i];
    if (o.outcome == "known") continue;
    tx.exec(
        "INSERT INTO anagrafe_anpr_notifications (tenant_id, anpr_operation_id, operation, codice_fiscale, "
        "outcome, reason, poll_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        {tenant, o.anpr_operation_id, operations[i], o.codice_fiscale, o.outcome, o.reason, poll_id});
  }
}

}  // namespace sp::anagrafe::store
