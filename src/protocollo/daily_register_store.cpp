#include "protocollo/daily_register_store.hpp"

#include <map>
#include <stdexcept>

#include "audit/model.hpp"
#include "audit/service.hpp"
#include "db/time_values.hpp"

namespace sp::protocollo {
namespace {

// The earliest entry of an AOO: numbers grow with time within a year and years grow, so (year, number)
// order is time order, and the UNIQUE (aoo_id, year, number) index answers it without a scan.
#define FIRST_REGISTERED_AT(aoo)                                          \
  "(SELECT f.registered_at FROM protocol_entries f WHERE f.aoo_id = " aoo \
  " ORDER BY f.year, f.number "                                           \
  "LIMIT 1)"

constexpr const char* kRegisterAoo =
    "SELECT a.id, a.tenant_id, a.admin_code, a.code, a.name, a.active, a.created_at, " FIRST_REGISTERED_AT(
        "a.id") " FROM aoo a WHERE a.id = $1 AND a.tenant_id = $2";

constexpr const char* kCatchUpState =
    "SELECT a.id, a.tenant_id, a.admin_code, a.code, a.name, a.active, a.created_at, " FIRST_REGISTERED_AT(
        "a.id") ", (SELECT COUNT(*) FROM protocol_daily_registers r WHERE r.aoo_id = a.id AND r.day <= $1)"
                " FROM aoo a WHERE a.active ORDER BY a.tenant_id, a.id";

constexpr const char* kDays =
    "SELECT day FROM protocol_daily_registers WHERE aoo_id = $1 AND tenant_id = $2 ORDER BY day";

constexpr const char* kEntries =
    "SELECT e.id, e.year, e.number, e.registered_at, e.direction, e.subject, e.correspondents, "
    "e.sender_protocol_number, e.sender_protocol_date, e.classification, e.fascicolo, e.office, "
    "e.registered_by, e.channel, e.annulled_at, e.annulled_by, e.annulment_reason, e.annulment_authorisation "
    "FROM protocol_entries e WHERE e.tenant_id = $1 AND e.aoo_id = $2 AND e.registered_at >= $3 "
    "AND e.registered_at < $4 ORDER BY e.year, e.number";
constexpr const char* kDayDocuments =
    "SELECT d.entry_id, d.role, d.file_name, d.mime_type, d.size, d.sha256 FROM protocol_documents d "
    "JOIN protocol_entries e ON e.id = d.entry_id WHERE e.tenant_id = $1 AND e.aoo_id = $2 "
    "AND e.registered_at >= $3 AND e.registered_at < $4 ORDER BY d.entry_id, d.position";
#define CHANGE_COLUMNS "h.at, e.id, e.year, e.number, h.field, h.old_value, h.new_value, h.who, h.kind"
constexpr const char* kChanges =
    "SELECT " CHANGE_COLUMNS
    " FROM protocol_history h JOIN protocol_entries e ON e.id = h.entry_id"
    " WHERE e.tenant_id = $1 AND e.aoo_id = $2 AND h.at >= $3 AND h.at < $4 ORDER BY h.id";
constexpr const char* kLater =
    "SELECT " CHANGE_COLUMNS
    " FROM protocol_history h JOIN protocol_entries e ON e.id = h.entry_id"
    " WHERE e.tenant_id = $1 AND e.aoo_id = $2 AND e.registered_at >= $3 AND e.registered_at < $4"
    " AND h.at >= $4 ORDER BY h.id DESC";

constexpr const char* kInsert =
    "INSERT INTO protocol_daily_registers (tenant_id, aoo_id, day, produced_at, entry_count, first_number, "
    "last_number, changes_count, json, json_sha256, pdf, pdf_sha256, audit_head_seq, audit_head_hash) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
    "ON CONFLICT (aoo_id, day) DO NOTHING RETURNING id";

#define INFO_COLUMNS                                                                               \
  "r.id, r.tenant_id, r.aoo_id, a.code, r.day, r.produced_at, r.entry_count, r.first_number, "     \
  "r.last_number, r.changes_count, r.json_sha256, r.pdf_sha256, length(r.pdf), r.audit_head_seq, " \
  "r.audit_head_hash"
constexpr const char* kGet = "SELECT " INFO_COLUMNS
                             ", r.json, r.pdf FROM protocol_daily_registers r JOIN aoo a ON a.id = r.aoo_id"
                             " WHERE r.id = $1 AND r.tenant_id = $2";
constexpr const char* kGetDay =
    "SELECT " INFO_COLUMNS
    ", r.json, r.pdf FROM protocol_daily_registers r JOIN aoo a ON a.id = r.aoo_id"
    " WHERE r.tenant_id = $1 AND r.aoo_id = $2 AND r.day = $3";
// Absent filters: NULL for the AOO (CAST gives PostgreSQL its type), "" and "9999-99-99" for the days.
constexpr const char* kList =
    "SELECT " INFO_COLUMNS
    " FROM protocol_daily_registers r JOIN aoo a ON a.id = r.aoo_id WHERE r.tenant_id = $1"
    " AND (CAST($2 AS BIGINT) IS NULL OR r.aoo_id = CAST($2 AS BIGINT)) AND r.day >= $3 AND r.day <= $4"
    " ORDER BY r.day DESC, a.code LIMIT $5";

RegisterAoo register_aoo_from(const db::Row& r) {
  return RegisterAoo{Aoo{r.i64(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.boolean(5)}, r.text(6),
                     r.opt_text(7)};
}

Entry entry_from(const db::Row& r, const Aoo& aoo) {
  Entry e;
  e.id = r.text(0);
  e.tenant_id = aoo.tenant_id;
  e.aoo_id = aoo.id;
  e.aoo_code = aoo.code;
  e.admin_code = aoo.admin_code;
  e.year = static_cast<int>(r.i64(1));
  e.number = r.i64(2);
  e.registered_at = db::instant(r, 3);
  e.direction = parse_direction(r.text(4)).value_or(Direction::incoming);
  e.subject = r.text(5);
  e.correspondents = correspondents_from_json(r.text(6));
  e.sender_protocol_number = r.text(7);
  e.sender_protocol_date = db::opt_date(r, 8);
  e.classification = r.text(9);
  e.fascicolo = r.text(10);
  e.office = r.text(11);
  e.registered_by = r.text(12);
  e.channel = parse_channel(r.text(13)).value_or(Channel::online);
  if (!r.is_null(14)) e.annulment = Annulment{db::instant(r, 14), r.text(15), r.text(16), r.text(17)};
  return e;
}

RegisterChange change_from(const db::Row& r) {
  auto field = parse_history_field(r.text(4));
  if (!field) throw std::runtime_error("protocollo: unknown history field " + r.text(4));
  return RegisterChange{
      db::instant(r, 0), r.text(1), static_cast<int>(r.i64(2)),
      r.i64(3),          *field,    r.text(5),
      r.text(6),         r.text(7), r.text(8) == "annulment" ? HistoryKind::annulment : HistoryKind::edit};
}

DailyRegisterInfo info_from(const db::Row& r) {
  DailyRegisterInfo i;
  i.id = r.i64(0);
  i.tenant_id = r.i64(1);
  i.aoo_id = r.i64(2);
  i.aoo_code = r.text(3);
  i.day = r.text(4);
  i.produced_at = r.text(5);
  i.entry_count = r.i64(6);
  i.first_number = r.opt_i64(7);
  i.last_number = r.opt_i64(8);
  i.changes_count = r.i64(9);
  i.json_sha256 = r.text(10);
  i.pdf_sha256 = r.text(11);
  i.pdf_size = r.i64(12);
  i.audit_head_seq = r.i64(13);
  i.audit_head_hash = r.text(14);
  return i;
}

DailyRegister register_from(const db::Row& r) {
  return DailyRegister{info_from(r), r.text(15), r.blob(16)};
}

}  // namespace

std::optional<RegisterAoo> DailyRegisterStore::aoo(tenants::TenantId tenant, AooId id) {
  return db::read_one(db_, kRegisterAoo, {id, tenant}, register_aoo_from);
}

std::optional<RegisterContent> DailyRegisterStore::content(tenants::TenantId tenant, AooId aoo,
                                                           time::TimePoint from, time::TimePoint to) {
  std::optional<RegisterContent> out;
  // One read: a single snapshot on SQLite. On PostgreSQL (autocommit) each statement sees the latest
  // commit, which is still right: the day is over, so no entry or history row of it is added any more;
  // a change committed between the statements is either already in the entries read or not, and in both
  // cases rolling it back (it is in `later`, read last) restores its old value.
  db_.read([&](db::Conn& c) {
    auto a = c.query_one(kRegisterAoo, {aoo, tenant});
    if (!a) return;
    RegisterContent rc;
    rc.aoo = register_aoo_from(*a);
    rc.from = from;
    rc.to = to;
    const db::Params day{tenant, aoo, db::instant_text(from), db::instant_text(to)};
    rc.audit_head = audit::AuditService::head(c, tenant);
    for (const auto& r : c.query(kEntries, day)) rc.entries.push_back(entry_from(r, rc.aoo.aoo));
    std::map<std::string, Entry*> by_id;
    for (auto& e : rc.entries) by_id[e.id] = &e;
    for (const auto& r : c.query(kDayDocuments, day)) {
      auto it = by_id.find(r.text(0));
      if (it == by_id.end()) continue;  // registered between the two statements: not of this day
      it->second->documents.push_back({parse_document_role(r.text(1)).value_or(DocumentRole::attachment),
                                       r.text(2), r.text(3), r.i64(4), r.text(5)});
    }
    for (const auto& r : c.query(kChanges, day)) rc.changes.push_back(change_from(r));
    for (const auto& r : c.query(kLater, day)) rc.later.push_back(change_from(r));
    out = std::move(rc);
  });
  return out;
}

std::vector<CatchUpAoo> DailyRegisterStore::catch_up_state(const std::string& last_day) {
  return db::read_all(db_, kCatchUpState, {last_day}, [](const db::Row& r) {
    return CatchUpAoo{register_aoo_from(r), r.i64(8)};
  });
}

std::vector<std::string> DailyRegisterStore::days(tenants::TenantId tenant, AooId aoo) {
  return db::read_all(db_, kDays, {aoo, tenant}, [](const db::Row& r) { return r.text(0); });
}

bool DailyRegisterStore::insert(const DailyRegister& r) {
  bool inserted = false;
  const auto& i = r.info;
  db_.write([&](db::Conn& tx) {
    inserted = tx.query_one(kInsert, {i.tenant_id, i.aoo_id, i.day, i.produced_at, i.entry_count,
                                      db::int_or_null(i.first_number), db::int_or_null(i.last_number),
                                      i.changes_count, r.json, i.json_sha256, db::Blob{r.pdf}, i.pdf_sha256,
                                      i.audit_head_seq, i.audit_head_hash})
                   .has_value();
  });
  return inserted;
}

std::optional<DailyRegister> DailyRegisterStore::get(tenants::TenantId tenant, DailyRegisterId id) {
  return db::read_one(db_, kGet, {id, tenant}, register_from);
}

std::optional<DailyRegister> DailyRegisterStore::get_day(tenants::TenantId tenant, AooId aoo,
                                                         const std::string& day) {
  return db::read_one(db_, kGetDay, {tenant, aoo, day}, register_from);
}

std::vector<DailyRegisterInfo> DailyRegisterStore::list(tenants::TenantId tenant, const DailyRegisterQuery& q,
                                                        int limit) {
  return db::read_all(db_, kList,
                      {tenant, db::int_or_null(q.aoo_id), q.from_day,
                       q.to_day.empty() ? std::string("9999-99-99") : q.to_day, std::int64_t{limit}},
                      info_from);
}

}  // namespace sp::protocollo
