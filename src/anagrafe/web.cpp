#include "anagrafe/web.hpp"

#include <sstream>

#include "anagrafe/import_reader.hpp"
#include "core/codice_fiscale.hpp"
#include "core/text.hpp"
#include "core/text_numbers.hpp"
#include "core/time.hpp"
#include "http/multipart.hpp"
#include "identity/guards.hpp"
#include "identity/request.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::anagrafe {
namespace {

using identity::staff_route;
using identity::StaffCall;
using web::Data;

std::string office_href(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/anagrafe";
}

std::string date_text(const std::string& iso_day) {
  return iso_day.empty() ? std::string() : time::it_date_text(iso_day);
}

// A label from the locales when there is one for the code ("ui.anag_civil_2"), else the code itself.
std::string label(const web::View& v, std::string_view lang, const std::string& prefix,
                  const std::string& code) {
  if (code.empty()) return {};
  const std::string key = "ui.anag_" + prefix + "_" + code;
  const auto& t = v.t(lang, key);
  return t == key ? code : t;
}

Data person_data(const web::View& v, std::string_view lang, const PersonVersion& p) {
  Data d;
  for (std::size_t i = 0; i < kFieldCount; ++i)
    if (!p.f[i].empty()) d.set(std::string(kKeys[i]), p.f[i]);
  d.set("full_name", p[F::cognome] + " " + p[F::nome]);
  d.set("birth_date_text", date_text(p[F::data_nascita]));
  d.set("sex_text", label(v, lang, "sex", p[F::sesso]));
  d.set("relation_text", label(v, lang, "rel", p[F::relazione_parentela]));
  d.set("civil_text", label(v, lang, "civil", p[F::stato_civile]));
  d.set("cert_text", label(v, lang, "cert", p[F::certificabilita]));
  d.set("citizenship_text", label(v, lang, "country", p[F::cittadinanza]));
  d.set("address", p.street_line());
  d.set("from_text", date_text(p[F::data_variazione]));
  if (!p[F::data_iscrizione].empty()) d.set("registered_text", date_text(p[F::data_iscrizione]));
  if (p.cancelled()) {
    d.set("cancelled_text", date_text(p[F::data_cancellazione]));
    d.set("cancel_reason_text", label(v, lang, "reason", p[F::motivo_cancellazione]));
  }
  if (p.deceased()) d.set("death_text", date_text(p[F::data_decesso]));
  return d;
}

std::string row_reason(const web::View& v, std::string_view lang, const RowError& e) {
  return v.i18n().message(lang, Error::make(e.code, 400, e.detail));
}

Data import_data(const web::View& v, std::string_view lang, const tenants::Body& b, const ImportRun& r) {
  Data d;
  d.set("id", std::to_string(r.id));
  d.set("href", office_href(b) + "/importazioni/" + std::to_string(r.id));
  d.set("file_name", r.file_name);
  d.set("format", r.format);
  d.set("started", time::it_datetime_text(r.started_at));
  d.set("finished", r.finished_at.empty() ? v.t(lang, "ui.anag_import_unfinished")
                                          : time::it_datetime_text(r.finished_at));
  d.set("rows", text::group_digits(r.rows, lang));
  d.set("inserted", text::group_digits(r.inserted, lang));
  d.set("unchanged", text::group_digits(r.unchanged, lang));
  d.set("errors", text::group_digits(r.errors, lang));
  d.set("actor", r.actor);
  return d;
}

// --- the registry office ----------------------------------------------------------------------------

http::Response office_page(WebDeps& d, http::Request& req, const StaffCall& a, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *a.body, a.who->csrf_token, "anagrafe_staff",
                                   d.view.t(lang, "ui.anag_office_title"), "", "", false);
  auto& x = page.data;
  x.set("title", page.title);
  x.set("action", office_href(*a.body) + "/importa");
  x.set("search_action", office_href(*a.body));
  x.set("has_istat", a.body->istat_code.size() == 6);
  x.set("istat", a.body->istat_code);
  const auto counts = d.register_.counts(a.body->id);
  x.set("counts_text", web::ui(d.view, lang, "ui.anag_counts",
                               {{"people", text::group_digits(counts.people, lang)},
                                {"versions", text::group_digits(counts.versions, lang)},
                                {"streets", text::group_digits(counts.streets, lang)}}));
  Data runs = web::list();
  for (const auto& r : d.register_.imports(a.body->id)) runs.push_back(import_data(d.view, lang, *a.body, r));
  x.set("imports", runs);
  x.set("has_imports", !d.register_.imports(a.body->id, 1).empty());
  // A person's versions, looked up by codice fiscale.
  const std::string cf = cf::normalize(req.query_param("cf"));
  if (!cf.empty()) {
    x.set("cf", cf);
    auto versions = d.register_.history(a.body->id, cf);
    Data rows = web::list();
    for (auto it = versions.rbegin(); it != versions.rend(); ++it)
      rows.push_back(person_data(d.view, lang, *it));
    x.set("versions", rows);
    x.set("searched", true);
    x.set("found", !versions.empty());
    if (auto now = d.register_.current(a.body->id, cf)) {
      Data members = web::list();
      for (const auto& m : d.register_.household(a.body->id, (*now)[F::id_famiglia]))
        members.push_back(person_data(d.view, lang, m));
      x.set("household", members);
      x.set("id_famiglia", (*now)[F::id_famiglia]);
    }
  }
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response office_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return office_page(d, req, a, nullptr);
}

http::Response import_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  const std::string* ct = req.header("content-type");
  if (!ct || !http::is_multipart_form(*ct)) return d.view.error_page(req, 400);
  auto mp = req.multipart();
  if (!mp) return d.view.error_page(req, 400);
  const auto fields = mp->fields();
  if (auto st = identity::check_csrf(req, fields); !st) return d.view.error_page(req, st.error().http_status);
  const auto files = mp->files("file");
  if (files.empty()) {
    const Error e = Error::for_field("anagrafe.file.missing", "file");
    return office_page(d, req, a, &e);
  }
  const auto& file = *files.front();
  std::string format_name = web::form_field(fields, "format");
  if (format_name.empty() || format_name == "auto")
    format_name = file.filename->ends_with(".csv") ? "csv" : "jsonl";
  auto format = parse_format(format_name);
  if (!format) {
    const Error e = Error::for_field("anagrafe.file.format", "format", 400, format_name);
    return office_page(d, req, a, &e);
  }
  std::istringstream in(file.data);
  auto report = d.register_.import(ImportActor{a.who, {}}, a.body->id, *format, *file.filename, in);
  if (!report) {
    // A file refused as a whole still has its run (and report page) when the run had started.
    if (report.error().code.starts_with("anagrafe.file.") && text::parse_decimal(report.error().detail))
      return web::see_other(office_href(*a.body) + "/importazioni/" + report.error().detail);
    return office_page(d, req, a, &report.error());
  }
  return web::see_other(office_href(*a.body) + "/importazioni/" + std::to_string(report->import_id));
}

http::Response import_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  const auto id = text::parse_decimal(req.param("id"));
  if (!id) return d.view.error_page(req, 404);
  auto detail = d.register_.import_detail(a.who, a.body->id, *id);
  if (!detail) return d.view.error_page(req, detail.error().http_status);
  const auto& [run, errors] = *detail;
  auto page =
      web::backoffice_page(d.view, req, *a.body, a.who->csrf_token, "anagrafe_import",
                           web::ui(d.view, lang, "ui.anag_import_title", {{"id", std::to_string(run.id)}}),
                           "ui.anag_office_title", office_href(*a.body), true);
  auto& x = page.data;
  x.set("title", page.title);
  x.set("run", import_data(d.view, lang, *a.body, run));
  Data rows = web::list();
  for (const auto& e : errors) {
    Data r;
    r.set("line", std::to_string(e.line));
    r.set("cf", e.codice_fiscale);
    r.set("code", e.code);
    r.set("reason", row_reason(d.view, lang, e));
    rows.push_back(r);
  }
  x.set("row_errors", rows);
  x.set("has_errors", !errors.empty());
  x.set("more_errors", run.errors > static_cast<std::int64_t>(errors.size()));
  x.set("office_href", office_href(*a.body));
  return web::private_page(d.view, req, page);
}

// --- the citizen's own data --------------------------------------------------------------------------

http::Response personal_get(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  const auto* who = identity::principal_of(req);
  const auto& lang = req.ctx.locale;
  auto records = d.register_.own_records(who);
  if (!records) return d.view.error_page(req, records.error().http_status);
  web::Page page;
  page.template_name = "anagrafe_personal";
  page.title = d.view.t(lang, "ui.anag_personal_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  auto& x = page.data;
  x.set("title", page.title);
  x.set("fiscal_code", who->subject);
  Data list = web::list();
  for (const auto& r : *records) {
    Data rec;
    auto body = d.tenants.by_id(r.tenant_id);
    rec.set("body_name", body ? body->name : std::string());
    rec.set("body_slug", body ? body->slug : std::string());
    if (auto o = d.catalog.offering(r.tenant_id, kErrorReportService);
        body && o && o->service.level >= catalog::online_application)
      rec.set("report_href", "/" + body->slug + "/servizi/" + kErrorReportService + "/domanda");
    rec.set("person", person_data(d.view, lang, r.person));
    Data members = web::list();
    for (const auto& m : r.household) {
      if (m[F::codice_fiscale] == r.person[F::codice_fiscale]) continue;
      members.push_back(person_data(d.view, lang, m));
    }
    rec.set("members", members);
    rec.set("has_members", r.household.size() > 1);
    list.push_back(rec);
  }
  x.set("records", list);
  x.set("found", !records->empty());
  return web::private_page(d.view, req, page);
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  const std::string b = "/backoffice/{slug}/anagrafe";
  router.get(b, staff_route(d, identity::Permission::manage_register, office_get));
  router.post(b + "/importa", staff_route(d, identity::Permission::manage_register, import_post));
  router.get(b + "/importazioni/{id}", staff_route(d, identity::Permission::manage_register, import_get));
  router.get("/area-personale/anagrafe", [&d](http::Request& req) { return personal_get(d, req); });
}

}  // namespace sp::anagrafe
