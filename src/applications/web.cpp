// The citizen's application pages. Handlers are thin: they check who asks, read the post, call
// ApplicationService and fill the view models of web/templates/application_*.mustache.
#include "applications/web.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include "applications/receipt_pdf.hpp"
#include "applications/web_view_model.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "forms/prefill.hpp"
#include "forms/render.hpp"
#include "identity/applicant.hpp"
#include "identity/model.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::applications {
namespace json = boost::json;
namespace {

using web::Data;

// The browser's key to a step posted without a valid session (see ApplicationService::park).
constexpr const char* kRecoveryCookie = "sp_recupero";

http::Response sign_in(int level, const std::string& next) {
  return web::see_other("/accedi?livello=" + std::to_string(level) +
                        "&next=" + text::percent_encode(next, "/"));
}

http::Response personal(std::string html, int status = 200) {
  auto r = http::Response::html(std::move(html), status);
  r.header("Cache-Control", "no-store");
  return r;
}

// Who applies on these pages: a person signed in at the service's SPID level, or a counter operator with
// an assisted session open (the citizen's identity was checked on a document: no SPID level applies).
// Anyone else (staff not assisting included) is sent to the sign-in.
const identity::Principal* person_at(const http::Request& req, int level) {
  const auto* p = identity::principal_of(req);
  if (p && p->kind == identity::PrincipalKind::person && p->auth_level >= level) return p;
  if (identity::applies_at_counter(p)) return p;
  return nullptr;
}

// "Stai compilando per conto di Mario Rossi (RSSMRA…)": on every page an operator fills at the counter.
void assisting_banner(WebDeps& d, const http::Request& req, web::Page& page) {
  const auto* p = identity::principal_of(req);
  if (!identity::applies_at_counter(p)) return;
  page.data.set("assisting_banner",
                d.view.i18n().format(req.ctx.locale, "ui.app_assisting_banner",
                                     {{"name", p->assisting->name}, {"cf", p->assisting->fiscal_code}}));
  page.data.set("assisting_back", d.view.t(req.ctx.locale, "ui.app_assisting_back"));
}

int level_of(const catalog::Service& s) {
  return std::max(1, s.spid_level);
}

int parse_step(const std::string& s) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 1 || n > 999) return 0;
  return n;
}

struct Urls {
  std::string base;
  [[nodiscard]] std::string step(int n) const { return base + "/passo/" + std::to_string(n); }
  [[nodiscard]] std::string summary() const { return base + "/riepilogo"; }
  [[nodiscard]] std::string send() const { return base + "/invia"; }
  [[nodiscard]] std::string receipt() const { return base + "/ricevuta"; }
  [[nodiscard]] std::string pdf() const { return base + "/ricevuta.pdf"; }
};

Urls urls(const std::string& slug, const std::string& draft_id) {
  return {"/" + slug + "/domande/" + draft_id};
}

// The SPID level a draft's pages need: its service's; 2 when the draft is unknown (a probe learns nothing).
int draft_level(WebDeps& d, tenants::TenantId tenant, const std::string& id) {
  auto draft = d.applications.peek(tenant, id);
  if (!draft) return 2;
  auto o = d.applications.online_offering(tenant, draft->service_code);
  return o ? level_of(o->service) : 2;
}

std::string rome_date_of(const std::string& iso) {
  auto tp = time::parse_iso_utc(iso);
  return tp ? time::format_it_date(*tp) : iso;
}

web::Page page_for(WebDeps& d, const http::Request& req, const Opened& o, const std::string& tmpl,
                   const std::string& title) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = tmpl;
  page.title = title + " — " + o.def->title.in(lang);
  page.noindex = true;
  page.body_slug = o.body->slug;
  page.body_name = o.body->name;
  page.breadcrumb = {
      {d.view.t(lang, "ui.home"), "/"},
      {o.body->name, "/" + o.body->slug + "/"},
      {o.offering.service.title.in(lang), "/" + o.body->slug + "/servizi/" + o.draft.service_code},
      {title, ""}};
  page.data.set("form_title", o.def->title.in(lang));
  page.data.set("body_name", o.body->name);
  page.data.set("privacy_href", "/" + o.body->slug + "/privacy");  // for the GDPR declaration
  assisting_banner(d, req, page);
  return page;
}

// The visible steps, for the progress list at the top of a step.
Data progress(const Opened& o, const forms::Answers& answers, const Urls& u, int current,
              std::string_view lang) {
  const json::object typed = forms::typed_answers(*o.def, answers, o.ctx);
  Data list = web::list();
  int shown = 0;
  for (std::size_t i = 0; i < o.def->steps.size(); ++i) {
    const auto& s = o.def->steps[i];
    if (!forms::step_visible(s, typed, o.ctx)) continue;
    Data item;
    item.set("title", s.title.in(lang));
    item.set("number", std::to_string(++shown));
    item.set("current", static_cast<int>(i) + 1 == current);
    item.set("href", u.step(static_cast<int>(i) + 1));
    list.push_back(item);
  }
  return list;
}

struct StepView {
  const forms::Answers* answers = nullptr;
  const std::vector<forms::Issue>* issues = nullptr;
  std::string notice;  // success (saved)
  std::string info;    // recovered answers, new questions
  int status = 200;
  bool recovered = false;
};

http::Response render_step(WebDeps& d, const http::Request& req, const identity::Principal& who,
                           const Opened& o, int n, const StepView& v) {
  const auto& lang = req.ctx.locale;
  const forms::Step& step = o.def->steps.at(static_cast<std::size_t>(n - 1));
  static const std::vector<forms::Issue> kNone;
  const auto& issues = v.issues ? *v.issues : kNone;
  forms::Answers shown = *v.answers;
  ApplicationService::pad_items(*o.def, step, shown, o.ctx);
  auto rs = forms::render_step(*o.def, step.id, shown, issues, o.ctx, d.view.i18n(), lang);
  json::object sj = forms::to_json(rs);
  adorn_step(sj, d.view, lang);
  const Urls u = urls(o.body->slug, o.draft.id);
  auto page = page_for(d, req, o, "application_step", step.title.in(lang));
  auto& data = page.data;
  data.set("step", to_data(sj));
  data.set("step_of", web::ui(d.view, lang, "ui.forms.step_of",
                              {{"number", std::to_string(rs.number)}, {"count", std::to_string(rs.count)}}));
  data.set("steps", progress(o, *v.answers, u, n, lang));
  if (rs.number == 1 && !o.def->intro.in(lang).empty()) data.set("intro", o.def->intro.in(lang));
  data.set("action", u.step(n));
  data.set("csrf", who.csrf_token);
  data.set("has_back", ApplicationService::visible_before(*o.def, *v.answers, o.ctx, n) > 0);
  if (!v.notice.empty()) data.set("notice", v.notice);
  if (!v.info.empty()) data.set("info", v.info);
  data.set("saved_text", web::ui(d.view, lang, "ui.app_draft_saved_at",
                                 {{"when", time::it_datetime_text(o.draft.updated_at)}}));
  data.set("summary_href", u.summary());
  return personal(d.view.render(req, page), v.status);
}

struct Posted {
  forms::FormPairs fields;
  std::vector<Upload> uploads;
};

// A step's body: multipart (the page always posts so, for its file inputs) or urlencoded.
Result<Posted> read_body(const http::Request& req) {
  Posted p;
  const std::string* ct = req.header("content-type");
  if (ct && http::is_multipart_form(*ct)) {
    auto mp = req.multipart();
    if (!mp) return mp.error();
    p.fields = mp->fields();
    for (const auto* part : mp->files())
      p.uploads.push_back({part->name, part->filename.value_or(""), part->data});
    return p;
  }
  auto f = req.form();
  if (!f) return f.error();
  p.fields = std::move(*f);
  return p;
}

std::string recovery_cookie(const WebDeps& d, const std::string& path, const std::string& value, bool clear) {
  std::string c = std::string(kRecoveryCookie) + "=" + value + "; Path=" + path + "; HttpOnly; SameSite=Lax";
  c += clear ? "; Max-Age=0" : "; Max-Age=86400";
  if (d.secure_cookies) c += "; Secure";
  return c;
}

// The post could not be saved (no valid session, or a stale form token): keep it aside for its owner
// and send the browser where it can continue (the sign-in, which comes back to this step).
http::Response park_and_redirect(WebDeps& d, const http::Request& req, const tenants::Body& body,
                                 const std::string& id, int n, const forms::FormPairs& fields,
                                 std::string to) {
  const Urls u = urls(body.slug, id);
  auto draft = d.applications.peek(body.id, id);
  auto def = draft ? d.applications.definition(body.id, draft->form_code) : nullptr;
  auto r = web::see_other(std::move(to));
  if (draft && !draft->submitted() && def && n >= 1 && n <= static_cast<int>(def->steps.size())) {
    std::string token = identity::cookie_value(req, kRecoveryCookie);
    if (token.size() != 43) token = ids::random_token(32);
    d.applications.park(body.id, id, def->steps[static_cast<std::size_t>(n - 1)].id, fields, token);
    r.header("Set-Cookie", recovery_cookie(d, u.base + "/", token, false));
  }
  return r;
}

// ---- Start -------------------------------------------------------------------------------------------

http::Response start(WebDeps& d, http::Request& req) {
  auto body = d.tenants.by_id(req.ctx.tenant_id);
  if (!body) return d.view.error_page(req, 404);
  auto offering = d.applications.online_offering(body->id, req.param("code"));
  if (!offering) return d.view.error_page(req, offering.error().http_status);
  const auto* who = person_at(req, level_of(offering->service));
  if (!who) return sign_in(level_of(offering->service), req.path);
  auto draft = d.applications.start(*who, body->id, offering->service.code);
  // A business's form while acting for oneself: where one declares the business or acts for it.
  if (!draft && draft.error().code == "applications.business_only")
    return web::see_other("/area-personale/deleghe?per=impresa");
  if (!draft) return d.view.error_page(req, draft.error().http_status);
  auto def = d.applications.definition(body->id, draft->form_code);
  const int n = def ? std::max(1, ApplicationService::step_number(*def, draft->step)) : 1;
  return web::see_other(urls(body->slug, draft->id).step(n));
}

// ---- Steps ---------------------------------------------------------------------------------------------

http::Response step_get(WebDeps& d, http::Request& req) {
  auto body = d.tenants.by_id(req.ctx.tenant_id);
  if (!body) return d.view.error_page(req, 404);
  const std::string id = req.param("draft");
  const int level = draft_level(d, body->id, id);
  const auto* who = person_at(req, level);
  if (!who) return sign_in(level, req.path);
  auto o = d.applications.open(*who, body->id, id);
  if (!o) return d.view.error_page(req, o.error().http_status);
  const Urls u = urls(body->slug, id);
  if (o->draft.submitted()) return web::see_other(u.receipt());
  const int n = parse_step(req.param("step"));
  if (n == 0 || n > static_cast<int>(o->def->steps.size())) return d.view.error_page(req, 404);
  const auto& lang = req.ctx.locale;

  forms::Answers answers = o->draft.answers;
  StepView v;
  // A step posted while signed out, by this browser: shown again to review and save.
  const std::string token = identity::cookie_value(req, kRecoveryCookie);
  if (auto parked = d.applications.parked(o->draft, token); parked) {
    if (parked->step == o->def->steps[static_cast<std::size_t>(n - 1)].id) {
      forms::merge_step(*o->def, parked->step, parked->answers, answers);
      forms::enforce_locked(*o->def, o->ctx.facts, answers);
      v.info = d.view.t(lang, "ui.app_recovered_notice");
      v.recovered = true;
    }
  }
  const int visible = ApplicationService::visible_from(*o->def, answers, o->ctx, n);
  if (visible != n) return web::see_other(visible ? u.step(visible) : u.summary());
  if (req.query_param("salvata") == "1") v.notice = d.view.t(lang, "ui.app_saved_notice");
  v.answers = &answers;
  return render_step(d, req, *who, *o, n, v);
}

http::Response step_post(WebDeps& d, http::Request& req) {
  auto body = d.tenants.by_id(req.ctx.tenant_id);
  if (!body) return d.view.error_page(req, 404);
  const std::string id = req.param("draft");
  const int n = parse_step(req.param("step"));
  const Urls u = urls(body->slug, id);
  auto posted = read_body(req);
  if (!posted) return d.view.error_page(req, 400);
  const int level = draft_level(d, body->id, id);
  const auto* who = person_at(req, level);
  if (!who)
    return park_and_redirect(
        d, req, *body, id, n, posted->fields,
        "/accedi?livello=" + std::to_string(level) + "&next=" + text::percent_encode(u.step(n), "/"));
  auto o = d.applications.open(*who, body->id, id);
  if (!o) return d.view.error_page(req, o.error().http_status);
  if (!identity::check_csrf(req, posted->fields)) {
    // The owner's session changed since the page was shown (signed in again elsewhere): keep the post.
    return park_and_redirect(d, req, *body, id, n, posted->fields, u.step(n));
  }
  if (o->draft.submitted()) return web::see_other(u.receipt());
  if (n == 0 || n > static_cast<int>(o->def->steps.size())) return d.view.error_page(req, 404);
  const forms::Step& step = o->def->steps[static_cast<std::size_t>(n - 1)];
  const auto& lang = req.ctx.locale;

  StepPost post;
  post.step_id = step.id;
  post.fields = posted->fields;
  post.uploads = std::move(posted->uploads);
  const std::string act = web::form_field(posted->fields, "azione");
  auto after = [&](std::string_view prefix) {
    return act.rfind(prefix, 0) == 0 ? act.substr(prefix.size()) : std::string();
  };
  if (auto rest = after(action::kRemoveFile); !rest.empty()) {
    auto colon = rest.find(':');
    if (colon != std::string::npos)
      post.remove_files.emplace_back(rest.substr(0, colon), rest.substr(colon + 1));
  }
  post.add_item = after(action::kAddItem);
  post.remove_item = after(action::kRemoveItem);

  auto saved = d.applications.save_step(*who, *o, post);
  if (!saved) {
    if (saved.error().code == "applications.submitted") return web::see_other(u.receipt());
    return d.view.error_page(req, saved.error().http_status, d.view.i18n().message(lang, saved.error()));
  }
  // Saved: a post kept aside earlier has been reviewed and is now in the draft.
  const bool had_recovery = !identity::cookie_value(req, kRecoveryCookie).empty();
  if (had_recovery) d.applications.unpark(o->draft);
  auto finish = [&](http::Response r) {
    if (had_recovery) r.header("Set-Cookie", recovery_cookie(d, u.base + "/", "", true));
    return r;
  };

  StepView v;
  v.answers = &o->draft.answers;
  if (saved->uploads_refused) {  // the field's message (type, size, count) on the same step
    std::vector<forms::Issue> shown = saved->issues;
    if (act != action::kNext) {
      shown.erase(std::remove_if(shown.begin(), shown.end(),
                                 [&](const forms::Issue& i) {
                                   return std::none_of(post.uploads.begin(), post.uploads.end(),
                                                       [&](const Upload& up) { return up.path == i.path; });
                                 }),
                  shown.end());
    }
    v.issues = &shown;
    v.status = 422;
    return finish(render_step(d, req, *who, *o, n, v));
  }
  if (act == action::kSave) return finish(web::see_other(u.step(n) + "?salvata=1"));
  if (act == action::kBack) {
    const int prev = ApplicationService::visible_before(*o->def, o->draft.answers, o->ctx, n);
    return finish(web::see_other(u.step(prev > 0 ? prev : n)));
  }
  if (act != action::kNext) {  // add or remove an item or a file, upload: back to the same step
    std::string anchor;
    if (!post.add_item.empty()) anchor = "#f-" + post.add_item;
    return finish(web::see_other(u.step(n) + anchor));
  }
  if (saved->revealed) {  // without JavaScript, questions that depend on the answers appear now
    v.info = d.view.t(lang, "ui.app_revealed_notice");
    return finish(render_step(d, req, *who, *o, n, v));
  }
  if (!saved->issues.empty()) {
    v.issues = &saved->issues;
    v.status = 422;
    return finish(render_step(d, req, *who, *o, n, v));
  }
  const int next = ApplicationService::visible_from(*o->def, o->draft.answers, o->ctx, n + 1);
  return finish(web::see_other(next ? u.step(next) : u.summary()));
}

// ---- Summary and sending ------------------------------------------------------------------------------

// The answers of every visible step, with their problems; for the summary, the receipt and its PDF.
struct FormView {
  forms::RenderForm form;
  json::object json;
};

FormView form_view(WebDeps& d, const Opened& o, const std::vector<forms::Issue>& issues,
                   const std::string& lang) {
  FormView fv;
  fv.form = forms::render_form(*o.def, o.draft.answers, issues, o.ctx, d.view.i18n(), lang);
  fv.json = forms::to_json(fv.form);
  adorn_form(fv.json, d.view, lang);
  const Urls u = urls(o.body->slug, o.draft.id);
  if (json::value* steps = fv.json.if_contains("steps"); steps && steps->is_array())
    for (auto& s : steps->get_array()) {
      auto& so = s.get_object();
      const int n = ApplicationService::step_number(*o.def, std::string(so.at("id").as_string()));
      so["edit_href"] = u.step(n);
      if (json::value* errs = so.if_contains("errors"); errs && errs->is_array())
        for (auto& e : errs->get_array()) {
          auto& eo = e.get_object();
          eo["href"] = u.step(n) + "#" + std::string(eo.at("id").as_string());
        }
    }
  return fv;
}

// The same person already applied for the same period (ApplicationService::duplicates): a warning next to
// the code on the summary, before sending. Sending stays possible: the office decides.
void warn_duplicates(WebDeps& d, const identity::Principal& who, const Opened& o, json::object& form,
                     const std::string& lang) {
  std::map<std::string, json::array> by_input;
  for (const auto& x : d.applications.duplicates(who, o, lang)) {
    auto at = time::parse_iso_utc(x.submitted_at);
    const std::string day = at ? time::format_it_date(time::rome_date(*at)) : x.submitted_at;
    by_input[x.path].push_back(json::object{
        {"text",
         d.view.i18n().format(
             lang,
             x.by_someone_else
                 ? (x.period.empty() ? "ui.app_duplicate_other" : "ui.app_duplicate_other_period")
             : x.period.empty() ? "ui.app_duplicate"
                                : "ui.app_duplicate_period",
             {{"code", x.code}, {"period", x.period}, {"protocol", x.protocol_label}, {"date", day}})}});
  }
  if (by_input.empty()) return;
  std::function<void(json::value&)> walk = [&](json::value& v) {
    if (v.is_array()) {
      for (auto& x : v.get_array()) walk(x);
      return;
    }
    if (!v.is_object()) return;
    auto& obj = v.get_object();
    if (const json::value* input = obj.if_contains("input"); input && input->is_string())
      if (auto it = by_input.find(std::string(input->get_string())); it != by_input.end())
        obj["warnings"] = it->second;
    for (const char* key : {"steps", "sections", "fields", "items"})
      if (json::value* child = obj.if_contains(key)) walk(*child);
  };
  json::value root = std::move(form);
  walk(root);
  form = std::move(root.get_object());
}

http::Response render_summary(WebDeps& d, const http::Request& req, const identity::Principal& who,
                              const Opened& o, const std::vector<forms::Issue>& issues, const Error* error,
                              int status) {
  const auto& lang = req.ctx.locale;
  auto page = page_for(d, req, o, "application_summary", d.view.t(lang, "ui.app_summary_title"));
  FormView fv = form_view(d, o, issues, lang);
  warn_duplicates(d, who, o, fv.json, lang);
  auto& data = page.data;
  data.set("form", to_data(fv.json));
  // Every problem of every step, each linked to its field.
  Data errors = web::list();
  std::size_t n_errors = 0;
  if (const json::value* steps = fv.json.if_contains("steps"); steps && steps->is_array())
    for (const auto& s : steps->get_array())
      if (const json::value* errs = s.get_object().if_contains("errors"); errs && errs->is_array())
        for (const auto& e : errs->get_array()) {
          errors.push_back(to_data(e));
          ++n_errors;
        }
  data.set("errors", errors);
  data.set("has_errors", n_errors > 0);
  data.set("ready", n_errors == 0 && issues.empty());
  if (error) {
    data.set("error", d.view.i18n().message(lang, *error));
    data.set("error_code", error->code);
  }
  const Urls u = urls(o.body->slug, o.draft.id);
  data.set("send_action", u.send());
  data.set("csrf", who.csrf_token);
  const int last = ApplicationService::visible_before(*o.def, o.draft.answers, o.ctx,
                                                      static_cast<int>(o.def->steps.size()) + 1);
  data.set("back_href", u.step(last > 0 ? last : 1));
  return personal(d.view.render(req, page), status);
}

// Resolves body, person and draft for the summary, sending and receipt pages; `refusal` when not allowed.
struct Access {
  std::shared_ptr<const tenants::Body> body;
  const identity::Principal* who = nullptr;
  std::optional<Opened> opened;
  std::optional<http::Response> refusal;
};

Access access(WebDeps& d, http::Request& req, const std::string& return_to_suffix) {
  Access a;
  a.body = d.tenants.by_id(req.ctx.tenant_id);
  if (!a.body) {
    a.refusal = d.view.error_page(req, 404);
    return a;
  }
  const std::string id = req.param("draft");
  const int level = draft_level(d, a.body->id, id);
  a.who = person_at(req, level);
  if (!a.who) {
    a.refusal = sign_in(level, urls(a.body->slug, id).base + return_to_suffix);
    return a;
  }
  auto o = d.applications.open(*a.who, a.body->id, id);
  if (!o) {
    a.refusal = d.view.error_page(req, o.error().http_status);
    return a;
  }
  a.opened = std::move(*o);
  return a;
}

http::Response summary(WebDeps& d, http::Request& req) {
  auto a = access(d, req, "/riepilogo");
  if (a.refusal) return std::move(*a.refusal);
  if (a.opened->draft.submitted()) return web::see_other(urls(a.body->slug, a.opened->draft.id).receipt());
  auto issues = forms::validate(*a.opened->def, a.opened->draft.answers, a.opened->ctx);
  return render_summary(d, req, *a.who, *a.opened, issues, nullptr, 200);
}

http::Response send(WebDeps& d, http::Request& req) {
  auto a = access(d, req, "/riepilogo");
  if (a.refusal) return std::move(*a.refusal);
  const Urls u = urls(a.body->slug, a.opened->draft.id);
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  // Sending twice (a double click, a retried POST) shows the one receipt.
  if (a.opened->draft.submitted()) return web::see_other(u.receipt());
  // A stale token only means the summary was shown before signing in again: show it again, nothing lost.
  if (!identity::check_csrf(req, *form)) return web::see_other(u.summary());
  auto sent = d.applications.submit(*a.who, *a.opened);
  if (!sent) {
    const Error& e = sent.error();
    return render_summary(d, req, *a.who, *a.opened, {}, &e, e.http_status >= 400 ? e.http_status : 500);
  }
  if (!sent->issues.empty()) return render_summary(d, req, *a.who, *a.opened, sent->issues, nullptr, 422);
  return web::see_other(u.receipt());
}

// ---- Receipt -------------------------------------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> receipt_facts(WebDeps& d, const Opened& o,
                                                               std::string_view lang) {
  std::vector<std::pair<std::string, std::string>> f;
  const auto& v = d.view;
  f.emplace_back(v.t(lang, "ui.app_protocol"), o.draft.protocol_label);
  f.emplace_back(v.t(lang, "ui.app_protocol_date"), rome_date_of(o.draft.submitted_at));
  f.emplace_back(v.t(lang, "ui.app_submitted_at"), time::it_datetime_text(o.draft.submitted_at));
  if (!o.draft.due_date.empty())
    f.emplace_back(v.t(lang, "ui.app_deadline"), web::ui(v, lang, "ui.app_deadline_value",
                                                         {{"date", time::it_date_text(o.draft.due_date)}}));
  if (o.offering.service.silence_consent)
    f.emplace_back(v.t(lang, "ui.app_silence"), v.t(lang, "ui.app_silence_text"));
  std::string applicant = o.draft.owner_cf;
  if (const json::value* name = o.ctx.facts.if_contains("profile.full_name"); name && name->is_string())
    applicant = std::string(name->get_string()) + " (" + o.draft.owner_cf + ")";
  f.emplace_back(v.t(lang, "ui.app_applicant"), applicant);
  if (!o.draft.on_behalf_of.empty()) f.emplace_back(v.t(lang, "ui.app_on_behalf_of"), o.draft.on_behalf_of);
  f.emplace_back(v.t(lang, "ui.app_body"), o.body->name);
  f.emplace_back(v.t(lang, "ui.app_service"), o.offering.service.title.in(lang));
  // The protocol number is the reference people quote; the case's internal id is not shown.
  return f;
}

http::Response receipt(WebDeps& d, http::Request& req) {
  auto a = access(d, req, "/ricevuta");
  if (a.refusal) return std::move(*a.refusal);
  const Opened& o = *a.opened;
  const Urls u = urls(a.body->slug, o.draft.id);
  if (!o.draft.submitted()) return web::see_other(u.summary());
  const auto& lang = req.ctx.locale;
  auto page = page_for(d, req, o, "application_receipt", d.view.t(lang, "ui.app_receipt_title"));
  FormView fv = form_view(d, o, {}, lang);
  page.data.set("form", to_data(fv.json));
  Data facts = web::list();
  for (const auto& [label, value] : receipt_facts(d, o, lang)) {
    Data f;
    f.set("label", label);
    f.set("value", value);
    facts.push_back(f);
  }
  page.data.set("facts", facts);
  page.data.set("protocol_label", o.draft.protocol_label);
  page.data.set("protocol_date", rome_date_of(o.draft.submitted_at));
  page.data.set("pdf_href", u.pdf());
  if (!o.draft.due_date.empty()) page.data.set("due_date", time::it_date_text(o.draft.due_date));
  return personal(d.view.render(req, page));
}

http::Response receipt_pdf(WebDeps& d, http::Request& req) {
  auto a = access(d, req, "/ricevuta.pdf");
  if (a.refusal) return std::move(*a.refusal);
  const Opened& o = *a.opened;
  if (!o.draft.submitted()) return web::see_other(urls(a.body->slug, o.draft.id).summary());
  const auto& lang = req.ctx.locale;
  ReceiptPdf r;
  r.title = d.view.t(lang, "ui.app_receipt_pdf_title");
  r.body_name = o.body->name;
  r.service_title = o.offering.service.title.in(lang);
  r.facts = receipt_facts(d, o, lang);
  r.answers_title = d.view.t(lang, "ui.app_answers");
  r.compress = req.query_param("compresso") != "no";  // tests read the text
  FormView fv = form_view(d, o, {}, lang);
  for (const auto& step : fv.form.steps) {
    r.lines.push_back({step.title, "", 0, true});
    for (const auto& sec : step.sections) {
      if (!sec.visible) continue;
      for (const auto& f : sec.fields) {
        if (!f.visible) continue;
        if (f.type == "group") {
          for (const auto& item : f.items) {
            r.lines.push_back({item.title, "", 1, true});
            for (const auto& c : item.fields)
              if (c.visible) r.lines.push_back({c.label, c.display, 2, false});
          }
          continue;
        }
        r.lines.push_back({f.label, f.display, 1, false});
      }
    }
  }
  r.footer = web::ui(d.view, lang, "ui.app_receipt_footer",
                     {{"protocol", o.draft.protocol_label}, {"body", o.body->name}});
  r.lang = d.view.t(lang, "pdf.lang");
  r.page_label = d.view.t(lang, "pdf.page_of");
  std::string name = "ricevuta-" + o.draft.protocol_label + ".pdf";
  std::replace(name.begin(), name.end(), '/', '-');
  std::string pdf;
  if (d.stamps != nullptr) {
    stamp::IssueRequest sr{o.body->id, "application-receipt",
                           r.title,    o.draft.protocol_label,
                           lang,       a.who != nullptr ? a.who->subject : "system"};
    auto issued = d.stamps->issue(sr, [&](const stamp::Block& b) {
      r.stamp = &b;
      return render_receipt_pdf(r);
    });
    if (issued) {
      pdf = std::move(issued->pdf);
    } else {
      spdlog::warn("application receipt of body {} without the digital stamp: {} {}", o.body->id,
                   issued.error().code, issued.error().detail);
    }
  }
  if (pdf.empty()) {
    r.stamp = nullptr;
    pdf = render_receipt_pdf(r);
  }
  return web::download_response(std::move(pdf), "application/pdf", name);
}

// ---- The person's applications ---------------------------------------------------------------------------

http::Response my_applications(WebDeps& d, http::Request& req) {
  if (auto redirect = identity::require_person(req, 1)) return *redirect;
  const auto* who = identity::principal_of(req);
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "application_list";
  page.title = d.view.t(lang, "ui.app_my_applications");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  Data open = web::list();
  Data sent = web::list();
  std::size_t n_open = 0, n_sent = 0;
  for (const auto& dr : d.applications.drafts_of(*who)) {
    auto body = d.tenants.by_id(dr.tenant_id);
    auto def = d.applications.definition(dr.tenant_id, dr.form_code);
    if (!body || !def) continue;
    const Urls u = urls(body->slug, dr.id);
    Data row;
    row.set("title", def->title.in(lang));
    row.set("body", body->name);
    row.set("updated", time::it_datetime_text(dr.updated_at));
    if (dr.submitted()) {
      row.set("href", u.receipt());
      row.set("protocol_label", dr.protocol_label);
      row.set("submitted", rome_date_of(dr.submitted_at));
      sent.push_back(row);
      ++n_sent;
    } else {
      row.set("href", u.step(std::max(1, ApplicationService::step_number(*def, dr.step))));
      open.push_back(row);
      ++n_open;
    }
  }
  page.data.set("open", open);
  page.data.set("has_open", n_open > 0);
  page.data.set("sent", sent);
  page.data.set("has_sent", n_sent > 0);
  page.data.set("none", n_open + n_sent == 0);
  return personal(d.view.render(req, page));
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/{slug}/servizi/{code}/domanda", [&d](http::Request& r) { return start(d, r); });
  router.get("/{slug}/domande/{draft}/passo/{step}", [&d](http::Request& r) { return step_get(d, r); });
  router.post("/{slug}/domande/{draft}/passo/{step}", [&d](http::Request& r) { return step_post(d, r); });
  router.get("/{slug}/domande/{draft}/riepilogo", [&d](http::Request& r) { return summary(d, r); });
  router.post("/{slug}/domande/{draft}/invia", [&d](http::Request& r) { return send(d, r); });
  router.get("/{slug}/domande/{draft}/ricevuta", [&d](http::Request& r) { return receipt(d, r); });
  router.get("/{slug}/domande/{draft}/ricevuta.pdf", [&d](http::Request& r) { return receipt_pdf(d, r); });
  router.get("/area-personale/domande", [&d](http::Request& r) { return my_applications(d, r); });
}

}  // namespace sp::applications
