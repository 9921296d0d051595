#include "identity/counter_web.hpp"

#include <map>
#include <variant>

#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::identity {
namespace {

using web::Data;

constexpr const char* kCounterHome = "/sportello-assistito/";

// "23/11/2026 20:15" in Rome; empty when not recorded.
std::string counter_time(const std::optional<std::string>& at) {
  return at ? time::it_datetime_text(*at) : std::string();
}

std::string it_day(const std::string& iso_day) {
  return iso_day.empty() ? std::string() : time::it_date_text(iso_day);
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

CounterIdentity identity_of(const http::Params& form) {
  CounterIdentity c;
  c.fiscal_code = web::form_field(form, "fiscal_code");
  c.family_name = web::form_field(form, "family_name");
  c.given_name = web::form_field(form, "given_name");
  c.sex = web::form_field(form, "sex");
  c.birth_date = web::form_field(form, "birth_date");
  c.document_type = web::form_field(form, "document_type");
  c.document_number = web::form_field(form, "document_number");
  c.document_expiry = web::form_field(form, "document_expiry");
  return c;
}

// The identification form's values: what was typed (after a refusal), or the open session's identity
// (to correct it).
Data identity_form(const CounterWebDeps& d, std::string_view lang, const CounterIdentity& c,
                   const std::string& action, const std::string& button, const Error* error) {
  Data f;
  f.set("action", action);
  f.set("button", button);
  f.set("fiscal_code", c.fiscal_code);
  f.set("family_name", c.family_name);
  f.set("given_name", c.given_name);
  f.set("birth_date", c.birth_date);
  f.set("document_number", c.document_number);
  f.set("document_expiry", c.document_expiry);
  f.set("sex_m", c.sex == "M");
  f.set("sex_f", c.sex == "F");
  f.set("document_types", document_types(d, lang, c.document_type));
  if (error && !error->field.empty()) {
    f.set("error_field_" + error->field, true);
    f.set("error_" + error->field, d.view.i18n().message(lang, *error));
  }
  return f;
}

http::Response home_page(CounterWebDeps& d, http::Request& req, const http::Params* form, const Error* error,
                         bool correcting = false) {
  const Principal* p = principal_of(req);
  const auto& lang = req.ctx.locale;
  auto page = base(d, req, "counter_home", d.view.t(lang, "ui.counter_title"));
  page.data.set("csrf", p->csrf_token);
  page.data.set("operator_name", p->display_name);
  if (auto body = d.tenants.by_id(p->tenant_id)) page.data.set("body_name", body->name);
  if (auto open = d.counter.open_session(*p)) {
    page.data.set("open", true);
    page.data.set("number", open->number_label());
    page.data.set("citizen_name", open->citizen_name);
    page.data.set("citizen_cf", open->citizen_cf);
    page.data.set("birth_date", it_day(open->birth_date));
    page.data.set("document",
                  d.view.t(lang, "ui.counter_doc_" + open->document_type) + " " + open->document_number);
    if (!open->document_expiry.empty()) page.data.set("document_expiry", it_day(open->document_expiry));
    page.data.set("started_at", counter_time(open->started_at));
    const bool locked = d.counter.has_filed(*open);
    page.data.set("locked", locked);
    if (!locked) {
      const CounterIdentity shown = (form && correcting) ? identity_of(*form) : open->identity();
      page.data.set("correct",
                    identity_form(d, lang, shown, "/sportello-assistito/correggi",
                                  d.view.t(lang, "ui.counter_correct_save"), correcting ? error : nullptr));
      page.data.set("correct_open", correcting && error);
    }
  } else {
    const CounterIdentity typed = form ? identity_of(*form) : CounterIdentity{};
    page.data.set("identify", identity_form(d, lang, typed, "/sportello-assistito/avvia",
                                            d.view.t(lang, "ui.counter_start"), error));
  }
  if (error) {
    page.data.set("error", d.view.i18n().message(lang, *error));
    page.data.set("error_code", error->code);
    if (!error->field.empty()) page.data.set("error_href", "#c-" + error->field);
  }
  return web::private_page(d.view, req, page,
                           error ? (error->http_status == 401 ? 400 : error->http_status) : 200);
}

http::Response home_get(CounterWebDeps& d, http::Request& req, const StaffCall& /*operator*/) {
  return home_page(d, req, nullptr, nullptr);
}

http::Response start_post(CounterWebDeps& d, http::Request& req, const StaffCall& call) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto s = d.counter.start(call.who, identity_of(*form), req.remote_addr);
  if (!s) return home_page(d, req, &*form, &s.error());
  return web::see_other(kCounterHome);
}

http::Response correct_post(CounterWebDeps& d, http::Request& req, const StaffCall& call) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto s = d.counter.correct(call.who, identity_of(*form), req.remote_addr);
  if (!s) return home_page(d, req, &*form, &s.error(), true);
  return web::see_other(std::string(kCounterHome) + "?corretto=1");
}

http::Response finish_post(CounterWebDeps& d, http::Request& req, const StaffCall& call) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto s = d.counter.finish(call.who, req.remote_addr);
  if (!s) return home_page(d, req, nullptr, &s.error());
  return web::see_other("/sportello-assistito/ricevuta/" + s->id);
}

// One thing done, in words: "Domanda inviata — Iscrizione alla scuola primaria — Comune di Asti —
// protocollo n. 0000042/2026 del 04/12/2026".
std::string action_text(const CounterWebDeps& d, std::string_view lang, const CounterAction& a) {
  const auto key = "ui.counter_action_" + a.action;
  const auto& label = d.view.t(lang, key);
  const std::string what = label == key ? d.view.t(lang, "ui.counter_action_other") : label;
  auto body = d.tenants.by_id(a.tenant_id);
  const std::string body_name = body ? body->name : d.view.t(lang, "ui.counter_hub");
  std::string service;
  if (!a.service_code.empty() && d.service_title)
    service = d.service_title(a.tenant_id, a.service_code, lang);
  std::string protocol_day;
  if (auto tp = time::parse_iso_utc(a.protocol_at)) protocol_day = time::format_it_date(time::rome_date(*tp));
  const auto& i18n = d.view.i18n();
  std::map<std::string, std::string> v{{"what", what},
                                       {"service", service},
                                       {"body", body_name},
                                       {"protocol", a.protocol_label},
                                       {"date", protocol_day}};
  if (!service.empty() && !a.protocol_label.empty()) return i18n.format(lang, "ui.counter_line_case", v);
  if (!service.empty()) return i18n.format(lang, "ui.counter_line_service", v);
  return i18n.format(lang, "ui.counter_line_body", v);
}

CounterReceiptDocument receipt_document(const CounterWebDeps& d, std::string_view lang, const Receipt& r) {
  const auto& s = r.session;
  const auto& i18n = d.view.i18n();
  CounterReceiptDocument doc;
  doc.title = d.view.t(lang, "ui.counter_receipt_title");
  doc.body_name = r.body_name;
  doc.subtitle = i18n.format(lang, "ui.counter_receipt_numbered", {{"number", s.number_label()}});
  doc.facts.emplace_back(d.view.t(lang, "ui.counter_receipt_number"), s.number_label());
  doc.facts.emplace_back(d.view.t(lang, "ui.counter_office"),
                         i18n.format(lang, "ui.counter_office_value", {{"body", r.body_name}}));
  doc.facts.emplace_back(d.view.t(lang, "ui.counter_operator"), s.operator_name);
  doc.facts.emplace_back(d.view.t(lang, "ui.counter_citizen"), s.citizen_name + " (" + s.citizen_cf + ")");
  if (!s.birth_date.empty())
    doc.facts.emplace_back(d.view.t(lang, "ui.counter_birth_date"), it_day(s.birth_date));
  std::string document = d.view.t(lang, "ui.counter_doc_" + s.document_type) + " " + s.document_number;
  if (!s.document_expiry.empty())
    document += " " + i18n.format(lang, "ui.counter_valid_until", {{"date", it_day(s.document_expiry)}});
  doc.facts.emplace_back(d.view.t(lang, "ui.counter_document"), document);
  doc.facts.emplace_back(d.view.t(lang, "ui.counter_started_at"), counter_time(s.started_at));
  doc.facts.emplace_back(d.view.t(lang, "ui.counter_ended_at"),
                         s.ended_at ? counter_time(s.ended_at) : d.view.t(lang, "ui.counter_still_open"));
  doc.actions_title = d.view.t(lang, "ui.counter_actions");
  for (const auto& a : r.actions) doc.actions.emplace_back(counter_time(a.at), action_text(d, lang, a));
  doc.no_actions = d.view.t(lang, "ui.counter_no_actions");
  doc.footer = i18n.format(lang, "ui.counter_receipt_pdf_footer",
                           {{"number", s.number_label()}, {"body", r.body_name}});
  doc.lang = d.view.t(lang, "pdf.lang");
  doc.page_label = d.view.t(lang, "pdf.page_of");
  return doc;
}

// The receipt for whoever may read it, or the response to send instead.
std::variant<Receipt, http::Response> readable_receipt(CounterWebDeps& d, http::Request& req) {
  const Principal* p = principal_of(req);
  if (!p) {
    if (auto redirect = require_person(req, 1)) return *redirect;
  }
  auto r = d.counter.receipt(p, req.param("id"), req.remote_addr);
  if (!r) return d.view.error_page(req, r.error().http_status == 401 ? 404 : r.error().http_status);
  return std::move(*r);
}

http::Response receipt_get(CounterWebDeps& d, http::Request& req) {
  auto got = readable_receipt(d, req);
  if (auto* refused = std::get_if<http::Response>(&got)) return std::move(*refused);
  const Receipt& r = std::get<Receipt>(got);
  const Principal* p = principal_of(req);
  const auto& lang = req.ctx.locale;
  const auto doc = receipt_document(d, lang, r);
  auto page = base(d, req, "counter_receipt", doc.title);
  page.data.set("number", r.session.number_label());
  Data facts = web::list();
  for (const auto& [label, value] : doc.facts) {
    Data f;
    f.set("label", label);
    f.set("value", value);
    facts.push_back(f);
  }
  page.data.set("facts", facts);
  Data rows = web::list();
  for (const auto& [when, what] : doc.actions) {
    Data row;
    row.set("at", when);
    row.set("what", what);
    rows.push_back(row);
  }
  page.data.set("actions", rows);
  page.data.set("has_actions", !doc.actions.empty());
  if (d.render_pdf) page.data.set("pdf_href", "/sportello-assistito/ricevuta/" + r.session.id + "/pdf");
  page.data.set("is_operator", p->is_staff());
  return web::private_page(d.view, req, page);
}

http::Response receipt_pdf(CounterWebDeps& d, http::Request& req) {
  if (!d.render_pdf) return d.view.error_page(req, 404);
  auto got = readable_receipt(d, req);
  if (auto* refused = std::get_if<http::Response>(&got)) return std::move(*refused);
  const Receipt& r = std::get<Receipt>(got);
  auto doc = receipt_document(d, req.ctx.locale, r);
  doc.compress = req.query_param("compresso") != "no";  // tests read the text
  auto resp = web::download_response(d.render_pdf(doc), "application/pdf",
                                     "ricevuta-sportello-" + r.session.number_label() + ".pdf");
  return resp;
}

}  // namespace

void register_counter_pages(http::Router& router, CounterWebDeps& d) {
  router.get(kCounterHome, hub_staff_route(d, Permission::counter, home_get));
  // Typed without the final slash (as staff do): the same page, not a 404.
  router.get("/sportello-assistito", [](http::Request&) { return web::see_other(kCounterHome); });
  router.post("/sportello-assistito/avvia", hub_staff_route(d, Permission::counter, start_post));
  router.post("/sportello-assistito/correggi", hub_staff_route(d, Permission::counter, correct_post));
  router.post("/sportello-assistito/chiudi", hub_staff_route(d, Permission::counter, finish_post));
  router.get("/sportello-assistito/ricevuta/{id}", [&d](http::Request& r) { return receipt_get(d, r); });
  router.get("/sportello-assistito/ricevuta/{id}/pdf", [&d](http::Request& r) { return receipt_pdf(d, r); });
}

}  // namespace sp::identity
