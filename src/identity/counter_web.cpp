#include "identity/counter_web.hpp"

#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::identity {
namespace {

using web::Data;

constexpr const char* kHome = "/sportello-assistito/";

// "23/11/2026 20:15" in Rome; empty when not recorded.
std::string counter_time(const std::optional<std::string>& at) {
  return at ? time::it_datetime_text(*at) : std::string();
}

// The counter operator of the request, or the response to send instead (sign-in, 403).
std::optional<http::Response> require_operator(const CounterWebDeps& d, http::Request& req) {
  auto st = authorize(principal_of(req), Permission::counter, 0);
  if (st) return std::nullopt;
  if (st.error().http_status == 401) return web::see_other("/backoffice/accedi");
  return d.view.error_page(req, st.error().http_status);
}

web::Page base(const CounterWebDeps& d, const http::Request& req, const std::string& tpl,
               const std::string& title) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  return page;
}

Data document_types(const CounterWebDeps& d, std::string_view lang, const std::string& picked) {
  Data out = web::list();
  for (const char* code : CounterService::kDocumentTypes) {
    Data item;
    item.set("code", std::string(code));
    item.set("name", d.view.t(lang, "ui.counter_doc_" + std::string(code)));
    item.set("selected", picked == code);
    out.push_back(item);
  }
  return out;
}

http::Response home_page(CounterWebDeps& d, http::Request& req, const http::Params* form,
                         const Error* error) {
  const Principal* p = principal_of(req);
  const auto& lang = req.ctx.locale;
  auto page = base(d, req, "counter_home", d.view.t(lang, "ui.counter_title"));
  page.data.set("csrf", p->csrf_token);
  page.data.set("operator_name", p->display_name);
  if (auto body = d.tenants.by_id(p->tenant_id)) page.data.set("body_name", body->name);
  if (auto open = d.counter.open_session(*p)) {
    page.data.set("open", true);
    page.data.set("citizen_name", open->citizen_name);
    page.data.set("citizen_cf", open->citizen_cf);
    page.data.set("document",
                  d.view.t(lang, "ui.counter_doc_" + open->document_type) + " " + open->document_number);
    page.data.set("started_at", counter_time(open->started_at));
  }
  page.data.set("document_types",
                document_types(d, lang, form ? web::form_field(*form, "document_type") : ""));
  if (form && error) {
    for (const char* f : {"fiscal_code", "name", "document_number"})
      page.data.set(f, web::form_field(*form, f));
  }
  if (error) {
    page.data.set("error", d.view.i18n().message(lang, *error));
    page.data.set("error_code", error->code);
    if (!error->field.empty()) page.data.set("error_field_" + error->field, true);
  }
  return web::private_page(d.view, req, page,
                           error ? (error->http_status == 401 ? 400 : error->http_status) : 200);
}

http::Response home_get(CounterWebDeps& d, http::Request& req) {
  if (auto refused = require_operator(d, req)) return *refused;
  return home_page(d, req, nullptr, nullptr);
}

http::Response start_post(CounterWebDeps& d, http::Request& req) {
  if (auto refused = require_operator(d, req)) return *refused;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto s = d.counter.start(
      principal_of(req),
      AssistedCitizen{web::form_field(*form, "fiscal_code"), web::form_field(*form, "name"),
                      web::form_field(*form, "document_type"), web::form_field(*form, "document_number")},
      req.remote_addr);
  if (!s) return home_page(d, req, &*form, &s.error());
  return web::see_other(kHome);
}

http::Response finish_post(CounterWebDeps& d, http::Request& req) {
  if (auto refused = require_operator(d, req)) return *refused;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto s = d.counter.finish(principal_of(req), req.remote_addr);
  if (!s) return home_page(d, req, nullptr, &s.error());
  return web::see_other("/sportello-assistito/ricevuta/" + s->id);
}

http::Response receipt_get(CounterWebDeps& d, http::Request& req) {
  const Principal* p = principal_of(req);
  if (!p) {
    if (auto redirect = require_person(req, 1)) return *redirect;
  }
  auto r = d.counter.receipt(p, req.param("id"), req.remote_addr);
  if (!r) return d.view.error_page(req, r.error().http_status == 401 ? 404 : r.error().http_status);
  const auto& lang = req.ctx.locale;
  auto page = base(d, req, "counter_receipt", d.view.t(lang, "ui.counter_receipt_title"));
  const auto& s = r->session;
  page.data.set("id", s.id);
  page.data.set("body_name", r->body_name);
  page.data.set("operator_name", s.operator_name);
  page.data.set("operator_id", s.operator_id);
  page.data.set("citizen_name", s.citizen_name);
  page.data.set("citizen_cf", s.citizen_cf);
  page.data.set("document_type", d.view.t(lang, "ui.counter_doc_" + s.document_type));
  page.data.set("document_number", s.document_number);
  page.data.set("started_at", counter_time(s.started_at));
  page.data.set("ended_at", s.ended_at ? counter_time(s.ended_at) : d.view.t(lang, "ui.counter_still_open"));
  page.data.set("is_operator", p->is_staff());
  Data rows = web::list();
  for (const auto& a : r->actions) {
    Data row;
    row.set("at", counter_time(a.at));
    auto body = d.tenants.by_id(a.tenant_id);
    row.set("body", body ? body->name : d.view.t(lang, "ui.counter_hub"));
    const auto key = "ui.counter_action_" + a.action;
    const auto& label = d.view.t(lang, key);
    row.set("action", label == key ? a.action : label);
    row.set("record", a.record_type.empty() ? std::string() : a.record_type + " " + a.record_id);
    rows.push_back(row);
  }
  page.data.set("actions", rows);
  page.data.set("has_actions", !r->actions.empty());
  return web::private_page(d.view, req, page);
}

}  // namespace

void register_counter_pages(http::Router& router, CounterWebDeps& d) {
  router.get(kHome, [&d](http::Request& r) { return home_get(d, r); });
  router.post("/sportello-assistito/avvia", [&d](http::Request& r) { return start_post(d, r); });
  router.post("/sportello-assistito/chiudi", [&d](http::Request& r) { return finish_post(d, r); });
  router.get("/sportello-assistito/ricevuta/{id}", [&d](http::Request& r) { return receipt_get(d, r); });
}

}  // namespace sp::identity
