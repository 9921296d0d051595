#include "identity/staff_web.hpp"

#include <array>

#include "core/crypto/encoding.hpp"
#include "core/crypto/totp.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::identity {
namespace {

using web::Data;

constexpr const char* kSignIn = kStaffSignIn;
constexpr const char* kStaffHome = "/backoffice/";

// --- double-submit CSRF for anonymous forms ---------------------------------------------------------

std::string csrf_cookie_token(const http::Request& req) {
  auto t = cookie_value(req, kStaffCsrfCookie);
  return t.size() == 43 ? t : ids::random_token(32);
}

std::string csrf_set_cookie(const StaffWebDeps& d, const std::string& token) {
  return std::string(kStaffCsrfCookie) + "=" + token + "; Path=/backoffice; HttpOnly; SameSite=Strict" +
         (d.secure_cookies ? "; Secure" : "");
}

bool anonymous_csrf_ok(const http::Request& req, const http::Params& form) {
  auto cookie = cookie_value(req, kStaffCsrfCookie);
  auto sent = web::form_field(form, "_csrf");
  return cookie.size() == 43 && digest::equal_constant_time(cookie, sent);
}

// --- rendering ------------------------------------------------------------------------------------

web::Page base_page(const StaffWebDeps& d, const http::Request& req, const std::string& template_name,
                    const std::string& title_key) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = template_name;
  page.title = d.view.t(lang, title_key);
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  return page;
}

// --- sign-in --------------------------------------------------------------------------------------

http::Response sign_in_form(StaffWebDeps& d, http::Request& req, const std::string& email, const Error* error,
                            const std::string& enrol_secret = {}) {
  auto page = base_page(d, req, "staff_signin", "ui.staff_signin_title");
  const auto token = csrf_cookie_token(req);
  page.data.set("csrf", token);
  page.data.set("email", email);
  if (error) web::set_form_error(d.view, req, page, *error);
  if (!enrol_secret.empty()) {
    page.data.set("enrol", true);
    page.data.set("totp_secret", enrol_secret);
    auto key = crypto::base32_decode(enrol_secret);
    page.data.set("totp_uri", crypto::totp_provisioning_uri("Sportello", email, key ? *key : std::string()));
  }
  auto r = web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
  r.header("Set-Cookie", csrf_set_cookie(d, token));
  return r;
}

http::Response sign_in_get(StaffWebDeps& d, http::Request& req) {
  const Principal* p = principal_of(req);
  if (p && p->is_staff()) return http::Response::redirect(kStaffHome, 303);
  return sign_in_form(d, req, "", nullptr);
}

http::Response sign_in_post(StaffWebDeps& d, http::Request& req) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  const auto email = web::form_field(*form, "email");
  if (!anonymous_csrf_ok(req, *form)) {
    auto e = Error::make("csrf", 403);
    return sign_in_form(d, req, email, &e);
  }
  // Enrolling: the code is checked against the secret the server offered and keeps, never one posted.
  const bool enrolling = web::form_field(*form, "totp_enrol") == "1";
  const auto password = web::form_field(*form, "password");
  auto result = enrolling ? d.staff.sign_in_enrolling_totp(email, password, web::form_field(*form, "totp"),
                                                           req.remote_addr)
                          : d.staff.sign_in(email, password, web::form_field(*form, "totp"), req.remote_addr);
  if (!result) {
    const auto& e = result.error();
    std::string enrol;
    const bool offer = e.code == "staff.totp_enrolment_required" ||
                       (enrolling && (e.code == "staff.totp_invalid" || e.code == "staff.totp_secret"));
    if (offer) {
      // The same secret again while the offer lasts (the app entry the person made still works).
      if (auto secret = d.staff.offer_totp_enrolment(email, password)) enrol = *secret;
    }
    return sign_in_form(d, req, email, &e, enrol);
  }
  auto issued = d.sessions.start(*result, cookie_value(req, SessionService::kCookie));
  auto r = http::Response::redirect(kStaffHome, 303);
  r.header("Set-Cookie", d.sessions.cookie(issued.token, d.secure_cookies));
  r.header("Cache-Control", "no-store");
  return r;
}

// --- staff home -----------------------------------------------------------------------------------

const Principal* staff_principal(const http::Request& req) {
  const Principal* p = principal_of(req);
  return p && p->is_staff() ? p : nullptr;
}

http::Response to_sign_in() {
  auto r = http::Response::redirect(kSignIn, 303);
  r.header("Cache-Control", "no-store");
  return r;
}

Data role_list(const StaffWebDeps& d, std::string_view lang, const std::set<Role>& roles) {
  Data list = web::list();
  for (auto r : roles) {
    Data item;
    item.set("code", std::string(to_string(r)));
    item.set("name", d.view.t(lang, "ui.staff_role_" + std::string(to_string(r))));
    list.push_back(item);
  }
  return list;
}

http::Response home(StaffWebDeps& d, http::Request& req) {
  const Principal* p = staff_principal(req);
  if (!p) return to_sign_in();
  const auto& lang = req.ctx.locale;
  auto page = base_page(d, req, "staff_home", "ui.staff_home_title");
  page.data.set("name", p->display_name);
  page.data.set("roles", role_list(d, lang, p->roles));
  if (p->tenant_id != 0) {
    if (auto body = d.tenants.by_id(p->tenant_id)) {
      page.data.set("body_name", body->name);
      if (p->has(Role::operator_) || p->has(Role::office_manager) || p->has(Role::body_admin)) {
        page.data.set("delegations_href", "/backoffice/" + body->slug + "/deleghe");
        page.data.set("protocollo_href", "/backoffice/" + body->slug + "/protocollo");
        page.data.set("cases_href", "/backoffice/" + body->slug + "/pratiche");
        page.data.set("reconciliation_href", "/backoffice/" + body->slug + "/pagamenti/riconciliazione");
        page.data.set("payments_href", "/backoffice/" + body->slug + "/pagamenti");
        page.data.set("messages_href", "/backoffice/" + body->slug + "/messaggi");
        page.data.set("alerts_href", "/backoffice/" + body->slug + "/avvisi");
        page.data.set("helpdesk_href", "/backoffice/" + body->slug + "/assistenza");
        page.data.set("tourism_href", "/backoffice/" + body->slug + "/turismo");
      }
      if (authorize(p, Permission::manage_register, body->id))
        page.data.set("register_href", "/backoffice/" + body->slug + "/anagrafe");
      if (authorize(p, Permission::manage_payments, body->id) && body->istat_code.size() == 6)
        page.data.set("certificates_href", "/backoffice/" + body->slug + "/certificati");
      if (authorize(p, Permission::publish_albo, body->id))
        page.data.set("albo_href", "/backoffice/" + body->slug + "/albo");
      if (authorize(p, Permission::read_audit, body->id))
        page.data.set("statistics_href", "/backoffice/" + body->slug + "/statistiche");  // docs/statistics.md
      if (authorize(p, Permission::annul_protocol, body->id))
        page.data.set("conservazione_href", "/backoffice/" + body->slug + "/conservazione");
      if (p->has(Role::body_admin)) {
        page.data.set("is_body_admin", true);
        page.data.set("staff_href", "/backoffice/" + body->slug + "/personale");
        page.data.set("keys_href", "/backoffice/" + body->slug + "/chiavi-api");
        page.data.set("pages_href", "/backoffice/" + body->slug + "/pagine-pubbliche");
        page.data.set("package_href", "/backoffice/" + body->slug + "/pacchetto");
        page.data.set("logo_href", "/backoffice/" + body->slug + "/stemma");
        page.data.set("records_href", "/backoffice/" + body->slug + "/registro-trattamenti");
        page.data.set("export_href", "/backoffice/" + body->slug + "/esportazione");
      }
    }
  } else {
    page.data.set("body_name", d.view.t(lang, "ui.staff_hub"));
  }
  if (p->has(Role::counter_operator)) page.data.set("counter_href", "/sportello-assistito/");
  if (authorize(p, Permission::helpdesk, 0)) page.data.set("helpdesk_queue_href", "/hub/assistenza");
  if (authorize(p, Permission::manage_hub, 0)) {
    page.data.set("jobs_href", "/backoffice/lavori");
    page.data.set("hub_href", "/backoffice/enti");
    page.data.set("exports_href", "/backoffice/esportazioni");
    page.data.set("statistics_href", "/backoffice/statistiche");
    page.data.set("helpdesk_settings_href", "/hub/assistenza/impostazioni");
    page.data.set("hub_staff_href", "/hub/personale");
  }
  if (authorize(p, Permission::review_tourism, 0))
    page.data.set("tourism_review_href", "/backoffice/revisione-turismo");
  page.data.set("csrf", p->csrf_token);
  return web::private_page(d.view, req, page);
}

// --- password reset -------------------------------------------------------------------------------

http::Response forgot_form(StaffWebDeps& d, http::Request& req, bool sent, const Error* error,
                           const std::string& email = {}) {
  auto page = base_page(d, req, "staff_forgot", "ui.staff_forgot_title");
  const auto token = csrf_cookie_token(req);
  page.data.set("csrf", token);
  page.data.set("sent", sent);
  page.data.set("email", email);
  if (error) web::set_form_error(d.view, req, page, *error);
  auto r = web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
  r.header("Set-Cookie", csrf_set_cookie(d, token));
  return r;
}

http::Response forgot_get(StaffWebDeps& d, http::Request& req) {
  return forgot_form(d, req, false, nullptr);
}

http::Response forgot_post(StaffWebDeps& d, http::Request& req) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (!anonymous_csrf_ok(req, *form)) {
    auto e = Error::make("csrf", 403);
    return forgot_form(d, req, false, &e, web::form_field(*form, "email"));
  }
  (void)d.staff.request_password_reset(web::form_field(*form, "email"), req.remote_addr);
  return forgot_form(d, req, true, nullptr);  // the same answer whether the address exists or not
}

http::Response reset_form(StaffWebDeps& d, http::Request& req, const std::string& token, bool done,
                          const Error* error) {
  auto page = base_page(d, req, "staff_reset", "ui.staff_reset_title");
  const auto csrf = csrf_cookie_token(req);
  page.data.set("csrf", csrf);
  page.data.set("token", token);
  page.data.set("done", done);
  page.data.set("has_token", !token.empty());
  if (error) web::set_form_error(d.view, req, page, *error);
  auto r = web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
  r.header("Set-Cookie", csrf_set_cookie(d, csrf));
  r.header("Referrer-Policy", "no-referrer");  // the token is in the URL
  return r;
}

http::Response reset_get(StaffWebDeps& d, http::Request& req) {
  return reset_form(d, req, req.query_param("token"), false, nullptr);
}

http::Response reset_post(StaffWebDeps& d, http::Request& req) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  const auto token = web::form_field(*form, "token");
  if (!anonymous_csrf_ok(req, *form)) {
    auto e = Error::make("csrf", 403);
    return reset_form(d, req, token, false, &e);
  }
  const auto password = web::form_field(*form, "password");
  if (password != web::form_field(*form, "password_confirm")) {
    auto e = Error::make("staff.password_mismatch");
    e.field = "password_confirm";
    return reset_form(d, req, token, false, &e);
  }
  if (auto st = d.staff.reset_password(token, password, req.remote_addr); !st)
    return reset_form(d, req, token, false, &st.error());
  return reset_form(d, req, "", true, nullptr);
}

// --- body administration --------------------------------------------------------------------------

// The body of /backoffice/{slug}/..., or the response to send instead (404, sign-in, 403).
struct BodyAccess {
  std::shared_ptr<const tenants::Body> body;
  std::optional<http::Response> refusal;
};

BodyAccess body_access(StaffWebDeps& d, http::Request& req, Permission permission) {
  BodyAccess a;
  a.body = d.tenants.by_slug(req.param("slug"));
  if (!a.body) {
    a.refusal = d.view.error_page(req, 404);
    return a;
  }
  auto st = authorize(principal_of(req), permission, a.body->id);
  if (!st) {
    a.refusal = st.error().http_status == 401 ? to_sign_in() : d.view.error_page(req, st.error().http_status);
  }
  return a;
}

web::Page body_page(StaffWebDeps& d, http::Request& req, const tenants::Body& body, const std::string& tpl,
                    const std::string& title_key) {
  const auto& lang = req.ctx.locale;
  auto page = base_page(d, req, tpl, title_key);
  page.body_slug = body.slug;
  page.body_name = body.name;
  page.breadcrumb = {{d.view.t(lang, "ui.staff_home_title"), kStaffHome}, {page.title, ""}};
  page.data.set("body_name", body.name);
  page.data.set("action",
                "/backoffice/" + body.slug + "/" + (tpl == "staff_people" ? "personale" : "chiavi-api"));
  page.data.set("csrf", principal_of(req)->csrf_token);
  return page;
}

constexpr std::array<Role, 4> kBodyRoles{Role::operator_, Role::office_manager, Role::body_admin,
                                         Role::counter_operator};

http::Response people_page(StaffWebDeps& d, http::Request& req, const tenants::Body& body,
                           const http::Params* form, const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = body_page(d, req, body, "staff_people", "ui.staff_people_title");
  auto accounts = d.staff.list(principal_of(req), body.id);
  if (!accounts) return d.view.error_page(req, accounts.error().http_status);
  Data rows = web::list();
  for (const auto& a : *accounts) {
    Data row;
    row.set("id", a.id);
    row.set("name", a.display_name);
    row.set("email", a.email);
    row.set("roles", role_list(d, lang, a.roles));
    row.set("active", a.active);
    row.set("locked", a.locked);
    row.set("totp", a.totp_enrolled);
    row.set("is_self", a.id == principal_of(req)->subject);
    rows.push_back(row);
  }
  page.data.set("accounts", rows);
  page.data.set("has_accounts", !accounts->empty());
  Data roles = web::list();
  for (auto r : kBodyRoles) {
    Data item;
    const std::string code(to_string(r));
    item.set("code", code);
    item.set("name", d.view.t(lang, "ui.staff_role_" + code));
    bool checked = false;
    if (form) {
      auto range = form->equal_range("roles");
      for (auto it = range.first; it != range.second; ++it) checked = checked || it->second == code;
    }
    item.set("checked", checked);
    roles.push_back(item);
  }
  page.data.set("role_options", roles);
  page.data.set("totp_required", d.staff.totp_required(body.id));
  if (form && error) {
    page.data.set("email", web::form_field(*form, "email"));
    page.data.set("display_name", web::form_field(*form, "display_name"));
  }
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response people_get(StaffWebDeps& d, http::Request& req) {
  auto access = body_access(d, req, Permission::manage_staff);
  if (access.refusal) return *access.refusal;
  return people_page(d, req, *access.body, nullptr, nullptr);
}

http::Response people_post(StaffWebDeps& d, http::Request& req) {
  auto access = body_access(d, req, Permission::manage_staff);
  if (access.refusal) return *access.refusal;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const Principal* p = principal_of(req);
  const auto action = web::form_field(*form, "action");
  Status st = Ok{};
  if (action == "create") {
    NewStaff n;
    n.tenant_id = access.body->id;
    n.email = web::form_field(*form, "email");
    n.display_name = web::form_field(*form, "display_name");
    n.password = web::form_field(*form, "password");
    auto range = form->equal_range("roles");
    for (auto it = range.first; it != range.second; ++it) {
      if (auto r = parse_role(it->second)) n.roles.insert(*r);
    }
    auto created = d.staff.create(p, n);
    if (!created) st = created.error();
  } else if (action == "deactivate") {
    st = d.staff.deactivate(p, web::form_field(*form, "id"));
  } else if (action == "totp_required") {
    st = d.staff.set_totp_required(p, access.body->id, web::form_field(*form, "value") == "1");
  } else {
    return d.view.error_page(req, 400);
  }
  if (!st) {
    if (st.error().http_status == 403 || st.error().http_status == 404) {
      return d.view.error_page(req, st.error().http_status);
    }
    return people_page(d, req, *access.body, &*form, &st.error());
  }
  return http::Response::redirect("/backoffice/" + access.body->slug + "/personale", 303);
}

http::Response keys_page(StaffWebDeps& d, http::Request& req, const tenants::Body& body,
                         const CreatedApiKey* created, const http::Params* form, const Error* error) {
  auto page = body_page(d, req, body, "staff_api_keys", "ui.staff_keys_title");
  auto keys = d.api_keys.list(principal_of(req), body.id);
  if (!keys) return d.view.error_page(req, keys.error().http_status);
  Data rows = web::list();
  for (const auto& k : *keys) {
    Data row;
    row.set("id", k.id);
    row.set("name", k.name);
    row.set("prefix", k.prefix);
    row.set("scopes", text::join(k.scopes, ", "));
    row.set("created_at", time::it_datetime_text(k.created_at));
    row.set("last_used_at", k.last_used_at ? time::it_datetime_text(*k.last_used_at) : std::string());
    row.set("revoked", k.revoked_at.has_value());
    rows.push_back(row);
  }
  page.data.set("keys", rows);
  page.data.set("has_keys", !keys->empty());
  if (created) {
    page.data.set("new_key", created->secret);
    page.data.set("new_key_name", created->key.name);
  }
  if (form && error) {
    page.data.set("name", web::form_field(*form, "name"));
    page.data.set("scopes_value", web::form_field(*form, "scopes"));
  }
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response keys_get(StaffWebDeps& d, http::Request& req) {
  auto access = body_access(d, req, Permission::manage_api_keys);
  if (access.refusal) return *access.refusal;
  return keys_page(d, req, *access.body, nullptr, nullptr, nullptr);
}

http::Response keys_post(StaffWebDeps& d, http::Request& req) {
  auto access = body_access(d, req, Permission::manage_api_keys);
  if (access.refusal) return *access.refusal;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const Principal* p = principal_of(req);
  const auto action = web::form_field(*form, "action");
  if (action == "create") {
    auto created = d.api_keys.create(p, access.body->id, web::form_field(*form, "name"),
                                     ApiKeyService::parse_scopes(web::form_field(*form, "scopes")));
    if (!created) return keys_page(d, req, *access.body, nullptr, &*form, &created.error());
    return keys_page(d, req, *access.body, &*created, nullptr, nullptr);  // the key, shown this once
  }
  if (action == "revoke") {
    auto st = d.api_keys.revoke(p, access.body->id, web::form_field(*form, "id"));
    if (!st) return d.view.error_page(req, st.error().http_status);
    return http::Response::redirect("/backoffice/" + access.body->slug + "/chiavi-api", 303);
  }
  return d.view.error_page(req, 400);
}

}  // namespace

void register_staff_pages(http::Router& router, StaffWebDeps& d) {
  router.get(kSignIn, [&d](http::Request& r) { return sign_in_get(d, r); });
  router.post(kSignIn, [&d](http::Request& r) { return sign_in_post(d, r); });
  router.get(kStaffHome, [&d](http::Request& r) { return home(d, r); });
  router.get("/backoffice/password-dimenticata", [&d](http::Request& r) { return forgot_get(d, r); });
  router.post("/backoffice/password-dimenticata", [&d](http::Request& r) { return forgot_post(d, r); });
  router.get("/backoffice/reimposta-password", [&d](http::Request& r) { return reset_get(d, r); });
  router.post("/backoffice/reimposta-password", [&d](http::Request& r) { return reset_post(d, r); });
  router.get("/backoffice/{slug}/personale", [&d](http::Request& r) { return people_get(d, r); });
  router.post("/backoffice/{slug}/personale", [&d](http::Request& r) { return people_post(d, r); });
  router.get("/backoffice/{slug}/chiavi-api", [&d](http::Request& r) { return keys_get(d, r); });
  router.post("/backoffice/{slug}/chiavi-api", [&d](http::Request& r) { return keys_post(d, r); });
  register_hub_staff_pages(router, d);
}

}  // namespace sp::identity
