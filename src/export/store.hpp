#pragma once
// All the SQL of the export and the import: the live schema (which tables and columns the database has),
// one page of a table's rows of a body in key order, inserting rows as they were, and the bookkeeping
// tables (export_runs, body_departures). Table and column names in the statements built here come only
// from exported_tables() and from the database's own catalog, never from an export's files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "export/tables.hpp"

namespace sp::body_export {

struct Column {
  std::string name;
  bool blob = false;         // BLOB / BYTEA: written as a file of its own
  bool timestamptz = false;  // PostgreSQL TIMESTAMPTZ: read as UTC ISO 8601 text, as SQLite keeps it
  bool identity = false;     // PostgreSQL: a sequence-backed column to move past the imported values
};

struct BodyRef {
  std::int64_t id = 0;
  std::int64_t hub_id = 0;
  std::string slug;
  std::string name;
  std::string fiscal_code;
  std::string ipa_code;  // "c_a479" for a comune with Belfiore A479; the AOO's admin code when it has one
  bool active = true;
};

struct ExportRun {
  std::string id;
  std::int64_t tenant_id = 0;
  std::string state;
  std::string requested_by;
  std::string requested_at;
  std::string finished_at;
  std::string out_dir;
  std::string manifest_sha256;
  std::string counts;
  std::string error;
  std::int64_t archive_size = 0;  // the downloadable <out_dir>.tar, once written (0: none)
  std::string archive_sha256;
};

// A download link of an export's archive (export_links): works once, until expires_at.
struct ExportLink {
  std::string run_id;
  std::int64_t tenant_id = 0;
  std::string expires_at;
  std::string used_at;
};

namespace store {

std::vector<std::string> tables(db::Conn& c);
std::vector<Column> columns(db::Conn& c, const std::string& table);

// Finds a body by slug, IPA code (c_<belfiore>, or its AOO's administration code) or fiscal code.
std::optional<BodyRef> find_body(db::Conn& c, const std::string& ref);
std::optional<std::string> body_slug(db::Conn& c, std::int64_t id);
bool body_taken(db::Conn& c, std::int64_t id, const std::string& slug);

// PostgreSQL: one REPEATABLE READ, READ ONLY transaction around the whole export (SQLite's read
// connection already is one snapshot).
void begin_snapshot(db::Conn& c);
void end_snapshot(db::Conn& c, bool commit);

// One page of `spec`'s rows of `tenant`, in key order, after the key values `after` (none: the first).
std::vector<db::Row> page(db::Conn& c, const TableSpec& spec, const std::vector<Column>& cols,
                          std::int64_t tenant, std::int64_t hub_id, const std::vector<db::Value>& after,
                          int limit);
// Up to `limit` rows of `table` (the columns `cols`) matching `where` ($1 = `param`), in the table's own
// order; for a person's own data (src/privacy), whose conditions are constants of that module.
std::vector<db::Row> rows_where(db::Conn& c, const std::string& table, const std::vector<Column>& cols,
                                const std::string& where, const db::Value& param, int limit);
// A stored file's bytes kept in the database (storage 'database').
std::optional<std::string> file_content(db::Conn& c, std::int64_t tenant, const std::string& id);

// Inserts one row as it was. `merge`: nothing happens when a row with the same `natural_key` exists.
void insert(db::Conn& c, const std::string& table, const std::vector<std::string>& cols,
            const db::Params& values, const std::string& merge_on);
std::optional<std::int64_t> id_by(db::Conn& c, const std::string& table, const std::string& column,
                                  const db::Value& value);
std::optional<std::string> text_by(db::Conn& c, const std::string& sql_table, const std::string& column,
                                   const std::string& where_column, const db::Value& value);
std::int64_t count_rows(db::Conn& c, const std::string& table);
std::int64_t any_hub(db::Conn& c);  // the id of a hub of the target, 0 when none
// PostgreSQL: moves each identity/serial sequence of `table` past the values now in it.
void reset_sequences(db::Conn& c, const std::string& table, const std::vector<Column>& cols);

void insert_run(db::Conn& c, const ExportRun& r);
void finish_run(db::Conn& c, const std::string& id, const std::string& state, const std::string& finished_at,
                const std::string& out_dir, const std::string& manifest_sha256, const std::string& counts,
                const std::string& error);
void start_run(db::Conn& c, const std::string& id);
void set_archive(db::Conn& c, const std::string& id, std::int64_t size, const std::string& sha256);
void insert_link(db::Conn& c, const std::string& token_hash, const ExportRun& r, const std::string& by,
                 const std::string& at, const std::string& expires_at);
// The link, locked for its one use (FOR UPDATE on PostgreSQL; SQLite's writer serialises).
std::optional<ExportLink> link_for_use(db::Conn& c, const std::string& token_hash);
void use_link(db::Conn& c, const std::string& token_hash, const std::string& at, const std::string& by);
std::vector<ExportRun> runs(db::Database& db, std::int64_t tenant, int limit);
std::optional<ExportRun> run(db::Database& db, std::int64_t tenant, const std::string& id);

std::optional<std::string> departed(db::Conn& c, std::int64_t tenant);
void insert_departure(db::Conn& c, std::int64_t tenant, const std::string& at, const std::string& by,
                      const std::string& export_id, const std::string& manifest_sha256,
                      const std::string& reason);
void deactivate_body(db::Conn& c, std::int64_t tenant);
// Ends what lets anyone act for the body at this hub: staff sessions, API keys, inbound credentials.
void revoke_access(db::Conn& c, std::int64_t tenant, const std::string& at);

}  // namespace store
}  // namespace sp::body_export
