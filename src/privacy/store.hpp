#pragma once
// All the SQL of src/privacy: the retention purge's deletions (only the tables of purge_tables()) and
// the records of processing (privacy_processing_records).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace sp::privacy::store {

struct Cutoffs {
  std::string drafts;  // UTC ISO instants
  std::string sessions;
  std::string messages;
  std::string verifications;
  std::string register_history;  // a day, YYYY-MM-DD
};
// Deletes what is older than the cut-offs; the rows deleted per table. Bodies with their own period for
// drafts, messages or register history (body_retention) are left out of that table's statement.
std::map<std::string, std::int64_t> purge(db::Conn& tx, const Cutoffs& cut);

// A body's own periods (body_retention; nullopt: the hub's).
struct BodyRetentionRow {
  std::int64_t tenant = 0;
  std::optional<std::int64_t> drafts_days;
  std::optional<std::int64_t> messages_days;
  std::optional<std::int64_t> register_history_days;
  std::string updated_at;
  std::string updated_by;
};
std::vector<BodyRetentionRow> body_retentions(db::Conn& c);
void save_body_retention(db::Conn& tx, const BodyRetentionRow& r);
// One body's rows past its own cut-offs (empty: that period is the hub's, done by purge()).
struct BodyCutoffs {
  std::int64_t tenant = 0;
  std::string drafts;
  std::string messages;
  std::string register_history;  // a day
};
std::map<std::string, std::int64_t> purge_body(db::Conn& tx, const BodyCutoffs& cut);

struct RecordRow {
  std::string activity;
  std::int64_t version = 0;
  std::string fields;  // JSON object
  std::string saved_at;
};
std::vector<RecordRow> latest_records(db::Conn& c, std::int64_t tenant);
std::int64_t next_record_version(db::Conn& tx, std::int64_t tenant, const std::string& activity);
void insert_record(db::Conn& tx, std::int64_t tenant, const std::string& activity, std::int64_t version,
                   const std::string& fields, const std::string& saved_by, const std::string& saved_at);

// Where a person's own data is, table by table (src/privacy/person_data.hpp).
struct PersonSource {
  const char* code;
  const char* table;
  const char* where;               // $1: the person's fiscal code
  std::set<std::string> withheld;  // columns left out (secrets, internal keys)
};
const std::vector<PersonSource>& person_sources();

}  // namespace sp::privacy::store
