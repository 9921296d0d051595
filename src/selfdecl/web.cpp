#include "selfdecl/web.hpp"

#include "identity/guards.hpp"
#include "identity/request.hpp"
#include "identity/web.hpp"
#include "stamp/model.hpp"
#include "web/context.hpp"

namespace sp::selfdecl {
namespace {

using web::Data;

std::string sd_base(const tenants::Body& b) {
  return "/" + b.slug + "/autocertificazioni";
}

std::string kind_label(const WebDeps& d, const std::string& lang, const std::string& code) {
  return d.view.t(lang, "selfdecl.kind." + code);
}

web::Page sd_page(const WebDeps& d, const http::Request& req, const tenants::Body* body,
                  const std::string& tpl, const std::string& title) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}};
  if (body != nullptr) {
    page.body_slug = body->slug;
    page.body_name = body->name;
    page.breadcrumb.push_back({body->name, "/" + body->slug + "/"});
    page.breadcrumb.push_back({d.view.t(lang, "ui.sd_title"), sd_base(*body)});
    if (title != d.view.t(lang, "ui.sd_title")) page.breadcrumb.push_back({title, ""});
  } else {
    page.breadcrumb.push_back({d.view.t(lang, "ui.personal_area"), "/area-personale"});
    page.breadcrumb.push_back({title, ""});
  }
  return page;
}

Data declaration_row(const WebDeps& d, const std::string& lang, const Declaration& x,
                     const tenants::Body& body) {
  Data r;
  const std::string href = sd_base(body) + "/" + x.token;
  r.set("kind", kind_label(d, lang, x.kind));
  r.set("article", std::to_string(x.article));
  r.set("subject", x.subject_name);
  r.set("subject_cf", x.subject_cf);
  r.set("declarant", x.declarant_name);
  r.set("body", body.name);
  r.set("created", time::it_datetime_text(x.created_at));
  r.set("href", href);
  r.set("pdf_href", href + "/autocertificazione.pdf");
  r.set("stamp_code", stamp::typing_code(x.stamp_token));
  r.set("verify_href", "/verifica?id=" + x.stamp_token);
  r.set("changed", !x.changed.empty());
  return r;
}

// The signed-in person and the body of the URL, or the answer to send instead.
struct Citizen {
  const identity::Principal* who = nullptr;
  std::shared_ptr<const tenants::Body> body;
};
std::optional<http::Response> sd_citizen(const WebDeps& d, http::Request& req, Citizen& c) {
  c.body = d.tenants.by_slug(req.param("slug"));
  if (!c.body || !c.body->active) return d.view.error_page(req, 404);
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  c.who = identity::principal_of(req);
  if (!c.who || c.who->kind != identity::PrincipalKind::person) return d.view.error_page(req, 403);
  return std::nullopt;
}

http::Response home_get(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = sd_citizen(d, req, c)) return *refusal;
  const auto& lang = req.ctx.locale;
  auto page = sd_page(d, req, c.body.get(), "selfdecl_home", d.view.t(lang, "ui.sd_title"));
  Data k46 = web::list();
  Data k47 = web::list();
  for (const auto& k : kinds()) {
    Data x;
    x.set("code", k.code);
    x.set("label", kind_label(d, lang, k.code));
    x.set("checked", k.code == "residenza");
    (k.article == 47 ? k47 : k46).push_back(x);
  }
  page.data.set("kinds46", k46);
  page.data.set("kinds47", k47);
  page.data.set("action", sd_base(*c.body) + "/compila");
  if (c.who->acting_for)
    page.data.set("acting_for",
                  d.view.i18n().format(lang, "ui.sd_acting_for", {{"name", c.who->acting_for->name}}));
  Data mine = web::list();
  const auto list = d.declarations.mine(c.body->id, c.who);
  for (const auto& x : list) mine.push_back(declaration_row(d, lang, x, *c.body));
  page.data.set("mine", mine);
  page.data.set("has_mine", !list.empty());
  return web::private_page(d.view, req, page);
}

// The review form: `facts` are the values shown (the register's, or what the person posted).
http::Response form_page(WebDeps& d, http::Request& req, const Citizen& c, const Kind& kind,
                         const Parties& parties, const Facts& facts, bool prefilled, const Error* error,
                         const std::string& purpose, const std::string& recipient) {
  const auto& lang = req.ctx.locale;
  auto page = sd_page(d, req, c.body.get(), "selfdecl_form", kind_label(d, lang, kind.code));
  auto& x = page.data;
  x.set("csrf", c.who->csrf_token);
  x.set("action", sd_base(*c.body));
  x.set("kind", kind.code);
  x.set("kind_label", kind_label(d, lang, kind.code));
  x.set("basis", d.view.t(lang, "selfdecl.pdf.basis_" + std::to_string(kind.article)));
  x.set("subject_cf", parties.subject_cf);
  x.set("minor", !parties.capacity.empty());
  x.set("minor_text", d.view.i18n().format(lang, "ui.sd_for_minor", {{"name", parties.subject_name}}));
  x.set("prefilled", prefilled);
  Data fields = web::list();
  for (const auto& f : form_fields(kind)) {
    Data fd;
    fd.set("name", "f_" + f);
    fd.set("id", "sd-" + f);
    fd.set("label", d.view.t(lang, "selfdecl.field." + f));
    auto it = facts.find(f);
    fd.set("value", it == facts.end() ? std::string() : it->second);
    const bool multi = f == kFamilyField || f == kTextField;
    fd.set("multiline", multi);
    fd.set("rows", f == kTextField ? "10" : "5");
    fd.set("maxlength", std::to_string(multi ? kMaxText : kMaxField));
    const std::string hint_key = "selfdecl.hint." + f;
    if (d.view.t(lang, hint_key) != hint_key) fd.set("hint", d.view.t(lang, hint_key));
    fd.set("invalid", error != nullptr && error->field == f);
    fields.push_back(fd);
  }
  x.set("fields", fields);
  x.set("purpose", purpose);
  x.set("recipient", recipient);
  x.set("warning", d.view.t(lang, "selfdecl.pdf.art76"));
  if (error) {
    Error shown = *error;  // a field's error names the field as the form labels it
    if (!shown.field.empty()) shown.detail = d.view.t(lang, "selfdecl.field." + shown.field);
    x.set("error", d.view.i18n().message(lang, shown));
  }
  return web::private_page(d.view, req, page, error ? error->http_status : 200);
}

http::Response form_get(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = sd_citizen(d, req, c)) return *refusal;
  auto draft = d.declarations.prefill(c.body->id, c.who, req.query_param("tipo"), req.ctx.locale,
                                      req.query_param("per"));
  if (!draft) {
    if (draft.error().code == "selfdecl.kind") return web::see_other(sd_base(*c.body));
    return d.view.error_page(req, draft.error().http_status,
                             d.view.i18n().message(req.ctx.locale, draft.error()));
  }
  return form_page(d, req, c, *draft->kind, draft->parties, draft->facts, draft->prefilled, nullptr, "", "");
}

http::Response issue_post(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = sd_citizen(d, req, c)) return *refusal;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Submission s;
  s.kind = web::form_field(*form, "kind");
  s.subject_cf = web::form_field(*form, "subject");
  s.purpose = web::form_field(*form, "purpose");
  s.recipient = web::form_field(*form, "recipient");
  s.lang = req.ctx.locale;
  s.remote_addr = req.remote_addr;
  const Kind* kind = find_kind(s.kind);
  if (kind == nullptr) return web::see_other(sd_base(*c.body));
  for (const auto& f : form_fields(*kind)) s.facts[f] = web::form_field(*form, "f_" + f);
  auto r = d.declarations.issue(c.body->id, c.who, s);
  if (!r) {
    // The form again, values kept, about whom the session may declare for (a third party: with the reason).
    auto draft = d.declarations.prefill(c.body->id, c.who, kind->code, req.ctx.locale);
    if (!draft) return d.view.error_page(req, draft.error().http_status);
    return form_page(d, req, c, *kind, draft->parties, s.facts, draft->prefilled, &r.error(), s.purpose,
                     s.recipient);
  }
  return web::see_other(sd_base(*c.body) + "/" + r->token);
}

http::Response view_get(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = sd_citizen(d, req, c)) return *refusal;
  auto r = d.declarations.own(c.body->id, c.who, req.param("token"));
  if (!r) return d.view.error_page(req, 404);
  const auto& lang = req.ctx.locale;
  auto page = sd_page(d, req, c.body.get(), "selfdecl_view", kind_label(d, lang, r->kind));
  page.data = declaration_row(d, lang, *r, *c.body);
  page.data.set("title", kind_label(d, lang, r->kind));
  page.data.set("basis", d.view.t(lang, "selfdecl.pdf.basis_" + std::to_string(r->article)));
  page.data.set("sha256", r->sha256);
  page.data.set("purpose", r->purpose);
  page.data.set("recipient", r->recipient);
  std::string changed;
  for (const auto& f : r->changed)
    changed += (changed.empty() ? "" : ", ") + d.view.t(lang, "selfdecl.field." + f);
  page.data.set("changed_fields", changed);
  page.data.set("back", sd_base(*c.body));
  return web::private_page(d.view, req, page);
}

http::Response pdf_get(WebDeps& d, http::Request& req) {
  Citizen c;
  if (auto refusal = sd_citizen(d, req, c)) return *refusal;
  auto r = d.declarations.own(c.body->id, c.who, req.param("token"));
  if (!r) return d.view.error_page(req, 404);
  auto bytes = d.declarations.pdf(*r);
  if (!bytes) return d.view.error_page(req, bytes.error().http_status);
  return web::download_response(std::move(*bytes), "application/pdf",
                                "autocertificazione-" + r->kind + "-" + r->created_at.substr(0, 10) + ".pdf");
}

http::Response personal_get(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  const auto* who = identity::principal_of(req);
  if (!who || who->kind != identity::PrincipalKind::person) return d.view.error_page(req, 403);
  const auto& lang = req.ctx.locale;
  auto page = sd_page(d, req, nullptr, "selfdecl_personal", d.view.t(lang, "ui.sd_mine"));
  Data mine = web::list();
  std::size_t n = 0;
  for (const auto& x : d.declarations.mine_everywhere(who)) {
    auto body = d.tenants.by_id(x.tenant_id);
    if (!body) continue;
    mine.push_back(declaration_row(d, lang, x, *body));
    ++n;
  }
  page.data.set("mine", mine);
  page.data.set("has_mine", n > 0);
  Data bodies = web::list();
  for (const auto& b : d.tenants.snapshot()->bodies) {
    if (!b->active || b->kind != tenants::BodyKind::comune) continue;
    Data x;
    x.set("name", b->name);
    x.set("href", sd_base(*b));
    bodies.push_back(x);
  }
  page.data.set("bodies", bodies);
  return web::private_page(d.view, req, page);
}

http::Response staff_list(WebDeps& d, http::Request& req, const identity::StaffCall& call) {
  auto list = d.declarations.of_body(call.who, call.body->id);
  if (!list) return identity::staff_refusal(d.view, req, list.error());
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "selfdecl_staff";
  page.title = d.view.t(lang, "ui.sd_staff_title") + " - " + call.body->name;
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {call.body->name, "/backoffice/" + call.body->slug},
                     {d.view.t(lang, "ui.sd_staff_title"), ""}};
  Data rows = web::list();
  for (const auto& x : *list) rows.push_back(declaration_row(d, lang, x, *call.body));
  page.data.set("rows", rows);
  page.data.set("has_rows", !list->empty());
  page.data.set("body_name", call.body->name);
  return web::private_page(d.view, req, page);
}

}  // namespace

void register_pages(http::Router& router, WebDeps& deps) {
  WebDeps* d = &deps;
  router.get("/{slug}/autocertificazioni", [d](http::Request& r) { return home_get(*d, r); });
  router.get("/{slug}/autocertificazioni/compila", [d](http::Request& r) { return form_get(*d, r); });
  router.post("/{slug}/autocertificazioni", [d](http::Request& r) { return issue_post(*d, r); });
  router.get("/{slug}/autocertificazioni/{token}", [d](http::Request& r) { return view_get(*d, r); });
  router.get("/{slug}/autocertificazioni/{token}/autocertificazione.pdf",
             [d](http::Request& r) { return pdf_get(*d, r); });
  router.get("/area-personale/autocertificazioni", [d](http::Request& r) { return personal_get(*d, r); });
  router.get("/backoffice/{slug}/autocertificazioni",
             identity::staff_route(deps, identity::Permission::backoffice, staff_list));
}

}  // namespace sp::selfdecl
