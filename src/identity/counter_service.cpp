#include "identity/counter_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>

#include "core/codice_fiscale.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/permissions.hpp"

namespace sp::identity {
namespace json = boost::json;
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
// What the operator did for the citizen at the counter while the session was open, in every body.
constexpr const char* kActions =
    "SELECT at, tenant_id, action, record_type, record_id FROM audit_log "
    "WHERE actor_kind = 'staff' AND actor_id = $1 AND on_behalf_of = $2 AND channel = 'counter' "
    "AND at >= $3 AND at <= $4 "
    "AND action NOT IN ('counter.session_open', 'counter.session_close', 'counter.receipt.read', "
    "'application.access_refused', 'case.access_refused') "
    "ORDER BY at, tenant_id, seq";
// How a case was filed: its service and protocol number, as its submission recorded them.
constexpr const char* kCaseSubmitted =
    "SELECT at, details FROM audit_log WHERE tenant_id = $1 AND action = 'case.submit' "
    "AND record_type = 'case' AND record_id = $2 ORDER BY seq LIMIT 1";

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

Status check_operator(const Principal* op) {
  if (auto st = authorize(op, Permission::counter, op ? op->tenant_id : 0); !st) return st;
  return Ok{};
}

// "1985-04-03" or "03/04/1985" (also 3/4/1985) → a valid date.
std::optional<time::Date> parse_day(const std::string& raw) {
  const std::string s = text::trim(raw);
  if (auto d = time::parse_iso_date(s)) return *d;
  unsigned d = 0, m = 0;
  int y = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%u/%u/%d%c", &d, &m, &y, &tail) != 3 || y < 1000 || y > 9999)
    return std::nullopt;
  time::Date out{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!out.ok()) return std::nullopt;
  return out;
}

// A name as written on the document: trimmed, inner spaces collapsed, 1 to 100 bytes with a letter.
std::optional<std::string> clean_name(const std::string& raw) {
  std::string out;
  for (char ch : text::trim(raw)) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (static_cast<unsigned char>(ch) < 0x20) return std::nullopt;
    out += ch;
  }
  if (out.empty() || out.size() > 100) return std::nullopt;
  return out;
}

std::string two_digits(unsigned v) {
  return (v < 10 ? "0" : "") + std::to_string(v);
}

std::string identity_json(const CounterIdentity& c) {
  return json::serialize(json::object{{"fiscal_code", c.fiscal_code},
                                      {"family_name", c.family_name},
                                      {"given_name", c.given_name},
                                      {"sex", c.sex},
                                      {"birth_date", c.birth_date},
                                      {"document_type", c.document_type},
                                      {"document_number", c.document_number},
                                      {"document_expiry", c.document_expiry}});
}

AssistedCitizen assisted_of(const CounterIdentity& c) {
  return AssistedCitizen{c.fiscal_code, c.given_name + " " + c.family_name, c.document_type,
                         c.document_number};
}

}  // namespace

std::string AssistedSession::number_label() const {
  if (number <= 0 || number_year <= 0) return id;
  std::string n = std::to_string(number);
  if (n.size() < 6) n.insert(0, 6 - n.size(), '0');
  return "SA-" + std::to_string(number_year) + "-" + n;
}

CounterIdentity AssistedSession::identity() const {
  return CounterIdentity{citizen_cf, family_name,   given_name,      sex,
                         birth_date, document_type, document_number, document_expiry};
}

audit::Entry audit_entry_for(const Principal& p, tenants::TenantId tenant, std::string action,
                             audit::Channel channel) {
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = p.is_staff() ? audit::ActorKind::staff : audit::ActorKind::person;
  e.actor_id = p.subject;
  e.channel = channel;
  e.action = std::move(action);
  if (p.acting_for) e.on_behalf_of = p.acting_for->id;
  if (p.assisting) {
    e.on_behalf_of = p.assisting->fiscal_code;
    e.channel = audit::Channel::counter;
  }
  return e;
}

Result<CounterIdentity> CounterService::check_identity(const CounterIdentity& in, time::Date today) {
  CounterIdentity c;
  auto decoded = cf::decode(in.fiscal_code, today);
  if (!decoded || in.fiscal_code.empty()) return Error::for_field("counter.cf", "fiscal_code");
  c.fiscal_code = decoded->code;
  auto family = clean_name(in.family_name);
  if (!family) return Error::for_field("counter.family_name", "family_name");
  c.family_name = *family;
  auto given = clean_name(in.given_name);
  if (!given) return Error::for_field("counter.given_name", "given_name");
  c.given_name = *given;
  c.sex = text::trim(in.sex);
  if (c.sex != "M" && c.sex != "F") return Error::for_field("counter.sex", "sex");
  auto born = parse_day(in.birth_date);
  if (!born || std::chrono::sys_days{*born} > std::chrono::sys_days{today})
    return Error::for_field("counter.birth_date", "birth_date");
  c.birth_date = time::format_iso_date(*born);
  c.document_type = text::trim(in.document_type);
  if (std::find_if(std::begin(kDocumentTypes), std::end(kDocumentTypes),
                   [&](const char* t) { return c.document_type == t; }) == std::end(kDocumentTypes)) {
    return Error::for_field("counter.document_type", "document_type");
  }
  for (char ch : text::trim(in.document_number)) {
    if (ch == ' ' || ch == '-') continue;  // as printed on some documents
    if (!std::isalnum(static_cast<unsigned char>(ch)))
      return Error::for_field("counter.document_number", "document_number");
    c.document_number += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (c.document_number.size() < 5 || c.document_number.size() > 30) {
    return Error::for_field("counter.document_number", "document_number");
  }
  auto expiry = parse_day(in.document_expiry);
  if (!expiry) return Error::for_field("counter.document_expiry", "document_expiry");
  if (std::chrono::sys_days{*expiry} < std::chrono::sys_days{today})
    return Error::for_field("counter.document_expired", "document_expiry", 400,
                            time::format_it_date(*expiry));
  c.document_expiry = time::format_iso_date(*expiry);

  // The code against the document. The code's own letters and place, recomputed from what was typed:
  // the first three letters come from the surname, the next three from the name.
  const cf::Sex sex = c.sex == "F" ? cf::Sex::female : cf::Sex::male;
  auto computed = cf::compute(c.family_name, c.given_name, sex, *born, decoded->belfiore);
  if (!computed) {
    if (computed.error().code == "cf.name") return Error::for_field("counter.given_name", "given_name");
    return Error::for_field("counter.family_name", "family_name");
  }
  const std::string& canon = decoded->canonical;
  if (computed->substr(0, 3) != canon.substr(0, 3))
    return Error::for_field("counter.cf_family_name", "family_name", 400, canon.substr(0, 3));
  if (computed->substr(3, 3) != canon.substr(3, 3))
    return Error::for_field("counter.cf_given_name", "given_name", 400, canon.substr(3, 3));
  const auto& said = decoded->birth_date;  // two digits of the year: compare those
  if (said.month() != born->month() || said.day() != born->day() ||
      static_cast<int>(said.year()) % 100 != static_cast<int>(born->year()) % 100) {
    return Error::for_field("counter.cf_birth_date", "birth_date", 400,
                            two_digits(static_cast<unsigned>(said.day())) + "/" +
                                two_digits(static_cast<unsigned>(said.month())) + "/" +
                                two_digits(static_cast<unsigned>(static_cast<int>(said.year()) % 100)));
  }
  if (decoded->sex != sex)
    return Error::for_field("counter.cf_sex", "sex", 400, decoded->sex == cf::Sex::female ? "F" : "M");
  return c;
}

void CounterService::record(db::Conn& tx, const Principal& op, const AssistedSession& s,
                            const std::string& action, const std::string& remote_addr,
                            const std::string& details) {
  audit::Entry e;
  e.tenant_id = s.counter_tenant_id;
  e.actor_kind = audit::ActorKind::staff;
  e.actor_id = op.subject;
  e.on_behalf_of = s.citizen_cf;
  e.channel = audit::Channel::counter;
  e.action = action;
  e.record_type = "assisted_session";
  e.record_id = s.id;
  e.remote_addr = remote_addr;
  if (!details.empty()) e.details = details;
  auto a = audit_.record(tx, e);
  if (!a) throw std::runtime_error("audit: " + a.error().code);
}

Result<AssistedSession> CounterService::start(const Principal* op, const CounterIdentity& in,
                                              const std::string& remote_addr) {
  if (auto st = check_operator(op); !st) return st.error();
  const auto now = clock_.now();
  auto c = check_identity(in, time::rome_date(now));
  if (!c) return c.error();
  if (op->assisting || open_session(*op)) return Error::make("counter.already_open", 409);

  AssistedSession s;
  s.id = ids::random_token(16);
  s.counter_tenant_id = op->tenant_id;
  s.operator_id = op->subject;
  s.operator_name = op->display_name;
  s.staff_session_id = op->session_id;
  s.citizen_cf = c->fiscal_code;
  s.citizen_name = c->given_name + " " + c->family_name;
  s.family_name = c->family_name;
  s.given_name = c->given_name;
  s.sex = c->sex;
  s.birth_date = c->birth_date;
  s.document_type = c->document_type;
  s.document_number = c->document_number;
  s.document_expiry = c->document_expiry;
  s.started_at = audit::AuditService::format_at(now);
  s.number_year = static_cast<int>(time::rome_date(now).year());
  for (int attempt = 0;; ++attempt) {
    try {
      db_.write([&](db::Conn& tx) {
        auto next =
            tx.query_one(kNextNumber, {s.counter_tenant_id, static_cast<std::int64_t>(s.number_year)});
        s.number = next ? next->i64(0) : 1;
        tx.exec(
            kInsertAssisted,
            {s.id, s.counter_tenant_id, s.operator_id, s.operator_name, s.staff_session_id, s.citizen_cf,
             s.citizen_name, s.document_type, s.document_number, s.started_at, s.family_name, s.given_name,
             s.sex, s.birth_date, s.document_expiry, static_cast<std::int64_t>(s.number_year), s.number});
        record(tx, *op, s, "counter.session_open", remote_addr,
               json::serialize(json::object{{"document_type", s.document_type}}));
      });
      break;
    } catch (const db::DbError& e) {
      // Another counter of the same body took the number first (PostgreSQL): take the next one.
      if (e.kind != db::DbError::Kind::unique_violation || attempt >= 4) throw;
    }
  }
  sessions_.set_assisting(*op, assisted_of(*c));
  return s;
}

bool CounterService::has_filed(const AssistedSession& s) {
  auto actions = actions_of(s);
  return std::any_of(actions.begin(), actions.end(),
                     [](const CounterAction& a) { return a.action.rfind("counter.", 0) != 0; });
}

Result<AssistedSession> CounterService::correct(const Principal* op, const CounterIdentity& in,
                                                const std::string& remote_addr) {
  if (auto st = check_operator(op); !st) return st.error();
  auto s = open_session(*op);
  if (!s) return Error::make("counter.none_open", 409);
  if (has_filed(*s)) return Error::make("counter.identity_locked", 409);
  auto c = check_identity(in, time::rome_date(clock_.now()));
  if (!c) return c.error();
  const CounterIdentity before = s->identity();
  bool changed = false;
  db_.write([&](db::Conn& tx) {
    changed = tx.exec(kCorrect, {s->id, c->fiscal_code, c->given_name + " " + c->family_name, c->family_name,
                                 c->given_name, c->sex, c->birth_date, c->document_type, c->document_number,
                                 c->document_expiry, s->citizen_cf}) == 1;
    if (!changed) return;
    // On behalf of the citizen now identified (the one served): it is listed on their receipt.
    AssistedSession after = *s;
    after.citizen_cf = c->fiscal_code;
    record(tx, *op, after, "counter.identity_corrected", remote_addr,
           "{\"before\":" + identity_json(before) + ",\"after\":" + identity_json(*c) + "}");
  });
  if (!changed) return Error::make("counter.none_open", 409);
  sessions_.set_assisting(*op, assisted_of(*c));
  return *open_session(*op);
}

std::optional<AssistedSession> CounterService::open_session(const Principal& op) {
  return db::read_one(db_, kOpen, {op.subject, op.session_id}, assisted_from);
}

Result<AssistedSession> CounterService::finish(const Principal* op, const std::string& remote_addr) {
  if (auto st = check_operator(op); !st) return st.error();
  auto s = open_session(*op);
  if (!s) {
    if (op->assisting) sessions_.set_assisting(*op, std::nullopt);  // a stale mark: clear it
    return Error::make("counter.none_open", 409);
  }
  const auto now = audit::AuditService::format_at(clock_.now());
  bool closed = false;
  db_.write([&](db::Conn& tx) {
    closed = tx.exec(kClose, {s->id, now}) == 1;
    if (!closed) return;
    record(tx, *op, *s, "counter.session_close", remote_addr);
  });
  if (!closed) return Error::make("counter.none_open", 409);
  sessions_.set_assisting(*op, std::nullopt);
  s->ended_at = now;
  return *s;
}

std::optional<AssistedSession> CounterService::by_id(const std::string& id) {
  return db::read_one(db_, kAssistedById, {id}, assisted_from);
}

std::vector<CounterAction> CounterService::actions_of(const AssistedSession& s) {
  const auto until = s.ended_at.value_or(audit::AuditService::format_at(clock_.now()));
  auto out =
      db::read_all(db_, kActions, {s.operator_id, s.citizen_cf, s.started_at, until}, [](const db::Row& r) {
        CounterAction a;
        a.at = r.text(0);
        a.tenant_id = r.i64(1);
        a.action = r.text(2);
        a.record_type = r.text(3);
        a.record_id = r.text(4);
        return a;
      });
  for (auto& a : out) {
    if (a.record_type != "case" || a.record_id.empty()) continue;
    struct Submitted {
      std::string at;
      std::string details;
    };
    auto sub = db::read_one(db_, kCaseSubmitted, {a.tenant_id, a.record_id}, [](const db::Row& r) {
      return Submitted{r.text(0), r.text(1)};
    });
    if (!sub) continue;
    a.protocol_at = sub->at;
    boost::system::error_code ec;
    auto v = json::parse(sub->details, ec);
    if (ec || !v.is_object()) continue;
    if (auto* x = v.get_object().if_contains("service"); x && x->is_string())
      a.service_code = std::string(x->get_string());
    if (auto* x = v.get_object().if_contains("protocol"); x && x->is_string())
      a.protocol_label = std::string(x->get_string());
  }
  return out;
}

Result<Receipt> CounterService::receipt(const Principal* viewer, const std::string& id,
                                        const std::string& remote_addr) {
  if (!viewer) return Error::make("auth.required", 401, "counter");
  auto s = by_id(id);
  if (!s) return Error::not_found("assisted_session");
  const bool is_operator = viewer->is_staff() && viewer->subject == s->operator_id;
  const bool is_citizen = viewer->kind == PrincipalKind::person && viewer->subject == s->citizen_cf;
  if (!is_operator && !is_citizen) return Error::not_found("assisted_session");
  Receipt r;
  r.session = *s;
  if (auto body = tenants_.by_id(s->counter_tenant_id)) r.body_name = body->name;
  r.actions = actions_of(*s);
  if (is_operator) {  // personal data read by staff: on the citizen's "who accessed my data"
    audit::Entry e;
    e.tenant_id = s->counter_tenant_id;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = viewer->subject;
    e.on_behalf_of = s->citizen_cf;
    e.channel = audit::Channel::counter;
    e.action = "counter.receipt.read";
    e.record_type = "assisted_session";
    e.record_id = s->id;
    e.remote_addr = remote_addr;
    if (auto a = audit_.record(e); !a) return a.error();
  }
  return r;
}

std::vector<AssistedSessionSummary> CounterService::sessions_for_citizen(const std::string& cf) {
  std::vector<AssistedSessionSummary> out;
  for (const auto& s : db::read_all(db_, kByCitizen, {cf::normalize(cf)}, assisted_from)) {
    AssistedSessionSummary sum;
    sum.id = s.id;
    sum.counter_tenant_id = s.counter_tenant_id;
    if (auto body = tenants_.by_id(s.counter_tenant_id)) sum.body_name = body->name;
    sum.operator_name = s.operator_name;
    sum.started_at = s.started_at;
    sum.ended_at = s.ended_at;
    sum.actions = actions_of(s).size();
    sum.receipt_href = "/sportello-assistito/ricevuta/" + s.id;
    out.push_back(std::move(sum));
  }
  return out;
}

}  // namespace sp::identity
