#include "statistics/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <set>

#include "identity/permissions.hpp"

namespace sp::statistics {
namespace {

namespace json = boost::json;

std::string month_key(int y, unsigned m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
  return buf;
}

bool parse_month(const std::string& s, int& y, unsigned& m) {
  if (s.size() != 7 || s[4] != '-') return false;
  auto r1 = std::from_chars(s.data(), s.data() + 4, y);
  auto r2 = std::from_chars(s.data() + 5, s.data() + 7, m);
  return r1.ec == std::errc() && r1.ptr == s.data() + 4 && r2.ec == std::errc() && r2.ptr == s.data() + 7 &&
         y >= 2000 && y <= 2100 && m >= 1 && m <= 12;
}

int index(int y, unsigned m) {
  return y * 12 + static_cast<int>(m) - 1;
}

time::Date first_day(int i) {
  return time::Date{std::chrono::year{i / 12}, std::chrono::month{static_cast<unsigned>(i % 12 + 1)},
                    std::chrono::day{1}};
}

// One open-data row: scope (the body's slug or "hub"), period ("2026-11", a window "2026-01/2026-12",
// or "now"), figure, dimension, value.
struct Row {
  std::string scope;
  std::string period;
  std::string figure;
  std::string dimension;
  std::int64_t value = 0;
};

std::vector<Row> rows_of(const Figures& f, const std::string& scope) {
  std::vector<Row> out;
  auto add = [&](const std::string& period, const char* figure, const std::string& dim, std::int64_t v) {
    out.push_back({scope, period, figure, dim, v});
  };
  for (const auto& m : f.months) {
    add(m.month, "applications_received", "web", m.received_online);
    add(m.month, "applications_received", "counter", m.received_counter);
    add(m.month, "applications_received", "api", m.received_api);
    add(m.month, "applications_decided", "", m.decided);
    add(m.month, "applications_decided_on_time", "", m.decided_on_time);
    add(m.month, "applications_decided_late", "", m.decided - m.decided_on_time);
    add(m.month, "days_to_decision_tenths", "", average_tenths_of_day(m.decision_seconds, m.decided));
    add(m.month, "legal_term_days_tenths", "", average_tenths_of_day(m.legal_seconds, m.decided));
    add(m.month, "payments_collected", "count", m.payments);
    add(m.month, "payments_collected", "cents", m.payments_cents);
    add(m.month, "payments_reconciled", "count", m.reconciled);
    add(m.month, "payments_reconciled", "cents", m.reconciled_cents);
    add(m.month, "certificates_issued", "web", m.certificates_online);
    add(m.month, "certificates_issued", "counter", m.certificates_counter);
    add(m.month, "albo_publications", "web", m.albo_web);
    add(m.month, "albo_publications", "api", m.albo_api);
    for (const auto& [ch, n] : m.messages) add(m.month, "messages", ch, n);
    add(m.month, "messages_delivered", "", m.messages_delivered);
  }
  for (const auto& x : f.extra)
    for (const auto& [month, n] : x.by_month) out.push_back({scope, month, x.figure, x.dimension, n});
  const std::string window = f.window.from() + "/" + f.window.to();
  for (const auto& s : f.services) {
    add(window, "applications_received", "service:" + s.code, s.received);
    add(window, "applications_decided", "service:" + s.code, s.decided);
    add(window, "applications_decided_on_time", "service:" + s.code, s.decided_on_time);
    add(window, "days_to_decision_tenths", "service:" + s.code,
        average_tenths_of_day(s.decision_seconds, s.decided));
    add(window, "legal_term_days_tenths", "service:" + s.code,
        average_tenths_of_day(s.legal_seconds, s.decided));
    add("now", "cases_overdue", "service:" + s.code, s.overdue);
  }
  std::map<std::int64_t, std::string> slugs;
  for (const auto& b : f.bodies) {
    slugs[b.tenant] = b.slug;
    add(window, "applications_received", "body:" + b.slug, b.received);
    add(window, "applications_decided", "body:" + b.slug, b.decided);
    add(window, "applications_decided_on_time", "body:" + b.slug, b.decided_on_time);
    add(window, "days_to_decision_tenths", "body:" + b.slug,
        average_tenths_of_day(b.decision_seconds, b.decided));
    add(window, "legal_term_days_tenths", "body:" + b.slug,
        average_tenths_of_day(b.legal_seconds, b.decided));
    add("now", "cases_overdue", "body:" + b.slug, b.overdue);
    add(window, "payments_collected", "body:" + b.slug + ":cents", b.payments_cents);
    add(window, "certificates_issued", "body:" + b.slug, b.certificates);
    add(window, "albo_publications", "body:" + b.slug, b.albo);
    add(window, "messages", "body:" + b.slug, b.messages);
  }
  for (const auto& x : f.extra)
    for (const auto& [t, n] : x.by_body) {
      auto slug = slugs.find(t);
      if (slug == slugs.end()) continue;  // a body of no other figure is still in f.bodies (compute)
      const std::string dim = "body:" + slug->second + (x.dimension.empty() ? "" : ":" + x.dimension);
      out.push_back({scope, window, x.figure, dim, n});
    }
  add("now", "cases_overdue", "", f.overdue);
  return out;
}

std::string csv_field(const std::string& s) {
  // Slugs, figures and codes never need quoting; a formula-looking start is neutralised all the same.
  if (s.find_first_of(",\"\n\r") == std::string::npos &&
      (s.empty() || std::string("=+-@").find(s[0]) == std::string::npos))
    return s;
  std::string q = "\"";
  if (!s.empty() && std::string("=+-@").find(s[0]) != std::string::npos) q += '\'';
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

using Query = std::vector<Fact> (*)(db::Conn&, std::int64_t, const std::vector<MonthBound>&);

// Every kept figure and the query that computes it from the records.
const std::vector<std::pair<std::string, Query>>& figure_queries() {
  static const std::vector<std::pair<std::string, Query>> all = {
      {"received", &StatisticsStore::received},
      {"decided", &StatisticsStore::decided},
      {"decided_last_hour", &StatisticsStore::decided_in_last_hour},
      {"payments", &StatisticsStore::payments},
      {"certificates", &StatisticsStore::certificates},
      {"albo", &StatisticsStore::albo},
      {"messages", &StatisticsStore::messages},
  };
  return all;
}

}  // namespace

std::int64_t average_tenths_of_day(std::int64_t seconds, std::int64_t n) {
  if (n <= 0) return -1;
  // tenths = seconds / n / 8640, rounded half up (seconds are never negative for a decision after its
  // submission; a negative sum rounds towards zero).
  const std::int64_t d = n * 8640;
  return seconds >= 0 ? (seconds + d / 2) / d : -((-seconds + d / 2) / d);
}

std::string Window::from() const {
  return month_key(from_year, from_month);
}
std::string Window::to() const {
  return month_key(to_year, to_month);
}

std::vector<MonthBound> month_bounds(const Window& w) {
  std::vector<MonthBound> out;
  for (int i = index(w.from_year, w.from_month); i <= index(w.to_year, w.to_month); ++i) {
    out.push_back({month_key(i / 12, static_cast<unsigned>(i % 12 + 1)),
                   time::format_iso_utc_millis(time::rome_day_start(first_day(i))),
                   time::format_iso_utc_millis(time::rome_day_start(first_day(i + 1)))});
  }
  return out;
}

Result<Window> parse_window(const std::string& from, const std::string& to, time::Date today) {
  Window w;
  w.to_year = static_cast<int>(today.year());
  w.to_month = static_cast<unsigned>(today.month());
  auto refused = [](const std::string& detail, const char* field) {
    auto e = Error::make("statistics.window", 400, detail);
    e.field = field;  // the page's parameter at fault: "da" (from), "a" (to)
    return e;
  };
  if (!to.empty() && !parse_month(to, w.to_year, w.to_month)) return refused(to, "a");
  const int end = index(w.to_year, w.to_month);
  int start = end - 11;
  if (!from.empty()) {
    int y = 0;
    unsigned m = 0;
    if (!parse_month(from, y, m)) return refused(from, "da");
    start = index(y, m);
  }
  if (start > end || end - start + 1 > kMaxMonths) return refused(from + "/" + to, "da");
  w.from_year = start / 12;
  w.from_month = static_cast<unsigned>(start % 12 + 1);
  return w;
}

MonthFigures Figures::totals() const {
  MonthFigures t;
  for (const auto& m : months) {
    t.received_online += m.received_online;
    t.received_counter += m.received_counter;
    t.received_api += m.received_api;
    t.decided += m.decided;
    t.decided_on_time += m.decided_on_time;
    t.decision_seconds += m.decision_seconds;
    t.legal_seconds += m.legal_seconds;
    t.payments += m.payments;
    t.payments_cents += m.payments_cents;
    t.reconciled += m.reconciled;
    t.reconciled_cents += m.reconciled_cents;
    t.certificates_online += m.certificates_online;
    t.certificates_counter += m.certificates_counter;
    t.albo_web += m.albo_web;
    t.albo_api += m.albo_api;
    for (const auto& [ch, n] : m.messages) t.messages[ch] += n;
    t.messages_delivered += m.messages_delivered;
  }
  return t;
}

time::Date StatisticsService::today() const {
  return time::rome_date(clock_.now());
}

Result<Figures> StatisticsService::figures(const identity::Principal* who, std::int64_t tenant,
                                           const Window& w) {
  const auto permission = tenant == 0 ? identity::Permission::manage_hub : identity::Permission::read_audit;
  if (auto st = identity::authorize(who, permission, tenant); !st) return st.error();
  return compute(tenant, w);
}

Figures StatisticsService::compute(std::int64_t tenant, const Window& w, bool use_kept) {
  Figures f;
  f.tenant = tenant;
  f.window = w;
  f.computed_at = clock_.now();
  const auto bounds = month_bounds(w);
  std::map<std::string, std::size_t> at;
  for (const auto& b : bounds) {
    at[b.month] = f.months.size();
    MonthFigures m;
    m.month = b.month;
    for (const char* ch : {"email", "sms", "pec", "appio"}) m.messages[ch] = 0;
    f.months.push_back(std::move(m));
  }
  std::map<std::string, ServiceFigures> services;
  std::map<std::int64_t, BodyFigures> bodies;
  const bool hub = tenant == 0;
  auto body = [&](std::int64_t t) -> BodyFigures& {
    auto& b = bodies[t];
    b.tenant = t;
    return b;
  };
  auto month = [&](const Fact& x) -> MonthFigures& { return f.months[at.at(x.month)]; };
  std::vector<std::string> open_services;

  const auto today_date = today();
  const std::string current =
      month_key(static_cast<int>(today_date.year()), static_cast<unsigned>(today_date.month()));

  db_.read([&](db::Conn& c) {
    // The closed months already rebuilt come from the kept aggregates, and so do the current month's
    // closed days already rebuilt; the rest (contiguous runs of months, and of the current month's days
    // counted in that month) from the records.
    std::set<std::string> kept;
    std::set<std::string> kept_days;
    auto fresh = [&f](const std::string& at) {
      if (f.rebuilt_at.empty() || at < f.rebuilt_at) f.rebuilt_at = at;
    };
    const std::string yesterday = time::format_iso_date(time::add_calendar_days(today_date, -1));
    if (use_kept) {
      for (const auto& [m, at] : StatisticsStore::rebuilt(c, w.from(), w.to())) {
        if (m >= current) continue;
        kept.insert(m);
        fresh(at);
      }
      if (w.from() <= current && current <= w.to() && yesterday >= current + "-01")
        for (const auto& [d, at] : StatisticsStore::rebuilt(c, current + "-01", yesterday, Period::day)) {
          kept_days.insert(d);
          fresh(at);
        }
    }
    std::vector<std::vector<MonthBound>> runs(1);
    auto cut = [&runs] {
      if (!runs.back().empty()) runs.emplace_back();
    };
    auto read = [&runs](MonthBound b) {
      auto& run = runs.back();
      if (!run.empty() && run.back().month == b.month && run.back().hi == b.lo)
        run.back().hi = b.hi;  // the next day of the same month
      else
        run.push_back(std::move(b));
    };
    for (const auto& b : bounds) {
      if (kept.count(b.month)) {
        cut();
      } else if (b.month != current || kept_days.empty()) {
        read(b);
      } else {
        for (auto d = *time::parse_iso_date(current + "-01");
             time::format_iso_date(d).substr(0, 7) == current; d = time::add_calendar_days(d, 1)) {
          if (kept_days.count(time::format_iso_date(d))) {
            cut();
            continue;
          }
          read({current, time::format_iso_utc_millis(time::rome_day_start(d)),
                time::format_iso_utc_millis(time::rome_day_start(time::add_calendar_days(d, 1)))});
        }
      }
    }
    auto facts = [&](const char* figure) {
      std::vector<Fact> out;
      if (!kept.empty())
        for (auto& x : StatisticsStore::kept(c, tenant, figure, w.from(), w.to()))
          if (kept.count(x.month)) out.push_back(std::move(x));
      if (!kept_days.empty())
        for (auto& x :
             StatisticsStore::kept(c, tenant, figure, *kept_days.begin(), *kept_days.rbegin(), Period::day))
          if (kept_days.count(x.month)) {
            x.month = x.month.substr(0, 7);
            out.push_back(std::move(x));
          }
      Query q = nullptr;
      for (const auto& [name, query] : figure_queries())
        if (name == figure) q = query;
      for (const auto& run : runs) {
        if (run.empty()) continue;
        auto more = q(c, tenant, run);
        out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
      }
      return out;
    };
    for (const auto& x : facts("received")) {
      auto& m = month(x);
      (x.key2 == "counter" ? m.received_counter
       : x.key2 == "api"   ? m.received_api
                           : m.received_online) += x.count;
      if (hub)
        body(x.tenant).received += x.count;
      else
        services[x.key].received += x.count;
    }
    auto on_time = [&](const Fact& x, std::int64_t n) {
      month(x).decided_on_time += n;
      if (hub)
        body(x.tenant).decided_on_time += n;
      else
        services[x.key].decided_on_time += n;
    };
    for (const auto& x : facts("decided")) {
      auto& m = month(x);
      m.decided += x.count;
      m.decision_seconds += x.b;
      m.legal_seconds += x.c;
      auto add = [&x](auto& to) {
        to.decided += x.count;
        to.decision_seconds += x.b;
        to.legal_seconds += x.c;
      };
      if (hub)
        add(body(x.tenant));
      else
        add(services[x.key]);
      on_time(x, x.a);
    }
    // Decided between 22:00 and 23:00 UTC on the due date: still that day in Rome when Rome's day ended
    // at 23:00 UTC (winter time).
    for (const auto& x : facts("decided_last_hour")) {
      const auto due = time::parse_iso_date(x.key2.substr(x.key2.rfind(' ') + 1));
      if (!due) continue;
      const auto end = time::rome_day_start(time::add_calendar_days(*due, 1));
      if (time::format_iso_utc_millis(end) > time::format_iso_date(*due) + "T22:59:59.999Z")
        on_time(x, x.count);
    }
    for (const auto& x : facts("payments")) {
      auto& m = month(x);
      m.payments += x.count;
      m.payments_cents += x.a;
      m.reconciled += x.b;
      m.reconciled_cents += x.c;
      if (hub) body(x.tenant).payments_cents += x.a;
    }
    for (const auto& x : facts("certificates")) {
      (x.key == "counter" ? month(x).certificates_counter : month(x).certificates_online) += x.count;
      if (hub) body(x.tenant).certificates += x.count;
    }
    for (const auto& x : facts("albo")) {
      (x.key == "api" ? month(x).albo_api : month(x).albo_web) += x.count;
      if (hub) body(x.tenant).albo += x.count;
    }
    for (const auto& x : facts("messages")) {
      month(x).messages[x.key] += x.count;
      month(x).messages_delivered += x.a;
      if (hub && x.tenant != 0) body(x.tenant).messages += x.count;
    }
    if (!hub && !overdue_by_service_) open_services = StatisticsStore::open_services(c, tenant);
    for (const auto& s : sources_) {
      auto more = s(c, tenant, bounds);
      for (const auto& x : more)
        for (const auto& [t, n] : x.by_body)
          if (hub && t != 0 && n != 0) body(t);  // a body with tickets only still has its row
      f.extra.insert(f.extra.end(), more.begin(), more.end());
    }
  });
  // Overdue now: the cases module's own count (outside the read above: it opens its own connection).
  if (hub) {
    for (const auto& b : tenants_.search("")) {
      const auto n = overdue_(b->id, "");
      f.overdue += n;
      if (n > 0 || bodies.count(b->id)) body(b->id).overdue = n;
    }
  } else if (overdue_by_service_) {
    for (const auto& [code, n] : overdue_by_service_(tenant)) {
      f.overdue += n;
      services[code].overdue = n;
    }
  } else {
    for (const auto& code : open_services) {
      const auto n = overdue_(tenant, code);
      f.overdue += n;
      services[code].overdue = n;
    }
  }
  for (auto& [code, s] : services) {
    s.code = code;
    f.services.push_back(s);
  }
  for (auto& [t, b] : bodies) {
    if (t == 0) continue;
    if (auto info = tenants_.by_id(t)) {
      b.slug = info->slug;
      b.name = info->name;
    } else {
      b.slug = std::to_string(t);
      b.name = b.slug;
    }
    f.bodies.push_back(b);
  }
  std::sort(f.bodies.begin(), f.bodies.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return f;
}

int StatisticsService::rebuild(const Window& w) {
  const auto t = today();
  const std::string current = month_key(static_cast<int>(t.year()), static_cast<unsigned>(t.month()));
  int n = 0;
  for (const auto& m : month_bounds(w)) {
    if (m.month >= current) break;
    std::vector<std::pair<std::string, std::vector<Fact>>> facts;
    db_.read([&](db::Conn& c) {
      for (const auto& [name, query] : figure_queries()) facts.emplace_back(name, query(c, 0, {m}));
    });
    const std::string at = time::format_iso_utc_millis(clock_.now());
    db_.write([&](db::Conn& tx) { StatisticsStore::rebuild_month(tx, m.month, facts, at); });
    ++n;
  }
  return n;
}

int StatisticsService::rebuild_days() {
  const auto t = today();
  const auto first = time::Date{t.year(), t.month(), std::chrono::day{1}};
  int n = 0;
  for (auto d = first; d < t; d = time::add_calendar_days(d, 1)) {
    const MonthBound b{time::format_iso_date(d), time::format_iso_utc_millis(time::rome_day_start(d)),
                       time::format_iso_utc_millis(time::rome_day_start(time::add_calendar_days(d, 1)))};
    std::vector<std::pair<std::string, std::vector<Fact>>> facts;
    db_.read([&](db::Conn& c) {
      for (const auto& [name, query] : figure_queries()) facts.emplace_back(name, query(c, 0, {b}));
    });
    const std::string at = time::format_iso_utc_millis(clock_.now());
    db_.write([&](db::Conn& tx) { StatisticsStore::rebuild_month(tx, b.month, facts, at, Period::day); });
    ++n;
  }
  db_.write([&](db::Conn& tx) { StatisticsStore::forget_days_before(tx, time::format_iso_date(first)); });
  return n;
}

Window StatisticsService::rebuild_window() const {
  const auto t = today();
  const int end = index(static_cast<int>(t.year()), static_cast<unsigned>(t.month())) - 1;
  const int start = end - 12;
  return Window{start / 12, static_cast<unsigned>(start % 12 + 1), end / 12,
                static_cast<unsigned>(end % 12 + 1)};
}

void register_rebuild_job(jobs::Runner& runner, StatisticsService& service) {
  jobs::Kind k;
  k.name = "statistics.rebuild";
  k.retry =
      jobs::RetryPolicy{5, std::chrono::seconds(300), std::chrono::seconds(3600), std::chrono::seconds(1800)};
  k.run = [&service](jobs::JobRun&) -> Status {
    const int n = service.rebuild(service.rebuild_window());
    const int days = service.rebuild_days();
    spdlog::info("statistics.rebuild: {} month(s) and {} day(s) of this month rebuilt from the records", n,
                 days);
    return Ok{};
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::DailyAt{std::chrono::hours(3) + std::chrono::minutes(40)},
                                     jobs::CatchUp::latest_only});
}

std::string StatisticsService::csv(const Figures& f) const {
  std::string scope = "hub";
  if (f.tenant != 0)
    if (auto b = tenants_.by_id(f.tenant)) scope = b->slug;
  std::string out = "scope,period,figure,dimension,value\r\n";
  for (const auto& r : rows_of(f, scope))
    out += csv_field(r.scope) + "," + csv_field(r.period) + "," + r.figure + "," + csv_field(r.dimension) +
           "," + std::to_string(r.value) + "\r\n";
  return out;
}

std::string StatisticsService::json(const Figures& f) const {
  std::string scope = "hub";
  if (f.tenant != 0)
    if (auto b = tenants_.by_id(f.tenant)) scope = b->slug;
  json::object doc;
  doc["scope"] = scope;
  doc["from"] = f.window.from();
  doc["to"] = f.window.to();
  doc["computed_at"] = time::format_iso_utc(f.computed_at);
  if (!f.rebuilt_at.empty()) doc["closed_months_rebuilt_at"] = f.rebuilt_at;
  doc["license"] = "CC-BY-4.0";
  json::array rows;
  for (const auto& r : rows_of(f, scope)) {
    json::object o;
    o["period"] = r.period;
    o["figure"] = r.figure;
    o["dimension"] = r.dimension;
    o["value"] = r.value;
    rows.push_back(std::move(o));
  }
  doc["figures"] = std::move(rows);
  return json::serialize(doc);
}

}  // namespace sp::statistics
