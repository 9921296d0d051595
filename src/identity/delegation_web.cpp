#include "identity/delegation_web.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"
#include "web/json.hpp"

namespace sp::identity {
namespace {

using web::Data;

constexpr const char* kMine = "/area-personale/deleghe";

std::string body_name(const DelegationWebDeps& d, tenants::TenantId id) {
  auto b = d.tenants.by_id(id);
  return b ? b->name : std::to_string(id);
}

// "23/11/2026 20:15": people read Rome's time in Italian form (stored as UTC).
std::string utc_minutes(const std::optional<std::string>& at) {
  if (!at) return {};
  auto tp = time::parse_iso_utc(*at);
  return tp ? time::format_it_datetime(*tp) : std::string();
}

Data delegation_data(const DelegationWebDeps& d, std::string_view lang, const Delegation& x) {
  Data row;
  row.set("id", x.id);
  row.set("kind", d.view.t(lang, "ui.deleg_kind_" + x.kind));
  row.set("is_business", x.kind == "business");
  row.set("represented_id", x.represented_id);
  row.set("represented_name", x.represented_name);
  row.set("relation", d.view.t(lang, "ui.deleg_relation_" + x.relation));
  row.set("state", d.view.t(lang, "ui.deleg_state_" + x.state));
  row.set("state_code", x.state);
  row.set("body_name", body_name(d, x.tenant_id));
  row.set("declared_at", utc_minutes(x.declared_at));
  row.set("decided_at", utc_minutes(x.decided_at));
  row.set("reason", x.reason.value_or(""));
  row.set("is_pending", x.state == "pending");
  row.set("is_confirmed", x.state == "confirmed");
  row.set("can_withdraw", x.state == "pending" || x.state == "confirmed");
  return row;
}

// --- the person's page ------------------------------------------------------------------------------

http::Response mine_page(DelegationWebDeps& d, http::Request& req, const http::Params* form,
                         const Error* error) {
  const Principal* p = principal_of(req);
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "delegation_personal";
  page.title = d.view.t(lang, "ui.deleg_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  auto mine = d.delegations.list_mine(p);
  if (!mine) return d.view.error_page(req, mine.error().http_status);
  Data rows = web::list();
  for (const auto& x : *mine) {
    auto row = delegation_data(d, lang, x);
    row.set("active", p->acting_for && p->acting_for->id == x.represented_id && x.state == "confirmed");
    rows.push_back(row);
  }
  page.data.set("delegations", rows);
  page.data.set("has_delegations", !mine->empty());
  page.data.set("csrf", p->csrf_token);
  page.data.set("action", kMine);
  // Sent here by a business's form opened while acting for oneself (applications/web.cpp).
  page.data.set("business_needed", req.query_param("per") == "impresa" && !p->acting_for);
  page.data.set("name", p->display_name);
  if (p->acting_for) {
    page.data.set("acting_for", true);
    page.data.set("acting_for_name", p->acting_for->name);
    page.data.set("acting_for_id", p->acting_for->id);
  }
  const std::string chosen = form ? web::form_field(*form, "tenant_id") : std::string();
  Data bodies = web::list();
  for (const auto& b : d.tenants.search("")) {
    if (!b->active) continue;
    Data item;
    item.set("id", std::to_string(b->id));
    item.set("name", b->name);
    item.set("selected", chosen == std::to_string(b->id));
    bodies.push_back(item);
  }
  page.data.set("bodies", bodies);
  auto options = [&](const auto& list, const std::string& picked) {
    Data out = web::list();
    for (const char* code : list) {
      Data item;
      item.set("code", std::string(code));
      item.set("name", d.view.t(lang, "ui.deleg_relation_" + std::string(code)));
      item.set("selected", picked == code);
      out.push_back(item);
    }
    return out;
  };
  page.data.set("minor_relations",
                options(DelegationService::kMinorRelations, form ? web::form_field(*form, "relation") : ""));
  page.data.set("business_roles",
                options(DelegationService::kBusinessRoles, form ? web::form_field(*form, "role") : ""));
  if (form && error) {
    page.data.set("form_" + web::form_field(*form, "action"), true);
    for (const char* f : {"child_cf", "child_name", "partita_iva", "business_name"})
      page.data.set(f, web::form_field(*form, f));
  }
  if (error) {
    page.data.set("error", d.view.i18n().message(lang, *error));
    page.data.set("error_code", error->code);
    if (!error->field.empty()) page.data.set("error_field_" + error->field, true);
  }
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response mine_get(DelegationWebDeps& d, http::Request& req) {
  if (auto redirect = require_person(req, 1)) return *redirect;
  return mine_page(d, req, nullptr, nullptr);
}

tenants::TenantId tenant_param(const std::string& text) {
  return text::parse_decimal(text).value_or(0);  // strict: "3abc", "+3" and " 3" are no body
}

http::Response mine_post(DelegationWebDeps& d, http::Request& req) {
  if (auto redirect = require_person(req, 1)) return *redirect;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const Principal* p = principal_of(req);
  const auto action = web::form_field(*form, "action");
  Status st = Ok{};
  if (action == "declare_minor") {
    auto r = d.delegations.declare_minor(
        p,
        MinorDeclaration{tenant_param(web::form_field(*form, "tenant_id")),
                         web::form_field(*form, "child_cf"), web::form_field(*form, "child_name"),
                         web::form_field(*form, "relation")},
        req.remote_addr);
    if (!r) st = r.error();
  } else if (action == "declare_business") {
    auto r = d.delegations.declare_business(
        p,
        BusinessDeclaration{tenant_param(web::form_field(*form, "tenant_id")),
                            web::form_field(*form, "partita_iva"), web::form_field(*form, "business_name"),
                            web::form_field(*form, "role")},
        req.remote_addr);
    if (!r) st = r.error();
  } else if (action == "switch") {
    auto r = d.delegations.switch_to(p, web::form_field(*form, "id"), req.remote_addr);
    if (!r) st = r.error();
  } else if (action == "switch_self") {
    auto r = d.delegations.switch_to(p, "", req.remote_addr);
    if (!r) st = r.error();
  } else if (action == "withdraw") {
    st = d.delegations.withdraw(p, web::form_field(*form, "id"), req.remote_addr);
  } else {
    return d.view.error_page(req, 400);
  }
  if (!st) {
    if (st.error().http_status == 404 || st.error().http_status == 403) {
      return d.view.error_page(req, st.error().http_status);
    }
    return mine_page(d, req, &*form, &st.error());
  }
  return web::see_other(kMine);
}

// --- back office ------------------------------------------------------------------------------------

web::Page staff_page(DelegationWebDeps& d, http::Request& req, const tenants::Body& body,
                     const std::string& tpl, const std::string& title) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.body_slug = body.slug;
  page.body_name = body.name;
  page.breadcrumb = {{d.view.t(lang, "ui.staff_home_title"), "/backoffice/"},
                     {d.view.t(lang, "ui.deleg_queue_title"), "/backoffice/" + body.slug + "/deleghe"},
                     {title, ""}};
  page.data.set("body_name", body.name);
  if (const Principal* p = principal_of(req)) page.data.set("csrf", p->csrf_token);
  return page;
}

http::Response queue_get(DelegationWebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return d.view.error_page(req, 404);
  auto pending = d.delegations.pending_for(principal_of(req), body->id);
  if (!pending) return staff_refusal(d.view, req, pending.error());
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, *body, "delegation_queue", d.view.t(lang, "ui.deleg_queue_title"));
  page.breadcrumb.pop_back();
  page.breadcrumb.back().href.clear();
  Data rows = web::list();
  for (const auto& x : *pending) {
    auto row = delegation_data(d, lang, x);
    row.set("href", "/backoffice/" + body->slug + "/deleghe/" + x.id);
    row.set("principal_cf", x.principal_cf);
    rows.push_back(row);
  }
  page.data.set("delegations", rows);
  page.data.set("has_delegations", !pending->empty());
  return web::private_page(d.view, req, page);
}

http::Response detail_page(DelegationWebDeps& d, http::Request& req, const tenants::Body& body,
                           const Delegation& x, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, body, "delegation_detail", x.represented_name);
  auto data = delegation_data(d, lang, x);
  page.data.set("delegation", data);
  page.data.set("principal_cf", x.principal_cf);
  page.data.set("action", "/backoffice/" + body.slug + "/deleghe/" + x.id);
  page.data.set("is_pending", x.state == "pending");
  page.data.set("is_confirmed", x.state == "confirmed");
  page.data.set("is_business", x.kind == "business");
  Data events = web::list();
  for (const auto& e : d.delegations.history(x.id)) {
    Data row;
    row.set("at", utc_minutes(e.at));
    row.set("who", d.view.t(lang, "ui.deleg_actor_" + e.actor_kind) + " " + e.actor_id);
    row.set("event", d.view.t(lang, "ui.deleg_event_" + e.event));
    row.set("channel", e.channel);
    row.set("reason", e.reason.value_or(""));
    events.push_back(row);
  }
  page.data.set("events", events);
  if (error) {
    page.data.set("error", d.view.i18n().message(lang, *error));
    page.data.set("error_code", error->code);
  }
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response detail_get(DelegationWebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return d.view.error_page(req, 404);
  // The record decides whose it is: staff of another body get 403 (audited on the record's body),
  // whatever slug the URL names.
  auto x = d.delegations.get_for_staff(principal_of(req), req.param("id"), req.remote_addr);
  if (!x) {
    auto r = staff_refusal(d.view, req, x.error());
    // get_for_staff logged the refusal on the record's body: the app's catch-all need not.
    if (r.status == 403) r.header("x-sportello-audited", "1");
    return r;
  }
  if (x->tenant_id != body->id) return d.view.error_page(req, 404);
  return detail_page(d, req, *body, *x, nullptr);
}

http::Response detail_post(DelegationWebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return d.view.error_page(req, 404);
  const Principal* p = principal_of(req);
  if (!p) return web::see_other(kStaffSignIn);
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto id = req.param("id");
  auto current = d.delegations.by_id(id);
  if (current && current->tenant_id != body->id &&
      authorize(p, Permission::confirm_delegation, current->tenant_id)) {
    return d.view.error_page(req, 404);  // the right staff, the wrong URL
  }
  const auto action = web::form_field(*form, "action");
  const auto reason = web::form_field(*form, "reason");
  Status st = Ok{};
  if (action == "confirm") {
    st = d.delegations.confirm(p, id, reason, req.remote_addr);
  } else if (action == "reject") {
    st = d.delegations.reject(p, id, reason, req.remote_addr);
  } else if (action == "revoke") {
    st = d.delegations.revoke(p, id, reason, req.remote_addr);
  } else {
    return d.view.error_page(req, 400);
  }
  if (!st) {
    const auto& e = st.error();
    if (e.http_status == 401 || e.http_status == 403 || e.http_status == 404)
      return staff_refusal(d.view, req, e);
    auto x = d.delegations.by_id(id);
    if (!x) return d.view.error_page(req, 404);
    return detail_page(d, req, *body, *x, &e);
  }
  return web::see_other("/backoffice/" + body->slug + "/deleghe");
}

// --- JSON API -------------------------------------------------------------------------------------

boost::json::value opt(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

http::Response api_get(DelegationWebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body) return web::json_error(d.view, req, Error::not_found("body"));
  const auto* key = api_key_of(req);
  auto x = d.delegations.get_for_api(key, req.param("id"), req.remote_addr);
  if (!x) {
    auto r = web::json_error(d.view, req, x.error());
    if (r.status == 403) r.header("x-sportello-audited", "1");  // logged on the record's body already
    return r;
  }
  if (x->tenant_id != body->id) return web::json_error(d.view, req, Error::not_found("delegation"));
  boost::json::object o{{"id", x->id},
                        {"body", body->slug},
                        {"principal_cf", x->principal_cf},
                        {"kind", x->kind},
                        {"represented_id", x->represented_id},
                        {"represented_name", x->represented_name},
                        {"relation", x->relation},
                        {"state", x->state},
                        {"declared_at", x->declared_at},
                        {"decided_by", opt(x->decided_by)},
                        {"decided_at", opt(x->decided_at)},
                        {"reason", opt(x->reason)},
                        {"revoked_at", opt(x->revoked_at)}};
  auto r = http::Response::json(boost::json::serialize(o));
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void register_delegation_pages(http::Router& router, DelegationWebDeps& d) {
  router.get(kMine, [&d](http::Request& r) { return mine_get(d, r); });
  router.post(kMine, [&d](http::Request& r) { return mine_post(d, r); });
  router.get("/backoffice/{slug}/deleghe", [&d](http::Request& r) { return queue_get(d, r); });
  router.get("/backoffice/{slug}/deleghe/{id}", [&d](http::Request& r) { return detail_get(d, r); });
  router.post("/backoffice/{slug}/deleghe/{id}", [&d](http::Request& r) { return detail_post(d, r); });
  router.get("/api/v1/backoffice/{slug}/deleghe/{id}", [&d](http::Request& r) { return api_get(d, r); });
}

}  // namespace sp::identity
