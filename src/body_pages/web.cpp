#include "body_pages/web.hpp"

#include "core/text.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/model.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::body_pages {
namespace {

using identity::staff_route;
using identity::StaffCall;
using web::Data;

const char* kEditPath = "/pagine-pubbliche";

// Blank lines separate paragraphs; the text is escaped by the template.
Data paragraphs(const std::string& text) {
  Data out = web::list();
  std::string current;
  auto flush = [&] {
    auto t = text::trim(current);
    if (!t.empty()) out.push_back(Data(t));
    current.clear();
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = text::trim(std::string_view(text).substr(start, end - start));
    if (line.empty()) {
      flush();
    } else {
      if (!current.empty()) current += ' ';
      current += line;
    }
    start = end + 1;
  }
  flush();
  return out;
}

struct Owner {  // whose page it is: a body, or the hub itself
  std::string name;
  std::string fiscal_code;
  std::string pec;
  std::string slug;  // empty for the hub
  BodyInfo info;
};

// The platform's name as its operator registered it (the demo's "Polo di erogazione servizi ...").
std::string hub_name(WebDeps& d, std::string_view lang) {
  if (auto snap = d.tenants.snapshot(); !snap->hubs.empty()) return snap->hubs.front().name;
  return d.view.t(lang, "ui.hub_title");
}

std::string page_href(const std::string& slug, std::string_view path) {
  return (slug.empty() ? "/" : "/" + slug + "/") + std::string(path);
}

http::Response public_page(WebDeps& d, http::Request& req, const Owner& o, Kind kind) {
  const auto& lang = req.ctx.locale;
  std::string key;  // names of the page's title and template section
  for (const auto& [k, p] : kPaths)
    if (k == kind) key = std::string(p == "note-legali" ? "legal" : p);
  const std::map<std::string, std::string> values{{"name", o.name},
                                                  {"fiscal_code", o.fiscal_code},
                                                  {"pec", o.pec.empty() ? "—" : o.pec},
                                                  {"hub", hub_name(d, lang)}};
  web::Page page;
  page.template_name = "body_page";
  page.title = web::ui(d.view, lang, "ui.bpages_title_" + key, values);
  page.body_slug = o.slug;
  page.body_name = o.slug.empty() ? std::string() : o.name;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}};
  if (!o.slug.empty()) page.breadcrumb.push_back({o.name, "/" + o.slug + "/"});
  page.breadcrumb.push_back({page.title, ""});
  auto& x = page.data;
  x.set("title", page.title);
  x.set("kind_" + key, true);
  x.set("owner_name", o.name);
  x.set("fiscal_code", o.fiscal_code);
  x.set("pec", o.pec);
  // Only fields with a value: the template's sections test presence (a mustache empty string is truthy).
  for (const auto& spec : kFields)
    if (const auto& v = o.info.get(spec.name); !v.empty()) x.set(std::string(spec.name), v);
  x.set("office_hours", paragraphs(o.info.in("office_hours", lang)));
  x.set("has_office_hours", !o.info.in("office_hours", lang).empty());
  x.set("has_privacy_extra", !o.info.in("privacy_extra", lang).empty());
  x.set("privacy_extra", paragraphs(o.info.in("privacy_extra", lang)));
  x.set("legal_extra", paragraphs(o.info.in("legal_extra", lang)));
  x.set("contacts_extra", paragraphs(o.info.in("contacts_extra", lang)));
  x.set("has_dpo", !o.info.get("dpo_name").empty() || !o.info.get("dpo_email").empty() ||
                       !o.info.get("dpo_pec").empty());
  const auto& feedback = o.info.get("accessibility_feedback_email");
  const std::string& feedback_to = !feedback.empty()              ? feedback
                                   : !o.info.get("email").empty() ? o.info.get("email")
                                                                  : o.pec;
  if (!feedback_to.empty()) x.set("feedback_email", feedback_to);
  if (o.pec.empty()) x.set("pec", false);
  if (o.fiscal_code.empty()) x.set("fiscal_code", false);
  for (const auto& [k, p] : kPaths)
    x.set("href_" + std::string(p == "note-legali" ? "legal" : p), page_href(o.slug, p));
  // The hub's default texts, with the owner's details filled in.
  for (const char* t :
       {"privacy_controller", "privacy_purposes", "privacy_data", "privacy_recipients", "privacy_retention",
        "privacy_rights", "privacy_cookies", "privacy_no_dpo", "access_commitment", "access_platform",
        "access_limits", "access_no_statement", "access_feedback", "access_enforcement", "legal_content",
        "legal_links", "legal_platform", "contacts_intro"})
    x.set(std::string("text_") + t, web::ui(d.view, lang, std::string("ui.bpages_") + t, values));
  if (o.info.version > 0) {
    x.set("updated",
          web::ui(d.view, lang, "ui.bpages_updated", {{"date", time::it_datetime_text(o.info.saved_at)}}));
  }
  return web::page_response(d.view.render(req, page));
}

Owner body_owner(WebDeps& d, const tenants::Body& b) {
  return Owner{b.name, b.fiscal_code, b.pec, b.slug, d.pages.info(b.id)};
}

Owner hub_owner(WebDeps& d) {
  Owner o;
  if (auto snap = d.tenants.snapshot(); !snap->hubs.empty()) {
    const auto& h = snap->hubs.front();
    o.name = h.name;
    o.fiscal_code = h.fiscal_code;
    o.pec = h.pec;
  }
  return o;
}

// --- the editor ----------------------------------------------------------------------------------

http::Response edit_page(WebDeps& d, http::Request& req, const StaffCall& a, const Fields* typed,
                         const Error* error, bool saved) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *a.body, a.who->csrf_token, "body_pages_edit",
                                   d.view.t(lang, "ui.bpages_admin_title"), "", "", false);
  page.data.set("title", page.title);
  const auto info = d.pages.info(a.body->id);
  for (const auto& spec : kFields) {
    const std::string name(spec.name);
    std::string value = info.get(spec.name);
    if (typed != nullptr) {
      auto it = typed->find(name);
      value = it == typed->end() ? std::string() : it->second;
    }
    page.data.set("v_" + name, value);
  }
  page.data.set("action", "/backoffice/" + a.body->slug + kEditPath);
  page.data.set("saved", saved);
  for (const auto& [k, p] : kPaths)
    page.data.set("href_" + std::string(p == "note-legali" ? "legal" : p), page_href(a.body->slug, p));
  if (info.version > 0)
    page.data.set("version_text", web::ui(d.view, lang, "ui.bpages_version",
                                          {{"version", std::to_string(info.version)},
                                           {"when", time::it_datetime_text(info.saved_at)}}));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response edit_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  return edit_page(d, req, a, nullptr, nullptr, req.query_param("salvato") == "1");
}

http::Response edit_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Fields fields;
  for (const auto& spec : kFields)
    fields[std::string(spec.name)] = web::form_field(*form, std::string(spec.name));
  auto saved = d.pages.save(a.who, a.body->id, fields);
  if (!saved) return edit_page(d, req, a, &fields, &saved.error(), false);
  return web::see_other("/backoffice/" + a.body->slug + kEditPath + "?salvato=1");
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  for (const auto& [kind, path] : kPaths) {
    const Kind k = kind;
    router.get("/{slug}/" + std::string(path), [&d, k](http::Request& req) {
      auto body = d.tenants.by_slug(req.param("slug"));
      if (!body || !body->active) return d.view.error_page(req, 404);
      return public_page(d, req, body_owner(d, *body), k);
    });
    router.get("/" + std::string(path),
               [&d, k](http::Request& req) { return public_page(d, req, hub_owner(d), k); });
  }
  router.get("/backoffice/{slug}" + std::string(kEditPath),
             staff_route(d, identity::Permission::manage_staff, edit_get));
  router.post("/backoffice/{slug}" + std::string(kEditPath),
              staff_route(d, identity::Permission::manage_staff, edit_post));
}

}  // namespace sp::body_pages
