#include "cases/store.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "db/time_values.hpp"

namespace sp::cases {
namespace {

#define CASE_COLUMNS                                                                                         \
  "id, tenant_id, service_code, title, form_code, form_version, applicant_cf, applicant_name, "              \
  "on_behalf_of, "                                                                                           \
  "on_behalf_of_name, channel, state, office, assignee, protocol_entry_id, protocol_year, protocol_number, " \
  "submitted_at, deadline_days, due_date, suspended_days, suspended_since, grounds_notified_on, "            \
  "grounds_answered_on, silence_consent, fee_cents_due, decided_at, submission_key, version, "               \
  "applicant_answered_at"

constexpr const char* kInsertCase =
    "INSERT INTO cases (" CASE_COLUMNS
    ", answers, due_day, suspended_since_day, suspended_until_day, queue_due_day) VALUES ($1, $2, $3, $4, "
    "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, "
    "$26, $27, $28, $29, $30, $31, $32, $33, $34, $35)";
// Only what may change after submission; the version guards against a concurrent change.
constexpr const char* kUpdateCase =
    "UPDATE cases SET state = $3, office = $4, assignee = $5, protocol_entry_id = $6, protocol_year = $7, "
    "protocol_number = $8, due_date = $9, suspended_days = $10, suspended_since = $11, "
    "grounds_notified_on = $12, grounds_answered_on = $13, decided_at = $14, due_day = $16, "
    "suspended_since_day = $17, suspended_until_day = $18, queue_due_day = $19, applicant_answered_at = $20, "
    "version = $15 + 1 "
    "WHERE id = $1 AND tenant_id = $2 AND version = $15";
constexpr const char* kFind = "SELECT " CASE_COLUMNS ", answers FROM cases WHERE id = $1 AND tenant_id = $2";
constexpr const char* kFindByKey = "SELECT " CASE_COLUMNS
                                   ", answers FROM cases WHERE tenant_id = $1 AND applicant_cf = $2 "
                                   "AND submission_key = $3";
constexpr const char* kByApplicant = "SELECT " CASE_COLUMNS
                                     " FROM cases WHERE applicant_cf = $1 OR (CAST($2 AS TEXT) IS NOT NULL "
                                     "AND on_behalf_of = CAST($2 AS TEXT))"
                                     " ORDER BY submitted_at DESC LIMIT $3";
// Cases of a body's form whose answers mention a code, still standing: candidates for a duplicate check
// (the caller compares the answers field by field). A codice fiscale is letters and digits only, so LIKE
// needs no escaping; the text cast reads both SQLite's TEXT and PostgreSQL's JSON.
constexpr const char* kMentioning =
    "SELECT " CASE_COLUMNS
    ", answers FROM cases WHERE tenant_id = $1 AND form_code = $2 "
    "AND CAST(answers AS TEXT) LIKE $3 AND state NOT IN ('rejected', 'withdrawn') "
    "ORDER BY submitted_at DESC LIMIT $4";
constexpr const char* kStandingAnswers =
    "SELECT applicant_cf, answers FROM cases WHERE tenant_id = $1 AND form_code = $2 "
    "AND state NOT IN ('rejected', 'withdrawn') ORDER BY applicant_cf, id";
constexpr const char* kApplicantOf = "SELECT applicant_cf FROM cases WHERE id = $1 AND tenant_id = $2";
constexpr const char* kOffices =
    "SELECT DISTINCT office FROM cases WHERE tenant_id = $1 AND office IS NOT NULL ORDER BY office";

constexpr const char* kInsertTransition =
    "INSERT INTO case_transitions (tenant_id, case_id, from_state, to_state, action, who, at, reason) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
constexpr const char* kTransitions =
    "SELECT id, case_id, from_state, to_state, action, who, at, reason FROM case_transitions "
    "WHERE tenant_id = $1 AND case_id = $2 ORDER BY id";
constexpr const char* kInsertMessage =
    "INSERT INTO case_messages (tenant_id, case_id, direction, kind, body, attachments, who, at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
constexpr const char* kMessages =
    "SELECT id, case_id, direction, kind, body, attachments, who, at FROM case_messages "
    "WHERE tenant_id = $1 AND case_id = $2 ORDER BY id";
constexpr const char* kInsertNote =
    "INSERT INTO case_notes (tenant_id, case_id, body, who, at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
constexpr const char* kNotes =
    "SELECT id, case_id, body, who, at FROM case_notes WHERE tenant_id = $1 AND case_id = $2 ORDER BY id";

#define DOCUMENT_COLUMNS                                                                               \
  "id, case_id, file_id, kind, file_name, mime_type, size, sha256, protocol_entry_id, protocol_year, " \
  "protocol_number, who, at"
constexpr const char* kInsertDocument =
    "INSERT INTO case_documents (tenant_id, " DOCUMENT_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
constexpr const char* kDocuments =
    "SELECT " DOCUMENT_COLUMNS " FROM case_documents WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id";
constexpr const char* kDocument =
    "SELECT " DOCUMENT_COLUMNS " FROM case_documents WHERE tenant_id = $1 AND case_id = $2 AND id = $3";

// ---- The queue's SQL
// The queue orders and filters by deadline_at() in the database (model.hpp, QueueKeys). A case's due date
// is queue_due_day, except for a case waiting for additions whose suspension still counts: due_day plus
// the days waited so far. So the query has two branches: every other case, read in index order
// (cases_open_queue, cases_open_office_queue, cases_state_queue in migrations/*/0014), and the cases
// waiting for additions (few), whose moving key the database computes and sorts; their union is merged
// and paged in SQL. The statement is assembled from fixed fragments for the filters present (each
// combination is one prepared statement); every value is a bound parameter.
constexpr const char* kCaseOpenTerm = "state NOT IN ('accepted', 'rejected', 'withdrawn', 'closed')";

enum class QueueBranch { any, fixed_due, moving_due };

class QueueSql {
 public:
  static QueueSql page(tenants::TenantId tenant, const QueueQuery& q) {
    QueueSql s(tenant, q);
    s.build_page();
    return s;
  }
  static QueueSql count(tenants::TenantId tenant, const QueueQuery& q) {
    QueueSql s(tenant, q);
    s.sql_ = "SELECT COUNT(*) FROM cases WHERE " + s.where(QueueBranch::any);
    return s;
  }
  static QueueSql count_by_service(tenants::TenantId tenant, const QueueQuery& q) {
    QueueSql s(tenant, q);
    s.sql_ = "SELECT service_code, COUNT(*) FROM cases WHERE " + s.where(QueueBranch::any) +
             " GROUP BY service_code";
    return s;
  }
  [[nodiscard]] const std::string& sql() const { return sql_; }
  [[nodiscard]] const db::Params& params() const { return params_; }

 private:
  QueueSql(tenants::TenantId tenant, const QueueQuery& q) : q_(q) { tenant_ = bind(tenant); }

  std::string bind(db::Value v) {
    params_.push_back(std::move(v));
    return "$" + std::to_string(params_.size());
  }
  // A number bound once and used wherever it is needed.
  std::string number(std::string& slot, std::int64_t v) {
    if (slot.empty()) slot = "CAST(" + bind(v) + " AS BIGINT)";
    return slot;
  }
  std::string today() { return number(today_, q_.today_day); }

  // Days the running suspension has lasted so far.
  std::string running() {
    return "(CASE WHEN " + today() + " > suspended_since_day THEN " + today() +
           " - suspended_since_day ELSE 0 END)";
  }
  // A suspension that still counts today (model.hpp, QueueKeys).
  std::string counting(const char* state) {
    return std::string("(state = '") + state + "' AND suspended_since_day IS NOT NULL AND " +
           "(suspended_until_day IS NULL OR " + today() + " <= suspended_until_day))";
  }
  // Waiting for additions with the suspension still counting: the due date moves with the calendar.
  std::string additions_running() { return counting("waiting_for_applicant"); }
  // Within the applicant's days to answer a notice of grounds.
  std::string grounds_running() { return counting("grounds_notified"); }
  std::string due(QueueBranch b) {
    if (b == QueueBranch::fixed_due) return "queue_due_day";
    return "(CASE WHEN " + additions_running() + " THEN due_day + " + running() + " ELSE queue_due_day END)";
  }
  std::string suspended(QueueBranch b) {
    if (b == QueueBranch::fixed_due) return grounds_running();
    if (b == QueueBranch::moving_due) return additions_running();
    return "(" + additions_running() + " OR " + grounds_running() + ")";
  }

  std::string where(QueueBranch b) {
    std::string w = "tenant_id = " + tenant_;
    if (!q_.office.empty()) w += " AND office = " + bind(q_.office);
    bool open_term = false;
    if (q_.state) {
      w += " AND state = " + bind(std::string(to_string(*q_.state)));
    } else {
      if (q_.open_only) {
        w += std::string(" AND ") + kCaseOpenTerm;  // the partial indexes' own predicate, word for word
        open_term = true;
      }
      if (b == QueueBranch::fixed_due) w += " AND state <> 'waiting_for_applicant'";
      if (b == QueueBranch::moving_due) w += " AND state = 'waiting_for_applicant'";
    }
    if (!q_.service_code.empty()) w += " AND service_code = " + bind(q_.service_code);
    if (q_.assignee == "-") {
      w += " AND assignee IS NULL";
    } else if (!q_.assignee.empty()) {
      w += " AND assignee = " + bind(q_.assignee);
    }
    // silence_consent is INTEGER on SQLite and BOOLEAN on PostgreSQL; '1' reads as true on both.
    if (q_.silence_consent_only) w += " AND silence_consent = " + bind(std::string("1"));
    if (q_.overdue || q_.days_left_max) {
      // Only open cases whose term runs are overdue or have days left (deadline_at()).
      if (!open_term) w += std::string(" AND ") + kCaseOpenTerm;
      w += " AND NOT " + suspended(b);
      if (q_.overdue) w += " AND " + due(b) + " < " + today();
      if (q_.days_left_max)
        w += " AND " + due(b) + " <= CAST(" + bind(q_.today_day + *q_.days_left_max) + " AS BIGINT)";
    }
    return w;
  }

  void build_page() {
    const bool waiting_only = q_.state && *q_.state == State::waiting_for_applicant;
    const bool fixed_only = q_.state && *q_.state != State::waiting_for_applicant;
    const std::string order = ", submitted_at, id";
    if (fixed_only) {
      sql_ = "SELECT " CASE_COLUMNS " FROM cases WHERE " + where(QueueBranch::fixed_due) +
             " ORDER BY queue_due_day" + order;
    } else if (waiting_only) {
      const std::string key = due(QueueBranch::moving_due);
      sql_ = "SELECT " CASE_COLUMNS " FROM cases WHERE " + where(QueueBranch::moving_due) + " ORDER BY " +
             key + order;
    } else {
      // Each branch's first offset + limit rows, merged: the page is among them.
      const std::string n = bind(std::int64_t{q_.offset} + q_.limit);
      const std::string fixed = "SELECT " CASE_COLUMNS ", queue_due_day AS sort_day FROM cases WHERE " +
                                where(QueueBranch::fixed_due) + " ORDER BY queue_due_day" + order +
                                " LIMIT " + n;
      const std::string moving = "SELECT " CASE_COLUMNS ", " + due(QueueBranch::moving_due) +
                                 " AS sort_day FROM cases WHERE " + where(QueueBranch::moving_due) +
                                 " ORDER BY sort_day" + order + " LIMIT " + n;
      sql_ = "SELECT " CASE_COLUMNS " FROM (SELECT * FROM (" + fixed +
             ") AS fixed_due UNION ALL SELECT * FROM (" + moving +
             ") AS moving_due) AS queue ORDER BY sort_day" + order;
    }
    sql_ += " LIMIT " + bind(std::int64_t{q_.limit}) + " OFFSET " + bind(std::int64_t{q_.offset});
  }

  const QueueQuery& q_;
  db::Params params_;
  std::string sql_;
  std::string tenant_, today_;
};

db::Value opt_int(std::int64_t v) {
  return v > 0 ? db::Value{v} : db::Value{nullptr};
}

Case case_from(const db::Row& r, bool with_answers) {
  Case c;
  c.id = r.text(0);
  c.tenant_id = r.i64(1);
  c.service_code = r.text(2);
  c.title = r.text(3);
  c.form_code = r.text(4);
  c.form_version = static_cast<int>(r.i64(5));
  c.applicant_cf = r.text(6);
  c.applicant_name = r.text(7);
  c.on_behalf_of = r.text(8);
  c.on_behalf_of_name = r.text(9);
  c.channel = parse_channel(r.text(10)).value_or(Channel::online);
  auto state = parse_state(r.text(11));
  if (!state) throw std::runtime_error("cases: unknown state " + r.text(11));
  c.state = *state;
  c.office = r.text(12);
  c.assignee = r.text(13);
  c.protocol_entry_id = r.text(14);
  c.protocol_year = static_cast<int>(r.opt_i64(15).value_or(0));
  c.protocol_number = r.opt_i64(16).value_or(0);
  c.submitted_at = db::instant(r, 17);
  c.deadline_days = static_cast<int>(r.i64(18));
  c.due_date = db::opt_date(r, 19).value_or(time::Date{});
  c.suspended_days = static_cast<int>(r.i64(20));
  c.suspended_since = db::opt_date(r, 21);
  c.grounds_notified_on = db::opt_date(r, 22);
  c.grounds_answered_on = db::opt_date(r, 23);
  c.silence_consent = r.boolean(24);
  c.fee_cents_due = r.opt_i64(25);
  c.decided_at = db::opt_instant(r, 26);
  c.submission_key = r.text(27);
  c.version = r.i64(28);
  c.applicant_answered_at = db::opt_instant(r, 29);
  if (with_answers) {
    auto v = boost::json::parse(r.text(30));
    if (!v.is_object()) throw std::runtime_error("cases: answers are not an object");
    c.answers = std::move(v.as_object());
  }
  return c;
}

Document document_from(const db::Row& r) {
  Document d;
  d.id = r.text(0);
  d.case_id = r.text(1);
  d.file_id = r.text(2);
  auto kind = parse_document_kind(r.text(3));
  if (!kind) throw std::runtime_error("cases: unknown document kind " + r.text(3));
  d.kind = *kind;
  d.file_name = r.text(4);
  d.mime_type = r.text(5);
  d.size = r.i64(6);
  d.sha256 = r.text(7);
  d.protocol_entry_id = r.text(8);
  d.protocol_year = static_cast<int>(r.opt_i64(9).value_or(0));
  d.protocol_number = r.opt_i64(10).value_or(0);
  d.who = r.text(11);
  d.at = db::instant(r, 12);
  return d;
}

std::int64_t returned_id(std::optional<db::Row> r) {
  if (!r) throw std::logic_error("INSERT ... RETURNING gave no row");
  return r->i64(0);
}

}  // namespace

void CaseStore::insert_case(db::Conn& tx, const Case& c, const QueueKeys& keys) {
  tx.exec(kInsertCase, {c.id,
                        c.tenant_id,
                        c.service_code,
                        c.title,
                        c.form_code,
                        std::int64_t{c.form_version},
                        c.applicant_cf,
                        c.applicant_name,
                        db::text_or_null(c.on_behalf_of),
                        db::text_or_null(c.on_behalf_of_name),
                        std::string(to_string(c.channel)),
                        std::string(to_string(c.state)),
                        db::text_or_null(c.office),
                        db::text_or_null(c.assignee),
                        db::text_or_null(c.protocol_entry_id),
                        opt_int(c.protocol_year),
                        opt_int(c.protocol_number),
                        db::instant_text(c.submitted_at),
                        std::int64_t{c.deadline_days},
                        db::date_text(c.due_date),
                        std::int64_t{c.suspended_days},
                        db::date_or_null(c.suspended_since),
                        db::date_or_null(c.grounds_notified_on),
                        db::date_or_null(c.grounds_answered_on),
                        std::int64_t{c.silence_consent ? 1 : 0},
                        db::int_or_null(c.fee_cents_due),
                        db::instant_or_null(c.decided_at),
                        c.submission_key,
                        c.version,
                        db::instant_or_null(c.applicant_answered_at),
                        boost::json::serialize(c.answers),
                        keys.due_day,
                        db::int_or_null(keys.suspended_since_day),
                        db::int_or_null(keys.suspended_until_day),
                        keys.queue_due_day});
}

std::int64_t CaseStore::update_case(db::Conn& tx, const Case& c, const QueueKeys& keys,
                                    std::int64_t expected_version) {
  return tx.exec(kUpdateCase, {c.id,
                               c.tenant_id,
                               std::string(to_string(c.state)),
                               db::text_or_null(c.office),
                               db::text_or_null(c.assignee),
                               db::text_or_null(c.protocol_entry_id),
                               opt_int(c.protocol_year),
                               opt_int(c.protocol_number),
                               db::date_text(c.due_date),
                               std::int64_t{c.suspended_days},
                               db::date_or_null(c.suspended_since),
                               db::date_or_null(c.grounds_notified_on),
                               db::date_or_null(c.grounds_answered_on),
                               db::instant_or_null(c.decided_at),
                               expected_version,
                               keys.due_day,
                               db::int_or_null(keys.suspended_since_day),
                               db::int_or_null(keys.suspended_until_day),
                               keys.queue_due_day,
                               db::instant_or_null(c.applicant_answered_at)});
}

std::optional<Case> CaseStore::find(db::Conn& c, tenants::TenantId tenant, const std::string& id) {
  auto r = c.query_one(kFind, {id, tenant});
  if (!r) return std::nullopt;
  return case_from(*r, true);
}

std::vector<Case> CaseStore::mentioning(db::Conn& c, tenants::TenantId tenant, const std::string& form_code,
                                        const std::string& code, int cap) {
  std::vector<Case> out;
  for (const auto& r : c.query(kMentioning, {tenant, form_code, "%" + code + "%", cap}))
    out.push_back(case_from(r, true));
  return out;
}

std::vector<std::pair<std::string, std::string>> CaseStore::standing_answers(db::Conn& c,
                                                                             tenants::TenantId tenant,
                                                                             const std::string& form_code) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : c.query(kStandingAnswers, {tenant, form_code})) out.emplace_back(r.text(0), r.text(1));
  return out;
}

std::optional<Case> CaseStore::find_by_key(db::Conn& c, tenants::TenantId tenant,
                                           const std::string& applicant_cf,
                                           const std::string& submission_key) {
  auto r = c.query_one(kFindByKey, {tenant, applicant_cf, submission_key});
  if (!r) return std::nullopt;
  return case_from(*r, true);
}

std::int64_t CaseStore::insert_transition(db::Conn& tx, tenants::TenantId tenant, const Transition& t) {
  return returned_id(tx.query_one(
      kInsertTransition,
      {tenant, t.case_id, t.from ? db::Value{std::string(to_string(*t.from))} : db::Value{nullptr},
       std::string(to_string(t.to)), t.action, t.who, db::instant_text(t.at), db::text_or_null(t.reason)}));
}

std::vector<Transition> CaseStore::transitions(db::Conn& c, tenants::TenantId tenant,
                                               const std::string& case_id) {
  std::vector<Transition> out;
  for (const auto& r : c.query(kTransitions, {tenant, case_id})) {
    Transition t;
    t.id = r.i64(0);
    t.case_id = r.text(1);
    if (auto from = r.opt_text(2)) t.from = parse_state(*from);
    t.to = parse_state(r.text(3)).value_or(State::submitted);
    t.action = r.text(4);
    t.who = r.text(5);
    t.at = db::instant(r, 6);
    t.reason = r.text(7);
    out.push_back(std::move(t));
  }
  return out;
}

std::int64_t CaseStore::insert_message(db::Conn& tx, tenants::TenantId tenant, const Message& m) {
  boost::json::array attachments;
  for (const auto& a : m.attachments) attachments.emplace_back(a);
  return returned_id(tx.query_one(
      kInsertMessage, {tenant, m.case_id, std::string(to_string(m.direction)), std::string(to_string(m.kind)),
                       m.body, boost::json::serialize(attachments), m.who, db::instant_text(m.at)}));
}

std::vector<Message> CaseStore::messages(db::Conn& c, tenants::TenantId tenant, const std::string& case_id) {
  std::vector<Message> out;
  for (const auto& r : c.query(kMessages, {tenant, case_id})) {
    Message m;
    m.id = r.i64(0);
    m.case_id = r.text(1);
    m.direction =
        r.text(2) == "from_applicant" ? MessageDirection::from_applicant : MessageDirection::to_applicant;
    auto kind = parse_message_kind(r.text(3));
    if (!kind) throw std::runtime_error("cases: unknown message kind " + r.text(3));
    m.kind = *kind;
    m.body = r.text(4);
    auto a = boost::json::parse(r.text(5));
    if (a.is_array()) {
      for (const auto& v : a.as_array()) {
        if (v.is_string()) m.attachments.emplace_back(v.as_string());
      }
    }
    m.who = r.text(6);
    m.at = db::instant(r, 7);
    out.push_back(std::move(m));
  }
  return out;
}

std::int64_t CaseStore::insert_note(db::Conn& tx, tenants::TenantId tenant, const Note& n) {
  return returned_id(tx.query_one(kInsertNote, {tenant, n.case_id, n.body, n.who, db::instant_text(n.at)}));
}

std::vector<Note> CaseStore::notes(db::Conn& c, tenants::TenantId tenant, const std::string& case_id) {
  std::vector<Note> out;
  for (const auto& r : c.query(kNotes, {tenant, case_id})) {
    out.push_back(Note{r.i64(0), r.text(1), r.text(2), r.text(3), db::instant(r, 4)});
  }
  return out;
}

void CaseStore::insert_document(db::Conn& tx, tenants::TenantId tenant, const Document& d) {
  tx.exec(kInsertDocument,
          {tenant, d.id, d.case_id, d.file_id, std::string(to_string(d.kind)), d.file_name, d.mime_type,
           d.size, d.sha256, db::text_or_null(d.protocol_entry_id), opt_int(d.protocol_year),
           opt_int(d.protocol_number), d.who, db::instant_text(d.at)});
}

std::vector<Document> CaseStore::documents(db::Conn& c, tenants::TenantId tenant,
                                           const std::string& case_id) {
  std::vector<Document> out;
  for (const auto& r : c.query(kDocuments, {tenant, case_id})) out.push_back(document_from(r));
  return out;
}

std::optional<Document> CaseStore::document(db::Conn& c, tenants::TenantId tenant, const std::string& case_id,
                                            const std::string& document_id) {
  auto r = c.query_one(kDocument, {tenant, case_id, document_id});
  if (!r) return std::nullopt;
  return document_from(*r);
}

std::vector<Case> CaseStore::queue(db::Conn& c, tenants::TenantId tenant, const QueueQuery& q) {
  const auto sql = QueueSql::page(tenant, q);
  std::vector<Case> out;
  for (const auto& r : c.query(sql.sql(), sql.params())) out.push_back(case_from(r, false));
  return out;
}

std::int64_t CaseStore::queue_count(db::Conn& c, tenants::TenantId tenant, const QueueQuery& q) {
  const auto sql = QueueSql::count(tenant, q);
  auto r = c.query_one(sql.sql(), sql.params());
  return r ? r->i64(0) : 0;
}

std::map<std::string, std::int64_t> CaseStore::queue_count_by_service(db::Conn& c, tenants::TenantId tenant,
                                                                      const QueueQuery& q) {
  const auto sql = QueueSql::count_by_service(tenant, q);
  std::map<std::string, std::int64_t> out;
  for (const auto& r : c.query(sql.sql(), sql.params())) out[r.text(0)] = r.i64(1);
  return out;
}

std::vector<Case> CaseStore::by_applicant(db::Conn& c, const std::string& applicant_cf,
                                          const std::string& represented, int cap) {
  std::vector<Case> out;
  for (const auto& r :
       c.query(kByApplicant, {applicant_cf, db::text_or_null(represented), std::int64_t{cap}}))
    out.push_back(case_from(r, false));
  return out;
}

std::vector<std::string> CaseStore::offices(db::Conn& c, tenants::TenantId tenant) {
  std::vector<std::string> out;
  for (const auto& r : c.query(kOffices, {tenant})) out.push_back(r.text(0));
  return out;
}

std::optional<std::string> CaseStore::applicant_of(tenants::TenantId tenant, const std::string& case_id) {
  return db::read_one(db_, kApplicantOf, {case_id, tenant}, [](const db::Row& r) { return r.text(0); });
}

}  // namespace sp::cases
