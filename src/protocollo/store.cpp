#include "protocollo/store.hpp"

#include <stdexcept>

#include "db/time_values.hpp"

namespace sp::protocollo {
namespace {

// Two-key advisory lock: a class of our own (apart from the audit chain's and the migration runner's)
// and the AOO id folded into 32 bits (two AOOs sharing a lock only serialise, never mix numbers).
constexpr const char* kPgLockAoo =
    "SELECT pg_advisory_xact_lock(20240307, CAST(MOD(CAST($1 AS BIGINT), 2147483647) AS INTEGER))";

constexpr const char* kInsertAoo =
    "INSERT INTO aoo (tenant_id, admin_code, code, name, active, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
#define AOO_COLUMNS "id, tenant_id, admin_code, code, name, active"
constexpr const char* kAoo = "SELECT " AOO_COLUMNS " FROM aoo WHERE id = $1 AND tenant_id = $2";
constexpr const char* kAoos = "SELECT " AOO_COLUMNS " FROM aoo WHERE tenant_id = $1 ORDER BY code";

constexpr const char* kLastNumber =
    "SELECT number, registered_at FROM protocol_entries WHERE aoo_id = $1 AND year = $2 "
    "ORDER BY number DESC LIMIT 1";
constexpr const char* kLastRegisteredAt =
    "SELECT registered_at FROM protocol_entries WHERE aoo_id = $1 ORDER BY registered_at DESC LIMIT 1";

constexpr const char* kInsertEntry =
    "INSERT INTO protocol_entries (id, tenant_id, aoo_id, year, number, registered_at, direction, subject, "
    "correspondents, sender_protocol_number, sender_protocol_date, classification, fascicolo, office, "
    "registered_by, channel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
constexpr const char* kInsertDocument =
    "INSERT INTO protocol_documents (entry_id, position, role, file_name, mime_type, size, sha256, "
    "declared_mime_type) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

#define ENTRY_COLUMNS                                                                                     \
  "e.id, e.tenant_id, e.aoo_id, a.code, a.admin_code, e.year, e.number, e.registered_at, e.direction, "   \
  "e.subject, e.correspondents, e.sender_protocol_number, e.sender_protocol_date, e.classification, "     \
  "e.fascicolo, e.office, e.registered_by, e.channel, e.annulled_at, e.annulled_by, e.annulment_reason, " \
  "e.annulment_authorisation"
constexpr const char* kEntry = "SELECT " ENTRY_COLUMNS
                               " FROM protocol_entries e JOIN aoo a ON a.id = e.aoo_id"
                               " WHERE e.id = $1 AND e.tenant_id = $2";
constexpr const char* kInsertDocumentFile =
    "INSERT INTO protocol_document_files (tenant_id, entry_id, position, file_id) VALUES ($1, $2, $3, $4)";
constexpr const char* kDocuments =
    "SELECT d.role, d.file_name, d.mime_type, d.size, d.sha256, f.file_id, d.declared_mime_type "
    "FROM protocol_documents d "
    "LEFT JOIN protocol_document_files f ON f.entry_id = d.entry_id AND f.position = d.position "
    "WHERE d.entry_id = $1 ORDER BY d.position";
constexpr const char* kIdempotencyFind =
    "SELECT request_sha256, entry_id FROM protocol_idempotency WHERE tenant_id = $1 AND idem_key = $2";
constexpr const char* kIdempotencyInsert =
    "INSERT INTO protocol_idempotency (tenant_id, idem_key, request_sha256, entry_id, created_at) "
    "VALUES ($1, $2, $3, $4, $5)";

// Absent filters are bound as NULL; CAST gives PostgreSQL a type for a parameter that may be NULL.
// LOWER(...) LIKE LOWER(...) is case-insensitive on both databases (ASCII on SQLite).
constexpr const char* kSearch =
    "SELECT " ENTRY_COLUMNS
    " FROM protocol_entries e JOIN aoo a ON a.id = e.aoo_id WHERE e.tenant_id = $1"
    " AND (CAST($2 AS BIGINT) IS NULL OR e.aoo_id = CAST($2 AS BIGINT))"
    " AND (CAST($3 AS BIGINT) IS NULL OR e.year = CAST($3 AS BIGINT))"
    " AND (CAST($4 AS BIGINT) IS NULL OR e.number = CAST($4 AS BIGINT))"
    " AND (CAST($5 AS TEXT) IS NULL OR e.registered_at >= CAST($5 AS TEXT))"
    " AND (CAST($6 AS TEXT) IS NULL OR e.registered_at < CAST($6 AS TEXT))"
    " AND (CAST($7 AS TEXT) IS NULL OR LOWER(e.subject) LIKE CAST($7 AS TEXT) ESCAPE '\\')"
    " AND (CAST($8 AS TEXT) IS NULL OR LOWER(e.correspondents) LIKE CAST($8 AS TEXT) ESCAPE '\\')"
    " AND (CAST($9 AS TEXT) IS NULL OR e.classification LIKE CAST($9 AS TEXT) ESCAPE '\\')"
    " ORDER BY e.registered_at DESC, e.number DESC LIMIT $10";

constexpr const char* kAnnul =
    "UPDATE protocol_entries SET annulled_at = $3, annulled_by = $4, annulment_reason = $5, "
    "annulment_authorisation = $6 WHERE id = $1 AND tenant_id = $2 AND annulled_at IS NULL";
constexpr const char* kSetClassification =
    "UPDATE protocol_entries SET classification = $3 WHERE id = $1 AND tenant_id = $2";
constexpr const char* kSetFascicolo =
    "UPDATE protocol_entries SET fascicolo = $3 WHERE id = $1 AND tenant_id = $2";
constexpr const char* kSetOffice = "UPDATE protocol_entries SET office = $3 WHERE id = $1 AND tenant_id = $2";

constexpr const char* kInsertHistory =
    "INSERT INTO protocol_history (entry_id, at, who, field, old_value, new_value, kind) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr const char* kHistory =
    "SELECT h.at, h.who, h.field, h.old_value, h.new_value, h.kind FROM protocol_history h "
    "JOIN protocol_entries e ON e.id = h.entry_id WHERE h.entry_id = $1 AND e.tenant_id = $2 ORDER BY h.id";

Aoo aoo_from(const db::Row& r) {
  return Aoo{r.i64(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.boolean(5)};
}

Entry entry_from(const db::Row& r) {
  Entry e;
  e.id = r.text(0);
  e.tenant_id = r.i64(1);
  e.aoo_id = r.i64(2);
  e.aoo_code = r.text(3);
  e.admin_code = r.text(4);
  e.year = static_cast<int>(r.i64(5));
  e.number = r.i64(6);
  e.registered_at = db::instant(r, 7);
  e.direction = parse_direction(r.text(8)).value_or(Direction::incoming);
  e.subject = r.text(9);
  e.correspondents = correspondents_from_json(r.text(10));
  e.sender_protocol_number = r.text(11);
  e.sender_protocol_date = db::opt_date(r, 12);
  e.classification = r.text(13);
  e.fascicolo = r.text(14);
  e.office = r.text(15);
  e.registered_by = r.text(16);
  e.channel = parse_channel(r.text(17)).value_or(Channel::online);
  if (!r.is_null(18)) e.annulment = Annulment{db::instant(r, 18), r.text(19), r.text(20), r.text(21)};
  return e;
}

void load_documents(db::Conn& c, Entry& e) {
  for (const auto& r : c.query(kDocuments, {e.id})) {
    e.documents.push_back({parse_document_role(r.text(0)).value_or(DocumentRole::attachment), r.text(1),
                           r.text(2), r.i64(3), r.text(4), r.is_null(5) ? std::string() : r.text(5),
                           r.is_null(6) ? std::string() : r.text(6)});
  }
}

HistoryField history_field_of(const std::string& text) {
  auto f = parse_history_field(text);
  if (!f) throw std::runtime_error("protocollo: unknown history field " + text);
  return *f;
}

db::Value like_pattern(const std::string& s, bool contains) {
  if (s.empty()) return nullptr;
  std::string out;
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return contains ? "%" + out + "%" : out;
}

std::string lower_ascii(std::string s) {
  for (auto& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

}  // namespace

AooId ProtocolStore::insert_aoo(db::Conn& tx, const Aoo& a, const std::string& created_at) {
  auto r = tx.query_one(
      kInsertAoo, {a.tenant_id, a.admin_code, a.code, a.name, std::int64_t{a.active ? 1 : 0}, created_at});
  if (!r) throw std::logic_error("INSERT ... RETURNING gave no row");
  return r->i64(0);
}

std::optional<Aoo> ProtocolStore::aoo(db::Conn& c, tenants::TenantId tenant, AooId id) {
  if (auto r = c.query_one(kAoo, {id, tenant})) return aoo_from(*r);
  return std::nullopt;
}

std::vector<Aoo> ProtocolStore::aoos(tenants::TenantId tenant) {
  return db::read_all(db_, kAoos, {tenant}, aoo_from);
}

void ProtocolStore::lock_aoo(db::Conn& tx, AooId aoo) {
  if (tx.dialect() == db::Dialect::postgres) tx.query(kPgLockAoo, {aoo});
}

std::optional<LastNumber> ProtocolStore::last_number(db::Conn& tx, AooId aoo, int year) {
  if (auto r = tx.query_one(kLastNumber, {aoo, std::int64_t{year}}))
    return LastNumber{r->i64(0), db::instant(*r, 1)};
  return std::nullopt;
}

std::optional<time::TimePoint> ProtocolStore::last_registered_at(db::Conn& tx, AooId aoo) {
  if (auto r = tx.query_one(kLastRegisteredAt, {aoo})) return db::instant(*r, 0);
  return std::nullopt;
}

void ProtocolStore::insert_entry(db::Conn& tx, const Entry& e) {
  tx.exec(kInsertEntry,
          {e.id, e.tenant_id, e.aoo_id, std::int64_t{e.year}, e.number, db::instant_text(e.registered_at),
           std::string(to_string(e.direction)), e.subject, correspondents_to_json(e.correspondents),
           db::text_or_null(e.sender_protocol_number), db::date_or_null(e.sender_protocol_date),
           db::text_or_null(e.classification), db::text_or_null(e.fascicolo), db::text_or_null(e.office),
           e.registered_by, std::string(to_string(e.channel))});
  std::int64_t pos = 0;
  for (const auto& d : e.documents) {
    tx.exec(kInsertDocument, {e.id, pos, std::string(to_string(d.role)), d.file_name, d.mime_type, d.size,
                              d.sha256, db::text_or_null(d.declared_mime_type)});
    if (!d.file_id.empty()) tx.exec(kInsertDocumentFile, {e.tenant_id, e.id, pos, d.file_id});
    ++pos;
  }
}

std::optional<IdempotencyRecord> ProtocolStore::idempotency(db::Conn& c, tenants::TenantId tenant,
                                                            const std::string& key) {
  auto r = c.query_one(kIdempotencyFind, {tenant, key});
  if (!r) return std::nullopt;
  return IdempotencyRecord{r->text(0), r->text(1)};
}

void ProtocolStore::insert_idempotency(db::Conn& tx, tenants::TenantId tenant, const std::string& key,
                                       const std::string& request_sha256, const std::string& entry_id,
                                       const std::string& at) {
  tx.exec(kIdempotencyInsert, {tenant, key, request_sha256, entry_id, at});
}

std::optional<Entry> ProtocolStore::entry(db::Conn& c, tenants::TenantId tenant, const std::string& id) {
  auto r = c.query_one(kEntry, {id, tenant});
  if (!r) return std::nullopt;
  Entry e = entry_from(*r);
  load_documents(c, e);
  return e;
}

std::optional<Entry> ProtocolStore::entry(tenants::TenantId tenant, const std::string& id) {
  std::optional<Entry> out;
  db_.read([&](db::Conn& c) { out = entry(c, tenant, id); });
  return out;
}

std::vector<Entry> ProtocolStore::search(tenants::TenantId tenant, const SearchQuery& q, int limit) {
  std::vector<Entry> out;
  db::Value classification = nullptr;
  if (!q.classification.empty()) {
    if (q.classification.back() == '*') {
      auto p = like_pattern(q.classification.substr(0, q.classification.size() - 1), false);
      classification = std::get<std::string>(p) + "%";
    } else {
      classification = like_pattern(q.classification, false);
    }
  }
  db::Params params{tenant,
                    q.aoo_id ? db::Value{*q.aoo_id} : db::Value{nullptr},
                    q.year ? db::Value{std::int64_t{*q.year}} : db::Value{nullptr},
                    db::int_or_null(q.number),
                    db::text_or_null(q.from),
                    db::text_or_null(q.to),
                    like_pattern(lower_ascii(q.subject), true),
                    like_pattern(lower_ascii(q.correspondent), true),
                    classification,
                    std::int64_t{limit}};
  db_.read([&](db::Conn& c) {
    for (const auto& r : c.query(kSearch, params)) out.push_back(entry_from(r));
    for (auto& e : out) load_documents(c, e);
  });
  return out;
}

std::int64_t ProtocolStore::annul(db::Conn& tx, tenants::TenantId tenant, const std::string& id,
                                  const Annulment& a) {
  return tx.exec(kAnnul, {id, tenant, db::instant_text(a.at), a.by, a.reason, a.authorisation});
}

void ProtocolStore::set_field(db::Conn& tx, tenants::TenantId tenant, const std::string& id,
                              HistoryField field, const std::string& value) {
  const char* sql = field == HistoryField::classification ? kSetClassification
                    : field == HistoryField::fascicolo    ? kSetFascicolo
                    : field == HistoryField::office       ? kSetOffice
                                                          : nullptr;
  if (sql == nullptr)
    throw std::logic_error("protocollo: field not editable: " + std::string(to_string(field)));
  tx.exec(sql, {id, tenant, db::text_or_null(value)});
}

void ProtocolStore::insert_history(db::Conn& tx, const std::string& entry_id, const HistoryItem& h) {
  tx.exec(kInsertHistory, {entry_id, db::instant_text(h.at), h.who, std::string(to_string(h.field)),
                           db::text_or_null(h.old_value), db::text_or_null(h.new_value),
                           std::string(h.kind == HistoryKind::edit ? "edit" : "annulment")});
}

std::vector<HistoryItem> ProtocolStore::history(tenants::TenantId tenant, const std::string& entry_id) {
  return db::read_all(db_, kHistory, {entry_id, tenant}, [](const db::Row& r) {
    return HistoryItem{
        db::instant(r, 0), r.text(1), history_field_of(r.text(2)),
        r.text(3),         r.text(4), r.text(5) == "annulment" ? HistoryKind::annulment : HistoryKind::edit};
  });
}

}  // namespace sp::protocollo
