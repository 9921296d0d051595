#include "albo/store.hpp"

#include <stdexcept>

#include "db/time_values.hpp"

namespace sp::albo {
namespace {

// A lock class of our own (the protocol's AOO lock is 20240307).
constexpr const char* kPgLockRepertory =
    "SELECT pg_advisory_xact_lock(20261205, CAST(MOD(CAST($1 AS BIGINT), 2147483647) AS INTEGER))";
constexpr const char* kLastNumber =
    "SELECT MAX(number) FROM albo_publications WHERE tenant_id = $1 AND year = $2";
constexpr const char* kFirstNumber =
    "SELECT first_number FROM albo_number_starts WHERE tenant_id = $1 AND year = $2";
constexpr const char* kSetFirstNumber =
    "INSERT INTO albo_number_starts (tenant_id, year, first_number, set_by, set_at) VALUES ($1, $2, $3, $4, "
    "$5)";
constexpr const char* kDeleteActTypes = "DELETE FROM albo_act_types WHERE tenant_id = $1";
constexpr const char* kInsertActType =
    "INSERT INTO albo_act_types (tenant_id, code, days, personal_data, resolution) VALUES ($1, $2, $3, $4, "
    "$5)";
constexpr const char* kActTypes =
    "SELECT code, days, personal_data, resolution FROM albo_act_types WHERE tenant_id = $1 ORDER BY code";
constexpr const char* kCustomTypes =
    "SELECT code, name_it, name_en FROM albo_custom_act_types WHERE tenant_id = $1 ORDER BY name_it";
constexpr const char* kCustomType =
    "SELECT code, name_it, name_en FROM albo_custom_act_types WHERE tenant_id = $1 AND code = $2";
constexpr const char* kInsertCustomType =
    "INSERT INTO albo_custom_act_types (tenant_id, code, name_it, name_en, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

constexpr const char* kInsert =
    "INSERT INTO albo_publications (id, tenant_id, year, number, registered_at, act_type, issuer, office, "
    "responsible, requester, subject, act_number, act_date, integral, start_day, days, start_at, "
    "base_end_at, "
    "extension_days, end_at, resolution, forget_on, personal_data_flags, personal_data_confirmed_by, "
    "created_by, channel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
    "$17, "
    "$18, $19, $20, $21, $22, $23, $24, $25, $26)";
constexpr const char* kInsertDocument =
    "INSERT INTO albo_documents (publication_id, tenant_id, position, role, file_name, mime_type, size, "
    "sha256, "
    "file_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

#define PUB_COLUMNS                                                                                         \
  "id, tenant_id, year, number, registered_at, act_type, issuer, office, responsible, requester, subject, " \
  "act_number, act_date, integral, start_day, days, start_at, base_end_at, extension_days, end_at, "        \
  "resolution, forget_on, personal_data_flags, personal_data_confirmed_by, created_by, channel, ended_at, " \
  "annulled_at, annulled_by, annulment_reason"
constexpr const char* kById =
    "SELECT " PUB_COLUMNS " FROM albo_publications WHERE id = $1 AND tenant_id = $2";
constexpr const char* kByNumber =
    "SELECT " PUB_COLUMNS " FROM albo_publications WHERE tenant_id = $1 AND year = $2 AND number = $3";
constexpr const char* kDocuments =
    "SELECT role, file_name, mime_type, size, sha256, file_id FROM albo_documents WHERE publication_id = $1 "
    "ORDER BY position";
// $2: now; $3: archive (1: every publication, 0: only those on the board).
constexpr const char* kSearch =
    "SELECT " PUB_COLUMNS
    " FROM albo_publications WHERE (CAST($1 AS BIGINT) IS NULL OR tenant_id = CAST($1 AS BIGINT))"
    " AND (CAST($3 AS BIGINT) = 1 OR (start_at <= CAST($2 AS TEXT) AND end_at > CAST($2 AS TEXT) AND "
    "ended_at IS NULL))"
    " AND (CAST($4 AS TEXT) IS NULL OR act_type = CAST($4 AS TEXT))"
    " AND (CAST($5 AS TEXT) IS NULL OR LOWER(office) LIKE CAST($5 AS TEXT) ESCAPE '\\')"
    " AND (CAST($6 AS TEXT) IS NULL OR start_day >= CAST($6 AS TEXT))"
    " AND (CAST($7 AS TEXT) IS NULL OR start_day <= CAST($7 AS TEXT))"
    " AND (CAST($8 AS TEXT) IS NULL OR LOWER(subject) LIKE CAST($8 AS TEXT) ESCAPE '\\')"
    " ORDER BY start_at DESC, tenant_id, number DESC LIMIT $9";

constexpr const char* kIdemFind =
    "SELECT request_sha256, publication_id FROM albo_idempotency WHERE tenant_id = $1 AND idem_key = $2";
constexpr const char* kIdemInsert =
    "INSERT INTO albo_idempotency (tenant_id, idem_key, request_sha256, publication_id, created_at) "
    "VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kAnnul =
    "UPDATE albo_publications SET annulled_at = $3, annulled_by = $4, annulment_reason = $5 "
    "WHERE id = $1 AND tenant_id = $2 AND annulled_at IS NULL";

constexpr const char* kInsertOutage =
    "INSERT INTO albo_outages (tenant_id, from_at, to_at, source, act, recorded_by, recorded_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
#define OUTAGE_COLUMNS "id, tenant_id, from_at, to_at, source, act, recorded_by, recorded_at"
// The hub's own outages (tenant 0) count for every body.
constexpr const char* kOutagesFor =
    "SELECT " OUTAGE_COLUMNS
    " FROM albo_outages WHERE (tenant_id = $1 OR tenant_id = 0) AND to_at > $2 "
    "AND from_at < $3 ORDER BY from_at";
constexpr const char* kOutages =
    "SELECT " OUTAGE_COLUMNS
    " FROM albo_outages WHERE tenant_id = $1 OR tenant_id = 0 ORDER BY from_at DESC "
    "LIMIT 200";
constexpr const char* kHeartbeat = "SELECT beat_at FROM albo_heartbeat WHERE id = 1";
constexpr const char* kHeartbeatInsert = "INSERT INTO albo_heartbeat (id, beat_at) VALUES (1, $1)";
constexpr const char* kHeartbeatUpdate = "UPDATE albo_heartbeat SET beat_at = $1 WHERE id = 1";
constexpr const char* kOpen = "SELECT " PUB_COLUMNS
                              " FROM albo_publications WHERE ended_at IS NULL AND annulled_at IS NULL"
                              " AND (CAST($1 AS BIGINT) IS NULL OR tenant_id = CAST($1 AS BIGINT))";
constexpr const char* kSetExtension =
    "UPDATE albo_publications SET extension_days = $2, end_at = $3 WHERE id = $1 AND ended_at IS NULL";
constexpr const char* kDueToEnd = "SELECT " PUB_COLUMNS
                                  " FROM albo_publications WHERE ended_at IS NULL AND end_at <= $1 "
                                  "ORDER BY end_at LIMIT $2";
constexpr const char* kMarkEnded =
    "UPDATE albo_publications SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL";

constexpr const char* kInsertRelata =
    "INSERT INTO albo_relate (publication_id, tenant_id, prepared_at, status) VALUES ($1, $2, $3, 'waiting')";
#define RELATA_COLUMNS                                                                            \
  "publication_id, tenant_id, prepared_at, status, confirmed_at, confirmed_by, file_id, sha256, " \
  "protocol_id, protocol_text"
constexpr const char* kRelata =
    "SELECT " RELATA_COLUMNS " FROM albo_relate WHERE publication_id = $1 AND tenant_id = $2";
constexpr const char* kRelate =
    "SELECT r.publication_id, r.tenant_id, r.prepared_at, r.status, r.confirmed_at, r.confirmed_by, "
    "r.file_id, "
    "r.sha256, r.protocol_id, r.protocol_text FROM albo_relate r JOIN albo_publications p ON p.id = "
    "r.publication_id WHERE r.tenant_id = $1 AND r.status = $2 ORDER BY p.year, p.number";
constexpr const char* kConfirm =
    "UPDATE albo_relate SET status = 'confirmed', confirmed_at = $3, confirmed_by = $4, file_id = $5, "
    "sha256 = $6, protocol_id = $7, protocol_text = $8 WHERE publication_id = $1 AND tenant_id = $2 "
    "AND status = 'waiting'";

Publication from_row(const db::Row& r) {
  Publication p;
  p.id = r.text(0);
  p.tenant_id = r.i64(1);
  p.year = static_cast<int>(r.i64(2));
  p.number = r.i64(3);
  p.registered_at = db::instant(r, 4);
  p.act_type = r.text(5);
  p.issuer = r.text(6);
  p.office = r.text(7);
  p.responsible = r.text(8);
  p.requester = r.text(9);
  p.subject = r.text(10);
  p.act_number = r.text(11);
  p.act_date = db::opt_date(r, 12);
  p.integral = r.boolean(13);
  p.start_day = db::date(r, 14);
  p.days = static_cast<int>(r.i64(15));
  p.start_at = db::instant(r, 16);
  p.base_end_at = db::instant(r, 17);
  p.extension_days = static_cast<int>(r.i64(18));
  p.end_at = db::instant(r, 19);
  p.resolution = r.boolean(20);
  p.forget_on = db::date(r, 21);
  p.personal_data_flags = r.text(22);
  p.personal_data_confirmed_by = r.text(23);
  p.created_by = r.text(24);
  p.channel = r.text(25) == "api" ? Channel::api : Channel::web;
  p.ended_at = db::opt_instant(r, 26);
  if (!r.is_null(27)) p.annulment = Annulment{db::instant(r, 27), r.text(28), r.text(29)};
  return p;
}

void load_documents(db::Conn& c, Publication& p) {
  for (const auto& r : c.query(kDocuments, {p.id})) {
    p.documents.push_back({parse_document_role(r.text(0)).value_or(DocumentRole::attachment), r.text(1),
                           r.text(2), r.i64(3), r.text(4), r.text(5)});
  }
}

Outage outage_from(const db::Row& r) {
  return Outage{r.i64(0),
                r.i64(1),
                db::instant(r, 2),
                db::instant(r, 3),
                r.text(4) == "manager" ? OutageSource::manager : OutageSource::heartbeat,
                r.text(5),
                r.text(6),
                db::instant(r, 7)};
}

Relata relata_from(const db::Row& r) {
  Relata x;
  x.publication_id = r.text(0);
  x.tenant_id = r.i64(1);
  x.prepared_at = db::instant(r, 2);
  x.status = r.text(3) == "confirmed" ? RelataStatus::confirmed : RelataStatus::waiting;
  x.confirmed_at = db::opt_instant(r, 4);
  x.confirmed_by = r.text(5);
  x.file_id = r.text(6);
  x.sha256 = r.text(7);
  x.protocol_id = r.text(8);
  x.protocol_text = r.text(9);
  return x;
}

db::Value contains_pattern(const std::string& s) {
  if (s.empty()) return nullptr;
  std::string out = "%";
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out + "%";
}

}  // namespace

void AlboStore::lock_repertory(db::Conn& tx, TenantId tenant) {
  if (tx.dialect() == db::Dialect::postgres) tx.query(kPgLockRepertory, {tenant});
}

std::optional<std::int64_t> AlboStore::last_number(db::Conn& tx, TenantId tenant, int year) {
  auto r = tx.query_one(kLastNumber, {tenant, std::int64_t{year}});
  if (!r || r->is_null(0)) return std::nullopt;
  return r->i64(0);
}

std::optional<std::int64_t> AlboStore::first_number(db::Conn& tx, TenantId tenant, int year) {
  if (auto r = tx.query_one(kFirstNumber, {tenant, std::int64_t{year}})) return r->i64(0);
  return std::nullopt;
}

void AlboStore::set_first_number(db::Conn& tx, TenantId tenant, int year, std::int64_t first,
                                 const std::string& by, const std::string& at) {
  tx.exec(kSetFirstNumber, {tenant, std::int64_t{year}, first, by, at});
}

std::vector<ActType> AlboStore::act_types(TenantId tenant) {
  return db::read_all(db_, kActTypes, {tenant}, [](const db::Row& r) {
    return ActType{r.text(0), static_cast<int>(r.i64(1)), r.boolean(2), r.boolean(3)};
  });
}

std::vector<CustomActType> AlboStore::custom_act_types(TenantId tenant) {
  return db::read_all(db_, kCustomTypes, {tenant}, [](const db::Row& r) {
    return CustomActType{r.text(0), r.text(1), r.text(2)};
  });
}

std::optional<CustomActType> AlboStore::custom_act_type(db::Conn& c, TenantId tenant,
                                                        const std::string& code) {
  if (auto r = c.query_one(kCustomType, {tenant, code}))
    return CustomActType{r->text(0), r->text(1), r->text(2)};
  return std::nullopt;
}

void AlboStore::insert_custom_act_type(db::Conn& tx, TenantId tenant, const CustomActType& t,
                                       const std::string& by, const std::string& at) {
  tx.exec(kInsertCustomType, {tenant, t.code, t.name_it, t.name_en, by, at});
}

void AlboStore::replace_act_types(db::Conn& tx, TenantId tenant, const std::vector<ActType>& types) {
  tx.exec(kDeleteActTypes, {tenant});
  for (const auto& t : types)
    tx.exec(kInsertActType, {tenant, t.code, std::int64_t{t.days}, std::int64_t{t.personal_data ? 1 : 0},
                             std::int64_t{t.resolution ? 1 : 0}});
}

void AlboStore::insert(db::Conn& tx, const Publication& p) {
  tx.exec(kInsert, {p.id,
                    p.tenant_id,
                    std::int64_t{p.year},
                    p.number,
                    db::instant_text(p.registered_at),
                    p.act_type,
                    p.issuer,
                    p.office,
                    p.responsible,
                    db::text_or_null(p.requester),
                    p.subject,
                    db::text_or_null(p.act_number),
                    db::date_or_null(p.act_date),
                    std::int64_t{p.integral ? 1 : 0},
                    db::date_text(p.start_day),
                    std::int64_t{p.days},
                    db::instant_text(p.start_at),
                    db::instant_text(p.base_end_at),
                    std::int64_t{p.extension_days},
                    db::instant_text(p.end_at),
                    std::int64_t{p.resolution ? 1 : 0},
                    db::date_text(p.forget_on),
                    db::text_or_null(p.personal_data_flags),
                    db::text_or_null(p.personal_data_confirmed_by),
                    p.created_by,
                    std::string(to_string(p.channel))});
  std::int64_t pos = 0;
  for (const auto& d : p.documents) {
    tx.exec(kInsertDocument, {p.id, p.tenant_id, pos++, std::string(to_string(d.role)), d.file_name,
                              d.mime_type, d.size, d.sha256, d.file_id});
  }
}

std::optional<Publication> AlboStore::publication(db::Conn& c, TenantId tenant, const std::string& id) {
  auto r = c.query_one(kById, {id, tenant});
  if (!r) return std::nullopt;
  auto p = from_row(*r);
  load_documents(c, p);
  return p;
}

std::optional<Publication> AlboStore::publication(TenantId tenant, const std::string& id) {
  std::optional<Publication> out;
  db_.read([&](db::Conn& c) { out = publication(c, tenant, id); });
  return out;
}

std::optional<Publication> AlboStore::by_number(TenantId tenant, int year, std::int64_t number) {
  std::optional<Publication> out;
  db_.read([&](db::Conn& c) {
    if (auto r = c.query_one(kByNumber, {tenant, std::int64_t{year}, number})) {
      out = from_row(*r);
      load_documents(c, *out);
    }
  });
  return out;
}

std::vector<Publication> AlboStore::search(const BoardQuery& q, time::TimePoint now, bool archive) {
  std::vector<Publication> out;
  db::Params params{q.tenant ? db::Value{*q.tenant} : db::Value{nullptr},
                    time::format_iso_utc_millis(now),
                    std::int64_t{archive ? 1 : 0},
                    db::text_or_null(q.act_type),
                    contains_pattern(q.office),
                    db::text_or_null(q.from),
                    db::text_or_null(q.to),
                    contains_pattern(q.text),
                    std::int64_t{q.limit}};
  db_.read([&](db::Conn& c) {
    for (const auto& r : c.query(kSearch, params)) out.push_back(from_row(r));
    for (auto& p : out) load_documents(c, p);
  });
  return out;
}

std::optional<IdempotencyRecord> AlboStore::idempotency(db::Conn& c, TenantId tenant,
                                                        const std::string& key) {
  auto r = c.query_one(kIdemFind, {tenant, key});
  if (!r) return std::nullopt;
  return IdempotencyRecord{r->text(0), r->text(1)};
}

void AlboStore::insert_idempotency(db::Conn& tx, TenantId tenant, const std::string& key,
                                   const std::string& request_sha256, const std::string& id,
                                   const std::string& at) {
  tx.exec(kIdemInsert, {tenant, key, request_sha256, id, at});
}

std::int64_t AlboStore::annul(db::Conn& tx, TenantId tenant, const std::string& id, const Annulment& a) {
  return tx.exec(kAnnul, {id, tenant, db::instant_text(a.at), a.by, a.reason});
}

void AlboStore::insert_outage(db::Conn& tx, const Outage& o) {
  tx.exec(kInsertOutage, {o.tenant_id, db::instant_text(o.from_at), db::instant_text(o.to_at),
                          std::string(to_string(o.source)), db::text_or_null(o.act), o.recorded_by,
                          db::instant_text(o.recorded_at)});
}

std::vector<Outage> AlboStore::outages_for(db::Conn& c, TenantId tenant, time::TimePoint from,
                                           time::TimePoint to) {
  std::vector<Outage> out;
  for (const auto& r : c.query(kOutagesFor, {tenant, db::instant_text(from), db::instant_text(to)}))
    out.push_back(outage_from(r));
  return out;
}

std::vector<Outage> AlboStore::outages(TenantId tenant) {
  return db::read_all(db_, kOutages, {tenant}, outage_from);
}

std::optional<time::TimePoint> AlboStore::heartbeat(db::Conn& tx) {
  if (auto r = tx.query_one(kHeartbeat)) return db::instant(*r, 0);
  return std::nullopt;
}

void AlboStore::set_heartbeat(db::Conn& tx, time::TimePoint at) {
  if (tx.exec(kHeartbeatUpdate, {db::instant_text(at)}) == 0)
    tx.exec(kHeartbeatInsert, {db::instant_text(at)});
}

std::vector<Publication> AlboStore::open_publications(db::Conn& c, std::optional<TenantId> tenant) {
  std::vector<Publication> out;
  for (const auto& r : c.query(kOpen, {tenant ? db::Value{*tenant} : db::Value{nullptr}}))
    out.push_back(from_row(r));
  return out;
}

void AlboStore::set_extension(db::Conn& tx, const std::string& id, int extension_days,
                              time::TimePoint end_at) {
  tx.exec(kSetExtension, {id, std::int64_t{extension_days}, db::instant_text(end_at)});
}

std::vector<Publication> AlboStore::due_to_end(db::Conn& c, time::TimePoint now, int limit) {
  std::vector<Publication> out;
  for (const auto& r : c.query(kDueToEnd, {db::instant_text(now), std::int64_t{limit}}))
    out.push_back(from_row(r));
  for (auto& p : out) load_documents(c, p);
  return out;
}

void AlboStore::mark_ended(db::Conn& tx, const std::string& id, time::TimePoint at) {
  tx.exec(kMarkEnded, {id, db::instant_text(at)});
}

void AlboStore::insert_relata(db::Conn& tx, const Relata& r) {
  tx.exec(kInsertRelata, {r.publication_id, r.tenant_id, db::instant_text(r.prepared_at)});
}

std::optional<Relata> AlboStore::relata(db::Conn& c, TenantId tenant, const std::string& publication_id) {
  if (auto r = c.query_one(kRelata, {publication_id, tenant})) return relata_from(*r);
  return std::nullopt;
}

std::optional<Relata> AlboStore::relata(TenantId tenant, const std::string& publication_id) {
  std::optional<Relata> out;
  db_.read([&](db::Conn& c) { out = relata(c, tenant, publication_id); });
  return out;
}

std::vector<RelataRow> AlboStore::relate(TenantId tenant, RelataStatus status) {
  std::vector<RelataRow> out;
  db_.read([&](db::Conn& c) {
    for (const auto& r :
         c.query(kRelate, {tenant, std::string(status == RelataStatus::waiting ? "waiting" : "confirmed")}))
      out.push_back({relata_from(r), {}});
    for (auto& x : out) {
      if (auto p = publication(c, tenant, x.relata.publication_id)) x.publication = std::move(*p);
    }
  });
  return out;
}

std::int64_t AlboStore::confirm_relata(db::Conn& tx, const Relata& r) {
  return tx.exec(kConfirm, {r.publication_id, r.tenant_id, db::instant_or_null(r.confirmed_at),
                            r.confirmed_by, r.file_id, r.sha256, r.protocol_id, r.protocol_text});
}

}  // namespace sp::albo
