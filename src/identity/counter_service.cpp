#include "identity/counter_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <set>

#include "core/codice_fiscale.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/permissions.hpp"

namespace sp::identity {
namespace json = boost::json;
namespace {

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
        s.number = CounterStore::next_number(tx, s.counter_tenant_id, s.number_year);
        CounterStore::insert(tx, s);
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
  auto changed = db::transact(db_, [&](db::Conn& tx) -> Status {
    if (!CounterStore::correct(tx, s->id, s->citizen_cf, *c)) return Error::make("counter.none_open", 409);
    // On behalf of the citizen now identified (the one served): it is listed on their receipt.
    AssistedSession after = *s;
    after.citizen_cf = c->fiscal_code;
    record(tx, *op, after, "counter.identity_corrected", remote_addr,
           "{\"before\":" + identity_json(before) + ",\"after\":" + identity_json(*c) + "}");
    return Ok{};
  });
  if (!changed) return changed.error();
  sessions_.set_assisting(*op, assisted_of(*c));
  return *open_session(*op);
}

std::optional<AssistedSession> CounterService::open_session(const Principal& op) {
  return store_.open(op.subject, op.session_id);
}

Result<AssistedSession> CounterService::finish(const Principal* op, const std::string& remote_addr) {
  if (auto st = check_operator(op); !st) return st.error();
  auto s = open_session(*op);
  if (!s) {
    if (op->assisting) sessions_.set_assisting(*op, std::nullopt);  // a stale mark: clear it
    return Error::make("counter.none_open", 409);
  }
  const auto now = audit::AuditService::format_at(clock_.now());
  auto closed = db::transact(db_, [&](db::Conn& tx) -> Status {
    if (!CounterStore::close(tx, s->id, now)) return Error::make("counter.none_open", 409);
    record(tx, *op, *s, "counter.session_close", remote_addr);
    return Ok{};
  });
  if (!closed) return closed.error();
  sessions_.set_assisting(*op, std::nullopt);
  s->ended_at = now;
  return *s;
}

std::optional<AssistedSession> CounterService::by_id(const std::string& id) {
  return store_.by_id(id);
}

std::vector<CounterAction> CounterService::actions_of(const AssistedSession& s) {
  const auto until = s.ended_at.value_or(audit::AuditService::format_at(clock_.now()));
  // The counter's own bookkeeping and refused attempts are not services rendered to the citizen.
  static const std::set<std::string, std::less<>> kNotServices = {
      "counter.session_open", "counter.session_close", "counter.receipt.read", "application.access_refused",
      "case.access_refused"};
  std::vector<CounterAction> out;
  for (const auto& stored : audit_.counter_actions(s.operator_id, s.citizen_cf, s.started_at, until)) {
    const auto& e = stored.entry;
    if (kNotServices.count(e.action) > 0) continue;
    CounterAction a;
    a.at = stored.at;
    a.tenant_id = e.tenant_id;
    a.action = e.action;
    a.record_type = e.record_type;
    a.record_id = e.record_id;
    if (a.record_type == "case" && !a.record_id.empty()) {
      if (auto sub = audit_.first_on_record(a.tenant_id, "case.submit", "case", a.record_id)) {
        a.protocol_at = sub->at;
        boost::system::error_code ec;
        auto v = json::parse(sub->entry.details, ec);
        if (!ec && v.is_object()) {
          if (auto* x = v.get_object().if_contains("service"); x && x->is_string())
            a.service_code = std::string(x->get_string());
          if (auto* x = v.get_object().if_contains("protocol"); x && x->is_string())
            a.protocol_label = std::string(x->get_string());
        }
      }
    }
    out.push_back(std::move(a));
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
  for (const auto& s : store_.by_citizen(cf::normalize(cf))) {
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
