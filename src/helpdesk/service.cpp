#include "helpdesk/service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "adapters/messaging/outbox.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "helpdesk/store.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"

namespace sp::helpdesk {
namespace {

namespace json = boost::json;
// The targets of a category and priority that has none in helpdesk_sla_targets: 8 and 45 business hours.
constexpr Targets kDefaultTargets{480, 2700};

using identity::Permission;
using identity::Principal;

constexpr std::size_t kMaxSubject = 200;
constexpr std::size_t kMaxText = 20000;
constexpr std::size_t kMaxFiles = 5;
constexpr std::int64_t kMaxFileBytes = 10 * 1024 * 1024;

std::string iso(time::TimePoint tp) {
  return time::format_iso_utc_millis(tp);
}

bool is_agent(const Principal* who) {
  return static_cast<bool>(identity::authorize(who, Permission::helpdesk, 0));
}

Event event_of(const Principal* who, bool agent, const std::string& kind, std::string value, std::string at) {
  Event e;
  e.at = std::move(at);
  e.actor_id = who->subject;
  e.actor_name = who->display_name;
  e.actor_side = agent ? "agent" : "body";
  e.kind = kind;
  e.value = std::move(value);
  return e;
}

// Moves the ticket to `to`, stopping or starting its clock.
void move_to(Ticket& t, State to, time::TimePoint now, const OfficeHours& hours) {
  if (clock_runs(to) && !t.clock.running) t.clock = resumed(t.clock, now);
  if (!clock_runs(to) && t.clock.running) t.clock = paused(t.clock, now, hours);
  t.state = to;
  if (to == State::closed) t.closed_at = iso(now);
}

Status check_text(const std::string& text) {
  const auto trimmed = text::trim(text);
  if (trimmed.empty()) return Error::for_field("helpdesk.text", "text");
  if (text.size() > kMaxText) return Error::for_field("helpdesk.text", "text", 400, std::to_string(kMaxText));
  return Ok{};
}

}  // namespace

HelpdeskService::HelpdeskService(db::Database& db, time::Clock& clock, const I18n& i18n,
                                 files::FileService& files, audit::AuditService& audit, Directory directory,
                                 Options options)
    : db_(db),
      clock_(clock),
      i18n_(i18n),
      files_(files),
      audit_(audit),
      directory_(std::move(directory)),
      options_(std::move(options)) {}

Status HelpdeskService::attach(db::Conn& tx, const Ticket& t, int seq, const std::vector<Upload>& uploads) {
  if (uploads.size() > kMaxFiles)
    return Error::for_field("helpdesk.files", "files", 400, std::to_string(kMaxFiles));
  files::Limits limits;
  limits.max_size = kMaxFileBytes;
  limits.allowed_types = {"image/*", "application/pdf", "text/plain", "text/csv"};
  int n = store::next_attachment(tx, t.id);
  for (const auto& u : uploads) {
    auto stored = files_.put(tx, t.tenant_id, u.name, u.bytes, limits);
    if (!stored) {
      Error e = stored.error();
      e.field = "files";
      return e;
    }
    store::insert_attachment(tx, t, seq, n++, stored->id, stored->file_name);
  }
  return Ok{};
}

Result<std::pair<files::StoredFile, std::string>> HelpdeskService::attachment(const Principal* who,
                                                                              tenants::TenantId body,
                                                                              const std::string& id, int n) {
  auto v = view(who, body, id);
  if (!v) return v.error();
  for (const auto& e : v->events) {
    for (const auto& a : e.attachments) {
      if (a.n != n) continue;
      auto f = files_.get(v->ticket.tenant_id, a.file_id);
      auto bytes = files_.read_content(v->ticket.tenant_id, a.file_id);
      if (!bytes) return bytes.error();
      if (!f || !*bytes) return Error::not_found("attachment");
      return std::make_pair(*f, std::move(**bytes));
    }
  }
  return Error::not_found("attachment");
}

Result<Ticket> HelpdeskService::open(const Principal* who, tenants::TenantId body, const NewTicket& n) {
  const bool agent = is_agent(who);
  if (!agent) {
    if (auto st = identity::authorize(who, Permission::backoffice, body); !st) return st.error();
  }
  if (body <= 0) return Error::for_field("helpdesk.body", "body");
  if (!is_category(n.category)) return Error::for_field("helpdesk.category", "category");
  auto priority = n.priority.empty() ? std::optional<Priority>(Priority::normal) : parse_priority(n.priority);
  if (!priority) return Error::for_field("helpdesk.priority", "priority");
  const auto subject = text::trim(n.subject);
  if (subject.empty() || subject.size() > kMaxSubject)
    return Error::for_field("helpdesk.subject", "subject", 400, std::to_string(kMaxSubject));
  if (auto st = check_text(n.text); !st) return st.error();
  if (agent && text::trim(n.caller_name).empty()) return Error::for_field("helpdesk.caller", "caller");
  const auto now = clock_.now();
  return db::transact(db_, [&](db::Conn& tx) -> Result<Ticket> {
    Ticket t;
    t.id = ids::random_token(16);
    t.number = store::next_number(tx);
    t.tenant_id = body;
    t.category = n.category;
    t.priority = *priority;
    t.subject = subject;
    t.state = State::new_;
    t.channel = agent ? "phone" : "web";
    if (agent) {
      t.opened_by = "";
      t.opened_by_name = text::trim(n.caller_name);
      t.logged_by = who->subject;
    } else {
      t.opened_by = who->subject;
      t.opened_by_name = who->display_name;
    }
    t.created_at = t.updated_at = iso(now);
    t.clock = SlaClock{0, true, now};
    store::insert_ticket(tx, t);
    Event e = event_of(who, agent, "opened", t.channel, iso(now));
    e.seq = 1;
    e.text_id = ids::uuid_v7();
    store::insert_text(tx, e.text_id, t, false, n.text);
    store::insert_event(tx, t, e);
    if (auto st = attach(tx, t, 1, n.files); !st) return st.error();
    notify(tx, t, "new", agents());
    return t;
  });
}

Result<std::vector<Ticket>> HelpdeskService::tickets_of(const Principal* who, tenants::TenantId body) {
  if (auto st = identity::authorize(who, Permission::backoffice, body); !st) return st.error();
  std::vector<Ticket> out;
  db_.read([&](db::Conn& c) { out = store::tickets_of(c, body); });
  return out;
}

OfficeHours HelpdeskService::office_hours() {
  OfficeHours h;
  db_.read([&](db::Conn& c) { h = store::office_hours(c); });
  return h;
}

SlaView HelpdeskService::sla(const Ticket& t, const Targets& targets, time::TimePoint now,
                             const OfficeHours& hours) const {
  SlaView v;
  v.targets = targets;
  v.running = t.clock.running;
  v.responded = t.first_response_at.has_value();
  if (v.responded) {
    v.first_response_met = t.first_response_s.value_or(0) <= targets.first_response_min * 60;
    v.response.left_s = targets.first_response_min * 60 - t.first_response_s.value_or(0);
    v.response.breached = !v.first_response_met;
  } else {
    v.response = target_status(t.clock, targets.first_response_min * 60, now, hours);
    v.first_response_met = !v.response.breached;
  }
  v.resolution = target_status(t.clock, targets.resolution_min * 60, now, hours);
  return v;
}

std::vector<TicketOutcome> HelpdeskService::outcomes(db::Conn& c, tenants::TenantId tenant,
                                                     const std::string& lo, const std::string& hi) const {
  std::vector<TicketOutcome> out;
  const auto now = clock_.now();
  std::map<std::pair<std::string, Priority>, Targets> targets;
  const auto hours = store::office_hours(c);  // the service centre's calendar, as the ticket pages count
  for (const auto& t : store::opened_between(c, tenant, lo, hi)) {
    auto key = std::make_pair(t.category, t.priority);
    auto it = targets.find(key);
    if (it == targets.end())
      it = targets.emplace(key, store::targets(c, t.category, t.priority).value_or(kDefaultTargets)).first;
    const auto v = sla(t, it->second, now, hours);
    TicketOutcome o;
    o.tenant = t.tenant_id;
    o.created_at = t.created_at;
    if (v.responded)
      o.first_response = v.first_response_met ? Outcome::met : Outcome::missed;
    else if (v.response.breached)
      o.first_response = Outcome::missed;
    const bool done = t.state == State::resolved || t.state == State::closed;
    if (v.resolution.breached)
      o.resolution = Outcome::missed;
    else if (done)
      o.resolution = Outcome::met;
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<QueueRow>> HelpdeskService::queue(const Principal* who) {
  if (auto st = identity::authorize(who, Permission::helpdesk, 0); !st) return st.error();
  std::vector<QueueRow> out;
  const auto now = clock_.now();
  const auto hours = office_hours();
  db_.read([&](db::Conn& c) {
    for (auto& t : store::all_tickets(c, false)) {
      auto targets = store::targets(c, t.category, t.priority).value_or(kDefaultTargets);
      out.push_back(QueueRow{t, sla(t, targets, now, hours)});
    }
  });
  auto left = [](const QueueRow& r) {
    auto l = r.sla.resolution.left_s;
    if (!r.sla.responded) l = std::min(l, r.sla.response.left_s);
    return l;
  };
  std::stable_sort(out.begin(), out.end(), [&](const QueueRow& a, const QueueRow& b) {
    if (a.sla.running != b.sla.running) return a.sla.running;
    return left(a) < left(b);
  });
  return out;
}

Result<TicketView> HelpdeskService::view(const Principal* who, tenants::TenantId body,
                                         const std::string& id) {
  const bool agent = body == 0;
  if (auto st = identity::authorize(who, agent ? Permission::helpdesk : Permission::backoffice, body); !st)
    return st.error();
  return load_view(body, id);
}

Result<TicketView> HelpdeskService::view_for_body(tenants::TenantId body, const std::string& id) {
  if (body <= 0) return Error::not_found("ticket");
  return load_view(body, id);
}

Result<TicketView> HelpdeskService::load_view(tenants::TenantId body, const std::string& id) {
  const bool agent = body == 0;
  std::optional<TicketView> v;
  const auto now = clock_.now();
  const auto hours = office_hours();
  db_.read([&](db::Conn& c) {
    auto t = store::ticket(c, body, id);
    if (!t) return;
    TicketView x;
    x.ticket = *t;
    const auto files = store::attachments(c, id);
    for (auto& e : store::events(c, id)) {
      for (const auto& [seq, a] : files)
        if (seq == e.seq) e.attachments.push_back(a);
      if (!agent && e.internal) continue;
      x.events.push_back(std::move(e));
    }
    auto targets = store::targets(c, t->category, t->priority).value_or(kDefaultTargets);
    x.sla = sla(*t, targets, now, hours);
    v = std::move(x);
  });
  if (!v) return Error::not_found("ticket");
  return std::move(*v);
}

Status HelpdeskService::change(const Principal* who, tenants::TenantId body, const std::string& id,
                               const std::function<Result<std::vector<Event>>(db::Conn&, Ticket&)>& fn) {
  const bool agent = body == 0;
  if (auto st = identity::authorize(who, agent ? Permission::helpdesk : Permission::backoffice, body); !st)
    return st.error();
  auto r = db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    auto t = store::ticket(tx, body, id);
    if (!t) return Error::not_found("ticket");
    const auto version = t->version;
    auto events = fn(tx, *t);
    if (!events) return events.error();
    t->updated_at = iso(clock_.now());
    if (!store::update_ticket(tx, *t, version)) return Error::make("helpdesk.conflict", 409);
    int seq = store::next_seq(tx, id);
    for (auto& e : *events) {
      e.seq = seq++;
      store::insert_event(tx, *t, e);
    }
    return Ok{};
  });
  if (!r) return r.error();
  return Ok{};
}

Status HelpdeskService::body_reply(const Principal* who, tenants::TenantId body, const std::string& id,
                                   const std::string& text, const std::vector<Upload>& files) {
  if (auto st = check_text(text); !st) return st;
  if (body <= 0) return Error::not_found("ticket");
  const auto hours = office_hours();
  return change(who, body, id, [&](db::Conn& tx, Ticket& t) -> Result<std::vector<Event>> {
    if (t.state == State::closed) return Error::make("helpdesk.closed", 409);
    const auto now = clock_.now();
    std::vector<Event> out;
    Event e = event_of(who, false, "reply", "", iso(now));
    e.text_id = ids::uuid_v7();
    store::insert_text(tx, e.text_id, t, false, text);
    if (auto st = attach(tx, t, store::next_seq(tx, t.id), files); !st) return st.error();
    out.push_back(e);
    if (t.state == State::waiting || t.state == State::resolved) {
      move_to(t, State::open, now, hours);
      out.push_back(event_of(who, false, "state", "open", iso(now)));
    }
    if (!t.assignee.empty() && directory_.staff) {
      if (auto a = directory_.staff(t.assignee)) notify(tx, t, "body_reply", {*a});
    }
    return out;
  });
}

Status HelpdeskService::agent_change(const Principal* who, const std::string& id, const AgentChange& ch) {
  if (ch.action == "reply" || ch.action == "note") {
    if (auto st = check_text(ch.text); !st) return st;
  }
  const auto hours = office_hours();
  return change(who, 0, id, [&](db::Conn& tx, Ticket& t) -> Result<std::vector<Event>> {
    const auto now = clock_.now();
    std::vector<Event> out;
    auto state_event = [&](State to) {
      move_to(t, to, now, hours);
      out.push_back(event_of(who, true, "state", std::string(to_string(to)), iso(now)));
    };
    if (ch.action == "reply" || ch.action == "note") {
      const bool note = ch.action == "note";
      if (!note && t.state == State::closed) return Error::make("helpdesk.closed", 409);
      Event e = event_of(who, true, ch.action, "", iso(now));
      e.text_id = ids::uuid_v7();
      store::insert_text(tx, e.text_id, t, note, ch.text);
      if (auto st = attach(tx, t, store::next_seq(tx, t.id), ch.files); !st) return st.error();
      out.push_back(e);
      if (!note) {
        if (!t.first_response_at) {
          t.first_response_at = iso(now);
          t.first_response_s = elapsed(t.clock, now, hours);
        }
        if (ch.wait && t.state != State::waiting) {
          state_event(State::waiting);
        } else if (t.state == State::new_) {
          state_event(State::open);
        }
        if (!t.opened_by.empty() && directory_.staff) {
          if (auto s = directory_.staff(t.opened_by)) notify(tx, t, "reply", {*s});
        }
      }
      return out;
    }
    if (ch.action == "assign") {
      std::optional<StaffContact> to;
      if (ch.value == "me" || ch.value == who->subject) {
        to = StaffContact{who->subject, who->display_name, ""};
      } else {
        for (const auto& a : agents())
          if (a.id == ch.value) to = a;
      }
      if (!to) return Error::for_field("helpdesk.assignee", "value");
      t.assignee = to->id;
      t.assignee_name = to->name;
      out.push_back(event_of(who, true, "assigned", to->name, iso(now)));
      if (t.state == State::new_) state_event(State::open);
      return out;
    }
    if (ch.action == "state") {
      auto to = parse_state(ch.value);
      if (!to) return Error::for_field("helpdesk.state", "value", 409);
      if (!agent_may_set(t.state, *to)) return Error::make("helpdesk.state", 409, ch.value);
      state_event(*to);
      return out;
    }
    if (ch.action == "priority") {
      auto p = parse_priority(ch.value);
      if (!p) return Error::for_field("helpdesk.priority", "value");
      if (*p == t.priority) return out;
      t.priority = *p;
      out.push_back(event_of(who, true, "priority", ch.value, iso(now)));
      return out;
    }
    if (ch.action == "category") {
      if (!is_category(ch.value)) return Error::for_field("helpdesk.category", "value");
      if (ch.value == t.category) return out;
      t.category = ch.value;
      out.push_back(event_of(who, true, "category", ch.value, iso(now)));
      return out;
    }
    if (ch.action == "redact") {
      std::string text_id;
      for (const auto& e : store::events(tx, t.id))
        if (std::to_string(e.seq) == ch.value && !e.text_id.empty()) text_id = e.text_id;
      if (text_id.empty() || !store::redact_text(tx, t.id, text_id, iso(now)))
        return Error::not_found("message");
      store::purge_attachments_of(tx, t.id, std::stoi(ch.value), iso(now));
      audit_.record_or_throw(tx, identity::entry_by(*who, t.tenant_id, "helpdesk.redact", "helpdesk_ticket",
                                                    t.id, "{\"seq\":" + ch.value + "}"));
      out.push_back(event_of(who, true, "redacted", ch.value, iso(now)));
      return out;
    }
    return Error::make("helpdesk.action", 400, ch.action);
  });
}

void HelpdeskService::notify(db::Conn& tx, const Ticket& t, const std::string& what,
                             const std::vector<StaffContact>& to) {
  const std::string lang = "it";
  std::string link = options_.public_url;
  if (what == "reply") {
    const auto slug = directory_.slug ? directory_.slug(t.tenant_id) : std::string();
    link += "/backoffice/" + slug + "/assistenza/" + t.id;
  } else {
    link += "/hub/assistenza/" + t.id;
  }
  const std::map<std::string, std::string> values = {{"number", std::to_string(t.number)}, {"link", link}};
  for (const auto& c : to) {
    if (c.email.empty()) continue;
    messaging::Message m;
    m.tenant_id = t.tenant_id;
    m.channel = messaging::Channel::email;
    m.recipient = c.email;
    m.subject = i18n_.format(lang, "ui.hd_mail_" + what + "_subject", values);
    m.body = i18n_.format(lang, "ui.hd_mail_" + what + "_body", values);
    m.type = "helpdesk." + what;
    auto q = messaging::enqueue(tx, m, clock_);
    if (!q) throw std::runtime_error("outbox: " + q.error().code);
  }
}

int HelpdeskService::purge_expired() {
  const auto now = clock_.now();
  auto d = time::rome_date(now);
  const std::chrono::year_month ym =
      std::chrono::year_month{d.year(), d.month()} - std::chrono::months(options_.retention_months);
  const auto last =
      std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}}.day();
  const std::chrono::year_month_day cut{ym.year(), ym.month(), std::min(d.day(), last)};
  const auto before = iso(time::rome_day_start(cut));
  std::vector<std::string> ids;
  db_.read([&](db::Conn& c) { ids = store::purge_candidates(c, before, 500); });
  int done = 0;
  for (const auto& id : ids) {
    db_.write([&](db::Conn& tx) {
      auto t = store::ticket(tx, 0, id);
      if (!t || t->purged_at) return;
      store::purge_content(tx, id, iso(now));
      Event e;
      e.seq = store::next_seq(tx, id);
      e.at = iso(now);
      e.actor_id = "system";
      e.actor_name = "retention";
      e.actor_side = "system";
      e.kind = "purged";
      store::insert_event(tx, *t, e);
      audit::Entry a;
      a.tenant_id = t->tenant_id;
      a.actor_id = "system";
      a.action = "helpdesk.purge";
      a.record_type = "helpdesk_ticket";
      a.record_id = id;
      audit_.record_or_throw(tx, a);
      ++done;
    });
  }
  return done;
}

Result<Answer> HelpdeskService::publish(const Principal* who, const std::string& category,
                                        const std::string& title, const std::string& body) {
  if (auto st = identity::authorize(who, Permission::helpdesk, 0); !st) return st.error();
  if (!is_category(category)) return Error::for_field("helpdesk.category", "category");
  if (text::trim(title).empty() || title.size() > kMaxSubject)
    return Error::for_field("helpdesk.answer_title", "title");
  if (text::trim(body).empty() || body.size() > kMaxText)
    return Error::for_field("helpdesk.answer_text", "text");
  Answer a;
  a.id = ids::uuid_v7();
  a.category = category;
  a.title = text::trim(title);
  a.body = body;
  a.published_by = who->display_name;
  a.published_at = a.updated_at = iso(clock_.now());
  db_.write([&](db::Conn& tx) { store::insert_answer(tx, a); });
  return a;
}

Result<Answer> HelpdeskService::edit_answer(const Principal* who, const std::string& id,
                                            std::int64_t expected_version, const std::string& category,
                                            const std::string& title, const std::string& body) {
  if (auto st = identity::authorize(who, Permission::helpdesk, 0); !st) return st.error();
  if (!is_category(category)) return Error::for_field("helpdesk.category", "category");
  if (text::trim(title).empty() || title.size() > kMaxSubject)
    return Error::for_field("helpdesk.answer_title", "title");
  if (text::trim(body).empty() || body.size() > kMaxText)
    return Error::for_field("helpdesk.answer_text", "text");
  return db::transact(db_, [&](db::Conn& tx) -> Result<Answer> {
    auto a = store::answer(tx, id);
    if (!a) return Error::not_found("answer");
    if (!a->withdrawn_at.empty()) return Error::make("helpdesk.withdrawn", 409);
    if (a->version != expected_version) return Error::make("helpdesk.conflict", 409);
    a->category = category;
    a->title = text::trim(title);
    a->body = body;
    a->updated_at = iso(clock_.now());
    a->version = expected_version + 1;
    if (!store::update_answer(tx, *a, "edit", who->display_name))
      return Error::make("helpdesk.conflict", 409);
    return *a;
  });
}

Status HelpdeskService::withdraw_answer(const Principal* who, const std::string& id,
                                        std::int64_t expected_version) {
  if (auto st = identity::authorize(who, Permission::helpdesk, 0); !st) return st;
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto a = store::answer(tx, id);
    if (!a) return Error::not_found("answer");
    if (!a->withdrawn_at.empty()) return Error::make("helpdesk.withdrawn", 409);
    if (a->version != expected_version) return Error::make("helpdesk.conflict", 409);
    a->updated_at = a->withdrawn_at = iso(clock_.now());
    a->version = expected_version + 1;
    if (!store::update_answer(tx, *a, "withdraw", who->display_name))
      return Error::make("helpdesk.conflict", 409);
    return Ok{};
  });
}

Result<std::pair<Answer, std::vector<AnswerVersion>>> HelpdeskService::answer(const Principal* who,
                                                                              const std::string& id) {
  if (auto st = identity::authorize(who, Permission::helpdesk, 0); !st) return st.error();
  std::optional<std::pair<Answer, std::vector<AnswerVersion>>> out;
  db_.read([&](db::Conn& c) {
    if (auto a = store::answer(c, id)) out.emplace(*a, store::answer_versions(c, id));
  });
  if (!out) return Error::not_found("answer");
  return std::move(*out);
}

namespace {

Status settings_reader(const Principal* who) {
  if (identity::authorize(who, Permission::helpdesk, 0)) return Ok{};
  return identity::authorize(who, Permission::manage_hub, 0);
}

// "9:00", "09:00", "18:30" → minutes from midnight (24:00 allowed for a closing time).
std::optional<int> parse_hhmm(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3)
    return std::nullopt;
  int h = 0, m = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == colon) continue;
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    (i < colon ? h : m) = (i < colon ? h : m) * 10 + (s[i] - '0');
  }
  if (m > 59 || h > 24 || (h == 24 && m > 0)) return std::nullopt;
  return h * 60 + m;
}

}  // namespace

Result<HelpdeskService::Settings> HelpdeskService::settings(const Principal* who) {
  if (auto st = settings_reader(who); !st) return st.error();
  Settings s;
  db_.read([&](db::Conn& c) {
    s.hours = store::office_hours(c);
    s.holidays = store::holidays(c);
    s.targets = store::all_targets(c);
  });
  return s;
}

Status HelpdeskService::set_targets(const Principal* who, const std::vector<TargetSetting>& targets) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st;
  // At most a year of office days: beyond that a target means nothing.
  constexpr std::int64_t kMaxMinutes = 250 * 24 * 60;
  for (const auto& t : targets) {
    const std::string key = t.category + "_" + std::string(to_string(t.priority));
    if (!is_category(t.category)) return Error::for_field("helpdesk.category", "fr_" + key);
    if (t.targets.first_response_min <= 0 || t.targets.first_response_min > kMaxMinutes)
      return Error::for_field("helpdesk.target", "fr_" + key);
    if (t.targets.resolution_min < t.targets.first_response_min || t.targets.resolution_min > kMaxMinutes)
      return Error::for_field("helpdesk.target", "res_" + key);
  }
  const auto now = iso(clock_.now());
  db_.write([&](db::Conn& tx) {
    json::array changed;
    const auto before = store::all_targets(tx);
    for (const auto& t : targets) {
      for (const auto& b : before) {
        if (b.category != t.category || b.priority != t.priority) continue;
        if (b.targets.first_response_min == t.targets.first_response_min &&
            b.targets.resolution_min == t.targets.resolution_min)
          continue;
        store::set_targets(tx, t.category, t.priority, t.targets, who->display_name, now);
        changed.push_back(json::object{{"category", t.category},
                                       {"priority", std::string(to_string(t.priority))},
                                       {"first_response_min", t.targets.first_response_min},
                                       {"resolution_min", t.targets.resolution_min}});
      }
    }
    if (!changed.empty())
      audit_.record_or_throw(tx,
                             identity::entry_by(*who, 0, "helpdesk.targets", "helpdesk_settings", "targets",
                                                json::serialize(json::object{{"changed", changed}})));
  });
  return Ok{};
}

Status HelpdeskService::set_office_hours(const Principal* who, const std::string& open,
                                         const std::string& close) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st;
  auto o = parse_hhmm(text::trim(open));
  if (!o || *o >= 24 * 60) return Error::for_field("helpdesk.hours", "open");
  auto c = parse_hhmm(text::trim(close));
  if (!c || *c <= *o) return Error::for_field("helpdesk.hours", "close");
  db_.write([&](db::Conn& tx) {
    store::set_office_hours(tx, *o, *c, who->display_name, iso(clock_.now()));
    audit_.record_or_throw(tx,
                           identity::entry_by(*who, 0, "helpdesk.hours", "helpdesk_settings", "hours",
                                              json::serialize(json::object{{"open", *o}, {"close", *c}})));
  });
  return Ok{};
}

Status HelpdeskService::add_holiday(const Principal* who, const std::string& day, const std::string& name) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st;
  auto d = time::parse_iso_date(text::trim(day));
  if (!d) return Error::for_field("helpdesk.holiday_day", "day");
  const auto n = text::trim(name);
  if (n.empty() || n.size() > 200) return Error::for_field("helpdesk.holiday_name", "name");
  const Holiday h{time::format_iso_date(*d), n};
  db_.write([&](db::Conn& tx) {
    store::add_holiday(tx, h, who->display_name, iso(clock_.now()));
    audit_.record_or_throw(tx, identity::entry_by(*who, 0, "helpdesk.holiday_added", "helpdesk_settings",
                                                  h.day, json::serialize(json::object{{"name", h.name}})));
  });
  return Ok{};
}

Status HelpdeskService::remove_holiday(const Principal* who, const std::string& day) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st;
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    if (!store::remove_holiday(tx, day)) return Error::not_found("holiday");
    audit_.record_or_throw(tx,
                           identity::entry_by(*who, 0, "helpdesk.holiday_removed", "helpdesk_settings", day));
    return Ok{};
  });
}

Result<std::vector<Answer>> HelpdeskService::search(const Principal* who, const std::string& query,
                                                    bool every_word, int limit) {
  if (who == nullptr) return Error::make("auth.required", 401);
  const bool staff_of_body = who->is_staff() && who->tenant_id != 0 &&
                             identity::authorize(who, Permission::backoffice, who->tenant_id);
  if (!staff_of_body && !is_agent(who)) return Error::forbidden("helpdesk");
  const auto words = store::search_words(query, every_word ? 3u : 4u, 6);
  std::vector<Answer> out;
  db_.read([&](db::Conn& c) { out = store::answers(c, words, every_word, limit); });
  return out;
}

}  // namespace sp::helpdesk
