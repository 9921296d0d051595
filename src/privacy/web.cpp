#include "privacy/web.hpp"

#include <spdlog/spdlog.h>

#include <tuple>

#include "core/text_numbers.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/request.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::privacy {
namespace {

using identity::StaffCall;

constexpr const char* kMine = "/area-personale/i-miei-dati";
constexpr const char* kRecords = "/registro-trattamenti";

void audit_export(WebDeps& d, const http::Request& req, const std::string& who) {
  audit::Entry e;
  e.actor_kind = audit::ActorKind::person;
  e.actor_id = who;
  e.on_behalf_of = who;
  e.channel = audit::Channel::web;
  e.action = "personal_data.export";
  e.record_type = std::string(audit::kRecordPerson);
  e.record_id = who;
  e.remote_addr = req.remote_addr;
  if (auto st = d.audit.record(e); !st)
    spdlog::error("audit of a personal data export failed: {}", st.error().code);
}

http::Response mine(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  const auto* who = identity::principal_of(req);
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "privacy_mine";
  page.title = d.view.t(lang, "ui.mydata_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  web::Data rows = web::list();
  std::int64_t total = 0;
  for (const auto& s : d.person.collect(who->subject)) {
    web::Data row;
    row.set("code", s.code);
    row.set("label", d.view.t(lang, "ui.mydata_section_" + s.code));
    row.set("rows", text::group_digits(s.rows, lang));
    row.set("truncated", s.truncated);
    rows.push_back(row);
    total += s.rows;
  }
  page.data.set("sections", rows);
  page.data.set("fiscal_code", who->subject);
  page.data.set("total", text::group_digits(total, lang));
  page.data.set("json_href", std::string(kMine) + ".json");
  return web::private_page(d.view, req, page);
}

http::Response mine_json(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  const auto* who = identity::principal_of(req);
  audit_export(d, req, who->subject);
  auto r = http::Response::json(d.person.to_json(who->subject, time::format_iso_utc_millis(d.clock.now())));
  r.header("Content-Disposition", "attachment; filename=\"i-miei-dati.json\"");
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response records_page(WebDeps& d, http::Request& req, const StaffCall& c,
                            const std::string* failed_activity,
                            const std::map<std::string, std::string>* typed, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "privacy_records",
                                   d.view.t(lang, "ui.records_title"), "", "", false);
  page.data.set("title", page.title);
  const std::string base = "/backoffice/" + c.body->slug + kRecords;
  page.data.set("csv_href", base + ".csv");
  page.data.set("json_href", base + ".json");
  const std::string suffix = lang == "en" ? "_en" : "_it";
  web::Data acts = web::list();
  for (const auto& a : d.records.for_body(c.body->id)) {
    web::Data act;
    const bool failed = failed_activity && *failed_activity == a.code;
    auto text = [&](const std::string& k) {
      if (failed && typed) {
        auto it = typed->find(k);
        if (it != typed->end()) return it->second;
      }
      auto it = a.text.find(k);
      return it == a.text.end() ? std::string() : it->second;
    };
    act.set("code", a.code);
    act.set("name", text("name" + suffix));
    act.set("service_kind", text("service_kind" + suffix));
    act.set("action", base + "/" + a.code);
    act.set("version", std::to_string(a.version));
    act.set("changed", a.version > 0);
    if (a.version > 0) act.set("saved_at", time::it_datetime_text(a.saved_at));
    act.set("open", failed);
    web::Data fields = web::list();
    for (const auto& f : d.records.fields()) {
      web::Data field;
      field.set("label", d.view.t(lang, "ui.records_field_" + f));
      field.set("value", text(f + suffix));
      field.set("name_it", f + "_it");
      field.set("name_en", f + "_en");
      field.set("value_it", text(f + "_it"));
      field.set("value_en", text(f + "_en"));
      field.set("id_it", a.code + "-" + f + "-it");
      field.set("id_en", a.code + "-" + f + "-en");
      fields.push_back(field);
    }
    act.set("fields", fields);
    acts.push_back(act);
  }
  page.data.set("activities", acts);
  // The body's own retention periods, within the hub's bounds (empty: the hub's period).
  const auto& hub = d.retention.hub();
  const auto own = d.retention.get(c.body->id);
  web::Data periods = web::list();
  const std::tuple<const char*, std::int64_t, std::int64_t, std::int64_t, std::optional<std::int64_t>>
      kinds[] = {
          {"drafts_days", hub.drafts_days, kMinDraftsDays, hub.drafts_max_days, own.drafts_days},
          {"messages_days", hub.messages_days, kMinMessagesDays, hub.messages_max_days, own.messages_days},
          {"register_history_days", hub.register_history_days, kMinRegisterHistoryDays,
           hub.register_history_max_days, own.register_history_days},
      };
  for (const auto& [name, hub_days, min, max, mine] : kinds) {
    web::Data p;
    p.set("name", std::string(name));
    p.set("id", std::string("ret-") + name);
    p.set("label", d.view.t(lang, std::string("ui.retention_") + name));
    p.set("hint", web::ui(d.view, lang, "ui.retention_hint",
                          {{"hub", text::group_digits(hub_days, lang)},
                           {"min", text::group_digits(min, lang)},
                           {"max", text::group_digits(max, lang)}}));
    p.set("min", std::to_string(min));
    p.set("max", std::to_string(max));
    std::string value = mine ? std::to_string(*mine) : std::string();
    if (typed && !failed_activity)
      if (auto it = typed->find(name); it != typed->end()) value = it->second;  // as typed, when refused
    p.set("value", value);
    if (error && error->field == name) p.set("invalid", true);
    periods.push_back(p);
  }
  page.data.set("periods", periods);
  page.data.set("retention_action", "/backoffice/" + c.body->slug + "/periodi-conservazione");
  if (!own.updated_at.empty()) page.data.set("retention_saved_at", time::it_datetime_text(own.updated_at));
  if (req.query_param("periodi") == "1") page.data.set("retention_saved", true);
  if (req.query_param("salvato") == "1") page.data.set("saved", true);
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response records_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return records_page(d, req, c, nullptr, nullptr, nullptr);
}

http::Response records_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const std::string activity = req.param("activity");
  std::map<std::string, std::string> values;
  for (const auto& f : d.records.fields())
    for (const char* l : {"_it", "_en"})
      if (form->count(f + l)) values[f + l] = web::form_field(*form, f + l);
  auto st = d.records.save(c.body->id, c.who->subject, activity, values);
  if (!st) {
    if (st.error().http_status == 404) return d.view.error_page(req, 404);
    return records_page(d, req, c, &activity, &values, &st.error());
  }
  return web::see_other("/backoffice/" + c.body->slug + kRecords + "?salvato=1#" + activity);
}

// The body's own retention periods (docs/privacy.md): what was typed is kept when refused.
http::Response retention_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::map<std::string, std::string> typed;
  for (const char* f : {"drafts_days", "messages_days", "register_history_days"})
    typed[f] = web::form_field(*form, f);
  if (auto st = d.retention.save(c.who, c.body->id, typed); !st) {
    if (st.error().http_status == 401 || st.error().http_status == 403)
      return identity::staff_refusal(d.view, req, st.error());
    return records_page(d, req, c, nullptr, &typed, &st.error());
  }
  return web::see_other("/backoffice/" + c.body->slug + kRecords + "?periodi=1#retention");
}

http::Response records_csv(WebDeps& d, http::Request& req, const StaffCall& c) {
  http::Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = d.records.csv(c.body->id, req.ctx.locale);
  r.header("Content-Disposition", "attachment; filename=\"registro-trattamenti-" + c.body->slug + ".csv\"");
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response records_json(WebDeps& d, http::Request&, const StaffCall& c) {
  auto r = http::Response::json(d.records.json(c.body->id));
  r.header("Content-Disposition", "attachment; filename=\"registro-trattamenti-" + c.body->slug + ".json\"");
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  using identity::Permission;
  router.get(kMine, [&d](http::Request& req) { return mine(d, req); });
  router.get(std::string(kMine) + ".json", [&d](http::Request& req) { return mine_json(d, req); });
  const std::string base = "/backoffice/{slug}" + std::string(kRecords);
  router.get(base, identity::staff_route(d, Permission::manage_staff, records_get));
  router.get(base + ".csv", identity::staff_route(d, Permission::manage_staff, records_csv));
  router.get(base + ".json", identity::staff_route(d, Permission::manage_staff, records_json));
  router.post(base + "/{activity}", identity::staff_route(d, Permission::manage_staff, records_post));
  router.post("/backoffice/{slug}/periodi-conservazione",
              identity::staff_route(d, Permission::manage_staff, retention_post));
}

}  // namespace sp::privacy
