#include "helpdesk/store.hpp"

#include <cctype>

#include "core/text.hpp"

namespace sp::helpdesk::store {
namespace {

constexpr const char* kTicketCols =
    "id, number, tenant_id, category, priority, subject, state, channel, opened_by, opened_by_name, "
    "logged_by, assignee, assignee_name, created_at, updated_at, first_response_at, first_response_s, "
    "sla_elapsed_s, sla_running, sla_since, closed_at, purged_at, version";

constexpr const char* kInsertTicket =
    "INSERT INTO helpdesk_tickets (id, number, tenant_id, category, priority, subject, state, channel, "
    "opened_by, opened_by_name, logged_by, assignee, assignee_name, created_at, updated_at, "
    "sla_elapsed_s, sla_running, sla_since, version) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1)";

constexpr const char* kUpdateTicket =
    "UPDATE helpdesk_tickets SET category = $3, priority = $4, state = $5, assignee = $6, assignee_name = "
    "$7, "
    "updated_at = $8, first_response_at = $9, first_response_s = $10, sla_elapsed_s = $11, "
    "sla_running = $12, sla_since = $13, closed_at = $14, version = version + 1 "
    "WHERE id = $1 AND version = $2";

constexpr const char* kInsertEvent =
    "INSERT INTO helpdesk_events (ticket_id, seq, tenant_id, at, actor_id, actor_name, actor_side, kind, "
    "value, text_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

constexpr const char* kEvents =
    "SELECT e.seq, e.at, e.actor_id, e.actor_name, e.actor_side, e.kind, e.value, e.text_id, t.body, "
    "t.visibility, t.redacted_at, t.purged_at FROM helpdesk_events e "
    "LEFT JOIN helpdesk_texts t ON t.id = e.text_id WHERE e.ticket_id = $1 ORDER BY e.seq";

constexpr const char* kTargets =
    "SELECT first_response_min, resolution_min FROM helpdesk_sla_targets WHERE category = $1 AND priority = "
    "$2";

constexpr const char* kPurgeCandidates =
    "SELECT id FROM helpdesk_tickets WHERE state = 'closed' AND closed_at < $1 AND purged_at IS NULL "
    "ORDER BY closed_at LIMIT $2";

std::string iso(time::TimePoint tp) {
  return time::format_iso_utc_millis(tp);
}

Ticket ticket_of(const db::Row& r) {
  Ticket t;
  t.id = r.text(0);
  t.number = r.i64(1);
  t.tenant_id = r.i64(2);
  t.category = r.text(3);
  t.priority = parse_priority(r.text(4)).value_or(Priority::normal);
  t.subject = r.text(5);
  t.state = parse_state(r.text(6)).value_or(State::new_);
  t.channel = r.text(7);
  t.opened_by = r.text(8);
  t.opened_by_name = r.text(9);
  t.logged_by = r.text(10);
  t.assignee = r.text(11);
  t.assignee_name = r.text(12);
  t.created_at = r.text(13);
  t.updated_at = r.text(14);
  t.first_response_at = r.opt_text(15);
  t.first_response_s = r.opt_i64(16);
  t.clock.elapsed_s = r.i64(17);
  t.clock.running = r.boolean(18);
  auto since = time::parse_iso_utc(r.text(19));
  if (since) t.clock.since = *since;
  t.closed_at = r.opt_text(20);
  t.purged_at = r.opt_text(21);
  t.version = r.i64(22);
  return t;
}

db::Value opt(const std::optional<std::string>& s) {
  return s ? db::Value(*s) : db::Value(nullptr);
}
db::Value opt(const std::optional<std::int64_t>& v) {
  return v ? db::Value(*v) : db::Value(nullptr);
}

}  // namespace

std::int64_t next_number(db::Conn& tx) {
  auto r = tx.query_one("SELECT COALESCE(MAX(number), 0) + 1 FROM helpdesk_tickets");
  return r ? r->i64(0) : 1;
}

void insert_ticket(db::Conn& tx, const Ticket& t) {
  tx.exec(kInsertTicket,
          {t.id, t.number, t.tenant_id, t.category, std::string(to_string(t.priority)), t.subject,
           std::string(to_string(t.state)), t.channel, t.opened_by, t.opened_by_name, t.logged_by, t.assignee,
           t.assignee_name, t.created_at, t.updated_at, t.clock.elapsed_s,
           std::int64_t{t.clock.running ? 1 : 0}, iso(t.clock.since)});
}

bool update_ticket(db::Conn& tx, const Ticket& t, std::int64_t expected_version) {
  return tx.exec(kUpdateTicket,
                 {t.id, expected_version, t.category, std::string(to_string(t.priority)),
                  std::string(to_string(t.state)), t.assignee, t.assignee_name, t.updated_at,
                  opt(t.first_response_at), opt(t.first_response_s), t.clock.elapsed_s,
                  std::int64_t{t.clock.running ? 1 : 0}, iso(t.clock.since), opt(t.closed_at)}) == 1;
}

std::optional<Ticket> ticket(db::Conn& c, tenants::TenantId tenant, const std::string& id) {
  std::optional<db::Row> r;
  if (tenant == 0) {
    r = c.query_one(std::string("SELECT ") + kTicketCols + " FROM helpdesk_tickets WHERE id = $1", {id});
  } else {
    r = c.query_one(
        std::string("SELECT ") + kTicketCols + " FROM helpdesk_tickets WHERE id = $1 AND tenant_id = $2",
        {id, tenant});
  }
  if (!r) return std::nullopt;
  return ticket_of(*r);
}

std::vector<Ticket> tickets_of(db::Conn& c, tenants::TenantId tenant) {
  std::vector<Ticket> out;
  for (const auto& r :
       c.query(std::string("SELECT ") + kTicketCols +
                   " FROM helpdesk_tickets WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 500",
               {tenant}))
    out.push_back(ticket_of(r));
  return out;
}

std::vector<Ticket> opened_between(db::Conn& c, tenants::TenantId tenant, const std::string& lo,
                                   const std::string& hi) {
  std::vector<Ticket> out;
  const std::string cols = std::string("SELECT ") + kTicketCols + " FROM helpdesk_tickets ";
  for (const auto& r : tenant == 0
                           ? c.query(cols + "WHERE created_at >= $1 AND created_at < $2", {lo, hi})
                           : c.query(cols + "WHERE tenant_id = $3 AND created_at >= $1 AND created_at < $2",
                                     {lo, hi, tenant}))
    out.push_back(ticket_of(r));
  return out;
}

std::vector<Ticket> all_tickets(db::Conn& c, bool include_closed) {
  std::vector<Ticket> out;
  const std::string where = include_closed ? "" : " WHERE state <> 'closed'";
  for (const auto& r : c.query(std::string("SELECT ") + kTicketCols + " FROM helpdesk_tickets" + where +
                               " ORDER BY created_at LIMIT 1000"))
    out.push_back(ticket_of(r));
  return out;
}

int next_seq(db::Conn& tx, const std::string& ticket_id) {
  auto r =
      tx.query_one("SELECT COALESCE(MAX(seq), 0) + 1 FROM helpdesk_events WHERE ticket_id = $1", {ticket_id});
  return r ? static_cast<int>(r->i64(0)) : 1;
}

void insert_event(db::Conn& tx, const Ticket& t, const Event& e) {
  tx.exec(kInsertEvent, {t.id, std::int64_t{e.seq}, t.tenant_id, e.at, e.actor_id, e.actor_name, e.actor_side,
                         e.kind, e.value, e.text_id.empty() ? db::Value(nullptr) : db::Value(e.text_id)});
}

void insert_text(db::Conn& tx, const std::string& id, const Ticket& t, bool internal,
                 const std::string& body) {
  tx.exec(
      "INSERT INTO helpdesk_texts (id, ticket_id, tenant_id, visibility, body) VALUES ($1, $2, $3, $4, $5)",
      {id, t.id, t.tenant_id, std::string(internal ? "internal" : "public"), body});
}

std::vector<Event> events(db::Conn& c, const std::string& ticket_id) {
  std::vector<Event> out;
  for (const auto& r : c.query(kEvents, {ticket_id})) {
    Event e;
    e.seq = static_cast<int>(r.i64(0));
    e.at = r.text(1);
    e.actor_id = r.text(2);
    e.actor_name = r.text(3);
    e.actor_side = r.text(4);
    e.kind = r.text(5);
    e.value = r.text(6);
    e.text_id = r.text(7);
    e.text = r.text(8);
    e.internal = r.text(9) == "internal";
    e.redacted = !r.is_null(10);
    e.purged = !r.is_null(11);
    out.push_back(std::move(e));
  }
  return out;
}

bool redact_text(db::Conn& tx, const std::string& ticket_id, const std::string& text_id,
                 const std::string& now) {
  return tx.exec(
             "UPDATE helpdesk_texts SET body = '', redacted_at = $3 WHERE id = $1 AND ticket_id = $2 AND "
             "redacted_at IS NULL",
             {text_id, ticket_id, now}) == 1;
}

void insert_attachment(db::Conn& tx, const Ticket& t, int seq, int n, const std::string& file_id,
                       const std::string& name) {
  tx.exec(
      "INSERT INTO helpdesk_attachments (ticket_id, seq, n, tenant_id, file_id, name) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {t.id, std::int64_t{seq}, std::int64_t{n}, t.tenant_id, file_id, name});
}

int next_attachment(db::Conn& tx, const std::string& ticket_id) {
  auto r = tx.query_one("SELECT COALESCE(MAX(n), 0) + 1 FROM helpdesk_attachments WHERE ticket_id = $1",
                        {ticket_id});
  return r ? static_cast<int>(r->i64(0)) : 1;
}

std::vector<std::pair<int, Attachment>> attachments(db::Conn& c, const std::string& ticket_id) {
  std::vector<std::pair<int, Attachment>> out;
  for (const auto& r : c.query("SELECT seq, n, file_id, name FROM helpdesk_attachments WHERE ticket_id = $1 "
                               "AND purged_at IS NULL ORDER BY n",
                               {ticket_id}))
    out.emplace_back(static_cast<int>(r.i64(0)),
                     Attachment{static_cast<int>(r.i64(1)), r.text(2), r.text(3), false});
  return out;
}

void purge_attachments_of(db::Conn& tx, const std::string& ticket_id, int seq, const std::string& now) {
  tx.exec(
      "UPDATE helpdesk_attachments SET purged_at = $3 WHERE ticket_id = $1 AND seq = $2 AND purged_at IS "
      "NULL",
      {ticket_id, std::int64_t{seq}, now});
}

std::optional<Targets> targets(db::Conn& c, const std::string& category, Priority p) {
  auto r = c.query_one(kTargets, {category, std::string(to_string(p))});
  if (!r) return std::nullopt;
  return Targets{r->i64(0), r->i64(1)};
}

std::vector<std::string> purge_candidates(db::Conn& c, const std::string& before, int limit) {
  std::vector<std::string> out;
  for (const auto& r : c.query(kPurgeCandidates, {before, std::int64_t{limit}})) out.push_back(r.text(0));
  return out;
}

void purge_content(db::Conn& tx, const std::string& ticket_id, const std::string& now) {
  tx.exec("UPDATE helpdesk_texts SET body = '', purged_at = $2 WHERE ticket_id = $1", {ticket_id, now});
  tx.exec("UPDATE helpdesk_attachments SET purged_at = $2 WHERE ticket_id = $1 AND purged_at IS NULL",
          {ticket_id, now});
  tx.exec("UPDATE helpdesk_tickets SET subject = '', purged_at = $2, version = version + 1 WHERE id = $1",
          {ticket_id, now});
}

namespace {

// What the full-text search indexes (migration 0070): folded (lower case, accents removed), so that a word
// is found whatever its accents on both databases.
std::string search_text_of(const Answer& a) {
  return text::fold(a.title + "\n" + a.body);
}
std::string search_title_of(const Answer& a) {
  return text::fold(a.title);
}

void insert_version(db::Conn& tx, const Answer& a, const std::string& action, const std::string& actor) {
  tx.exec(
      "INSERT INTO helpdesk_answer_versions (answer_id, version, action, category, title, body, actor, at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {a.id, a.version, action, a.category, a.title, a.body, actor, a.updated_at});
}

constexpr const char* kAnswerCols =
    "id, category, title, body, published_by, published_at, updated_at, version, withdrawn_at";

Answer answer_of(const db::Row& r) {
  return Answer{r.text(0), r.text(1), r.text(2),
                r.text(3), r.text(4), r.text(5),
                r.text(6), r.i64(7),  r.is_null(8) ? std::string() : r.text(8)};
}

}  // namespace

void insert_answer(db::Conn& tx, const Answer& a) {
  tx.exec(
      "INSERT INTO helpdesk_answers (id, category, title, body, search_text, search_title, published_by, "
      "published_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
      {a.id, a.category, a.title, a.body, search_text_of(a), search_title_of(a), a.published_by,
       a.published_at, a.updated_at});
  insert_version(tx, a, "publish", a.published_by);
}

bool update_answer(db::Conn& tx, const Answer& a, const std::string& action, const std::string& actor) {
  const auto n = tx.exec(
      "UPDATE helpdesk_answers SET category = $3, title = $4, body = $5, search_text = $6, updated_at = $7, "
      "withdrawn_at = $8, search_title = $9, version = version + 1 WHERE id = $1 AND version = $2",
      {a.id, a.version - 1, a.category, a.title, a.body, search_text_of(a), a.updated_at,
       a.withdrawn_at.empty() ? db::Value() : db::Value(a.withdrawn_at), search_title_of(a)});
  if (n != 1) return false;
  insert_version(tx, a, action, actor);
  return true;
}

std::optional<Answer> answer(db::Conn& c, const std::string& id) {
  auto r = c.query_one(std::string("SELECT ") + kAnswerCols + " FROM helpdesk_answers WHERE id = $1", {id});
  if (!r) return std::nullopt;
  return answer_of(*r);
}

std::vector<AnswerVersion> answer_versions(db::Conn& c, const std::string& id) {
  std::vector<AnswerVersion> out;
  for (const auto& r : c.query("SELECT version, action, category, title, body, actor, at FROM "
                               "helpdesk_answer_versions WHERE answer_id = $1 ORDER BY version",
                               {id}))
    out.push_back(AnswerVersion{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
  return out;
}

namespace {

// The answers' full-text search (migration 0070). Words are folded and hold letters and digits only
// (fold() turns everything else into spaces), so they cannot carry the query languages' operators.
// SQLite's FTS5 has no Italian stemmer: a word of five letters or more loses its last vowel and is
// searched as a prefix ("residenza" → "residenz"*, which finds "residenze" and "residenziale"); bm25 ranks
// (lower is better), the title five times the text. PostgreSQL stems with its Italian dictionary and
// ranks with ts_rank over the title (A) and the text (B).
constexpr const char* kSearchSqlite =
    "SELECT a.id, a.category, a.title, a.body, a.published_by, a.published_at, a.updated_at, a.version, "
    "a.withdrawn_at FROM helpdesk_answers_fts f JOIN helpdesk_answers a ON a.id = f.answer_id "
    "WHERE helpdesk_answers_fts MATCH $1 AND a.withdrawn_at IS NULL "
    "ORDER BY bm25(helpdesk_answers_fts, 0.0, 5.0, 1.0), a.published_at DESC, a.id LIMIT $2";
constexpr const char* kSearchPostgres =
    "SELECT id, category, title, body, published_by, published_at, updated_at, version, withdrawn_at "
    "FROM helpdesk_answers, to_tsquery('italian', $1) q WHERE withdrawn_at IS NULL AND search_vector @@ q "
    "ORDER BY ts_rank(search_vector, q) DESC, published_at DESC, id LIMIT $2";
constexpr const char* kLatest =
    "SELECT id, category, title, body, published_by, published_at, updated_at, version, withdrawn_at "
    "FROM helpdesk_answers WHERE withdrawn_at IS NULL ORDER BY published_at DESC, id LIMIT $1";

bool vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

std::string fts5_query(const std::vector<std::string>& words, bool every_word) {
  std::string q;
  for (const auto& w : words) {
    std::string stem = w;
    if (stem.size() >= 5 && vowel(stem.back())) stem.pop_back();
    if (!q.empty()) q += every_word ? " AND " : " OR ";
    q += "\"" + stem + "\"*";
  }
  return q;
}

std::string tsquery(const std::vector<std::string>& words, bool every_word) {
  return text::join(words, every_word ? " & " : " | ");
}

}  // namespace

std::vector<std::string> search_words(std::string_view query, std::size_t min_length, std::size_t max_words) {
  std::vector<std::string> out;
  const std::string folded = text::fold(query);
  std::size_t i = 0;
  while (i < folded.size() && out.size() < max_words) {
    std::size_t j = i;
    while (j < folded.size() && std::isalnum(static_cast<unsigned char>(folded[j]))) ++j;
    if (j - i >= min_length) out.push_back(folded.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::vector<Answer> answers(db::Conn& c, const std::vector<std::string>& words, bool every_word, int limit) {
  std::vector<Answer> out;
  std::vector<db::Row> rows =
      words.empty() ? c.query(kLatest, {std::int64_t{limit}})
      : c.dialect() == db::Dialect::postgres
          ? c.query(kSearchPostgres, {tsquery(words, every_word), std::int64_t{limit}})
          : c.query(kSearchSqlite, {fts5_query(words, every_word), std::int64_t{limit}});
  for (const auto& r : rows) out.push_back(answer_of(r));
  return out;
}

OfficeHours office_hours(db::Conn& c) {
  OfficeHours h;
  if (auto r = c.query_one("SELECT open_minute, close_minute FROM helpdesk_office WHERE id = 1")) {
    h.open_minute = static_cast<int>(r->i64(0));
    h.close_minute = static_cast<int>(r->i64(1));
  }
  for (const auto& r : c.query("SELECT day FROM helpdesk_holidays"))
    if (auto d = time::parse_iso_date(r.text(0))) h.holidays.insert(std::chrono::sys_days{*d});
  return h;
}

void set_office_hours(db::Conn& tx, int open_minute, int close_minute, const std::string& by,
                      const std::string& at) {
  tx.exec(
      "UPDATE helpdesk_office SET open_minute = $1, close_minute = $2, updated_by = $3, updated_at = $4 "
      "WHERE id = 1",
      {std::int64_t{open_minute}, std::int64_t{close_minute}, by, at});
}

std::vector<Holiday> holidays(db::Conn& c) {
  std::vector<Holiday> out;
  for (const auto& r : c.query("SELECT day, name FROM helpdesk_holidays ORDER BY day"))
    out.push_back(Holiday{r.text(0), r.text(1)});
  return out;
}

void add_holiday(db::Conn& tx, const Holiday& h, const std::string& by, const std::string& at) {
  tx.exec("DELETE FROM helpdesk_holidays WHERE day = $1", {h.day});
  tx.exec("INSERT INTO helpdesk_holidays (day, name, added_by, added_at) VALUES ($1, $2, $3, $4)",
          {h.day, h.name, by, at});
}

bool remove_holiday(db::Conn& tx, const std::string& day) {
  return tx.exec("DELETE FROM helpdesk_holidays WHERE day = $1", {day}) == 1;
}

std::vector<TargetSetting> all_targets(db::Conn& c) {
  std::vector<TargetSetting> out;
  for (const auto& r : c.query("SELECT category, priority, first_response_min, resolution_min, updated_by, "
                               "updated_at FROM helpdesk_sla_targets")) {
    auto p = parse_priority(r.text(1));
    if (!p) continue;
    out.push_back(TargetSetting{r.text(0), *p, Targets{r.i64(2), r.i64(3)},
                                r.is_null(4) ? std::string() : r.text(4),
                                r.is_null(5) ? std::string() : r.text(5)});
  }
  return out;
}

void set_targets(db::Conn& tx, const std::string& category, Priority p, const Targets& t,
                 const std::string& by, const std::string& at) {
  tx.exec(
      "UPDATE helpdesk_sla_targets SET first_response_min = $3, resolution_min = $4, updated_by = $5, "
      "updated_at = $6 WHERE category = $1 AND priority = $2",
      {category, std::string(to_string(p)), t.first_response_min, t.resolution_min, by, at});
}

}  // namespace sp::helpdesk::store
