#include "identity/web.hpp"

#include <spdlog/spdlog.h>

#include "core/digest.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "identity/actor_names.hpp"
#include "identity/callback_web.hpp"
#include "identity/counter_service.hpp"
#include "identity/oidc_provider.hpp"
#include "identity/permissions.hpp"
#include "web/context.hpp"

namespace sp::identity {
namespace {

using web::Data;

int level_param(const http::Request& req) {
  auto l = req.query_param("livello", "2");
  if (l == "1") return 1;
  if (l == "3") return 3;
  return 2;
}

http::Response sign_in_page(WebDeps& d, http::Request& req) {
  const auto& lang = req.ctx.locale;
  const int level = level_param(req);
  const auto next = SignInService::safe_return_to(req.query_param("next", "/area-personale"));
  web::Page page;
  page.template_name = "signin";
  page.title = d.view.t(lang, "ui.signin_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  // Signing in from a body's page keeps that body's header and colours: the page to return to names it.
  if (d.tenants != nullptr && next.size() > 1) {
    const auto end = next.find_first_of("/?", 1);
    const auto slug = next.substr(1, end == std::string::npos ? std::string::npos : end - 1);
    if (auto body = d.tenants->by_slug(slug); body && body->active) {
      page.body_slug = body->slug;
      page.body_name = body->name;
      page.breadcrumb = {
          {d.view.t(lang, "ui.home"), "/"}, {body->name, "/" + body->slug + "/"}, {page.title, ""}};
    }
  }
  page.data.set("level_text", web::ui(d.view, lang, "ui.signin_level", {{"level", std::to_string(level)}}));
  const Principal* p = principal_of(req);
  if (p && p->kind == PrincipalKind::person && p->auth_level < level) {
    page.data.set("step_up_text",
                  web::ui(d.view, lang, "ui.signin_step_up",
                          {{"have", std::to_string(p->auth_level)}, {"need", std::to_string(level)}}));
  }
  // The official buttons (AgID, SPID and CIE sign-in design rules; docs/oidc.md, "The sign-in page"):
  // "Entra con SPID" opens the list of the federation's SPID providers, "Entra con CIE" goes straight to
  // CIE. A body with its own relying party signs its citizens in as itself (issue 14: one client per
  // body); elsewhere, and for bodies without one, the hub's providers.
  const bool body_has_own =
      std::any_of(d.sign_in.providers().begin(), d.sign_in.providers().end(),
                  [&](const auto& p) { return !page.body_slug.empty() && p->body() == page.body_slug; });
  Data spid = web::list();
  Data cie = web::list();
  std::size_t n_spid = 0;
  std::size_t n_cie = 0;
  for (const auto& provider : d.sign_in.providers()) {
    if (provider->body() != (body_has_own ? page.body_slug : std::string())) continue;
    Data item;
    item.set("name", provider->display_name());
    if (!provider->logo().empty()) item.set("logo", provider->logo());
    item.set("href", "/accedi/" + provider->id() + "?livello=" + std::to_string(level) +
                         "&next=" + text::percent_encode(next, "/"));
    if (provider->profile() == "cie") {
      cie.push_back(item);
      ++n_cie;
    } else {
      spid.push_back(item);
      ++n_spid;
    }
  }
  page.data.set("spid_providers", spid);
  page.data.set("has_spid", n_spid > 0);
  // The picker is a disclosure (works without JavaScript); a list of one provider is shown open.
  page.data.set("spid_open", n_spid == 1);
  page.data.set("cie_providers", cie);
  page.data.set("has_cie", n_cie > 0);
  page.data.set("has_providers", n_spid + n_cie > 0);
  return web::page_response(d.view.render(req, page));
}

http::Response error_with(WebDeps& d, http::Request& req, const Error& e) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "signin_error";
  page.title = d.view.t(lang, "ui.signin_failed");
  page.noindex = true;
  page.data.set("heading", page.title);
  page.data.set("message", d.view.i18n().message(lang, e));
  page.data.set("code", e.code);
  page.data.set("request_id", req.ctx.request_id);
  return http::Response::html(d.view.render(req, page), e.http_status >= 400 ? e.http_status : 400);
}

// The cookie that ties a sign-in to the browser that started it (login CSRF). Only the callback reads it
// (Path); SameSite=Lax still sends it on the top-level navigation back from the provider; it lives as
// long as a pending sign-in.
constexpr const char* kBindingCookie = "sp_signin";
constexpr const char* kCallbackPath = "/auth/callback";

// A body's client comes back to its own callback (<client_id>callback): the cookie's path is the
// callback's, so only that callback sees it.
std::string binding_cookie(const std::string& value, bool secure, const std::string& path) {
  return std::string(kBindingCookie) + "=" + value + "; Path=" + path +
         "; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(SignInService::kPendingValidity.count()) +
         (secure ? "; Secure" : "");
}

std::string clearing_binding_cookie(bool secure, const std::string& path) {
  return std::string(kBindingCookie) + "=; Path=" + path + "; HttpOnly; SameSite=Lax; Max-Age=0" +
         (secure ? "; Secure" : "");
}

// Where provider `id` sends the browser back: a body's client has its own callback.
std::string callback_path_of(const WebDeps& d, const std::string& id) {
  for (const auto& p : d.sign_in.providers())
    if (p->id() == id)
      if (const auto* oidc_provider = dynamic_cast<const OidcAuthProvider*>(p.get()))
        if (auto path = oidc_provider->callback_path(); !path.empty()) return path;
  return kCallbackPath;
}

http::Response start(WebDeps& d, http::Request& req) {
  auto started =
      d.sign_in.start(req.param("provider"), level_param(req), req.query_param("next", "/area-personale"));
  if (!started) return error_with(d, req, started.error());
  auto r = http::Response::redirect(started->redirect_url, 303);
  r.header("Set-Cookie", binding_cookie(started->browser_binding, d.secure_cookies,
                                        callback_path_of(d, req.param("provider"))));
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response callback(WebDeps& d, http::Request& req) {
  ProviderCallback cb{req.query_param("state"), req.query_param("code"),           req.query_param("error"),
                      req.query_param("iss"),   cookie_value(req, kBindingCookie), req.ctx.locale};
  auto done = d.sign_in.finish(cb, cookie_value(req, SessionService::kCookie), req.remote_addr);
  if (!done) {
    auto r = error_with(d, req, done.error());
    // A callback that matched this browser's sign-in ended it, well or badly: the binding is spent. One
    // that matched nothing (another browser's link) leaves it, so a sign-in still going on here can end.
    if (done.error().code != "identity.callback_unknown")
      r.header("Set-Cookie", clearing_binding_cookie(d.secure_cookies, req.path));
    r.header("Cache-Control", "no-store");
    return r;
  }
  auto r = http::Response::redirect(done->return_to, 303);
  r.header("Set-Cookie", d.sessions.cookie(done->session.token, d.secure_cookies));
  r.header("Set-Cookie", clearing_binding_cookie(d.secure_cookies, req.path));
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response personal_area(WebDeps& d, http::Request& req) {
  if (auto redirect = require_person(req, 1)) return *redirect;
  const Principal* p = principal_of(req);
  const auto& lang = req.ctx.locale;
  auto person = d.sign_in.people().by_fiscal_code(p->subject);
  web::Page page;
  page.template_name = "personal_area";
  page.title = d.view.t(lang, "ui.personal_area");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  page.data.set("name", p->display_name);
  page.data.set("fiscal_code", p->subject);
  page.data.set("level_text",
                web::ui(d.view, lang, "ui.signed_in_level", {{"level", std::to_string(p->auth_level)}}));
  if (person) {
    page.data.set("email", person->email);
    page.data.set("birth_date", time::it_date_text(person->birth_date));
  }
  page.data.set("csrf", p->csrf_token);
  if (d.counter) {
    Data sessions = web::list();
    std::size_t n = 0;
    for (const auto& s : d.counter->sessions_for_citizen(p->subject)) {
      Data row;
      row.set("when", time::it_datetime_text(s.started_at));
      row.set("operator", s.operator_name);
      row.set("body", s.body_name);
      row.set("href", s.receipt_href);
      sessions.push_back(row);
      ++n;
    }
    page.data.set("assisted", sessions);
    page.data.set("has_assisted", n > 0);
  }
  auto r = http::Response::html(d.view.render(req, page));
  r.header("Cache-Control", "no-store");
  return r;
}

// "Who accessed my data" in words (issue 11, point 5): who (name, role, body), what and why.
std::string access_text(WebDeps& d, std::string_view lang, const std::string& prefix,
                        const std::string& action) {
  const auto& texts = d.view.i18n().all(I18n::kDefault);
  return d.view.t(lang, texts.count(prefix + action) > 0 ? prefix + action : prefix + "other");
}

std::string access_who(WebDeps& d, std::string_view lang, const audit::Entry& e) {
  std::string body;
  if (d.tenants != nullptr) {
    if (auto b = d.tenants->by_id(e.tenant_id)) body = b->name;
  }
  if (body.empty()) body = d.view.t(lang, "ui.hub_title");
  if (d.actor_names == nullptr) {
    return web::ui(d.view, lang, "access.who_staff_unknown", {{"body", body}});
  }
  auto who = d.actor_names->resolve(e.actor_kind, e.actor_id, lang);
  switch (e.actor_kind) {
    case audit::ActorKind::staff:
      if (!who.known) return web::ui(d.view, lang, "access.who_staff_unknown", {{"body", body}});
      return web::ui(d.view, lang, "access.who_staff",
                     {{"name", who.name}, {"roles", who.roles}, {"body", body}});
    case audit::ActorKind::person:
      return web::ui(d.view, lang, "access.who_person", {{"name", who.name}});
    case audit::ActorKind::system:
      break;
  }
  return web::ui(d.view, lang, "access.who_system", {{"name", who.name}, {"body", body}});
}

// "Who accessed my data": reads of the person's data by anyone but themselves, across every body.
http::Response accesses(WebDeps& d, http::Request& req) {
  if (auto redirect = require_person(req, 1)) return *redirect;
  const Principal* p = principal_of(req);
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "accesses";
  page.title = d.view.t(lang, "ui.accesses_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  Data rows = web::list();
  std::size_t n = 0;
  if (d.audit) {
    for (const auto& e : d.audit->accesses_to_person(p->subject)) {
      if (e.entry.actor_kind == audit::ActorKind::person && e.entry.actor_id == p->subject) continue;
      Data row;
      row.set("when", time::it_datetime_text(e.at));
      row.set("who", access_who(d, lang, e.entry));
      row.set("what", access_text(d, lang, "access.what.", e.entry.action));
      row.set("why", access_text(d, lang, "access.why.", e.entry.action));
      row.set("channel", d.view.t(lang, "access.channel." + std::string(audit::to_string(e.entry.channel))));
      rows.push_back(row);
      ++n;
    }
  }
  page.data.set("rows", rows);
  page.data.set("has_rows", n > 0);
  auto r = http::Response::html(d.view.render(req, page));
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response sign_out(WebDeps& d, http::Request& req, bool everywhere) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const Principal* p = principal_of(req);
  // The provider's access token of this session is revoked at the provider (SPID/CIE OIDC Federation
  // docs, "Revocation Endpoint"); those of the other sessions, when signing out everywhere, by the
  // oidc.revoke job. A provider that does not answer does not keep the person signed in here.
  if (p != nullptr) {
    if (auto st = d.sign_in.revoke_at_provider(p->session_id); !st)
      spdlog::warn("sign-out: revocation at the provider failed ({}), retried by the job", st.error().code);
  }
  if (everywhere && p) {
    d.sessions.end_everywhere(p->kind, p->subject);
  } else {
    d.sessions.end(cookie_value(req, SessionService::kCookie));
  }
  if (p != nullptr && d.audit != nullptr) {
    // Staff on their body's chain (hub staff on the hub's); people on the hub's, like their sign-ins.
    audit::Entry e;
    e.tenant_id = p->is_staff() ? p->tenant_id : audit::kHubTenant;
    e.actor_kind = p->is_staff() ? audit::ActorKind::staff : audit::ActorKind::person;
    e.actor_id = p->subject;
    e.channel = audit::Channel::web;
    e.action = p->is_staff() ? "staff.sign_out" : "person.sign_out";
    e.record_type = "session";
    e.record_id = p->session_id;
    e.remote_addr = req.remote_addr;
    e.details = everywhere ? R"({"everywhere":true})" : R"({"everywhere":false})";
    if (auto st = d.audit->record(e); !st) spdlog::error("audit of a sign-out: {}", st.error().code);
  }
  auto r = http::Response::redirect("/", 303);
  r.header("Set-Cookie", SessionService::clearing_cookie(d.secure_cookies));
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

std::string cookie_value(const http::Request& req, std::string_view name) {
  const std::string* header = req.header("cookie");
  if (!header) return {};
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto end = rest.find(';');
    auto item = rest.substr(0, end);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

void resolve_principal(SessionService& sessions, http::Request& req) {
  auto token = cookie_value(req, SessionService::kCookie);
  if (token.empty()) return;  // anonymous: no database round trip
  set_principal(req, sessions.resume(token));
  if (const Principal* p = principal_of(req)) req.ctx.user = p->subject;
}

std::optional<http::Response> require_person(const http::Request& req, int level) {
  const Principal* p = principal_of(req);
  if (p && p->kind == PrincipalKind::person && p->auth_level >= level) return std::nullopt;
  std::string next = req.path;
  if (!req.raw_query.empty()) next += "?" + req.raw_query;
  auto r = http::Response::redirect(
      "/accedi?livello=" + std::to_string(level) + "&next=" + text::percent_encode(next, "/"), 303);
  r.header("Cache-Control", "no-store");
  return r;
}

Status check_csrf(const http::Request& req, const http::Params& form) {
  const Principal* p = principal_of(req);
  auto it = form.find("_csrf");
  if (!p || it == form.end() || !digest::equal_constant_time(it->second, p->csrf_token)) {
    return Error::make("csrf", 403);
  }
  return Ok{};
}

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/accedi", [&d](http::Request& r) { return sign_in_page(d, r); });
  router.get("/accedi/{provider}", [&d](http::Request& r) { return start(d, r); });
  router.get(kCallbackPath, [&d](http::Request& r) { return callback(d, r); });
  router.get("/area-personale", [&d](http::Request& r) { return personal_area(d, r); });
  router.get("/area-personale/accessi", [&d](http::Request& r) { return accesses(d, r); });
  router.post("/esci", [&d](http::Request& r) { return sign_out(d, r, false); });
  router.post("/esci/ovunque", [&d](http::Request& r) { return sign_out(d, r, true); });
}

void register_callback_route(http::Router& router, WebDeps& d, const std::string& path) {
  if (path != kCallbackPath) router.get(path, [&d](http::Request& r) { return callback(d, r); });
}

}  // namespace sp::identity
