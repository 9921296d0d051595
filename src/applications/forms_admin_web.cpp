// The body administrator's form pages: thin handlers over forms::DefinitionsService and the edit model of
// forms/overlay_form.hpp; the preview is drawn by the same renderer and templates as the citizen's pages.
#include "applications/forms_admin_web.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "applications/web_view_model.hpp"
#include "core/time.hpp"
#include "forms/overlay.hpp"
#include "forms/overlay_form.hpp"
#include "forms/render.hpp"
#include "http/multipart.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::applications {
namespace forms_admin_pages {
namespace json = boost::json;
using identity::Permission;
using identity::staff_route;
using identity::StaffCall;
using web::Data;

std::string list_href(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/moduli";
}
std::string streets_href(const tenants::Body& b) {
  return "/backoffice/" + b.slug + "/stradario";
}

web::Page staff_page(FormsAdminDeps& d, const http::Request& req, const StaffCall& a, const std::string& tpl,
                     const std::string& title, bool sub_page) {
  return web::backoffice_page(d.view, req, *a.body, a.who ? a.who->csrf_token : std::string(), tpl, title,
                              "ui.fadmin_title", list_href(*a.body), sub_page);
}

int to_int(const std::string& s) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size() ? n : -1;
}

// A text of the UI when it exists, else the fallback (list names the hub may add later).
std::string ui_or(FormsAdminDeps& d, std::string_view lang, const std::string& key,
                  const std::string& fallback) {
  return d.view.i18n().all(lang).count(key) ? d.view.t(lang, key) : fallback;
}

// An HTML id from a field path: "children.class" → "fa-children-class".
std::string html_id(const std::string& prefix, const std::string& path) {
  std::string out = prefix;
  for (char c : path) out += (c == '.' || c == ':') ? '-' : c;
  return out;
}

// The id of the page's input named `name` (forms/overlay_form.hpp), for the error's link to it.
std::string input_id(const std::string& name) {
  for (std::string_view prefix :
       {"label.it:", "label.en:", "help.it:", "help.en:", "options:", "list:", "required:"}) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::string kind(prefix.substr(0, prefix.size() - 1));
    std::replace(kind.begin(), kind.end(), '.', '-');
    return html_id("fa-" + kind + "-", name.substr(prefix.size()));
  }
  if (name.rfind("new.", 0) != 0) return {};
  std::string id = "fa-" + name;  // "new.label.it" → "fa-new-label-it"
  std::replace(id.begin(), id.end(), '.', '-');
  return id;
}

// ---- list --------------------------------------------------------------------------------------------

http::Response own_list(FormsAdminDeps& d, http::Request& req) {
  const auto* who = identity::principal_of(req);
  if (!who || !who->is_staff()) return web::see_other(identity::kStaffSignIn);
  auto body = d.tenants.by_id(who->tenant_id);
  if (!body || !identity::authorize(who, Permission::backoffice, body->id))
    return d.view.error_page(req, 403);
  return web::see_other(list_href(*body));
}

http::Response list_get(FormsAdminDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "forms_admin_list", d.view.t(lang, "ui.fadmin_title"), false);
  auto versions = d.definitions.overlay_versions(a.who, a.body->id);
  if (!versions) return d.view.error_page(req, versions.error().http_status);
  std::set<std::string> online;
  for (const auto& o : d.catalog.offerings(a.body->id))
    if (o.service.level >= catalog::online_application) online.insert(o.service.code);
  Data rows = web::list();
  for (const auto& code : d.definitions.codes()) {
    auto hub = d.definitions.hub(code);
    if (!hub) continue;
    Data r;
    r.set("code", code);
    r.set("title", hub->title.in(lang));
    r.set("href", list_href(*a.body) + "/" + code);
    r.set("online", online.count(code) > 0);
    r.set("hub_version", std::to_string(hub->version));
    auto v = versions->find(code);
    r.set("overlay_version", v == versions->end() ? std::string("—") : std::to_string(v->second));
    rows.push_back(r);
  }
  page.data.set("forms", rows);
  auto info = d.definitions.street_info(a.who, a.body->id);
  page.data.set("streets_href", streets_href(*a.body));
  page.data.set("streets_count", web::ui_count(d.view, lang, "ui.fadmin_streets_count",
                                               info ? static_cast<std::size_t>(info->count) : 0));
  return web::private_page(d.view, req, page);
}

// ---- edit ----------------------------------------------------------------------------------------------

// What the page shows: the stored state, or what was posted (a refused save keeps everything typed).
struct Shown {
  const forms::FormPairs* post = nullptr;
  std::string value(const std::string& name, const std::string& now) const {
    if (post)
      if (auto it = post->find(name); it != post->end()) return it->second;
    return now;
  }
  bool ticked(const std::string& name, bool now) const {
    if (post && post->count("form_page")) return !web::form_field(*post, name).empty();
    return now;
  }
};

// A rendered step of the preview: every field shown (conditions ignored), one empty item in each group.
json::object preview_step(FormsAdminDeps& d, const forms::Definition& def, const forms::Step& step,
                          const forms::Context& ctx, std::string_view lang) {
  forms::Answers answers;
  for (const auto& sec : step.sections)
    for (const auto& f : sec.fields)
      if (f.type == forms::FieldType::group) answers[f.name] = json::array{json::object()};
  auto rs = forms::render_step(def, step.id, answers, {}, ctx, d.view.i18n(), lang);
  for (auto& sec : rs.sections) {
    sec.visible = true;
    for (auto& f : sec.fields) {
      f.visible = true;
      for (auto& item : f.items)
        for (auto& c : item.fields) c.visible = true;
    }
  }
  json::object sj = forms::to_json(rs);
  sj["title"] = step.title.in(lang);
  adorn_step(sj, d.view, lang);
  return sj;
}

http::Response edit_page(FormsAdminDeps& d, http::Request& req, const StaffCall& a, const std::string& code,
                         const forms::FormPairs* post, const Error* error,
                         const std::optional<json::object>& preview_overlay, int status) {
  const auto& lang = req.ctx.locale;
  auto eff = d.definitions.effective(a.body->id, code);
  if (!eff) return d.view.error_page(req, eff.error().http_status);
  const forms::Definition& hub = *eff->hub;
  const auto model = forms::edit_model(hub, *eff->def, eff->overlay);
  const Shown shown{post};
  const std::string bad = error ? error->field : std::string();

  auto page = staff_page(d, req, a, "forms_admin_edit", eff->def->title.in(lang), true);
  auto& data = page.data;
  data.set("form_title", eff->def->title.in(lang));
  data.set("code", code);
  data.set("action", list_href(*a.body) + "/" + code);
  data.set("hub_version", std::to_string(eff->hub_version));
  data.set("overlay_version", eff->overlay_version ? std::to_string(eff->overlay_version) : std::string("—"));
  data.set("based_on", shown.value("based_on", std::to_string(eff->stored_overlay_version)));
  if (eff->stale) {
    data.set("stale", web::ui(d.view, lang, "ui.fadmin_stale",
                              {{"version", std::to_string(eff->stored_overlay_version)},
                               {"detail", eff->stale->detail}}));
  }
  if (error) {
    web::set_form_error(d.view, req, page, *error);
    if (const std::string id = input_id(error->field); !id.empty()) data.set("error_href", "#" + id);
  }
  if (const std::string saved = req.query_param("salvato"); !saved.empty() && !post)
    data.set("notice", web::ui(d.view, lang, "ui.fadmin_saved", {{"version", saved}}));
  if (preview_overlay) data.set("notice", d.view.t(lang, "ui.fadmin_preview_notice"));

  // label.it:<path>, label.en:<path>, help.it:<path>, help.en:<path> (forms/overlay_form.hpp).
  auto text_inputs = [&](Data& row, const std::string& path, const forms::Text& label,
                         const forms::Text& help) {
    for (const auto& [what, t] :
         {std::pair<std::string, const forms::Text*>{"label", &label}, {"help", &help}}) {
      for (const char* l : {"it", "en"}) {
        const std::string name = what + "." + l + ":" + path;
        const std::string now = std::string_view(l) == "it" ? t->it : t->en;
        row.set(what + "_" + l, shown.value(name, now));
        row.set(what + "_" + l + "_name", name);
        row.set(what + "_" + l + "_id", html_id("fa-" + what + "-" + l + "-", path));
        row.set(what + "_" + l + "_invalid", bad == name);
      }
    }
  };

  // The form's own texts.
  {
    Data form;
    form.set("title_it", shown.value("title.it", model.title.it));
    form.set("title_en", shown.value("title.en", model.title.en));
    form.set("intro_it", shown.value("intro.it", model.intro.it));
    form.set("intro_en", shown.value("intro.en", model.intro.en));
    form.set("hub_title", hub.title.in(lang));
    data.set("form", form);
  }
  // Fields by step.
  Data steps = web::list();
  Data after_options = web::list();
  const std::string after = shown.value("new.after", "");
  {
    Data step;
    Data fields = web::list();
    std::string current_step;
    bool open = false;
    auto flush = [&] {
      if (!open) return;
      step.set("fields", fields);
      steps.push_back(step);
      step = Data();
      fields = web::list();
    };
    for (const auto& f : model.fields) {
      if (!open || f.step_id != current_step) {
        flush();
        current_step = f.step_id;
        const forms::Step* st = eff->def->step(f.step_id);
        step.set("title", st ? st->title.in(lang) : f.step_id);
        open = true;
      }
      Data row;
      row.set("path", f.path);
      row.set("type", ui_or(d, lang, "ui.fadmin_type_" + f.type, f.type));
      row.set("nested", f.depth > 0);
      row.set("added", f.added);
      row.set("heading", f.label.in(lang));
      text_inputs(row, f.path, f.label, f.help);
      if (!f.added) {
        // The hub's wording, when the body changed it.
        if (f.hub_label.it != f.label.it || f.hub_label.en != f.label.en)
          row.set("hub_label", f.hub_label.in(lang));
      } else {
        row.set("required", shown.ticked("required:" + f.path, f.required));
        row.set("required_name", "required:" + f.path);
        row.set("required_id", html_id("fa-required-", f.path));
        row.set("remove", shown.ticked("remove:" + f.path, false));
        row.set("remove_name", "remove:" + f.path);
        row.set("remove_id", html_id("fa-remove-", f.path));
        if (f.type == "choice" || f.type == "multi_choice") {
          row.set("has_options", true);
          row.set("options", shown.value("options:" + f.path, f.options_text));
          row.set("options_name", "options:" + f.path);
          row.set("options_id", html_id("fa-options-", f.path));
          row.set("options_invalid", bad == "options:" + f.path);
        }
      }
      fields.push_back(row);
      Data o;
      o.set("value", f.path);
      o.set("label", (f.depth ? "— " : "") + f.label.in(lang) + " (" + f.path + ")");
      o.set("selected", f.path == after);
      after_options.push_back(o);
    }
    flush();
  }
  data.set("steps", steps);
  // Lists the hub leaves to the body.
  Data lists = web::list();
  for (const auto& l : model.lists) {
    Data r;
    r.set("name", "list:" + l.name);
    r.set("id", html_id("fa-list-", l.name));
    r.set("label", ui_or(d, lang, "ui.fadmin_list_" + l.name, l.name));
    r.set("text", shown.value("list:" + l.name, l.text));
    r.set("invalid", bad == "list:" + l.name);
    lists.push_back(r);
  }
  data.set("lists", lists);
  data.set("has_lists", !model.lists.empty());
  // A new field.
  {
    Data n;
    n.set("after_options", after_options);
    Data types = web::list();
    const std::string type = shown.value("new.type", "text");
    for (const auto& t : forms::addable_types()) {
      Data o;
      o.set("value", t);
      o.set("label", ui_or(d, lang, "ui.fadmin_type_" + t, t));
      o.set("selected", t == type);
      types.push_back(o);
    }
    n.set("types", types);
    for (const char* k : {"name", "label.it", "label.en", "help.it", "help.en", "options"}) {
      std::string key = k;
      std::replace(key.begin(), key.end(), '.', '_');
      n.set(key, shown.value(std::string("new.") + k, ""));
      n.set(key + "_invalid", bad == std::string("new.") + k);
    }
    n.set("after_invalid", bad == "new.after");
    n.set("type_invalid", bad == "new.type");
    n.set("required", shown.ticked("new.required", false));
    data.set("new", n);
  }
  // The preview: the definition in force, or the one the post describes.
  std::shared_ptr<const forms::Definition> shown_def = eff->def;
  if (preview_overlay)
    if (auto m = forms::apply_overlay(hub, *preview_overlay))
      shown_def = std::make_shared<const forms::Definition>(std::move(*m));
  forms::Context ctx;
  ctx.today = time::rome_date(time::system_clock().now());
  ctx.streets = *eff->streets;
  Data preview = web::list();
  for (const auto& st : shown_def->steps)
    preview.push_back(to_data(preview_step(d, *shown_def, st, ctx, lang)));
  data.set("preview_steps", preview);
  if (!shown_def->intro.in(lang).empty()) data.set("preview_intro", shown_def->intro.in(lang));
  data.set("preview_title", shown_def->title.in(lang));
  // The history.
  auto history = d.definitions.history(a.who, a.body->id, code);
  if (!history) return d.view.error_page(req, history.error().http_status);
  Data versions = web::list();
  for (const auto& v : *history) {
    Data r;
    r.set("version", std::to_string(v.version));
    r.set("saved_at", time::it_datetime_text(v.saved_at));
    r.set("saved_by", v.saved_by_name);
    r.set("base_version", std::to_string(v.base_version));
    r.set("in_force", v.version == eff->overlay_version);
    if (v.restored_from)
      r.set("restored_from", web::ui(d.view, lang, "ui.fadmin_restored_from",
                                     {{"version", std::to_string(*v.restored_from)}}));
    else
      r.set("restored_from", false);
    versions.push_back(r);
  }
  data.set("versions", versions);
  data.set("has_versions", !history->empty());
  return web::private_page(d.view, req, page, status);
}

http::Response edit_get(FormsAdminDeps& d, http::Request& req, const StaffCall& a) {
  return edit_page(d, req, a, req.param("code"), nullptr, nullptr, std::nullopt, 200);
}

http::Response edit_post(FormsAdminDeps& d, http::Request& req, const StaffCall& a) {
  const std::string code = req.param("code");
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto eff = d.definitions.effective(a.body->id, code);
  if (!eff) return d.view.error_page(req, eff.error().http_status);
  const int expected = to_int(web::form_field(*form, "based_on"));
  const std::string action = web::form_field(*form, "azione");
  auto saved_redirect = [&](int version) {
    return web::see_other(list_href(*a.body) + "/" + code + "?salvato=" + std::to_string(version) +
                          "#h-versions");
  };
  if (action == "ripristina") {
    auto restored = d.definitions.restore(a.who, a.body->id, code, to_int(web::form_field(*form, "versione")),
                                          expected < 0 ? eff->stored_overlay_version : expected);
    if (!restored)
      return edit_page(d, req, a, code, nullptr, &restored.error(), std::nullopt,
                       restored.error().http_status);
    return saved_redirect(restored->version);
  }
  auto overlay = forms::overlay_from_post(*eff->hub, eff->overlay, *form);
  if (!overlay)
    return edit_page(d, req, a, code, &*form, &overlay.error(), std::nullopt, overlay.error().http_status);
  if (action == "anteprima") return edit_page(d, req, a, code, &*form, nullptr, *overlay, 200);
  auto saved = d.definitions.save_overlay(a.who, a.body->id, code, std::move(*overlay),
                                          expected < 0 ? eff->stored_overlay_version : expected);
  if (!saved)
    return edit_page(d, req, a, code, &*form, &saved.error(), std::nullopt, saved.error().http_status);
  return saved_redirect(saved->version);
}

// ---- street list
// -------------------------------------------------------------------------------------------

http::Response streets_page(FormsAdminDeps& d, http::Request& req, const StaffCall& a,
                            const std::string* typed, const Error* error, int status) {
  const auto& lang = req.ctx.locale;
  auto page = staff_page(d, req, a, "forms_admin_streets", d.view.t(lang, "ui.fadmin_streets_title"), true);
  auto info = d.definitions.street_info(a.who, a.body->id);
  auto streets = d.definitions.street_list(a.who, a.body->id);
  if (!info || !streets) return d.view.error_page(req, 403);
  std::string text;
  if (typed) {
    text = *typed;
  } else {
    for (const auto& s : *streets) text += (s.code.empty() ? s.name : s.code + ";" + s.name) + "\n";
  }
  page.data.set("action", streets_href(*a.body));
  page.data.set("streets_text", text);
  page.data.set(
      "count", web::ui_count(d.view, lang, "ui.fadmin_streets_count", static_cast<std::size_t>(info->count)));
  if (info->revision > 0)
    page.data.set("imported", web::ui(d.view, lang, "ui.fadmin_streets_imported",
                                      {{"when", time::it_datetime_text(info->imported_at)},
                                       {"who", info->imported_by_name}}));
  if (const std::string n = req.query_param("importate"); !n.empty() && !typed)
    page.data.set("notice", web::ui_count(d.view, lang, "ui.fadmin_streets_done",
                                          static_cast<std::size_t>(std::max(0, to_int(n)))));
  if (error) web::set_form_error(d.view, req, page, *error);
  return web::private_page(d.view, req, page, status);
}

http::Response streets_get(FormsAdminDeps& d, http::Request& req, const StaffCall& a) {
  return streets_page(d, req, a, nullptr, nullptr, 200);
}

http::Response streets_post(FormsAdminDeps& d, http::Request& req, const StaffCall& a) {
  forms::FormPairs fields;
  std::string text;
  const std::string* ct = req.header("content-type");
  if (ct && http::is_multipart_form(*ct)) {
    auto mp = req.multipart();
    if (!mp) return d.view.error_page(req, 400);
    fields = mp->fields();
    if (auto files = mp->files("file"); !files.empty()) text = files.front()->data;
  } else {
    auto f = req.form();
    if (!f) return d.view.error_page(req, 400);
    fields = std::move(*f);
  }
  if (auto st = identity::check_csrf(req, fields); !st) return d.view.error_page(req, st.error().http_status);
  if (text.empty()) text = web::form_field(fields, "streets");
  auto imported = d.definitions.import_streets(a.who, a.body->id, text);
  if (!imported) return streets_page(d, req, a, &text, &imported.error(), imported.error().http_status);
  return web::see_other(streets_href(*a.body) + "?importate=" + std::to_string(*imported));
}

}  // namespace forms_admin_pages

void register_forms_admin_pages(http::Router& router, FormsAdminDeps& d) {
  namespace p = forms_admin_pages;
  router.get("/backoffice/moduli", [&d](http::Request& r) { return p::own_list(d, r); });
  router.get("/backoffice/{slug}/moduli", staff_route(d, identity::Permission::backoffice, p::list_get));
  router.get("/backoffice/{slug}/moduli/{code}",
             staff_route(d, identity::Permission::backoffice, p::edit_get));
  router.post("/backoffice/{slug}/moduli/{code}",
              staff_route(d, identity::Permission::customise_forms, p::edit_post));
  router.get("/backoffice/{slug}/stradario",
             staff_route(d, identity::Permission::backoffice, p::streets_get));
  router.post("/backoffice/{slug}/stradario",
              staff_route(d, identity::Permission::customise_forms, p::streets_post));
}

}  // namespace sp::applications
