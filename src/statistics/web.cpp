#include "statistics/web.hpp"

#include <algorithm>
#include <map>

#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "statistics/svg_web.hpp"
#include "web/context.hpp"

namespace sp::statistics {
namespace {

using identity::StaffCall;
using web::Data;

constexpr const char* kHubPath = "/backoffice/statistiche";

std::string number(std::string_view lang, std::int64_t n) {
  return svg::group_digits(static_cast<double>(n), lang == "en" ? ',' : '.');
}

std::string euros(std::string_view lang, std::int64_t cents) {
  const bool en = lang == "en";
  std::string c = std::to_string((cents < 0 ? -cents : cents) % 100);
  if (c.size() < 2) c = "0" + c;
  const std::string whole = number(lang, cents / 100);
  return en ? "€" + whole + "." + c : whole + "," + c + " €";
}

// Tenths (of a day) as "12,3" ("12.3" in English); "—" for none (-1: nothing decided).
std::string tenths(std::string_view lang, std::int64_t n) {
  if (n < 0) return "—";
  return number(lang, n / 10) + (lang == "en" ? "." : ",") + std::to_string(n % 10);
}

// "2026-11" as the month's short name and year, in the page's language.
std::string month_label(const web::View& v, std::string_view lang, const std::string& month) {
  return v.t(lang, "ui.st_month_" + month.substr(5, 2)) + " " + month.substr(0, 4);
}

// One chart with its data table: the <figure> the template prints.
struct FigureSpec {
  std::string id;
  std::string caption;
  std::string description;
  bool line = false;
  bool money = false;  // series values are cents
  std::vector<std::string> series_names;
  std::vector<std::vector<std::int64_t>> series;  // [series][label]
  bool tenths = false;                            // series values are tenths (of a day); -1: none
};

Data figure(const web::View& v, std::string_view lang, const std::vector<std::string>& labels,
            const FigureSpec& s) {
  svg::Chart c;
  c.id = s.id;
  c.title = s.caption;
  c.description = s.description;
  c.labels = labels;
  c.thousands = lang == "en" ? ',' : '.';
  for (std::size_t i = 0; i < s.series.size(); ++i) {
    svg::Series x;
    x.name = s.series_names[i];
    for (auto n : s.series[i])
      x.values.push_back(s.money    ? static_cast<double>(n) / 100.0
                         : s.tenths ? static_cast<double>(std::max<std::int64_t>(n, 0)) / 10.0
                                    : static_cast<double>(n));
    c.series.push_back(std::move(x));
  }
  Data f;
  f.set("id", s.id);
  f.set("caption", s.caption);
  f.set("svg", s.line ? svg::line_chart(c) : svg::bar_chart(c));
  f.set("label_header", v.t(lang, "ui.st_col_month"));
  Data heads = web::list();
  for (const auto& n : s.series_names) heads.push_back(Data{"name", n});
  f.set("heads", heads);
  Data rows = web::list();
  for (std::size_t l = 0; l < labels.size(); ++l) {
    Data r;
    r.set("label", labels[l]);
    Data cells = web::list();
    for (const auto& series : s.series)
      cells.push_back(Data{"value", s.money    ? euros(lang, series[l])
                                    : s.tenths ? tenths(lang, series[l])
                                               : number(lang, series[l])});
    r.set("cells", cells);
    rows.push_back(r);
  }
  f.set("rows", rows);
  return f;
}

template <class F>
std::vector<std::int64_t> per_month(const Figures& f, F get) {
  std::vector<std::int64_t> out;
  for (const auto& m : f.months) out.push_back(get(m));
  return out;
}

Data dashboard_data(const web::View& v, std::string_view lang, const Figures& f,
                    const std::map<std::string, std::string>& service_names) {
  std::vector<std::string> labels;
  for (const auto& m : f.months) labels.push_back(month_label(v, lang, m.month));
  auto t = [&](const char* key) { return v.t(lang, std::string("ui.") + key); };
  std::vector<FigureSpec> specs;
  specs.push_back({"st-received",
                   t("st_fig_received"),
                   t("st_fig_received_desc"),
                   false,
                   false,
                   {t("st_channel_web"), t("st_channel_counter"), t("st_channel_api")},
                   {per_month(f, [](const auto& m) { return m.received_online; }),
                    per_month(f, [](const auto& m) { return m.received_counter; }),
                    per_month(f, [](const auto& m) { return m.received_api; })}});
  specs.push_back({"st-decided",
                   t("st_fig_decided"),
                   t("st_fig_decided_desc"),
                   false,
                   false,
                   {t("st_on_time"), t("st_late")},
                   {per_month(f, [](const auto& m) { return m.decided_on_time; }),
                    per_month(f, [](const auto& m) { return m.decided - m.decided_on_time; })}});
  {
    FigureSpec days{
        "st-days",
        t("st_fig_days"),
        t("st_fig_days_desc"),
        true,
        false,
        {t("st_days_decision"), t("st_days_legal")},
        {per_month(f, [](const auto& m) { return average_tenths_of_day(m.decision_seconds, m.decided); }),
         per_month(f, [](const auto& m) { return average_tenths_of_day(m.legal_seconds, m.decided); })}};
    days.tenths = true;
    specs.push_back(std::move(days));
  }
  specs.push_back({"st-payments",
                   t("st_fig_payments"),
                   t("st_fig_payments_desc"),
                   true,
                   true,
                   {t("st_collected"), t("st_reconciled")},
                   {per_month(f, [](const auto& m) { return m.payments_cents; }),
                    per_month(f, [](const auto& m) { return m.reconciled_cents; })}});
  specs.push_back({"st-certificates",
                   t("st_fig_certificates"),
                   t("st_fig_certificates_desc"),
                   false,
                   false,
                   {t("st_channel_web"), t("st_channel_counter")},
                   {per_month(f, [](const auto& m) { return m.certificates_online; }),
                    per_month(f, [](const auto& m) { return m.certificates_counter; })}});
  specs.push_back({"st-albo",
                   t("st_fig_albo"),
                   t("st_fig_albo_desc"),
                   false,
                   false,
                   {t("st_channel_web"), t("st_channel_api")},
                   {per_month(f, [](const auto& m) { return m.albo_web; }),
                    per_month(f, [](const auto& m) { return m.albo_api; })}});
  FigureSpec messages{"st-messages", t("st_fig_messages"), t("st_fig_messages_desc"), true, false, {}, {}};
  for (const char* ch : {"email", "sms", "pec", "appio"}) {
    messages.series_names.push_back(t((std::string("st_msg_") + ch).c_str()));
    messages.series.push_back(per_month(f, [ch](const auto& m) {
      auto it = m.messages.find(ch);
      return it == m.messages.end() ? std::int64_t{0} : it->second;
    }));
  }
  specs.push_back(std::move(messages));
  // The other modules' series: those with the same chart id in one chart, captioned by the first.
  std::map<std::string, std::size_t> chart_at;
  for (const auto& x : f.extra) {
    const std::string id = "st-" + (x.chart.empty() ? x.figure : x.chart);
    auto at = chart_at.find(id);
    if (at == chart_at.end()) {
      const std::string caption = v.t(lang, x.chart_key.empty() ? x.label_key : x.chart_key);
      at = chart_at.emplace(id, specs.size()).first;
      specs.push_back({id, caption, caption, false, false, {}, {}});
    }
    auto& s = specs[at->second];
    s.series_names.push_back(v.t(lang, x.label_key));
    s.series.emplace_back();
    for (const auto& m : f.months) {
      auto it = x.by_month.find(m.month);
      s.series.back().push_back(it == x.by_month.end() ? 0 : it->second);
    }
  }
  Data d;
  Data figures = web::list();
  for (const auto& s : specs) figures.push_back(figure(v, lang, labels, s));
  d.set("figures", figures);

  // Key figures over the window.
  const auto tot = f.totals();
  Data keys = web::list();
  auto key = [&](const char* label, const std::string& value) {
    Data k;
    k.set("label", t(label));
    k.set("value", value);
    keys.push_back(k);
  };
  key("st_key_received", number(lang, tot.received_online + tot.received_counter));
  key("st_key_decided", number(lang, tot.decided));
  key("st_key_on_time",
      tot.decided == 0 ? std::string("—") : std::to_string(tot.decided_on_time * 100 / tot.decided) + " %");
  key("st_key_days",
      web::ui(v, lang, "ui.st_key_days_value",
              {{"days", tenths(lang, average_tenths_of_day(tot.decision_seconds, tot.decided))},
               {"legal", tenths(lang, average_tenths_of_day(tot.legal_seconds, tot.decided))}}));
  key("st_key_overdue", number(lang, f.overdue));
  key("st_key_payments", euros(lang, tot.payments_cents));
  key("st_key_reconciled", euros(lang, tot.reconciled_cents));
  key("st_key_certificates", number(lang, tot.certificates_online + tot.certificates_counter));
  key("st_key_albo", number(lang, tot.albo_web + tot.albo_api));
  std::int64_t msgs = 0;
  for (const auto& [ch, n] : tot.messages) msgs += n;
  key("st_key_messages", number(lang, msgs));
  d.set("keys", keys);

  Data services = web::list();
  for (const auto& s : f.services) {
    Data r;
    auto name = service_names.find(s.code);
    r.set("name", name == service_names.end() ? s.code : name->second);
    r.set("code", s.code);
    r.set("received", number(lang, s.received));
    r.set("decided", number(lang, s.decided));
    r.set("on_time", number(lang, s.decided_on_time));
    r.set("days", tenths(lang, average_tenths_of_day(s.decision_seconds, s.decided)));
    r.set("legal", tenths(lang, average_tenths_of_day(s.legal_seconds, s.decided)));
    r.set("overdue", number(lang, s.overdue));
    services.push_back(r);
  }
  d.set("services", services);
  d.set("has_services", !f.services.empty());
  Data bodies = web::list();
  for (const auto& b : f.bodies) {
    Data r;
    r.set("name", b.name);
    r.set("href", "/backoffice/" + b.slug + "/statistiche");
    r.set("received", number(lang, b.received));
    r.set("decided", number(lang, b.decided));
    r.set("days", tenths(lang, average_tenths_of_day(b.decision_seconds, b.decided)));
    r.set("overdue", number(lang, b.overdue));
    r.set("payments", euros(lang, b.payments_cents));
    r.set("certificates", number(lang, b.certificates));
    r.set("albo", number(lang, b.albo));
    r.set("messages", number(lang, b.messages));
    bodies.push_back(r);
  }
  d.set("bodies", bodies);
  d.set("has_bodies", !f.bodies.empty());
  // The other modules' series per body (the hub's page), over the window.
  Data extra_heads = web::list();
  bool by_body = false;
  for (const auto& x : f.extra) {
    extra_heads.push_back(Data{"name", v.t(lang, x.label_key)});
    by_body = by_body || !x.by_body.empty();
  }
  Data extra_rows = web::list();
  for (const auto& b : f.bodies) {
    Data r;
    r.set("name", b.name);
    Data cells = web::list();
    for (const auto& x : f.extra) {
      auto it = x.by_body.find(b.tenant);
      cells.push_back(Data{"value", number(lang, it == x.by_body.end() ? 0 : it->second)});
    }
    r.set("cells", cells);
    extra_rows.push_back(r);
  }
  d.set("extra_heads", extra_heads);
  d.set("extra_rows", extra_rows);
  d.set("has_extra_bodies", by_body && !f.bodies.empty());
  return d;
}

// The window asked for, or the refusal (shown on the page with the default window and the typed text).
struct Asked {
  Window window;
  const Error* error = nullptr;
  Error stored;
};

Asked asked_window(const WebDeps& d, const http::Request& req) {
  Asked a;
  auto w = parse_window(req.query_param("da"), req.query_param("a"), d.statistics.today());
  if (w) {
    a.window = *w;
    return a;
  }
  a.stored = w.error();
  a.error = &a.stored;
  a.window = *parse_window("", "", d.statistics.today());
  return a;
}

http::Response dashboard(WebDeps& d, http::Request& req, const StaffCall& c, std::int64_t tenant,
                         const std::string& base) {
  const auto& lang = req.ctx.locale;
  Asked a = asked_window(d, req);
  auto f = d.statistics.figures(c.who, tenant, a.window);
  if (!f) return identity::staff_refusal(d.view, req, f.error());
  web::Page page;
  if (c.body) {
    page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "statistics_dashboard",
                                d.view.t(lang, "ui.st_title"), "", "", false);
  } else {
    page.template_name = "statistics_dashboard";
    page.title = d.view.t(lang, "ui.st_hub_title");
    page.noindex = true;
    page.breadcrumb = {{d.view.t(lang, "ui.staff_home_title"), "/backoffice/"}, {page.title, ""}};
  }
  auto& data = page.data;
  std::map<std::string, std::string> names;
  if (!f->services.empty())
    for (const auto& s : d.catalog.services()) names[s.code] = s.title.in(lang);
  data = dashboard_data(d.view, lang, *f, names);
  data.set("title", page.title);
  if (c.body) data.set("body_name", c.body->name);
  data.set("hub", tenant == 0);
  data.set("action", base);
  const std::string typed_from = req.query_param("da");
  const std::string typed_to = req.query_param("a");
  data.set("from", a.error ? typed_from : f->window.from());
  data.set("to", a.error ? typed_to : f->window.to());
  const std::string query = "?da=" + f->window.from() + "&a=" + f->window.to();
  data.set("csv_href", base + ".csv" + query);
  data.set("json_href", base + ".json" + query);
  data.set("computed_at", time::format_it_datetime(f->computed_at));
  data.set("computed_at_iso", time::format_iso_utc(f->computed_at));
  if (!f->rebuilt_at.empty()) {
    data.set("rebuilt_at", time::it_datetime_text(f->rebuilt_at));
    data.set("rebuilt_at_iso", f->rebuilt_at);
  }
  data.set("window_text", web::ui(d.view, lang, "ui.st_window",
                                  {{"from", month_label(d.view, lang, f->window.from())},
                                   {"to", month_label(d.view, lang, f->window.to())}}));
  if (a.error) web::set_form_error(d.view, req, page, *a.error);
  return web::private_page(d.view, req, page, a.error ? 400 : 200);
}

http::Response export_of(WebDeps& d, http::Request& req, const StaffCall& c, std::int64_t tenant, bool csv) {
  Asked a = asked_window(d, req);
  if (a.error) return d.view.error_page(req, 400);
  auto f = d.statistics.figures(c.who, tenant, a.window);
  if (!f) return identity::staff_refusal(d.view, req, f.error());
  const std::string name = "statistiche-" + (c.body ? c.body->slug : std::string("polo")) + "-" +
                           f->window.from() + "-" + f->window.to() + (csv ? ".csv" : ".json");
  http::Response r;
  if (csv) {
    r.content_type = "text/csv; charset=utf-8";
    r.body = d.statistics.csv(*f);
  } else {
    r = http::Response::json(d.statistics.json(*f));
  }
  r.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.header("Cache-Control", "no-store");
  r.header("X-Content-Type-Options", "nosniff");
  return r;
}

http::Response hub_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return dashboard(d, req, c, 0, kHubPath);
}
http::Response hub_csv(WebDeps& d, http::Request& req, const StaffCall& c) {
  return export_of(d, req, c, 0, true);
}
http::Response hub_json(WebDeps& d, http::Request& req, const StaffCall& c) {
  return export_of(d, req, c, 0, false);
}
http::Response body_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return dashboard(d, req, c, c.body->id, "/backoffice/" + c.body->slug + "/statistiche");
}
http::Response body_csv(WebDeps& d, http::Request& req, const StaffCall& c) {
  return export_of(d, req, c, c.body->id, true);
}
http::Response body_json(WebDeps& d, http::Request& req, const StaffCall& c) {
  return export_of(d, req, c, c.body->id, false);
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  using identity::hub_staff_route;
  using identity::Permission;
  using identity::staff_route;
  router.get(kHubPath, hub_staff_route(d, Permission::manage_hub, hub_get));
  router.get(std::string(kHubPath) + ".csv", hub_staff_route(d, Permission::manage_hub, hub_csv));
  router.get(std::string(kHubPath) + ".json", hub_staff_route(d, Permission::manage_hub, hub_json));
  router.get("/backoffice/{slug}/statistiche", staff_route(d, Permission::read_audit, body_get));
  router.get("/backoffice/{slug}/statistiche.csv", staff_route(d, Permission::read_audit, body_csv));
  router.get("/backoffice/{slug}/statistiche.json", staff_route(d, Permission::read_audit, body_json));
}

}  // namespace sp::statistics
