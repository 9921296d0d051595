#include "alerts/web.hpp"

#include <boost/json.hpp>

#include "core/text_numbers.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/model.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::alerts {
namespace {

using identity::staff_route;
using identity::StaffCall;
using web::Data;
namespace json = boost::json;

constexpr const char* kArea = "/area-personale/avvisi";

std::string staff_base(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/avvisi";
}
std::string public_base(const tenants::Body& b) {
  return "/" + b.slug + "/avvisi";
}

std::string euros(std::int64_t cents) {
  std::string c = std::to_string(cents % 100);
  if (c.size() < 2) c = "0" + c;
  return std::to_string(cents / 100) + "," + c + " €";
}

std::string masked(const std::string& channel, const std::string& address) {
  if (channel == "appio") return "App IO";
  if (channel == "sms") {
    if (address.size() < 8) return "***";
    return address.substr(0, 3) + std::string(address.size() - 7, '*') + address.substr(address.size() - 4);
  }
  const auto at = address.rfind('@');
  if (at == std::string::npos || at == 0) return "***";
  return address.substr(0, 1) + "***" + address.substr(at);
}

std::string category_label(const WebDeps& d, std::string_view lang, const std::string& c) {
  return d.view.t(lang, "ui.al_category_" + c);
}
std::string state_label(const WebDeps& d, std::string_view lang, State s) {
  return d.view.t(lang, "ui.al_state_" + std::string(to_string(s)));
}
std::string channel_label(const WebDeps& d, std::string_view lang, const std::string& c) {
  return d.view.t(lang, "ui.msg_channel_" + c);
}

std::string segment_text(const WebDeps& d, std::string_view lang, const Alert& a) {
  switch (a.segment) {
    case SegmentKind::all:
      return d.view.t(lang, "ui.al_segment_all");
    case SegmentKind::streets:
      return web::ui(d.view, lang, "ui.al_segment_streets_of",
                     {{"streets", [&] {
                         std::string s;
                         for (const auto& x : split(a.segment_value, '|')) {
                           if (!s.empty()) s += ", ";
                           s += x;
                         }
                         return s;
                       }()}});
    case SegmentKind::school:
      return web::ui(d.view, lang, "ui.al_segment_school_of",
                     {{"school", d.alerts.school_name(a.tenant_id, a.segment_value, std::string(lang))}});
    case SegmentKind::topic:
      return web::ui(d.view, lang, "ui.al_segment_topic_of",
                     {{"topic", category_label(d, lang, a.category)}});
  }
  return {};
}

Data alert_row(const WebDeps& d, std::string_view lang, const Alert& a, const std::string& href) {
  Data r;
  r.set("id", a.id);
  r.set("href", href);
  r.set("title", a.title);
  r.set("category", category_label(d, lang, a.category));
  r.set("state", state_label(d, lang, a.state));
  r.set("state_code", std::string(to_string(a.state)));
  r.set("segment", segment_text(d, lang, a));
  r.set("when", time::it_datetime_text(a.confirmed_at.empty() ? a.created_at : a.confirmed_at));
  return r;
}

std::shared_ptr<const tenants::Body> public_body(const WebDeps& d, const http::Request& req) {
  auto b = d.tenants.by_slug(req.param("slug"));
  if (!b || !b->active) return nullptr;
  return b;
}

// --- staff --------------------------------------------------------------------------------------------

http::Response list_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                         const std::string& typed_cap) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "alerts_staff_list",
                                   d.view.t(lang, "ui.al_staff_title"), "", "", false);
  auto alerts = d.alerts.list(c.who, c.body->id);
  if (!alerts) return identity::staff_refusal(d.view, req, alerts.error());
  Data rows = web::list();
  for (const auto& a : *alerts) rows.push_back(alert_row(d, lang, a, staff_base(*c.body) + "/" + a.id));
  page.data.set("alerts", rows);
  page.data.set("has_alerts", !alerts->empty());
  page.data.set("new_href", staff_base(*c.body) + "/nuovo");
  page.data.set("public_href", public_base(*c.body));
  const auto cap = d.alerts.cost_cap(c.body->id);
  page.data.set("cap_text", web::ui(d.view, lang, "ui.al_cap_current",
                                    {{"cap", euros(cap)},
                                     {"spent", euros(d.alerts.spent_this_month(c.body->id))},
                                     {"cost", euros(d.alerts.options().sms_cost_cents)}}));
  if (identity::authorize(c.who, identity::Permission::customise_forms, c.body->id)) {
    page.data.set("cap_action", staff_base(*c.body) + "/tetto");
    page.data.set("cap_value", typed_cap.empty() ? euros(cap).substr(0, euros(cap).size() - 4) : typed_cap);
  }
  if (req.query_param("esito") == "tetto") page.data.set("notice", d.view.t(lang, "ui.al_cap_saved"));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response list_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return list_page(d, req, c, nullptr, "");
}

http::Response cap_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto value = web::form_field(*form, "cap");
  auto st = d.alerts.set_cost_cap(c.who, c.body->id, value);
  if (!st) {
    if (st.error().http_status == 403 || st.error().http_status == 401)
      return identity::staff_refusal(d.view, req, st.error());
    return list_page(d, req, c, &st.error(), value);
  }
  return web::see_other(staff_base(*c.body) + "?esito=tetto");
}

http::Response new_page(WebDeps& d, http::Request& req, const StaffCall& c, const AlertForm& f,
                        const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page =
      web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "alerts_staff_new",
                           d.view.t(lang, "ui.al_new_title"), "ui.al_staff_title", staff_base(*c.body), true);
  auto& x = page.data;
  x.set("action", staff_base(*c.body) + "/nuovo");
  Data cats = web::list();
  for (const auto& code : d.alerts.options().categories) {
    Data o;
    o.set("value", code);
    o.set("label", category_label(d, lang, code));
    o.set("selected", f.category == code);
    cats.push_back(o);
  }
  x.set("categories", cats);
  x.set("title_value", f.title);
  x.set("body_value", f.body);
  const std::string seg = f.segment.empty() ? std::string("all") : f.segment;
  for (const char* s : {"all", "streets", "school", "topic"}) x.set(std::string("seg_") + s, seg == s);
  Data streets = web::list();
  const auto chosen = split(f.streets, '|');
  int n = 0;
  for (const auto& s : d.alerts.street_names(c.body->id)) {
    Data o;
    o.set("value", s);
    o.set("n", std::to_string(++n));
    o.set("selected", std::find(chosen.begin(), chosen.end(), s) != chosen.end());
    streets.push_back(o);
  }
  x.set("streets", streets);
  Data schools = web::list();
  const auto known = d.alerts.schools(c.body->id);
  for (const auto& s : known) {
    Data o;
    o.set("value", s);
    o.set("name", d.alerts.school_name(c.body->id, s, std::string(lang)));
    o.set("selected", f.school == s);
    schools.push_back(o);
  }
  x.set("schools", schools);
  x.set("has_schools", !known.empty());
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response new_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  if (auto st = identity::authorize(c.who, identity::Permission::backoffice, c.body->id); !st)
    return identity::staff_refusal(d.view, req, st.error());
  return new_page(d, req, c, AlertForm{}, nullptr);
}

http::Response new_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  AlertForm f;
  f.category = web::form_field(*form, "category");
  f.title = web::form_field(*form, "title");
  f.body = web::form_field(*form, "body");
  f.segment = web::form_field(*form, "segment");
  f.school = web::form_field(*form, "school");
  // One checkbox per street, each its own field (street_N): a form field keeps one value.
  std::vector<std::string> streets;
  for (const auto& [k, v] : *form)
    if ((k == "streets" || k.rfind("street_", 0) == 0) && !v.empty()) streets.push_back(v);
  f.streets = join(streets, '|');
  auto id = d.alerts.create(c.who, c.body->id, f);
  if (!id) {
    if (id.error().http_status == 403 || id.error().http_status == 401)
      return identity::staff_refusal(d.view, req, id.error());
    return new_page(d, req, c, f, &id.error());
  }
  return web::see_other(staff_base(*c.body) + "/" + *id);
}

Data stats_data(const WebDeps& d, std::string_view lang, const Stats& s) {
  Data rows = web::list();
  auto row = [&](const std::string& label, const ChannelStats& x, bool total) {
    Data r;
    r.set("label", label);
    r.set("total", text::group_digits(x.total, lang));
    r.set("pending", text::group_digits(x.pending, lang));
    r.set("delivered", text::group_digits(x.delivered, lang));
    r.set("failed", text::group_digits(x.failed, lang));
    r.set("fallen_back", text::group_digits(x.fallen_back, lang));
    r.set("cancelled", text::group_digits(x.cancelled + x.skipped, lang));
    r.set("is_total", total);
    return r;
  };
  for (const auto& [ch, x] : s.by_channel) rows.push_back(row(channel_label(d, lang, ch), x, false));
  rows.push_back(row(d.view.t(lang, "ui.al_total"), s.all, true));
  return rows;
}

http::Response alert_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto a = d.alerts.get(c.who, c.body->id, req.param("id"));
  if (!a) {
    if (a.error().http_status == 404) return d.view.error_page(req, 404);
    return identity::staff_refusal(d.view, req, a.error());
  }
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "alerts_staff_alert", a->title,
                                   "ui.al_staff_title", staff_base(*c.body), true);
  auto& x = page.data;
  x.set("alert", alert_row(d, lang, *a, ""));
  x.set("body_text", a->body);
  const std::string base = staff_base(*c.body) + "/" + a->id;
  bool refresh = false;
  if (a->state == State::draft) {
    auto p = d.alerts.preview(c.who, c.body->id, a->id);
    if (!p) return identity::staff_refusal(d.view, req, p.error());
    x.set("draft", true);
    Data counts = web::list();
    for (const auto& [ch, n] : p->by_channel) {
      Data r;
      r.set("channel", channel_label(d, lang, ch));
      r.set("channel_code", ch);
      r.set("count", text::group_digits(n, lang));
      counts.push_back(r);
    }
    x.set("counts", counts);
    x.set("recipients",
          web::ui_count(d.view, lang, "ui.al_recipients", static_cast<std::size_t>(p->recipients)));
    x.set("recipients_n", std::to_string(p->recipients));
    x.set("cost", euros(p->sms_cost_cents));
    x.set("cap", euros(p->cost_cap_cents));
    x.set("spent", euros(p->spent_cents));
    x.set("over_cap", p->over_cap);
    x.set("confirm_action", base + "/conferma");
    x.set("cancel_action", base + "/annulla");
  } else {
    auto s = d.alerts.stats(c.who, c.body->id, a->id);
    if (!s) return identity::staff_refusal(d.view, req, s.error());
    x.set("sent", true);
    x.set("stats", stats_data(d, lang, *s));
    const auto targets = std::max<std::int64_t>(a->targets, 0);
    x.set("progress", web::ui(d.view, lang, "ui.al_progress",
                              {{"handed", std::to_string(s->handed)},
                               {"targets", a->targets < 0 ? std::string("…") : std::to_string(targets)},
                               {"delivered", std::to_string(s->all.delivered)}}));
    const auto pct =
        targets > 0 ? (s->all.delivered + s->all.failed + s->all.fallen_back) * 100 / targets : 0;
    x.set("percent", std::to_string(std::min<std::int64_t>(pct, 100)));
    x.set("finished", s->finished);
    if (!a->preview.empty()) {
      boost::system::error_code ec;
      auto v = json::parse(a->preview, ec);
      if (!ec && v.is_object()) {
        Data counts = web::list();
        for (const auto& [k, n] : v.as_object()) {
          Data r;
          r.set("channel", channel_label(d, lang, std::string(k)));
          r.set("count", n.is_int64() ? std::to_string(n.as_int64()) : std::string("0"));
          counts.push_back(r);
        }
        x.set("confirmed_counts", counts);
      }
    }
    x.set("confirmed", web::ui(d.view, lang, "ui.al_confirmed",
                               {{"when", time::it_datetime_text(a->confirmed_at)},
                                {"cost", euros(a->cost_cents)},
                                {"cap", euros(a->cost_cap_cents)}}));
    if (a->state == State::sending) x.set("pause_action", base + "/pausa");
    if (a->state == State::paused) x.set("resume_action", base + "/riprendi");
    if (a->state == State::sending || a->state == State::paused) x.set("cancel_action", base + "/annulla");
    refresh = !s->finished && req.query_param("auto") != "0";
    if (refresh) {
      x.set("refreshing", true);
      x.set("stop_refresh_href", base + "?auto=0");
    } else if (!s->finished) {
      x.set("start_refresh_href", base);
    }
  }
  const auto done = req.query_param("esito");
  if (!done.empty()) x.set("notice", d.view.t(lang, "ui.al_notice_" + done));
  if (error) web::set_form_error(d.view, req, page, *error);
  auto r = web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
  // The progress refreshes itself without JavaScript (the page says so and offers to stop it).
  if (refresh && !error) r.header("Refresh", "3");
  return r;
}

http::Response alert_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return alert_page(d, req, c, nullptr);
}

http::Response alert_action(WebDeps& d, http::Request& req, const StaffCall& c, const std::string& what) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const std::string id = req.param("id");
  Status st = Ok{};
  if (what == "conferma") st = d.alerts.confirm(c.who, c.body->id, id);
  if (what == "pausa") st = d.alerts.pause(c.who, c.body->id, id);
  if (what == "riprendi") st = d.alerts.resume(c.who, c.body->id, id);
  if (what == "annulla") st = d.alerts.cancel(c.who, c.body->id, id);
  if (!st) {
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    if (st.error().http_status == 403 || st.error().http_status == 401)
      return identity::staff_refusal(d.view, req, st.error());
    return alert_page(d, req, c, &st.error());
  }
  return web::see_other(staff_base(*c.body) + "/" + id + "?esito=" + what);
}

http::Response confirm_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  return alert_action(d, req, c, "conferma");
}
http::Response pause_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  return alert_action(d, req, c, "pausa");
}
http::Response resume_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  return alert_action(d, req, c, "riprendi");
}
http::Response cancel_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  return alert_action(d, req, c, "annulla");
}

// --- the public ---------------------------------------------------------------------------------------

web::Page public_page_of(const WebDeps& d, const http::Request& req, const tenants::Body& b,
                         const std::string& tpl, const std::string& title) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.body_slug = b.slug;
  page.body_name = b.name;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {b.name, "/" + b.slug + "/"}};
  const auto& section = d.view.t(lang, "ui.al_public_title");
  if (title == section) {
    page.breadcrumb.push_back({title, ""});
  } else {
    page.breadcrumb.push_back({section, public_base(b)});
    page.breadcrumb.push_back({title, ""});
    page.noindex = true;
  }
  return page;
}

http::Response public_page(WebDeps& d, http::Request& req, const tenants::Body& b, const SubscribeForm& f,
                           const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = public_page_of(d, req, b, "alerts_public", d.view.t(lang, "ui.al_public_title"));
  auto& x = page.data;
  x.set("body_name", b.name);
  Data rows = web::list();
  const auto alerts = d.alerts.published(b.id);
  for (const auto& a : alerts) {
    Data r = alert_row(d, lang, a, "");
    r.set("body_text", a.body);
    rows.push_back(r);
  }
  x.set("alerts", rows);
  x.set("has_alerts", !alerts.empty());
  x.set("action", public_base(b) + "/iscrizione");
  Data topics = web::list();
  for (const auto& code : d.alerts.options().categories) {
    Data o;
    o.set("value", code);
    o.set("label", category_label(d, lang, code));
    o.set("checked", std::find(f.topics.begin(), f.topics.end(), code) != f.topics.end());
    topics.push_back(o);
  }
  x.set("topics", topics);
  Data streets = web::list();
  for (const auto& s : d.alerts.street_names(b.id)) {
    Data o;
    o.set("value", s);
    o.set("selected", std::find(f.streets.begin(), f.streets.end(), s) != f.streets.end());
    streets.push_back(o);
  }
  x.set("streets", streets);
  x.set("ch_email", f.channel != "sms");
  x.set("ch_sms", f.channel == "sms");
  x.set("address_value", f.address);
  x.set("consent_checked", f.consent);
  if (req.query_param("esito") == "fermato") x.set("notice", d.view.t(lang, "ui.al_stopped"));
  if (error) web::set_form_error(d.view, req, page, *error);
  auto r = web::page_response(d.view.render(req, page));
  if (error) r.status = web::form_status(*error);
  return r;
}

http::Response public_get(WebDeps& d, http::Request& req) {
  auto b = public_body(d, req);
  if (!b) return d.view.error_page(req, 404);
  return public_page(d, req, *b, SubscribeForm{}, nullptr);
}

http::Response subscribe_post(WebDeps& d, http::Request& req) {
  auto b = public_body(d, req);
  if (!b) return d.view.error_page(req, 404);
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  SubscribeForm f;
  f.channel = web::form_field(*form, "channel");
  f.address = web::form_field(*form, "address");
  f.consent = web::form_field(*form, "consent") == "yes";
  f.lang = req.ctx.locale;
  for (const auto& [k, v] : *form) {
    if (k.rfind("topic_", 0) == 0 && !v.empty()) f.topics.push_back(v);
    if ((k == "street" || k.rfind("street_", 0) == 0) && !v.empty()) f.streets.push_back(v);
  }
  auto id = d.alerts.subscribe(b->id, f, req.remote_addr);
  if (!id) return public_page(d, req, *b, f, &id.error());
  return web::see_other(public_base(*b) + "/iscrizione/" + *id);
}

http::Response verify_page(WebDeps& d, http::Request& req, const tenants::Body& b, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto s = d.alerts.subscription(b.id, req.param("id"));
  if (!s) return d.view.error_page(req, 404);
  auto page = public_page_of(d, req, b, "alerts_verify", d.view.t(lang, "ui.al_verify_title"));
  auto& x = page.data;
  x.set("to", masked(s->channel, s->address));
  x.set("channel", channel_label(d, lang, s->channel));
  x.set("action", public_base(b) + "/iscrizione/" + s->id);
  x.set("resend_action", public_base(b) + "/iscrizione/" + s->id + "/nuovo-codice");
  x.set("active", s->state == "active");
  x.set("back", public_base(b));
  const auto done = req.query_param("esito");
  if (done == "nuovo-codice") x.set("notice", d.view.t(lang, "ui.al_code_resent"));
  if (error) web::set_form_error(d.view, req, page, *error);
  auto r = web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
  return r;
}

http::Response verify_get(WebDeps& d, http::Request& req) {
  auto b = public_body(d, req);
  if (!b) return d.view.error_page(req, 404);
  return verify_page(d, req, *b, nullptr);
}

http::Response verify_post(WebDeps& d, http::Request& req) {
  auto b = public_body(d, req);
  if (!b) return d.view.error_page(req, 404);
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  auto st = d.alerts.verify(b->id, req.param("id"), web::form_field(*form, "code"), req.remote_addr);
  if (!st) {
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    return verify_page(d, req, *b, &st.error());
  }
  return web::see_other(public_base(*b) + "/iscrizione/" + req.param("id"));
}

http::Response resend_post(WebDeps& d, http::Request& req) {
  auto b = public_body(d, req);
  if (!b) return d.view.error_page(req, 404);
  auto st = d.alerts.resend(b->id, req.param("id"));
  if (!st) {
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    return verify_page(d, req, *b, &st.error());
  }
  return web::see_other(public_base(*b) + "/iscrizione/" + req.param("id") + "?esito=nuovo-codice");
}

http::Response stop_page(WebDeps& d, http::Request& req, const tenants::Body& b, const std::string& token) {
  const auto& lang = req.ctx.locale;
  auto page = public_page_of(d, req, b, "alerts_stop", d.view.t(lang, "ui.al_stop_title"));
  auto target = d.alerts.stop_target(b.id, token);
  if (!target) {
    page.data.set("unknown", true);
    auto r = web::private_page(d.view, req, page, 404);
    return r;
  }
  page.data.set("to", masked(target->first, target->second));
  page.data.set("channel", channel_label(d, lang, target->first));
  page.data.set("token", token);
  page.data.set("action", public_base(b) + "/stop");
  page.data.set("back", public_base(b));
  return web::private_page(d.view, req, page);
}

http::Response stop_get(WebDeps& d, http::Request& req) {
  auto b = public_body(d, req);
  if (!b) return d.view.error_page(req, 404);
  return stop_page(d, req, *b, req.query_param("t"));
}

http::Response stop_post(WebDeps& d, http::Request& req) {
  auto b = public_body(d, req);
  if (!b) return d.view.error_page(req, 404);
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  const auto token = web::form_field(*form, "t");
  auto st = d.alerts.stop(b->id, token, req.remote_addr);
  if (!st) return stop_page(d, req, *b, token);
  return web::see_other(public_base(*b) + "?esito=fermato");
}

// POST /inbound/{slug}/sms/ricevuti  {"from": "+39…", "text": "STOP"}  →  200 {"stopped": true|false}
http::Response sms_received(WebDeps& d, http::Request& req, const identity::InboundCall& call) {
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return web::json_error(d.view, req, Error::make("alerts.sms_format", 400));
  const auto& o = v.as_object();
  auto text = [&](const char* k) {
    const auto* p = o.if_contains(k);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  auto stopped = d.alerts.stop_by_sms(call.body->id, text("from"), text("text"));
  if (!stopped) return web::json_error(d.view, req, stopped.error());
  return http::Response::json(json::serialize(json::object{{"stopped", *stopped}}));
}

// --- the person ---------------------------------------------------------------------------------------

http::Response area_get(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  const auto& lang = req.ctx.locale;
  auto got = d.alerts.received(identity::principal_of(req));
  if (!got) return d.view.error_page(req, got.error().http_status);
  web::Page page;
  page.template_name = "alerts_area";
  page.title = d.view.t(lang, "ui.al_area_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  Data rows = web::list();
  for (const auto& r : *got) {
    Data x;
    x.set("title", r.title);
    x.set("body_text", r.body);
    x.set("category", category_label(d, lang, r.category));
    x.set("when", time::it_datetime_text(r.sent_at));
    x.set("channel", channel_label(d, lang, r.channel));
    auto b = d.tenants.by_id(r.tenant_id);
    x.set("from", b ? b->name : std::string());
    x.set("message_href", "/area-personale/messaggi/" + r.message_id);
    rows.push_back(x);
  }
  page.data.set("alerts", rows);
  page.data.set("has_alerts", !got->empty());
  return web::private_page(d.view, req, page);
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  using identity::Permission;
  router.get("/backoffice/{slug}/avvisi", staff_route(d, Permission::backoffice, list_get));
  router.post("/backoffice/{slug}/avvisi/tetto", staff_route(d, Permission::customise_forms, cap_post));
  router.get("/backoffice/{slug}/avvisi/nuovo", staff_route(d, Permission::backoffice, new_get));
  router.post("/backoffice/{slug}/avvisi/nuovo", staff_route(d, Permission::backoffice, new_post));
  router.get("/backoffice/{slug}/avvisi/{id}", staff_route(d, Permission::backoffice, alert_get));
  router.post("/backoffice/{slug}/avvisi/{id}/conferma",
              staff_route(d, Permission::backoffice, confirm_post));
  router.post("/backoffice/{slug}/avvisi/{id}/pausa", staff_route(d, Permission::backoffice, pause_post));
  router.post("/backoffice/{slug}/avvisi/{id}/riprendi", staff_route(d, Permission::backoffice, resume_post));
  router.post("/backoffice/{slug}/avvisi/{id}/annulla", staff_route(d, Permission::backoffice, cancel_post));
  router.get("/{slug}/avvisi", [&d](http::Request& r) { return public_get(d, r); });
  router.post("/{slug}/avvisi/iscrizione", [&d](http::Request& r) { return subscribe_post(d, r); });
  router.get("/{slug}/avvisi/iscrizione/{id}", [&d](http::Request& r) { return verify_get(d, r); });
  router.post("/{slug}/avvisi/iscrizione/{id}", [&d](http::Request& r) { return verify_post(d, r); });
  router.post("/{slug}/avvisi/iscrizione/{id}/nuovo-codice",
              [&d](http::Request& r) { return resend_post(d, r); });
  router.get("/{slug}/avvisi/stop", [&d](http::Request& r) { return stop_get(d, r); });
  router.post("/{slug}/avvisi/stop", [&d](http::Request& r) { return stop_post(d, r); });
  router.post("/inbound/{slug}/sms/ricevuti", identity::inbound_route(d, "sms-inbound", sms_received));
  router.get(kArea, [&d](http::Request& r) { return area_get(d, r); });
}

}  // namespace sp::alerts
