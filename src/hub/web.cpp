// Pages of the hub's members: thin handlers (parse → one service call → render), texts in
// web/locales/*/hub.json, templates hub_*.mustache.
#include "hub/web.hpp"

#include <charconv>

#include "core/text.hpp"
#include "core/text_numbers.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/model.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::hub {
namespace {

using identity::hub_staff_route;
using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

constexpr const char* kBodiesPath = "/backoffice/enti";
constexpr const char* kPackagesPath = "/backoffice/pacchetti";

struct FieldSpec {
  const char* name;
  std::string NewBody::*member;
  int step;
  const char* type;  // text, email, number
  int maxlength;
  bool required;
};

const std::vector<FieldSpec>& fields() {
  static const std::vector<FieldSpec> all = {
      {"name", &NewBody::name, 1, "text", 200, true},
      {"slug", &NewBody::slug, 1, "text", 60, true},
      {"istat_code", &NewBody::istat_code, 1, "text", 6, false},
      {"belfiore_code", &NewBody::belfiore_code, 1, "text", 4, false},
      {"ipa_code", &NewBody::ipa_code, 1, "text", 32, true},
      {"fiscal_code", &NewBody::fiscal_code, 1, "text", 11, true},
      {"pec", &NewBody::pec, 1, "email", 254, false},
      {"population", &NewBody::population, 1, "text", 9, false},
      {"province", &NewBody::province, 1, "text", 60, false},
      {"region", &NewBody::region, 1, "text", 60, false},
      {"host_name", &NewBody::host_name, 1, "text", 253, false},
      {"logo_path", &NewBody::logo_path, 1, "text", 200, false},
      {"color_primary", &NewBody::color_primary, 1, "text", 7, false},
      {"aoo_code", &NewBody::aoo_code, 2, "text", 32, true},
      {"aoo_name", &NewBody::aoo_name, 2, "text", 200, true},
      {"protocol_next_number", &NewBody::protocol_next_number, 2, "text", 7, false},
      {"iban", &NewBody::iban, 3, "text", 40, true},
      {"postal_iban", &NewBody::postal_iban, 3, "text", 40, false},
      {"segregation_code", &NewBody::segregation_code, 3, "text", 2, true},
      {"admin_email", &NewBody::admin_email, 4, "email", 254, true},
      {"admin_name", &NewBody::admin_name, 4, "text", 200, true},
  };
  return all;
}

int int_of(const std::string& s, int fallback) {
  int v = fallback;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : fallback;
}

std::string kind_label(const web::View& v, std::string_view lang, tenants::BodyKind k) {
  return v.t(lang, "ui.kind." + std::string(tenants::to_string(k)));
}

std::string level_label(const web::View& v, std::string_view lang, int level) {
  return level == 0 ? v.t(lang, "ui.hub_not_offered") : v.t(lang, "ui.level_" + std::to_string(level));
}

web::Page hub_page(const web::View& v, const http::Request& req, const std::string& tpl,
                   const std::string& title, bool sub_page) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.breadcrumb = {{v.t(lang, "ui.home"), "/"}, {v.t(lang, "ui.staff_home_title"), "/backoffice/"}};
  if (sub_page) page.breadcrumb.push_back({v.t(lang, "ui.hub_bodies_title"), kBodiesPath});
  page.breadcrumb.push_back({title, ""});
  page.data.set("title", title);
  return page;
}

// --- the hub's overview ---------------------------------------------------------------------------

http::Response bodies_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                           int status) {
  const auto& lang = req.ctx.locale;
  auto page = hub_page(d.view, req, "hub_bodies", d.view.t(lang, "ui.hub_bodies_title"), false);
  auto& x = page.data;
  x.set("csrf", c.who->csrf_token);
  if (error) web::set_form_error(d.view, req, page, *error);
  if (req.query_param("crediti") == "1") x.set("granted", true);
  if (req.query_param("salvato") == "1") x.set("saved", true);
  const auto rules = d.packages.rules();
  auto overview = d.packages.overview(c.who);
  if (!overview) return identity::staff_refusal(d.view, req, overview.error());
  Data rows = web::list();
  for (const auto& b : *overview) {
    auto body = d.tenants.by_id(b.tenant_id);
    if (!body) continue;
    Data r;
    r.set("name", body->name);
    r.set("slug", body->slug);
    r.set("portal_href", "/" + body->slug + "/");
    r.set("package_href", "/backoffice/" + body->slug + "/pacchetto");
    r.set("logo_href", "/backoffice/" + body->slug + "/stemma");
    r.set("kind", kind_label(d.view, lang, body->kind));
    r.set("package", b.package ? b.package->name(lang) : d.view.t(lang, "ui.hub_no_package"));
    r.set("balance", std::to_string(b.balance));
    r.set("high", std::to_string(b.high));
    r.set("services", std::to_string(b.services));
    r.set("limits", std::to_string(b.min_high) + "–" + std::to_string(b.max_high));
    r.set("over_max", b.high > b.max_high);
    r.set("under_min", b.high < b.min_high);
    rows.push_back(r);
  }
  x.set("bodies", rows);
  x.set("grant_action", std::string(kBodiesPath) + "/crediti");
  x.set("limits_text",
        web::ui(d.view, lang, "ui.hub_limits",
                {{"min", std::to_string(rules.min_high)}, {"max", std::to_string(rules.max_high)}}));
  Data packages = web::list();
  for (const auto& p : d.packages.packages()) {
    Data r;
    r.set("code", p.code);
    r.set("name", p.name(lang));
    r.set("kind", kind_label(d.view, lang, p.body_kind));
    r.set("band", p.max_population ? text::group_digits(p.min_population, lang) + "–" +
                                         text::group_digits(*p.max_population, lang)
                                   : "≥ " + text::group_digits(p.min_population, lang));
    r.set("credits", std::to_string(p.credits));
    r.set("services", std::to_string(p.items.size()));
    r.set("href", std::string(kPackagesPath) + "/" + p.code);
    packages.push_back(r);
  }
  x.set("packages", packages);
  x.set("new_package_href", std::string(kPackagesPath) + "/nuovo");
  auto drafts = d.onboarding.drafts(c.who);
  Data dl = web::list();
  if (drafts)
    for (const auto& dr : *drafts) {
      Data r;
      r.set("name", dr.body.name.empty() ? d.view.t(lang, "ui.hub_draft_unnamed") : dr.body.name);
      r.set("step", web::ui(d.view, lang, "ui.hub_step_of",
                            {{"step", std::to_string(dr.step)}, {"steps", std::to_string(kSteps)}}));
      r.set("updated", time::it_datetime_text(dr.updated_at));
      r.set("href", std::string(kBodiesPath) + "/bozze/" + dr.id + "?passo=" + std::to_string(dr.step));
      dl.push_back(r);
    }
  x.set("drafts", dl);
  x.set("has_drafts", drafts && !drafts->empty());
  x.set("new_action", std::string(kBodiesPath) + "/nuovo");
  x.set("rules_action", std::string(kPackagesPath) + "/regole");
  x.set("min_high", std::to_string(rules.min_high));
  x.set("max_high", std::to_string(rules.max_high));
  for (int l = 1; l <= 4; ++l) x.set("cost_" + std::to_string(l), std::to_string(rules.cost[l]));
  return web::private_page(d.view, req, page, status);
}

http::Response bodies_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return bodies_page(d, req, c, nullptr, 200);
}

http::Response grant_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto body = d.tenants.by_slug(web::form_field(*form, "body"));
  if (!body) return d.view.error_page(req, 404);
  const auto amount = text::trim(web::form_field(*form, "credits"));
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), n);
  Status st = (ec != std::errc() || p != amount.data() + amount.size())
                  ? Status(Error::make("hub.grant", 400, amount))
                  : d.packages.grant(c.who, body->id, n, text::trim(web::form_field(*form, "note")));
  if (!st) return bodies_page(d, req, c, &st.error(), web::form_status(st.error()));
  // Given from the body's package page: back there (the slug is the body's, looked up above).
  if (web::form_field(*form, "from") == "package")
    return web::see_other("/backoffice/" + body->slug + "/pacchetto?crediti=1");
  return web::see_other(std::string(kBodiesPath) + "?crediti=1");
}

http::Response rules_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Rules r;
  r.min_high = int_of(web::form_field(*form, "min_high"), -1);
  r.max_high = int_of(web::form_field(*form, "max_high"), -1);
  for (int l = 1; l <= 4; ++l) r.cost[l] = int_of(web::form_field(*form, "cost_" + std::to_string(l)), -1);
  if (auto st = d.packages.save_rules(c.who, r); !st)
    return bodies_page(d, req, c, &st.error(), web::form_status(st.error()));
  return web::see_other(std::string(kBodiesPath) + "?salvato=1");
}

// --- a package ----------------------------------------------------------------------------------------

http::Response package_page(WebDeps& d, http::Request& req, const StaffCall& c, const Package& p, bool is_new,
                            const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = hub_page(d.view, req, "hub_package",
                       is_new ? d.view.t(lang, "ui.hub_package_new") : p.name(lang), true);
  auto& x = page.data;
  x.set("csrf", c.who->csrf_token);
  x.set("action", kPackagesPath);
  if (error) web::set_form_error(d.view, req, page, *error);
  x.set("code", p.code);
  x.set("code_readonly", !is_new);
  x.set("name_it", p.name_it);
  x.set("name_en", p.name_en);
  x.set("min_population", std::to_string(p.min_population));
  x.set("max_population", p.max_population ? std::to_string(*p.max_population) : std::string());
  x.set("credits", std::to_string(p.credits));
  x.set("min_high", p.min_high ? std::to_string(*p.min_high) : std::string());
  x.set("max_high", p.max_high ? std::to_string(*p.max_high) : std::string());
  const auto rules = d.packages.rules();
  x.set("limits_help",
        web::ui(d.view, lang, "ui.hub_package_limits_help",
                {{"min", std::to_string(rules.min_high)}, {"max", std::to_string(rules.max_high)}}));
  Data kinds = web::list();
  for (auto k : {tenants::BodyKind::comune, tenants::BodyKind::unione, tenants::BodyKind::provincia,
                 tenants::BodyKind::comunita_montana}) {
    Data o;
    o.set("value", std::string(tenants::to_string(k)));
    o.set("label", kind_label(d.view, lang, k));
    o.set("selected", k == p.body_kind);
    kinds.push_back(o);
  }
  x.set("kinds", kinds);
  std::map<std::string, int> chosen;
  for (const auto& i : p.items) chosen[i.service_code] = i.level;
  Data services = web::list();
  // The levels the hub can deliver at all: 1 always, 3 and 4 where it takes applications online.
  auto options = d.packages.options(c.who, 0);
  if (options)
    for (const auto& o : *options) {
      Data s;
      s.set("code", o.code);
      s.set("title", lang == "en" && !o.title_en.empty() ? o.title_en : o.title_it);
      s.set("field", "level_" + o.code);
      Data levels = web::list();
      const int current = chosen.count(o.code) ? chosen[o.code] : 0;
      for (int l : {0, 1, 3, 4}) {
        if (l >= 3 && (!o.has_form || l > o.catalog_level)) continue;
        Data lv;
        lv.set("value", std::to_string(l));
        lv.set("label", level_label(d.view, lang, l));
        lv.set("selected", l == current);
        levels.push_back(lv);
      }
      s.set("levels", levels);
      services.push_back(s);
    }
  x.set("services", services);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response package_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  const auto code = req.param("package");
  if (code == "nuovo") return package_page(d, req, c, Package{}, true, nullptr);
  auto p = d.packages.package(code);
  if (!p) return d.view.error_page(req, 404);
  return package_page(d, req, c, *p, false, nullptr);
}

http::Response package_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Package p;
  p.code = text::trim(web::form_field(*form, "code"));
  p.name_it = text::trim(web::form_field(*form, "name_it"));
  p.name_en = text::trim(web::form_field(*form, "name_en"));
  p.body_kind =
      tenants::parse_body_kind(web::form_field(*form, "body_kind")).value_or(tenants::BodyKind::comune);
  p.min_population = int_of(text::trim(web::form_field(*form, "min_population")), 0);
  if (auto m = text::trim(web::form_field(*form, "max_population")); !m.empty())
    p.max_population = int_of(m, -1);
  p.credits = int_of(text::trim(web::form_field(*form, "credits")), -1);
  if (auto m = text::trim(web::form_field(*form, "min_high")); !m.empty()) p.min_high = int_of(m, -1);
  if (auto m = text::trim(web::form_field(*form, "max_high")); !m.empty()) p.max_high = int_of(m, -1);
  for (const auto& [k, v] : *form) {
    if (k.rfind("level_", 0) != 0) continue;
    const int level = int_of(v, 0);
    if (level > 0) p.items.push_back({k.substr(6), level});
  }
  const bool is_new = !d.packages.package(p.code).has_value();
  auto saved = d.packages.save_package(c.who, p);
  if (!saved) return package_page(d, req, c, p, is_new, &saved.error());
  return web::see_other(std::string(kBodiesPath) + "?salvato=1");
}

// --- onboarding -----------------------------------------------------------------------------------------

http::Response draft_page(WebDeps& d, http::Request& req, const StaffCall& c, const Draft& dr, int step,
                          const Error* error) {
  const auto& lang = req.ctx.locale;
  auto page = hub_page(d.view, req, "hub_onboarding", d.view.t(lang, "ui.hub_onboarding_title"), true);
  auto& x = page.data;
  x.set("csrf", c.who->csrf_token);
  x.set("action", std::string(kBodiesPath) + "/bozze/" + dr.id);
  x.set("step", std::to_string(step));
  x.set("step_" + std::to_string(step), true);
  x.set("step_text", web::ui(d.view, lang, "ui.hub_step_of",
                             {{"step", std::to_string(step)}, {"steps", std::to_string(kSteps)}}));
  x.set("step_title", d.view.t(lang, "ui.hub_step_" + std::to_string(step)));
  if (error) {
    // A missing field is named as the form labels it.
    Error shown = *error;
    if (shown.code == "hub.field_required" && !shown.field.empty())
      shown.detail = d.view.t(lang, "ui.hub_f_" + shown.field);
    web::set_form_error(d.view, req, page, shown);
  }
  Data steps = web::list();
  for (int s = 1; s <= kSteps; ++s) {
    Data st;
    st.set("label", d.view.t(lang, "ui.hub_step_" + std::to_string(s)));
    st.set("current", s == step);
    if (s <= dr.step && s != step)
      st.set("href", std::string(kBodiesPath) + "/bozze/" + dr.id + "?passo=" + std::to_string(s));
    steps.push_back(st);
  }
  x.set("steps", steps);
  if (step > 1)
    x.set("back_href", std::string(kBodiesPath) + "/bozze/" + dr.id + "?passo=" + std::to_string(step - 1));
  Data list = web::list();
  for (const auto& f : fields()) {
    if (f.step != step) continue;
    Data fd;
    fd.set("name", f.name);
    fd.set("id", std::string("ob-") + f.name);
    fd.set("label", d.view.t(lang, std::string("ui.hub_f_") + f.name));
    const auto& hint = d.view.t(lang, std::string("ui.hub_h_") + f.name);
    if (hint != std::string("ui.hub_h_") + f.name) fd.set("hint", hint);
    fd.set("value", dr.body.*(f.member));
    fd.set("type", f.type);
    fd.set("maxlength", std::to_string(f.maxlength));
    fd.set("required", f.required);
    if (error && error->field == f.name) fd.set("invalid", true);
    list.push_back(fd);
  }
  x.set("fields", list);
  if (step == 1) {
    Data kinds = web::list();
    for (auto k : {tenants::BodyKind::comune, tenants::BodyKind::unione, tenants::BodyKind::provincia,
                   tenants::BodyKind::comunita_montana}) {
      Data o;
      o.set("value", std::string(tenants::to_string(k)));
      o.set("label", kind_label(d.view, lang, k));
      o.set("selected",
            std::string(tenants::to_string(k)) == (dr.body.kind.empty() ? "comune" : dr.body.kind));
      kinds.push_back(o);
    }
    x.set("kinds", kinds);
    x.set("has_logo_file", !dr.body.logo_file_id.empty());
    if (error && error->field == "logo") x.set("logo_invalid", true);
  }
  if (step == kSteps) {
    Data pk = web::list();
    const auto kind = tenants::parse_body_kind(dr.body.kind).value_or(tenants::BodyKind::comune);
    std::int64_t population = 0;
    if (!dr.body.population.empty()) population = int_of(dr.body.population, 0);
    for (const auto& p : d.packages.packages()) {
      Data o;
      o.set("value", p.code);
      o.set("id", "ob-package-" + p.code);
      o.set("label", p.name(lang));
      o.set("detail",
            web::ui(d.view, lang, "ui.hub_package_detail",
                    {{"services", std::to_string(p.items.size())}, {"credits", std::to_string(p.credits)}}));
      o.set("suggested", p.fits(kind, population));
      o.set("checked", dr.body.package == p.code || (dr.body.package.empty() && p.fits(kind, population)));
      pk.push_back(o);
    }
    x.set("packages", pk);
    if (error && error->field == "package") x.set("package_invalid", true);
    // The summary of what was typed, to check before finishing.
    Data summary = web::list();
    for (const auto& f : fields()) {
      const auto& v = dr.body.*(f.member);
      if (v.empty()) continue;
      Data s;
      s.set("label", d.view.t(lang, std::string("ui.hub_f_") + f.name));
      s.set("value", v);
      summary.push_back(s);
    }
    x.set("summary", summary);
  }
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response done_page(WebDeps& d, http::Request& req, const Draft& dr) {
  const auto& lang = req.ctx.locale;
  auto page = hub_page(d.view, req, "hub_onboarded", d.view.t(lang, "ui.hub_onboarded_title"), true);
  auto body = d.tenants.by_id(dr.tenant_id);
  if (body) {
    page.data.set("name", body->name);
    page.data.set("portal_href", "/" + body->slug + "/");
    page.data.set("admin_email", dr.body.admin_email);
    page.data.set("logo_href", "/backoffice/" + body->slug + "/stemma");
    if (req.query_param("stemma") == "0") page.data.set("logo_failed", true);
  }
  return web::private_page(d.view, req, page);
}

http::Response new_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto dr = d.onboarding.create_draft(c.who);
  if (!dr) return identity::staff_refusal(d.view, req, dr.error());
  return web::see_other(std::string(kBodiesPath) + "/bozze/" + dr->id + "?passo=1");
}

http::Response draft_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto dr = d.onboarding.draft(c.who, req.param("id"));
  if (!dr)
    return dr.error().http_status == 404 ? d.view.error_page(req, 404)
                                         : identity::staff_refusal(d.view, req, dr.error());
  if (!dr->completed_at.empty()) return done_page(d, req, *dr);
  const int step = std::clamp(int_of(req.query_param("passo"), dr->step), 1, std::max(1, dr->step));
  return draft_page(d, req, c, *dr, step, nullptr);
}

// A form posted urlencoded or, with a logo, as multipart: its fields, and the bytes of the picture chosen
// in `file_field` (empty when none; the browser's file name is not read).
std::optional<http::Params> posted_form(const http::Request& req, std::string_view file_field,
                                        std::string& file) {
  const auto* type = req.header("content-type");
  if (type && http::is_multipart_form(*type)) {
    auto parts = req.multipart();
    if (!parts) return std::nullopt;
    for (const auto* f : parts->files(file_field)) file = f->data;
    return parts->fields();
  }
  auto form = req.form();
  if (!form) return std::nullopt;
  return std::move(*form);
}

http::Response draft_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  std::string logo;
  auto form = posted_form(req, "logo", logo);
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto dr = d.onboarding.draft(c.who, req.param("id"));
  if (!dr)
    return dr.error().http_status == 404 ? d.view.error_page(req, 404)
                                         : identity::staff_refusal(d.view, req, dr.error());
  if (!dr->completed_at.empty()) return done_page(d, req, *dr);
  const int step = std::clamp(int_of(web::form_field(*form, "step"), 1), 1, kSteps);
  NewBody b = dr->body;
  for (const auto& f : fields())
    if (f.step == step) b.*(f.member) = web::form_field(*form, f.name);
  if (step == 1) b.kind = web::form_field(*form, "kind");
  if (step == kSteps) b.package = web::form_field(*form, "package");
  if (step == 1 && web::form_field(*form, "remove_logo") == "1") b.logo_file_id.clear();
  if (step == 1 && !logo.empty()) {
    // The picture is checked and kept under the hub now; it becomes the body's logo when the body is made.
    auto kept = d.logos.keep_for_draft(c.who, logo);
    if (!kept) {
      auto saved = d.onboarding.save_step(c.who, dr->id, step, b);  // what was typed is kept all the same
      Draft shown = saved ? *saved : *dr;
      shown.body = b;
      return draft_page(d, req, c, shown, step, &kept.error());
    }
    b.logo_file_id = *kept;
  }
  auto saved = d.onboarding.save_step(c.who, dr->id, step, b);
  if (!saved) {
    Draft shown = *dr;
    shown.body = b;
    return draft_page(d, req, c, shown, step, &saved.error());
  }
  if (step < kSteps)
    return web::see_other(std::string(kBodiesPath) + "/bozze/" + dr->id +
                          "?passo=" + std::to_string(step + 1));
  auto made = d.onboarding.finish(c.who, dr->id);
  if (!made) {
    Draft shown = *saved;
    // A field checked again at the end (a slug taken meanwhile): back to its step.
    int at = kSteps;
    for (const auto& f : fields())
      if (f.name == made.error().field) at = f.step;
    return draft_page(d, req, c, shown, at, &made.error());
  }
  // The picture uploaded at step 1 becomes the body's logo; a failure leaves the body without one (its
  // administrators can upload it on the body's logo page) and is said on the page that follows.
  if (auto st = d.logos.adopt(c.who, made->tenant_id, saved->body.logo_file_id); !st)
    return web::see_other(std::string(kBodiesPath) + "/bozze/" + dr->id + "?stemma=0");
  return web::see_other(std::string(kBodiesPath) + "/bozze/" + dr->id);
}

// --- a body's package -------------------------------------------------------------------------------------

http::Response body_package_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                                 const std::string& error_service) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "hub_body_package",
                                   d.view.t(lang, "ui.hub_body_package_title"), "", "", false);
  auto& x = page.data;
  x.set("title", page.title);
  if (error) web::set_form_error(d.view, req, page, *error);
  // The hub's administrators read every body's package and give credits; changing the services is the
  // body's own administrators' decision (PackagesService::change refuses the hub).
  const bool body_admin = static_cast<bool>(identity::authorize(c.who, Permission::manage_staff, c.body->id));
  if (!body_admin) {
    x.set("hub_view", true);
    x.set("grant_action", std::string(kBodiesPath) + "/crediti");
    x.set("members_href", kBodiesPath);
    x.set("grant_body", c.body->slug);
  }
  x.set("can_change", body_admin);
  if (req.query_param("crediti") == "1") x.set("granted", true);
  auto state = d.packages.body(c.who, c.body->id);
  if (!state) return identity::staff_refusal(d.view, req, state.error());
  auto options = d.packages.options(c.who, c.body->id);
  if (!options) return identity::staff_refusal(d.view, req, options.error());
  const auto rules = d.packages.limits(c.body->id);
  x.set("package", state->package ? state->package->name(lang) : d.view.t(lang, "ui.hub_no_package"));
  x.set("balance", std::to_string(state->balance));
  x.set("balance_text",
        web::ui_count(d.view, lang, "ui.hub_balance", static_cast<std::size_t>(state->balance)));
  x.set("high_text", web::ui(d.view, lang, "ui.hub_high_count",
                             {{"count", std::to_string(state->high)},
                              {"min", std::to_string(state->min_high)},
                              {"max", std::to_string(state->max_high)}}));
  if (state->high > state->max_high)
    x.set("over_max", true);
  else if (state->high == state->max_high)
    x.set("at_max", true);
  if (const auto done = req.query_param("fatto"); !done.empty()) {
    for (const auto& o : *options)
      if (o.code == done)
        x.set("done_text",
              web::ui(d.view, lang, "ui.hub_changed",
                      {{"service", lang == "en" && !o.title_en.empty() ? o.title_en : o.title_it},
                       {"level", level_label(d.view, lang, o.level)}}));
  }
  const std::string action = "/backoffice/" + c.body->slug + "/pacchetto";
  Data rows = web::list();
  for (const auto& o : *options) {
    Data r;
    const auto& title = lang == "en" && !o.title_en.empty() ? o.title_en : o.title_it;
    r.set("code", o.code);
    r.set("title", title);
    r.set("offered", o.level > 0);
    r.set("level", level_label(d.view, lang, o.level));
    r.set("audience",
          d.view.t(lang, o.audience == "businesses" ? "ui.audience_businesses" : "ui.audience_citizens"));
    if (o.level > 0) r.set("service_href", "/" + c.body->slug + "/servizi/" + o.code);
    // Why the service cannot go higher, in words.
    if (o.deliverable < o.catalog_level)
      r.set("limit_text", d.view.t(lang, o.has_form ? "ui.hub_limit_payment" : "ui.hub_limit_form"));
    if (error && error_service == o.code) r.set("error_here", true);
    Data buttons = web::list();
    for (int l : {1, 3, 4}) {
      if (!body_admin) break;
      if (l == o.level || l > o.deliverable) continue;
      const int delta = rules.cost_of(l) - rules.cost_of(o.level);
      Data b;
      b.set("level", std::to_string(l));
      b.set("label", web::ui(d.view, lang,
                             o.level == 0  ? "ui.hub_add"
                             : l > o.level ? "ui.hub_raise"
                                           : "ui.hub_lower",
                             {{"level", level_label(d.view, lang, l)}}));
      b.set("cost", web::ui_count(d.view, lang, delta >= 0 ? "ui.hub_cost" : "ui.hub_refund",
                                  static_cast<std::size_t>(delta >= 0 ? delta : -delta)));
      b.set("id", "btn-" + o.code + "-" + std::to_string(l));
      buttons.push_back(b);
    }
    if (o.level > 0 && body_admin) {
      Data b;
      b.set("level", "0");
      b.set("label", d.view.t(lang, "ui.hub_remove"));
      b.set("cost",
            web::ui_count(d.view, lang, "ui.hub_refund", static_cast<std::size_t>(rules.cost_of(o.level))));
      b.set("id", "btn-" + o.code + "-0");
      b.set("secondary", true);
      buttons.push_back(b);
    }
    r.set("buttons", buttons);
    r.set("action", action);
    r.set("csrf", c.who->csrf_token);
    rows.push_back(r);
  }
  x.set("services", rows);
  Data ledger = web::list();
  if (auto entries = d.packages.ledger(c.who, c.body->id, 20))
    for (const auto& e : *entries) {
      Data r;
      r.set("at", time::it_datetime_text(e.at));
      r.set("what", d.view.t(lang, "ui.hub_action_" + e.action.substr(e.action.find('.') + 1)));
      // What people read: the service's title, the package's name, the hub's note.
      std::string what = e.note;
      if (!e.service_code.empty()) {
        what = e.service_code;
        for (const auto& o : *options)
          if (o.code == e.service_code) what = lang == "en" && !o.title_en.empty() ? o.title_en : o.title_it;
      } else if (e.action == "package.assigned") {
        if (auto p = d.packages.package(e.note)) what = p->name(lang);
      }
      r.set("service", what);
      r.set("levels", e.service_code.empty() ? std::string()
                                             : level_label(d.view, lang, e.level_before) + " → " +
                                                   level_label(d.view, lang, e.level_after));
      r.set("credits", std::to_string(e.credits_before) + " → " + std::to_string(e.credits_after));
      ledger.push_back(r);
    }
  x.set("ledger", ledger);
  return web::private_page(d.view, req, page, error ? web::form_status(*error) : 200);
}

http::Response body_package_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return body_package_page(d, req, c, nullptr, {});
}

// The body's package page: its own administrators (manage_staff on the body) and the hub's (manage_hub),
// who read it and give credits from it. Another body's administrator gets 403, an unknown body 404.
http::Handler body_or_hub_route(WebDeps& d,
                                http::Response (*fn)(WebDeps&, http::Request&, const StaffCall&)) {
  return [&d, fn](http::Request& req) -> http::Response {
    StaffCall call{d.tenants.by_slug(req.param("slug")), identity::principal_of(req)};
    if (!call.body) return d.view.error_page(req, 404);
    if (!identity::authorize(call.who, Permission::manage_hub, 0))
      if (auto st = identity::authorize(call.who, Permission::manage_staff, call.body->id); !st)
        return identity::staff_refusal(d.view, req, st.error());
    return fn(d, req, call);
  };
}

// --- a body's logo -------------------------------------------------------------------------------------

http::Response logo_page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error, int status) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "hub_body_logo",
                                   d.view.t(lang, "ui.hub_logo_title"), "", "", false);
  auto& x = page.data;
  x.set("title", page.title);
  if (error) {
    web::set_form_error(d.view, req, page, *error);
    x.set("invalid", true);
  }
  x.set("action", "/backoffice/" + c.body->slug + "/stemma");
  if (req.query_param("fatto") == "1") x.set("saved", true);
  if (req.query_param("fatto") == "0") x.set("removed", true);
  if (auto l = d.logos.current(c.body->id)) {
    x.set("has_logo", true);
    // The address changes with the picture: the portal's header caches it (see logo_get).
    x.set("logo_src", "/" + c.body->slug + "/stemma?v=" + l->sha256.substr(0, 16));
    x.set("logo_text", web::ui(d.view, lang, "ui.hub_logo_current",
                               {{"type", l->mime_type == "image/png"    ? std::string("PNG")
                                         : l->mime_type == "image/jpeg" ? std::string("JPEG")
                                                                        : std::string("WebP")},
                                {"width", text::group_digits(l->width, lang)},
                                {"height", text::group_digits(l->height, lang)},
                                {"at", time::it_datetime_text(l->updated_at)}}));
  }
  x.set("portal_href", "/" + c.body->slug + "/");
  return web::private_page(d.view, req, page, status);
}

http::Response logo_get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return logo_page(d, req, c, nullptr, 200);
}

http::Response logo_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  std::string bytes;
  auto form = posted_form(req, "logo", bytes);
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const std::string back = "/backoffice/" + c.body->slug + "/stemma";
  if (web::form_field(*form, "action") == "remove") {
    if (auto st = d.logos.remove(c.who, c.body->id); !st) {
      if (st.error().http_status == 401 || st.error().http_status == 403)
        return identity::staff_refusal(d.view, req, st.error());
      return logo_page(d, req, c, &st.error(), web::form_status(st.error()));
    }
    return web::see_other(back + "?fatto=0");
  }
  if (bytes.empty()) {
    const auto e = Error::for_field("hub.logo_required", "logo");
    return logo_page(d, req, c, &e, 400);
  }
  auto set = d.logos.set(c.who, c.body->id, bytes);
  if (!set) {
    if (set.error().http_status == 401 || set.error().http_status == 403)
      return identity::staff_refusal(d.view, req, set.error());
    return logo_page(d, req, c, &set.error(), web::form_status(set.error()));
  }
  return web::see_other(back + "?fatto=1");
}

// The body's logo as an image, for its portal's header and anyone's page: the uploaded picture with the
// type read from it at upload (never sniffed, never run), or, for a body without one, a redirect to its
// static logo or the default crest. Cached five minutes, or a year at an address naming its digest.
http::Response public_logo(WebDeps& d, http::Request& req) {
  auto body = d.tenants.by_slug(req.param("slug"));
  if (!body || !body->active) return d.view.error_page(req, 404);
  auto c = d.logos.content(body->id);
  if (!c) return d.view.error_page(req, 500);
  if (!*c) {
    auto r = http::Response::redirect(
        "/static/" + (body->logo_path.empty() ? std::string("img/stemma-ente.svg") : body->logo_path), 302);
    r.header("Cache-Control", "public, max-age=300");
    return r;
  }
  auto& [logo, bytes] = **c;
  const std::string etag = "\"" + logo.sha256 + "\"";
  const bool named = req.query_param("v") == logo.sha256.substr(0, 16);
  const std::string cache = named ? "public, max-age=31536000, immutable" : "public, max-age=300";
  if (const auto* inm = req.header("if-none-match"); inm && *inm == etag) {
    http::Response r;
    r.status = 304;
    r.content_type.clear();
    r.header("ETag", etag);
    r.header("Cache-Control", cache);
    return r;
  }
  auto r = http::Response::text(std::move(bytes));
  r.content_type = logo.mime_type;
  r.header("ETag", etag);
  r.header("Cache-Control", cache);
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Content-Security-Policy", "default-src 'none'; sandbox");
  r.header("Cross-Origin-Resource-Policy", "cross-origin");
  return r;
}

http::Response body_package_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto code = web::form_field(*form, "service");
  const int level = int_of(web::form_field(*form, "level"), -1);
  auto st = d.packages.change(c.who, c.body->id, code, level);
  if (!st) return body_package_page(d, req, c, &st.error(), code);
  return web::see_other("/backoffice/" + c.body->slug + "/pacchetto?fatto=" + code + "#svc-" + code);
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get(kBodiesPath, hub_staff_route(d, Permission::manage_hub, bodies_get));
  router.post(std::string(kBodiesPath) + "/nuovo", hub_staff_route(d, Permission::manage_hub, new_post));
  router.get(std::string(kBodiesPath) + "/bozze/{id}", hub_staff_route(d, Permission::manage_hub, draft_get));
  router.post(std::string(kBodiesPath) + "/bozze/{id}",
              hub_staff_route(d, Permission::manage_hub, draft_post));
  router.post(std::string(kBodiesPath) + "/crediti", hub_staff_route(d, Permission::manage_hub, grant_post));
  router.get(std::string(kPackagesPath) + "/{package}",
             hub_staff_route(d, Permission::manage_hub, package_get));
  router.post(kPackagesPath, hub_staff_route(d, Permission::manage_hub, package_post));
  router.post(std::string(kPackagesPath) + "/regole", hub_staff_route(d, Permission::manage_hub, rules_post));
  router.get("/backoffice/{slug}/pacchetto", body_or_hub_route(d, body_package_get));
  router.post("/backoffice/{slug}/pacchetto", staff_route(d, Permission::manage_staff, body_package_post));
  router.get("/backoffice/{slug}/stemma", body_or_hub_route(d, logo_get));
  router.post("/backoffice/{slug}/stemma", body_or_hub_route(d, logo_post));
  router.get("/{slug}/stemma", [&d](http::Request& r) { return public_logo(d, r); });
}

}  // namespace sp::hub
