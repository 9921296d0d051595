// The hub's own staff (issue 19, docs/hub.md "The hub's staff"): /hub/personale, for the hub's
// administrators only (Permission::manage_hub). They invite a member (name, e-mail, roles: an account
// whose password nobody knows, and the invitation e-mail to choose it), change a member's roles and
// revoke a member's access; the service audits each on the hub's chain (staff.created,
// staff.roles_changed, staff.deactivated) and keeps the hub's last active administrator
// (staff.last_hub_admin). Refusals keep what was typed.
#include <array>

#include "identity/guards.hpp"
#include "identity/staff_web.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::identity {
namespace {

using web::Data;

constexpr const char* kPath = "/hub/personale";
constexpr std::array<Role, 4> kHubRoles{Role::hub_admin, Role::helpdesk, Role::tourism_editor,
                                        Role::counter_operator};

std::set<Role> posted_roles(const http::Params& form, const std::string& name) {
  std::set<Role> out;
  auto range = form.equal_range(name);
  for (auto it = range.first; it != range.second; ++it)
    if (auto r = parse_role(it->second)) out.insert(*r);
  return out;
}

Data role_options(const StaffWebDeps& d, std::string_view lang, const std::set<Role>& checked,
                  const std::string& id_prefix) {
  Data list = web::list();
  for (auto r : kHubRoles) {
    const std::string code(to_string(r));
    Data item;
    item.set("code", code);
    item.set("input_id", id_prefix + code);
    item.set("name", d.view.t(lang, "ui.staff_role_" + code));
    item.set("checked", checked.count(r) > 0);
    list.push_back(item);
  }
  return list;
}

// `form` and `error`: a refused change, shown again with what was typed (`target`: the member whose
// roles were being changed, "" for the invitation).
http::Response hub_staff_page(StaffWebDeps& d, http::Request& req, const StaffCall& c,
                              const http::Params* form, const Error* error, const std::string& target) {
  const auto& lang = req.ctx.locale;
  auto accounts = d.staff.list(c.who, 0);
  if (!accounts) return staff_refusal(d.view, req, accounts.error());
  web::Page page;
  page.template_name = "hub_staff";
  page.title = d.view.t(lang, "ui.hub_staff_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.staff_home_title"), "/backoffice/"}, {page.title, ""}};
  page.data.set("csrf", c.who->csrf_token);
  page.data.set("action", kPath);
  Data rows = web::list();
  for (const auto& a : *accounts) {
    Data row;
    row.set("id", a.id);
    row.set("name", a.display_name);
    row.set("email", a.email);
    row.set("active", a.active);
    row.set("is_self", a.id == c.who->subject);
    const bool refused_here = form && error && target == a.id;
    if (refused_here) row.set("row_error", d.view.i18n().message(lang, *error));
    std::set<Role> current = refused_here ? posted_roles(*form, "roles") : a.roles;
    row.set("role_options", role_options(d, lang, current, "role-" + a.id + "-"));
    Data names = web::list();
    for (auto r : a.roles) {
      Data n;
      n.set("name", d.view.t(lang, "ui.staff_role_" + std::string(to_string(r))));
      names.push_back(n);
    }
    row.set("roles", names);
    rows.push_back(row);
  }
  page.data.set("accounts", rows);
  const bool invite_refused = form && error && target.empty();
  page.data.set(
      "invite_roles",
      role_options(d, lang, invite_refused ? posted_roles(*form, "roles") : std::set<Role>{}, "new-role-"));
  if (invite_refused) {
    page.data.set("email", web::form_field(*form, "email"));
    page.data.set("display_name", web::form_field(*form, "display_name"));
  }
  if (const auto done = req.query_param("esito"); done == "invitato" || done == "ruoli" || done == "revocato")
    page.data.set("done", d.view.t(lang, "ui.hub_staff_done_" + done));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response hub_staff_get(StaffWebDeps& d, http::Request& req, const StaffCall& c) {
  return hub_staff_page(d, req, c, nullptr, nullptr, "");
}

http::Response hub_staff_post(StaffWebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto action = web::form_field(*form, "action");
  const auto id = web::form_field(*form, "id");
  Status st = Ok{};
  std::string done;
  if (action == "invite") {
    NewStaff n;
    n.tenant_id = 0;
    n.email = web::form_field(*form, "email");
    n.display_name = web::form_field(*form, "display_name");
    n.roles = posted_roles(*form, "roles");
    auto made = d.staff.invite(c.who, n);
    if (!made) st = made.error();
    done = "invitato";
  } else if (action == "roles") {
    // Only hub staff here: another body's member is not found on this page.
    auto account = d.staff.account(id);
    if (!account || account->tenant_id != 0) return d.view.error_page(req, 404);
    st = d.staff.set_roles(c.who, id, posted_roles(*form, "roles"));
    done = "ruoli";
  } else if (action == "revoke") {
    auto account = d.staff.account(id);
    if (!account || account->tenant_id != 0) return d.view.error_page(req, 404);
    st = d.staff.deactivate(c.who, id);
    done = "revocato";
  } else {
    return d.view.error_page(req, 400);
  }
  if (!st) {
    const int status = st.error().http_status;
    if (status == 401 || status == 403 || status == 404) return staff_refusal(d.view, req, st.error());
    return hub_staff_page(d, req, c, &*form, &st.error(), action == "invite" ? "" : id);
  }
  // Changing one's own roles ends one's sessions (the new roles apply at the next sign-in).
  if (action == "roles" && id == c.who->subject) return web::see_other(kStaffSignIn);
  return web::see_other(std::string(kPath) + "?esito=" + done);
}

}  // namespace

void register_hub_staff_pages(http::Router& router, StaffWebDeps& d) {
  router.get(kPath, hub_staff_route(d, Permission::manage_hub, hub_staff_get));
  router.post(kPath, hub_staff_route(d, Permission::manage_hub, hub_staff_post));
}

}  // namespace sp::identity
