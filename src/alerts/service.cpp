#include "alerts/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "adapters/messaging/correlation.hpp"
#include "adapters/messaging/outbox.hpp"
#include "alerts/store.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
#include "messaging/routing.hpp"

namespace sp::alerts {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

// What the alert's messages carry in the outbox, so that it counts them (messaging::count_by_correlation).
std::string correlation_of(const std::string& alert_id) {
  return "alert:" + alert_id;
}

constexpr std::size_t kTitleMax = 80;
constexpr std::size_t kBodyMax = 1000;

// Alerts are news the person receives like a case's news: routed by their general choice, then the first
// verified channel, with the other verified ones as fallbacks (messaging/routing.hpp, class info).
const messaging::MessageType kAlertType{"alert", messaging::TypeClass::info, {}};

Error field_error(std::string code, std::string field, int status = 422, std::string detail = {}) {
  return Error::for_field(std::move(code), std::move(field), status, std::move(detail));
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool has_control(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// At most `n` bytes, cut on a character boundary.
std::string clip_utf8(std::string s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::int64_t epoch_ms(time::TimePoint t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}
time::TimePoint from_ms(std::int64_t ms) {
  return time::TimePoint{std::chrono::duration_cast<time::TimePoint::duration>(milliseconds(ms))};
}

std::map<std::string, std::int64_t> parse_slots(const std::string& text) {
  std::map<std::string, std::int64_t> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, x] : v.as_object())
    if (x.is_int64()) out[std::string(k)] = x.as_int64();
  return out;
}
std::string slots_json(const std::map<std::string, std::int64_t>& slots) {
  json::object o;
  for (const auto& [k, v] : slots) o[k] = v;
  return json::serialize(o);
}

std::string fallbacks_text(const Target& t) {
  std::string out;
  for (const auto& [ch, addr] : t.fallbacks) out += ch + " " + addr + "\n";
  return out;
}

// Every "school" answer anywhere in a case's answers (the school forms keep it per child).
void collect_schools(const json::value& v, std::set<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, x] : v.as_object()) {
      if (k == "school" && x.is_string()) out.insert(std::string(x.as_string()));
      collect_schools(x, out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v.as_array()) collect_schools(x, out);
  }
}

}  // namespace

AlertService::AlertService(db::Database& db, audit::AuditService& audit, identity::ProfileService& profiles,
                           anagrafe::AnagrafeService& anagrafe, CaseAnswers cases,
                           const tenants::TenantService& tenants, const I18n& i18n, const time::Clock& clock,
                           Options options)
    : db_(db),
      audit_(audit),
      profiles_(profiles),
      anagrafe_(anagrafe),
      cases_(std::move(cases)),
      tenants_(tenants),
      i18n_(i18n),
      clock_(clock),
      options_(std::move(options)) {}

Status AlertService::staff(const identity::Principal* who, std::int64_t tenant) const {
  return identity::authorize(who, identity::Permission::backoffice, tenant);
}

std::optional<Alert> AlertService::load(std::int64_t tenant, const std::string& id) {
  std::optional<Alert> out;
  db_.read([&](db::Conn& c) { out = store::find_alert(c, tenant, id); });
  return out;
}

void AlertService::register_with(jobs::Runner& runner) {
  jobs::Kind k;
  k.name = kFanoutKind;
  k.retry =
      jobs::RetryPolicy{10, std::chrono::seconds(5), std::chrono::seconds(300), std::chrono::seconds(120)};
  k.run = [this](jobs::JobRun& r) { return run_fanout(r); };
  runner.add(std::move(k));
}

// --- staff --------------------------------------------------------------------------------------------

Result<std::vector<Alert>> AlertService::list(const identity::Principal* who, std::int64_t tenant) {
  if (auto st = staff(who, tenant); !st) return st.error();
  std::vector<Alert> out;
  db_.read([&](db::Conn& c) { out = store::list_alerts(c, tenant, 100); });
  return out;
}

Result<Alert> AlertService::get(const identity::Principal* who, std::int64_t tenant, const std::string& id) {
  if (auto st = staff(who, tenant); !st) return st.error();
  auto a = load(tenant, id);
  if (!a) return Error::not_found("alert");
  return *a;
}

std::vector<std::string> AlertService::street_names(std::int64_t tenant) {
  std::vector<std::string> out;
  for (const auto& s : anagrafe_.streets(tenant)) out.push_back(s.specie + " " + s.denominazione);
  return out;
}

std::vector<std::string> AlertService::schools(std::int64_t tenant) {
  std::set<std::string> found;
  for (const auto& form : options_.school_forms) {
    for (const auto& [cf, answers] : cases_(tenant, form)) {
      boost::system::error_code ec;
      auto v = json::parse(answers, ec);
      if (!ec) collect_schools(v, found);
    }
  }
  return {found.begin(), found.end()};
}

std::string AlertService::school_name(std::int64_t tenant, const std::string& code,
                                      const std::string& lang) const {
  if (school_name_) {
    auto name = school_name_(tenant, code, lang);
    if (!name.empty()) return name;
  }
  return code;
}

Result<std::string> AlertService::create(const identity::Principal* who, std::int64_t tenant,
                                         const AlertForm& f) {
  if (auto st = staff(who, tenant); !st) return st.error();
  const auto& cats = options_.categories;
  if (std::find(cats.begin(), cats.end(), f.category) == cats.end())
    return field_error("alerts.category", "category");
  const std::string title = trim(f.title), body = trim(f.body);
  if (title.size() < 3 || utf8_length(title) > kTitleMax || has_control(title, false))
    return field_error("alerts.title", "title", 422, std::to_string(kTitleMax));
  if (body.size() < 3 || utf8_length(body) > kBodyMax || has_control(body, true))
    return field_error("alerts.body", "body", 422, std::to_string(kBodyMax));
  auto segment = parse_segment(f.segment);
  if (!segment) return field_error("alerts.segment", "segment");
  std::string value;
  if (*segment == SegmentKind::streets) {
    const auto known = street_names(tenant);
    std::vector<std::string> chosen;
    for (auto s : split(f.streets, '|')) {
      s = trim(s);
      if (s.empty()) continue;
      if (std::find(known.begin(), known.end(), s) == known.end())
        return field_error("alerts.streets", "streets", 422, s);
      if (std::find(chosen.begin(), chosen.end(), s) == chosen.end()) chosen.push_back(s);
    }
    if (chosen.empty()) return field_error("alerts.streets", "streets");
    value = join(chosen, '|');
  } else if (*segment == SegmentKind::school) {
    const auto known = schools(tenant);
    if (std::find(known.begin(), known.end(), f.school) == known.end())
      return field_error("alerts.school", "school");
    value = f.school;
  }
  Alert a;
  a.id = ids::uuid_v7();
  a.tenant_id = tenant;
  a.category = f.category;
  a.title = title;
  a.body = body;
  a.segment = *segment;
  a.segment_value = value;
  a.state = State::draft;
  a.created_by = who->subject;
  a.created_at = time::format_iso_utc(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Result<std::string> {
    store::insert_alert(tx, a);
    json::object d{{"category", a.category}, {"segment", std::string(to_string(a.segment))}};
    audit_.record_or_throw(
        tx, identity::entry_by(*who, tenant, "alert.create", "alert", a.id, json::serialize(d)));
    return a.id;
  });
}

void AlertService::add_person(std::vector<Target>& out, const std::string& cf) {
  auto p = profiles_.show(cf);
  if (!p) {  // never signed in here: the register knows their fiscal code, App IO may know them
    Target t;
    t.channel = "appio";
    t.address = cf;
    t.person = cf;
    out.push_back(std::move(t));
    return;
  }
  messaging::Contacts c;
  c.fiscal_code = cf;
  if (!p->email.empty() && !p->email_verified_at.empty()) c.email = p->email;
  if (!p->mobile.empty() && !p->mobile_verified_at.empty()) c.mobile = p->mobile;
  if (!p->pec.empty() && !p->pec_verified_at.empty()) c.pec = p->pec;
  c.preferred = p->preferred_channel;
  auto plan = messaging::plan(c, kAlertType, "");
  // No verified address and no "none": App IO by the fiscal code, as for a resident never signed in here.
  if (plan.send.empty() && c.preferred != "none")
    plan.send.push_back(messaging::Route{messaging::Channel::appio, cf});
  for (const auto& r : plan.send) {
    Target t;
    t.channel = std::string(messaging::to_string(r.channel));
    t.address = r.recipient;
    t.person = cf;
    t.lang = p->preferred_language.empty() ? "it" : p->preferred_language;
    for (const auto& f : plan.fallbacks)
      t.fallbacks.emplace_back(std::string(messaging::to_string(f.channel)), f.recipient);
    if (r.channel == messaging::Channel::appio && !c.email.empty() && t.fallbacks.empty())
      t.fallbacks.emplace_back("email", c.email);
    out.push_back(std::move(t));
  }
}

std::vector<Target> AlertService::resolve(const Alert& a) {
  std::vector<Target> raw;
  const auto tenant = a.tenant_id;
  const auto streets = split(a.segment_value, '|');
  auto follows = [&](const Subscription& s) {
    return std::find(s.topics.begin(), s.topics.end(), a.category) != s.topics.end();
  };
  auto add_subscribers = [&](bool by_street) {
    std::vector<Subscription> subs;
    db_.read([&](db::Conn& c) { subs = store::active_subscriptions(c, tenant); });
    for (const auto& s : subs) {
      if (!follows(s)) continue;
      if (by_street && !s.streets.empty()) {
        bool near = std::any_of(s.streets.begin(), s.streets.end(), [&](const std::string& x) {
          return std::find(streets.begin(), streets.end(), x) != streets.end();
        });
        if (!near) continue;
      }
      Target t;
      t.channel = s.channel;
      t.address = s.address;
      t.lang = s.lang;
      raw.push_back(std::move(t));
    }
  };
  switch (a.segment) {
    case SegmentKind::all:
      for (const auto& cf : anagrafe_.residents(tenant, {})) add_person(raw, cf);
      add_subscribers(false);
      break;
    case SegmentKind::streets:
      for (const auto& cf : anagrafe_.residents(tenant, streets)) add_person(raw, cf);
      add_subscribers(true);
      break;
    case SegmentKind::school: {
      std::set<std::string> parents;
      for (const auto& form : options_.school_forms) {
        for (const auto& [cf, answers] : cases_(tenant, form)) {
          boost::system::error_code ec;
          auto v = json::parse(answers, ec);
          if (ec) continue;
          std::set<std::string> named;
          collect_schools(v, named);
          if (named.count(a.segment_value)) parents.insert(cf);
        }
      }
      for (const auto& cf : parents) add_person(raw, cf);
      break;
    }
    case SegmentKind::topic:
      add_subscribers(false);
      break;
  }
  // One message per address and channel (a resident who also subscribed is reached once), never to a
  // stopped address; in a fixed order, so that a fan-out started again writes the same rows.
  std::set<std::pair<std::string, std::string>> stopped;
  db_.read([&](db::Conn& c) { stopped = store::stopped(c, tenant); });
  std::stable_sort(raw.begin(), raw.end(), [](const Target& x, const Target& y) {
    return std::tie(x.address, x.channel) < std::tie(y.address, y.channel);
  });
  std::vector<Target> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& t : raw) {
    auto key = std::make_pair(t.channel, t.address);
    if (stopped.count(key) || !seen.insert(key).second) continue;
    out.push_back(std::move(t));
  }
  return out;
}

std::int64_t AlertService::cost_cap(std::int64_t tenant) {
  std::optional<std::int64_t> cap;
  db_.read([&](db::Conn& c) { cap = store::cost_cap(c, tenant); });
  return cap.value_or(options_.default_cost_cap_cents);
}

namespace {
// The first instant of the calendar month (Europe/Rome) of `now`, as stored (ISO 8601 UTC).
std::string month_start(time::TimePoint now) {
  const auto d = time::rome_date(now);
  return time::format_iso_utc(time::rome_day_start(time::Date{d.year(), d.month(), std::chrono::day{1}}));
}
}  // namespace

std::int64_t AlertService::spent_this_month(std::int64_t tenant) {
  std::int64_t spent = 0;
  db_.read([&](db::Conn& c) { spent = store::spent_since(c, tenant, month_start(clock_.now())); });
  return spent;
}

Preview AlertService::count(std::int64_t tenant, const std::vector<Target>& targets) {
  Preview p;
  for (const char* ch : {"email", "sms", "pec", "appio"}) p.by_channel[ch] = 0;
  std::int64_t sms = 0;
  for (const auto& t : targets) {
    ++p.by_channel[t.channel];
    // The cap holds even if every fallback happened: an SMS standing in costs the same.
    bool any_sms = t.channel == "sms";
    for (const auto& f : t.fallbacks) any_sms = any_sms || f.first == "sms";
    if (any_sms) ++sms;
  }
  p.recipients = static_cast<std::int64_t>(targets.size());
  p.sms_cost_cents = sms * options_.sms_cost_cents;
  p.cost_cap_cents = cost_cap(tenant);
  p.spent_cents = spent_this_month(tenant);
  p.over_cap = p.spent_cents + p.sms_cost_cents > p.cost_cap_cents;
  return p;
}

Result<Preview> AlertService::preview(const identity::Principal* who, std::int64_t tenant,
                                      const std::string& id) {
  auto a = get(who, tenant, id);
  if (!a) return a.error();
  return count(tenant, resolve(*a));
}

Status AlertService::confirm(const identity::Principal* who, std::int64_t tenant, const std::string& id) {
  auto a = get(who, tenant, id);
  if (!a) return a.error();
  if (a->state != State::draft) {
    if (a->state == State::cancelled) return Error::make("alerts.state", 409, "cancelled");
    return Ok{};  // sent already: a second press sends nothing
  }
  const auto p = count(tenant, resolve(*a));
  if (p.over_cap) return Error::make("alerts.cost_cap", 422, std::to_string(p.sms_cost_cents));
  json::object counts;
  for (const auto& [ch, n] : p.by_channel) counts[ch] = n;
  const auto now = clock_.now();
  const auto at = time::format_iso_utc(now);
  auto st = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    if (store::set_state(tx, tenant, id, State::draft, State::sending, at) == 0)
      return false;  // pressed twice
    // Two alerts confirmed at once share the month's cap: counted again inside the transaction.
    if (store::spent_since(tx, tenant, month_start(now)) + p.sms_cost_cents > p.cost_cap_cents)
      return Error::make("alerts.cost_cap", 422, std::to_string(p.sms_cost_cents));
    store::confirm(tx, tenant, id, who->subject, at, json::serialize(counts), p.sms_cost_cents,
                   p.cost_cap_cents);
    auto job = jobs::enqueue(tx, jobs::NewJob{kFanoutKind, tenant, id, id + ":0", now}, now);
    if (!job) return job.error();
    json::object d{{"recipients", p.recipients}, {"sms_cost_cents", p.sms_cost_cents}, {"counts", counts}};
    audit_.record_or_throw(
        tx, identity::entry_by(*who, tenant, "alert.confirm", "alert", id, json::serialize(d)));
    return true;
  });
  if (!st) return st.error();
  notify();
  return Ok{};
}

Status AlertService::pause(const identity::Principal* who, std::int64_t tenant, const std::string& id) {
  auto a = get(who, tenant, id);
  if (!a) return a.error();
  const auto at = time::format_iso_utc(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    if (store::set_state(tx, tenant, id, State::sending, State::paused, at) == 0)
      return Error::make("alerts.state", 409, std::string(to_string(a->state)));
    audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "alert.pause", "alert", id));
    return Ok{};
  });
}

Status AlertService::resume(const identity::Principal* who, std::int64_t tenant, const std::string& id) {
  auto a = get(who, tenant, id);
  if (!a) return a.error();
  const auto now = clock_.now();
  const auto at = time::format_iso_utc(now);
  auto st = db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    if (store::set_state(tx, tenant, id, State::paused, State::sending, at) == 0)
      return Error::make("alerts.state", 409, std::string(to_string(a->state)));
    const auto round = store::next_round(tx, tenant, id);
    auto job =
        jobs::enqueue(tx, jobs::NewJob{kFanoutKind, tenant, id, id + ":" + std::to_string(round), now}, now);
    if (!job) return job.error();
    audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "alert.resume", "alert", id));
    return Ok{};
  });
  if (st) notify();
  return st ? Status{Ok{}} : Status{st.error()};
}

Status AlertService::cancel(const identity::Principal* who, std::int64_t tenant, const std::string& id) {
  auto a = get(who, tenant, id);
  if (!a) return a.error();
  if (a->state == State::cancelled) return Ok{};
  if (a->state == State::done) return Error::make("alerts.state", 409, "done");
  const auto now = clock_.now();
  const auto at = time::format_iso_utc(now);
  auto st = db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    if (store::set_state(tx, tenant, id, a->state, State::cancelled, at) == 0)
      return Error::make("alerts.state", 409, "changed");
    audit_.record_or_throw(tx, identity::entry_by(*who, tenant, "alert.cancel", "alert", id));
    return Ok{};
  });
  if (!st) return st.error();
  // The fan-out writes nothing more (it reads the state in each of its transactions); what waits in the
  // outbox's window is cancelled through the outbox's own rule (a message in flight goes out).
  std::vector<std::string> waiting;
  db_.read([&](db::Conn& c) { waiting = messaging::waiting_by_correlation(c, tenant, correlation_of(id)); });
  for (const auto& m : waiting) (void)messaging::cancel_message(db_, tenant, m, now);
  return Ok{};
}

Result<Stats> AlertService::stats(const identity::Principal* who, std::int64_t tenant,
                                  const std::string& id) {
  auto a = get(who, tenant, id);
  if (!a) return a.error();
  Stats s;
  std::vector<store::StatRow> rows;
  db_.read([&](db::Conn& c) {
    rows = store::unhanded_rows(c, tenant, id, a->cursor);
    // What was handed to the outbox: the messaging module counts its own messages.
    for (const auto& m : messaging::count_by_correlation(c, tenant, correlation_of(id)))
      rows.push_back(store::StatRow{m.channel, m.state, m.fallen_back, m.n, true});
  });
  for (const auto& r : rows) {
    auto& ch = s.by_channel[r.channel];
    for (auto* x : {&ch, &s.all}) {
      x->total += r.n;
      if (r.status.empty()) {
        // Not handed to the outbox: skipped (stopped meanwhile), never sent (cancelled), or still to come.
        (r.handed ? x->skipped : a->state == State::cancelled ? x->cancelled : x->pending) += r.n;
      } else if (r.status == "delivered") {
        x->delivered += r.n;
      } else if (r.status == "cancelled") {
        x->cancelled += r.n;
      } else if (r.status == "permanent_failure" || r.status == "dead") {
        (r.fallback ? x->fallen_back : x->failed) += r.n;
      } else {
        x->pending += r.n;
      }
    }
    if (!r.status.empty()) s.handed += r.n;
  }
  s.targets = std::max<std::int64_t>(a->targets, 0);
  s.finished = (a->state == State::done || a->state == State::cancelled) && s.all.pending == 0;
  return s;
}

Status AlertService::set_cost_cap(const identity::Principal* who, std::int64_t tenant,
                                  const std::string& euros) {
  if (auto st = identity::authorize(who, identity::Permission::customise_forms, tenant); !st)
    return st.error();
  // "12", "12,50", "12.5" euro → cents
  std::string t = trim(euros);
  std::replace(t.begin(), t.end(), ',', '.');
  std::int64_t cents = -1;
  if (!t.empty() && t.size() <= 12) {
    auto dot = t.find('.');
    std::string whole = t.substr(0, dot), frac = dot == std::string::npos ? "" : t.substr(dot + 1);
    auto digits = [](const std::string& x) {
      return std::all_of(x.begin(), x.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    };
    if (!whole.empty() && digits(whole) && digits(frac) && frac.size() <= 2) {
      while (frac.size() < 2) frac += '0';
      cents = std::stoll(whole) * 100 + std::stoll(frac);
    }
  }
  if (cents < 0 || cents > 100'000'000) return field_error("alerts.cap_invalid", "cap");
  return db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    store::set_cost_cap(tx, tenant, cents, who->subject, time::format_iso_utc(clock_.now()));
    audit_.record_or_throw(
        tx, identity::entry_by(*who, tenant, "alert.cost_cap", "alert_settings", std::to_string(tenant),
                               json::serialize(json::object{{"cents", cents}})));
    return Ok{};
  });
}

// --- the fan-out --------------------------------------------------------------------------------------

void AlertService::materialise(const Alert& a) {
  const auto targets = resolve(a);
  const std::size_t batch = static_cast<std::size_t>(std::max(options_.batch, 100)) * 4;
  for (std::size_t i = 0; i < targets.size(); i += batch) {
    const auto end = std::min(targets.size(), i + batch);
    db_.write([&](db::Conn& tx) {
      for (std::size_t k = i; k < end; ++k)
        store::insert_target(tx, a.id, a.tenant_id, static_cast<std::int64_t>(k + 1), targets[k],
                             fallbacks_text(targets[k]));
    });
  }
  db_.write([&](db::Conn& tx) {
    store::set_targets(tx, a.tenant_id, a.id, static_cast<std::int64_t>(targets.size()));
  });
}

std::string AlertService::stop_link(db::Conn& tx, std::int64_t tenant, const std::string& slug,
                                    const std::string& channel, const std::string& address,
                                    const std::string& at) {
  const auto token = store::stop_token(tx, tenant, channel, address, ids::random_token(18), at);
  return options_.public_url + "/" + slug + "/avvisi/stop?t=" + token;
}

Status AlertService::run_fanout(jobs::JobRun& run) {
  const std::int64_t tenant = run.job().tenant_id;
  const std::string id = run.job().payload;
  auto a = load(tenant, id);  // the job's tenant must be the alert's
  if (!a || a->state != State::sending) return Ok{};
  if (a->targets < 0) {
    materialise(*a);
    a = load(tenant, id);
    if (!a || a->state != State::sending) return Ok{};
  }
  const auto body = tenants_.by_id(tenant);
  if (!body) return Error::not_found("body");
  const auto now = run.now();
  const auto now_iso = time::format_iso_utc(now);
  const auto horizon = epoch_ms(now + options_.window);
  auto slots = parse_slots(a->slots);
  std::set<std::pair<std::string, std::string>> stopped;
  db_.read([&](db::Conn& c) { stopped = store::stopped(c, tenant); });
  std::int64_t cursor = a->cursor;
  bool more = true;
  for (;;) {
    std::vector<store::TargetRow> rows;
    db_.read([&](db::Conn& c) { rows = store::targets_after(c, tenant, id, cursor, options_.batch); });
    if (rows.empty()) {
      more = false;
      break;
    }
    struct Planned {
      const store::TargetRow* row;
      std::int64_t at_ms;
      bool skip;
    };
    std::vector<Planned> planned;
    auto next_slots = slots;
    bool full = false;
    // The gateway's rate is shared by every alert this node sends at once: the slots are reserved under
    // the node's pace (a reservation whose round does not commit leaves a gap, never a burst).
    {
      std::lock_guard<std::mutex> pace_lock(pace_mutex_);
      for (const auto& r : rows) {
        const auto& t = r.target;
        if (!r.message_id.empty() || stopped.count({t.channel, t.address})) {
          planned.push_back({&r, 0, true});
          continue;
        }
        auto rate = options_.rates.count(t.channel) ? options_.rates.at(t.channel) : 10;
        const std::int64_t step = std::max<std::int64_t>(1, 1000 / std::max<std::int64_t>(rate, 1));
        auto& slot = next_slots[t.channel];
        // App IO's limit is per body's key; the other gateways are the node's, whoever sends.
        auto& shared = pace_[t.channel == "appio" ? "appio:" + std::to_string(tenant) : t.channel];
        const std::int64_t at_ms = std::max({slot, shared, epoch_ms(now)});
        if (at_ms > horizon) {
          full = true;
          break;
        }
        slot = shared = at_ms + step;
        planned.push_back({&r, at_ms, false});
      }
    }
    if (planned.empty()) break;
    const std::int64_t new_cursor = planned.back().row->seq;
    bool going = true;
    db_.write([&](db::Conn& tx) {
      // The state inside the transaction: a pause or a cancel committed meanwhile stops the round here.
      auto now_alert = store::find_alert(tx, tenant, id);
      going = now_alert && now_alert->state == State::sending;
      if (!going) return;
      for (const auto& p : planned) {
        if (p.skip) continue;
        const auto& t = p.row->target;
        const std::string& lang = t.lang.empty() ? std::string("it") : t.lang;
        auto texts = [&](const std::string& channel, const std::string& address) {
          const auto link = stop_link(tx, tenant, body->slug, channel, address, now_iso);
          std::map<std::string, std::string> v{
              {"body", body->name}, {"title", a->title}, {"text", a->body}, {"link", link}};
          messaging::Alternative alt;
          alt.channel = messaging::parse_channel(channel).value_or(messaging::Channel::email);
          alt.recipient = address;
          alt.subject = clip_utf8(i18n_.format(lang, "alerts.msg.subject", v), 120);
          if (channel == "sms") {
            // The stop instructions always fit: the text gives way.
            const auto tail = i18n_.format(lang, "alerts.msg.sms_stop", v);
            v["text"] = clip_utf8(a->body, tail.size() + 40 < 459 ? 459 - tail.size() - 40 : 40);
            alt.body = clip_utf8(i18n_.format(lang, "alerts.msg.sms", v), 459 - tail.size()) + " " + tail;
          } else if (channel == "appio") {
            alt.body = i18n_.format(lang, "alerts.msg.appio", v);
          } else {
            alt.body = i18n_.format(lang, "alerts.msg.email", v);
          }
          return alt;
        };
        auto main = texts(t.channel, t.address);
        messaging::Message m;
        m.tenant_id = tenant;
        m.channel = main.channel;
        m.recipient = t.address;
        m.subject = main.subject;
        m.body = main.body;
        m.person = t.person;
        m.type = "alert";
        for (const auto& [ch, addr] : t.fallbacks) {
          if (ch == "email" && m.channel == messaging::Channel::appio && m.fallback_recipient.empty()) {
            m.fallback_recipient = addr;  // App IO's own fallback (not on IO, opted out)
            continue;
          }
          if (ch == "appio") continue;
          m.fallbacks.push_back(texts(ch, addr));
        }
        const auto key = message_key(id, t.channel, t.address);
        auto queued = messaging::enqueue_correlated(tx, m, messaging::EnqueueOptions{key, from_ms(p.at_ms)},
                                                    correlation_of(id), clock_);
        if (!queued) {
          // A recipient the outbox refuses (an address gone bad) is skipped, not the whole alert.
          spdlog::warn("alert {}: target {} refused by the outbox: {}", id, p.row->seq, queued.error().code);
          continue;
        }
        store::set_message(tx, tenant, id, p.row->seq, *queued);
      }
      store::set_progress(tx, tenant, id, new_cursor, slots_json(next_slots));
    });
    if (!going) return Ok{};  // paused or cancelled: this round stops, resume queues the next
    cursor = new_cursor;
    slots = next_slots;
    notify();
    if (full) break;
  }
  run.commit([&](db::Conn& tx) {
    if (!more) {
      store::finish(tx, tenant, id, now_iso);
      return;
    }
    const auto round = store::next_round(tx, tenant, id);
    const auto at = now + std::max<std::chrono::seconds>(std::chrono::seconds(1), options_.window / 2);
    auto job =
        jobs::enqueue(tx, jobs::NewJob{kFanoutKind, tenant, id, id + ":" + std::to_string(round), at}, now);
    if (!job) throw std::runtime_error("alerts: next round: " + job.error().code);
  });
  return Ok{};
}

// --- the public ---------------------------------------------------------------------------------------

std::vector<Alert> AlertService::published(std::int64_t tenant, int limit) {
  std::vector<Alert> out;
  db_.read([&](db::Conn& c) { out = store::public_alerts(c, tenant, limit); });
  return out;
}

Result<std::string> AlertService::subscribe(std::int64_t tenant, const SubscribeForm& f,
                                            const std::string& remote_addr) {
  (void)remote_addr;
  if (f.channel != "email" && f.channel != "sms") return field_error("alerts.channel", "channel");
  auto address =
      f.channel == "email" ? identity::normalise_email(f.address) : identity::normalise_mobile(f.address);
  if (!address) {
    Error e = address.error();
    e.field = "address";
    e.http_status = 422;
    return e;
  }
  std::vector<std::string> topics;
  for (const auto& t : f.topics) {
    if (std::find(options_.categories.begin(), options_.categories.end(), t) == options_.categories.end())
      return field_error("alerts.topics", "topics");
    if (std::find(topics.begin(), topics.end(), t) == topics.end()) topics.push_back(t);
  }
  if (topics.empty()) return field_error("alerts.topics", "topics");
  std::vector<std::string> streets;
  if (!f.streets.empty()) {
    const auto known = street_names(tenant);
    for (const auto& s : f.streets) {
      if (s.empty()) continue;
      if (std::find(known.begin(), known.end(), s) == known.end())
        return field_error("alerts.streets", "streets", 422, s);
      if (std::find(streets.begin(), streets.end(), s) == streets.end()) streets.push_back(s);
    }
  }
  if (!f.consent) return field_error("alerts.consent_required", "consent");
  const auto body = tenants_.by_id(tenant);
  if (!body) return Error::not_found("body");
  const identity::ProfileOptions rules;  // the profile's verification rules, the same here
  const auto now = clock_.now();
  auto out = db::transact(db_, [&](db::Conn& tx) -> Result<std::string> {
    auto existing = store::subscription_by_address(tx, tenant, f.channel, *address);
    if (existing && !existing->code_sent_at.empty()) {
      auto sent = time::parse_iso_utc(existing->code_sent_at);
      if (sent && now - *sent < rules.resend_interval)
        return Error::for_field("alerts.resend_too_soon", "address", 429,
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                   rules.resend_interval - (now - *sent))
                                                   .count()));
    }
    Subscription s;
    s.id = existing ? existing->id : ids::random_token(16);
    s.tenant_id = tenant;
    s.channel = f.channel;
    s.address = *address;
    s.topics = topics;
    s.streets = streets;
    s.lang = f.lang == "en" ? "en" : "it";
    s.state = "pending";
    const auto code = identity::six_digit_code();
    s.code_salt = ids::random_token(16);
    s.code_hash = identity::code_hash(s.code_salt, code);
    s.code_expires_at = time::format_iso_utc(now + rules.code_ttl);
    s.code_sent_at = time::format_iso_utc(now);
    s.created_at = s.code_sent_at;
    store::upsert_subscription(tx, s);
    messaging::Message m;
    m.tenant_id = tenant;
    m.channel = f.channel == "email" ? messaging::Channel::email : messaging::Channel::sms;
    m.recipient = *address;
    m.type = "contact.code";
    std::map<std::string, std::string> v{
        {"code", code}, {"minutes", std::to_string(rules.code_ttl.count())}, {"body", body->name}};
    m.subject = i18n_.format(s.lang, "alerts.code.subject", v);
    m.body = i18n_.format(s.lang, f.channel == "email" ? "alerts.code.email" : "alerts.code.sms", v);
    auto queued = messaging::enqueue(tx, m, clock_);
    if (!queued) return queued.error();
    return s.id;
  });
  if (out) notify();  // the code goes out at once
  return out;
}

Result<Subscription> AlertService::subscription(std::int64_t tenant, const std::string& id) {
  std::optional<Subscription> s;
  db_.read([&](db::Conn& c) { s = store::find_subscription(c, tenant, id); });
  if (!s) return Error::not_found("subscription");
  return *s;
}

Status AlertService::resend(std::int64_t tenant, const std::string& id) {
  auto s = subscription(tenant, id);
  if (!s) return s.error();
  SubscribeForm f;
  f.channel = s->channel;
  f.address = s->address;
  f.topics = s->topics;
  f.streets = s->streets;
  f.lang = s->lang;
  f.consent = true;
  auto again = subscribe(tenant, f, "");
  if (!again) return again.error();
  return Ok{};
}

Status AlertService::verify(std::int64_t tenant, const std::string& id, const std::string& code_in,
                            const std::string& remote_addr) {
  std::string code;
  for (char c : code_in)
    if (c != ' ') code += c;
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return field_error("alerts.code_format", "code");
  const identity::ProfileOptions rules;
  const auto now = clock_.now();
  std::optional<Error> failure;
  auto st = db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    failure.reset();
    auto s = store::find_subscription(tx, tenant, id);
    if (!s) return Error::not_found("subscription");
    if (s->code_hash.empty()) {
      failure = field_error("alerts.code_none", "code");
      return Ok{};
    }
    auto expires = time::parse_iso_utc(s->code_expires_at);
    if (!expires || now > *expires) {
      failure = field_error("alerts.code_expired", "code");
      return Ok{};
    }
    if (s->code_attempts >= rules.max_attempts) {
      failure = field_error("alerts.code_attempts", "code", 429);
      return Ok{};
    }
    if (!digest::equal_constant_time(identity::code_hash(s->code_salt, code), s->code_hash)) {
      store::count_code_attempt(tx, tenant, id);  // kept: the wrong attempt counts
      const auto left = rules.max_attempts - s->code_attempts - 1;
      failure = left > 0 ? field_error("alerts.code_wrong", "code", 422, std::to_string(left))
                         : field_error("alerts.code_attempts", "code", 429);
      return Ok{};
    }
    const auto at = time::format_iso_utc(now);
    store::activate(tx, tenant, id, at);
    json::object what{
        {"topics", join(s->topics, ',')}, {"streets", join(s->streets, '|')}, {"text", "alerts.consent.v1"}};
    store::add_consent(tx, tenant, s->channel, s->address, "given", json::serialize(what),
                       "web_code_" + s->channel, at, remote_addr);
    audit::Entry e;
    e.tenant_id = tenant;
    e.actor_kind = audit::ActorKind::system;
    e.actor_id = "alerts-subscriber";
    e.channel = audit::Channel::web;
    e.action = "alert.subscribe";
    e.record_type = "alert_subscription";
    e.record_id = id;
    e.remote_addr = remote_addr;
    e.details = json::serialize(json::object{{"channel", s->channel}, {"topics", join(s->topics, ',')}});
    audit_.record_or_throw(tx, e);
    return Ok{};
  });
  if (!st) return st.error();
  if (failure) return *failure;
  return Ok{};
}

Result<std::pair<std::string, std::string>> AlertService::stop_target(std::int64_t tenant,
                                                                      const std::string& token) {
  if (token.empty() || token.size() > 64) return field_error("alerts.stop_unknown", "t", 404);
  std::optional<store::StopRow> row;
  db_.read([&](db::Conn& c) { row = store::stop_by_token(c, tenant, token); });
  if (!row) return field_error("alerts.stop_unknown", "t", 404);
  return std::make_pair(row->channel, row->address);
}

namespace {

void record_stop(audit::AuditService& audit, db::Conn& tx, std::int64_t tenant, const std::string& channel,
                 const std::string& how, const std::string& remote_addr) {
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = audit::ActorKind::system;
  e.actor_id = "alerts-recipient";
  e.channel = how == "sms_stop" ? audit::Channel::system : audit::Channel::web;
  e.action = "alert.stop";
  e.record_type = "alert_stop";
  e.record_id = channel;
  e.remote_addr = remote_addr;
  e.details = json::serialize(json::object{{"channel", channel}, {"how", how}});
  audit.record_or_throw(tx, e);
}

}  // namespace

Status AlertService::stop(std::int64_t tenant, const std::string& token, const std::string& remote_addr) {
  auto target = stop_target(tenant, token);
  if (!target) return target.error();
  const auto& [channel, address] = *target;
  const auto at = time::format_iso_utc(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    if (store::mark_stopped(tx, tenant, channel, address, "link", at) == 0) return Ok{};  // stopped already
    store::stop_subscription(tx, tenant, channel, address, at);
    store::add_consent(tx, tenant, channel, address, "withdrawn", "{}", "link", at, remote_addr);
    record_stop(audit_, tx, tenant, channel, "link", remote_addr);
    return Ok{};
  });
}

Result<bool> AlertService::stop_by_sms(std::int64_t tenant, const std::string& from,
                                       const std::string& text) {
  std::string word = trim(text);
  for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (word != "STOP" && word != "STOP ALL" && word != "ALT") return false;
  auto number = identity::normalise_mobile(from);
  if (!number) return number.error();
  const auto at = time::format_iso_utc(clock_.now());
  auto st = db::transact(db_, [&](db::Conn& tx) -> Result<Ok> {
    store::stop_token(tx, tenant, "sms", *number, ids::random_token(18), at);
    if (store::mark_stopped(tx, tenant, "sms", *number, "sms_stop", at) == 0) return Ok{};
    store::stop_subscription(tx, tenant, "sms", *number, at);
    store::add_consent(tx, tenant, "sms", *number, "withdrawn", "{}", "sms_stop", at, "");
    record_stop(audit_, tx, tenant, "sms", "sms_stop", "");
    return Ok{};
  });
  if (!st) return st.error();
  return true;
}

// --- the person ---------------------------------------------------------------------------------------

Result<std::vector<Received>> AlertService::received(const identity::Principal* who) {
  if (auto st = identity::authorize(who, identity::Permission::personal_area, 0); !st) return st.error();
  std::vector<Received> out;
  db_.read([&](db::Conn& c) { out = store::received_by(c, who->subject, 100); });
  return out;
}

}  // namespace sp::alerts
