#include "business_checks/web.hpp"

#include "core/time.hpp"
#include "identity/applicant.hpp"
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

constexpr const char* kCounterPath = "/sportello-assistito/registro-imprese";

// The form, the latest answer and the checks of a case: from the body's back office (`counter` false) or
// at the assisted counter, for a case of the citizen served (`counter` true: no link to the back office).
http::Response page(WebDeps& d, http::Request& req, const identity::Principal* who, const tenants::Body& body,
                    bool counter, const std::string& tax_code, const std::string& representative,
                    const Error* error) {
  const auto& lang = req.ctx.locale;
  auto v = d.cases.get(who, body.id, req.param("id"));
  if (!v) return d.view.error_page(req, v.error().http_status == 403 ? 404 : v.error().http_status);
  auto checks = d.checks.checks(who, body.id, v->c.id);
  if (!checks) return d.view.error_page(req, checks.error().http_status);
  const std::string case_href = "/backoffice/" + body.slug + "/pratiche/" + v->c.id;
  web::Page p;
  if (counter) {
    p.template_name = "business_register_check";
    p.title = d.view.t(lang, "ui.bizreg_title");
    p.noindex = true;
    p.breadcrumb = {{d.view.t(lang, "ui.counter_title"), "/sportello-assistito/"},
                    {d.view.t(lang, "ui.bizreg_counter_title"), kCounterPath},
                    {v->c.title, ""}};
    p.data.set("csrf", who->csrf_token);
  } else {
    p = web::backoffice_page(d.view, req, body, who->csrf_token, "business_register_check",
                             d.view.t(lang, "ui.bizreg_title"), "ui.case_queue_title",
                             "/backoffice/" + body.slug + "/pratiche", true);
    p.breadcrumb.insert(p.breadcrumb.end() - 1, web::Crumb{v->c.title, case_href});
  }
  auto& x = p.data;
  x.set("title", p.title);
  x.set("case_title", v->c.title);
  if (!counter) x.set("case_href", case_href);
  if (counter) x.set("body_label", body.name);
  x.set("applicant", v->c.applicant_name + " · " + v->c.applicant_cf);
  x.set("action", counter ? std::string(kCounterPath) + "/" + body.slug + "/" + v->c.id
                          : case_href + "/registro-imprese");
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

http::Response show(WebDeps& d, http::Request& req, const identity::Principal* who, const tenants::Body& body,
                    bool counter) {
  // Prefilled from the case: the business the applicant acted for, and the applicant as its representative.
  std::string tax_code, representative;
  if (auto v = d.cases.get(who, body.id, req.param("id"))) {
    if (business_register::normalise_tax_code(v->c.on_behalf_of)) tax_code = v->c.on_behalf_of;
    representative = v->c.applicant_cf;
  }
  return page(d, req, who, body, counter, tax_code, representative, nullptr);
}

http::Response submit(WebDeps& d, http::Request& req, const identity::Principal* who,
                      const tenants::Body& body, bool counter) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto tax_code = web::form_field(*form, "tax_code");
  const auto representative = web::form_field(*form, "representative");
  auto done = d.checks.check(who, body.id, req.param("id"), tax_code, representative);
  if (!done) {
    if (done.error().code == "not_found" || done.error().http_status == 403)
      return d.view.error_page(req, done.error().http_status == 403 ? 404 : done.error().http_status);
    return page(d, req, who, body, counter, tax_code, representative, &done.error());
  }
  return web::see_other((counter ? std::string(kCounterPath) + "/" + body.slug + "/"
                                 : "/backoffice/" + body.slug + "/pratiche/") +
                        req.param("id") + (counter ? "" : "/registro-imprese") + "?fatto=1");
}

http::Response get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return show(d, req, a.who, *a.body, false);
}
http::Response post(WebDeps& d, http::Request& req, const StaffCall& a) {
  return submit(d, req, a.who, *a.body, false);
}

// ---- the assisted counter: a case of the citizen served, at any body ----

// The citizen's cases to choose from; without an open assisted session, the way to open one.
http::Response counter_list(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  web::Page p;
  p.template_name = "business_register_counter";
  p.title = d.view.t(lang, "ui.bizreg_counter_title");
  p.noindex = true;
  p.breadcrumb = {{d.view.t(lang, "ui.counter_title"), "/sportello-assistito/"}, {p.title, ""}};
  auto& x = p.data;
  x.set("drawer_url", std::string(kDrawerUrl));
  if (!identity::applies_at_counter(a.who)) {
    x.set("no_session", true);
    return web::private_page(d.view, req, p);
  }
  x.set("citizen", a.who->assisting->name + " (" + a.who->assisting->fiscal_code + ")");
  auto mine = d.cases.my_cases(a.who);
  if (!mine) return d.view.error_page(req, mine.error().http_status);
  Data list = web::list();
  for (const auto& s : *mine) {
    auto b = d.tenants.by_id(s.c.tenant_id);
    if (!b) continue;
    Data o;
    o.set("title", s.c.title);
    o.set("body_name", b->name);
    o.set("number", s.c.protocol_label());
    o.set("href", std::string(kCounterPath) + "/" + b->slug + "/" + s.c.id);
    list.push_back(o);
  }
  x.set("cases", list);
  x.set("has_cases", !mine->empty());
  return web::private_page(d.view, req, p);
}

// The body of the URL; the citizen's case in it is checked by the services (404 for anyone else's).
template <bool Post>
http::Response counter_case(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return d.view.error_page(req, 404);
  // Without a citizen at the counter there is no case of theirs: nothing to find.
  if (!identity::applies_at_counter(a.who)) return d.view.error_page(req, 404);
  return Post ? submit(d, req, a.who, *body, true) : show(d, req, a.who, *body, true);
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/backoffice/{slug}/pratiche/{id}/registro-imprese",
             staff_route(d, Permission::backoffice, get));
  router.post("/backoffice/{slug}/pratiche/{id}/registro-imprese",
              staff_route(d, Permission::backoffice, post));
  using identity::hub_staff_route;
  router.get(kCounterPath, hub_staff_route(d, Permission::counter, counter_list));
  router.get(std::string(kCounterPath) + "/{slug}/{id}",
             hub_staff_route(d, Permission::counter, counter_case<false>));
  router.post(std::string(kCounterPath) + "/{slug}/{id}",
              hub_staff_route(d, Permission::counter, counter_case<true>));
}

}  // namespace sp::business_checks
