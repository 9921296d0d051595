#include "identity/counter_store.hpp"

namespace sp::identity {
namespace {

#define SESSION_COLUMNS                                                                              \
  "id, counter_tenant_id, operator_id, operator_name, staff_session_id, citizen_cf, citizen_name, "  \
  "document_type, document_number, started_at, ended_at, family_name, given_name, sex, birth_date, " \
  "document_expiry, number_year, number"

constexpr const char* kInsertAssisted =
    "INSERT INTO assisted_sessions (id, counter_tenant_id, operator_id, operator_name, staff_session_id, "
    "citizen_cf, citizen_name, document_type, document_number, started_at, family_name, given_name, sex, "
    "birth_date, document_expiry, number_year, number) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
// The next readable number of the counter body in a year (taken inside the insert's transaction; a
// concurrent session that took the same one makes the unique index refuse, and start() tries again).
constexpr const char* kNextNumber =
    "SELECT COALESCE(MAX(number), 0) + 1 FROM assisted_sessions WHERE counter_tenant_id = $1 "
    "AND number_year = $2";
constexpr const char* kAssistedById = "SELECT " SESSION_COLUMNS " FROM assisted_sessions WHERE id = $1";
constexpr const char* kOpen = "SELECT " SESSION_COLUMNS
                              " FROM assisted_sessions WHERE operator_id = $1 AND staff_session_id = $2 "
                              "AND ended_at IS NULL ORDER BY started_at DESC";
constexpr const char* kClose =
    "UPDATE assisted_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL";
constexpr const char* kCorrect =
    "UPDATE assisted_sessions SET citizen_cf = $2, citizen_name = $3, family_name = $4, given_name = $5, "
    "sex = $6, birth_date = $7, document_type = $8, document_number = $9, document_expiry = $10 "
    "WHERE id = $1 AND ended_at IS NULL AND citizen_cf = $11";
constexpr const char* kByCitizen =
    "SELECT " SESSION_COLUMNS " FROM assisted_sessions WHERE citizen_cf = $1 ORDER BY started_at DESC, id";
AssistedSession assisted_from(const db::Row& r) {
  AssistedSession s;
  s.id = r.text(0);
  s.counter_tenant_id = r.i64(1);
  s.operator_id = r.text(2);
  s.operator_name = r.text(3);
  s.staff_session_id = r.text(4);
  s.citizen_cf = r.text(5);
  s.citizen_name = r.text(6);
  s.document_type = r.text(7);
  s.document_number = r.text(8);
  s.started_at = r.text(9);
  s.ended_at = r.opt_text(10);
  s.family_name = r.text(11);
  s.given_name = r.text(12);
  s.sex = r.text(13);
  s.birth_date = r.text(14);
  s.document_expiry = r.text(15);
  s.number_year = static_cast<int>(r.i64(16));
  s.number = r.i64(17);
  return s;
}

}  // namespace

std::optional<AssistedSession> CounterStore::by_id(const std::string& id) {
  return db::read_one(db_, kAssistedById, {id}, assisted_from);
}

std::optional<AssistedSession> CounterStore::open(const std::string& operator_id,
                                                  const std::string& staff_session_id) {
  return db::read_one(db_, kOpen, {operator_id, staff_session_id}, assisted_from);
}

std::vector<AssistedSession> CounterStore::by_citizen(const std::string& citizen_cf) {
  return db::read_all(db_, kByCitizen, {citizen_cf}, assisted_from);
}

std::int64_t CounterStore::next_number(db::Conn& tx, tenants::TenantId counter_tenant, int year) {
  auto next = tx.query_one(kNextNumber, {counter_tenant, static_cast<std::int64_t>(year)});
  return next ? next->i64(0) : 1;
}

void CounterStore::insert(db::Conn& tx, const AssistedSession& s) {
  tx.exec(kInsertAssisted,
          {s.id, s.counter_tenant_id, s.operator_id, s.operator_name, s.staff_session_id, s.citizen_cf,
           s.citizen_name, s.document_type, s.document_number, s.started_at, s.family_name, s.given_name,
           s.sex, s.birth_date, s.document_expiry, static_cast<std::int64_t>(s.number_year), s.number});
}

bool CounterStore::correct(db::Conn& tx, const std::string& id, const std::string& was_cf,
                           const CounterIdentity& c) {
  return tx.exec(kCorrect,
                 {id, c.fiscal_code, c.given_name + " " + c.family_name, c.family_name, c.given_name, c.sex,
                  c.birth_date, c.document_type, c.document_number, c.document_expiry, was_cf}) == 1;
}

bool CounterStore::close(db::Conn& tx, const std::string& id, const std::string& at) {
  return tx.exec(kClose, {id, at}) == 1;
}

}  // namespace sp::identity
