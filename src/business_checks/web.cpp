#include "business_checks/web.hpp"

#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::business_checks {
namespace {

using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

// The business's own free extract: its "cassetto digitale dell'imprenditore".
constexpr const char* kDrawerUrl = "https://impresa.italia.it";

std::string status_name(const WebDeps& d, std::string_view lang, const std::string& status) {
  return d.view.t(lang, "ui.bizreg_status_" + status);
}

Data check_data(const WebDeps& d, std::string_view lang, const Check& k) {
  Data x;
  x.set("id", k.id);
  x.set("when", time::it_datetime_text(k.checked_at));
  x.set("who", d.names ? d.names->name("staff:" + k.checked_by, lang) : k.checked_by);
  x.set("tax_code", k.tax_code);
  x.set("outcome", k.outcome);
  x.set("outcome_name", d.view.t(lang, "ui.bizreg_outcome_" + k.outcome));
  x.set("found", k.outcome == "found");
  if (!k.representative.empty()) {
    x.set("representative", k.representative);
    x.set("rep_text", web::ui(d.view, lang, k.is_representative ? "ui.bizreg_rep_yes" : "ui.bizreg_rep_no",
                              {{"person", k.representative}}));
    x.set("is_representative", k.is_representative);
  }
  if (k.company) {
    const auto& c = *k.company;
    x.set("name", c.name);
    x.set("vat_number", c.vat_number);
    x.set("legal_form", c.legal_form);
    x.set("rea", c.chamber + "-" + c.rea_number);
    x.set("status", c.status);
    x.set("status_name", status_name(d, lang, c.status));
    x.set("active", c.status == "attiva");
    x.set("seat", c.seat);
    x.set("pec", c.pec);
    x.set("registered_on", c.registered_on);
    x.set("extracted_at", c.extracted_at.empty() ? std::string() : time::it_datetime_text(c.extracted_at));
    Data reps = web::list();
    for (const auto& r : c.representatives) {
      Data o;
      o.set("name", r.given_name + " " + r.family_name);
      o.set("tax_code", r.tax_code);
      o.set("role", r.role);
      o.set("since", r.since);
      o.set("asked", !k.representative.empty() && r.tax_code == k.representative);
      reps.push_back(o);
    }
    x.set("representatives", reps);
  }
  return x;
}

http::Response page(WebDeps& d, http::Request& req, const StaffCall& a, const std::string& tax_code,
                    const std::string& representative, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto v = d.cases.get(a.who, a.body->id, req.param("id"));
  if (!v) return d.view.error_page(req, v.error().http_status == 403 ? 404 : v.error().http_status);
  auto checks = d.checks.checks(a.who, a.body->id, v->c.id);
  if (!checks) return d.view.error_page(req, checks.error().http_status);
  const std::string case_href = "/backoffice/" + a.body->slug + "/pratiche/" + v->c.id;
  auto p = web::backoffice_page(d.view, req, *a.body, a.who->csrf_token, "business_register_check",
                                d.view.t(lang, "ui.bizreg_title"), "ui.case_queue_title",
                                "/backoffice/" + a.body->slug + "/pratiche", true);
  p.breadcrumb.insert(p.breadcrumb.end() - 1, web::Crumb{v->c.title, case_href});
  auto& x = p.data;
  x.set("title", p.title);
  x.set("case_title", v->c.title);
  x.set("case_href", case_href);
  x.set("applicant", v->c.applicant_name + " · " + v->c.applicant_cf);
  x.set("action", case_href + "/registro-imprese");
  x.set("drawer_url", std::string(kDrawerUrl));
  x.set("v_tax_code", tax_code);
  x.set("v_representative", representative);
  Data list = web::list();
  for (const auto& k : *checks) list.push_back(check_data(d, lang, k));
  x.set("checks", list);
  x.set("has_checks", !checks->empty());
  if (!checks->empty() && req.query_param("fatto") == "1")
    x.set("latest", check_data(d, lang, checks->front()));
  if (error) web::set_form_error(d.view, req, p, *error);
  return web::private_page(d.view, req, p, error ? web::form_status(*error) : 200);
}

http::Response get(WebDeps& d, http::Request& req, const StaffCall& a) {
  // Prefilled from the case: the business the applicant acted for, and the applicant as its representative.
  std::string tax_code, representative;
  if (auto v = d.cases.get(a.who, a.body->id, req.param("id"))) {
    if (business_register::normalise_tax_code(v->c.on_behalf_of)) tax_code = v->c.on_behalf_of;
    representative = v->c.applicant_cf;
  }
  return page(d, req, a, tax_code, representative, nullptr);
}

http::Response post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto tax_code = web::form_field(*form, "tax_code");
  const auto representative = web::form_field(*form, "representative");
  auto done = d.checks.check(a.who, a.body->id, req.param("id"), tax_code, representative);
  if (!done) {
    if (done.error().code == "not_found" || done.error().http_status == 403)
      return d.view.error_page(req, done.error().http_status == 403 ? 404 : done.error().http_status);
    return page(d, req, a, tax_code, representative, &done.error());
  }
  return web::see_other("/backoffice/" + a.body->slug + "/pratiche/" + req.param("id") +
                        "/registro-imprese?fatto=1");
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/backoffice/{slug}/pratiche/{id}/registro-imprese",
             staff_route(d, Permission::backoffice, get));
  router.post("/backoffice/{slug}/pratiche/{id}/registro-imprese",
              staff_route(d, Permission::backoffice, post));
}

}  // namespace sp::business_checks
