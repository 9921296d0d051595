#include "export/web.hpp"

#include <algorithm>

#include "core/text_numbers.hpp"
#include "core/time.hpp"
#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "jobs/store.hpp"
#include "web/context.hpp"

namespace sp::body_export {
namespace {

using identity::StaffCall;

constexpr const char* kHubPath = "/backoffice/esportazioni";
constexpr const char* kBodyPath = "/esportazione";

Actor staff_actor(const StaffCall& c) {
  return Actor{audit::ActorKind::staff, c.who->subject, audit::Channel::web};
}

web::Data run_rows(WebDeps& d, const std::string& lang, const std::vector<ExportRun>& runs,
                   const std::string& base) {
  web::Data rows = web::list();
  for (const auto& r : runs) {
    web::Data row;
    row.set("id", r.id);
    auto b = d.tenants.by_id(r.tenant_id);
    row.set("body", b ? b->name : std::to_string(r.tenant_id));
    row.set("state", d.view.t(lang, "ui.export_state_" + r.state));
    row.set("state_code", r.state);
    row.set("requested_at", time::it_datetime_text(r.requested_at));
    row.set("finished_at", r.finished_at.empty() ? std::string() : time::it_datetime_text(r.finished_at));
    row.set("out_dir", r.out_dir);
    row.set("manifest_sha256", r.manifest_sha256);
    row.set("error", r.error);
    row.set("done", r.state == "done");
    row.set("manifest_href", base + "/" + r.id + "/manifest");
    // The archive to download through a link that works once (docs/export.md), when it is small enough
    // for the HTTP layer, which holds a whole response in memory.
    if (r.state == "done" && r.archive_size > 0) {
      row.set("archive_size", text::group_digits((r.archive_size + 1023) / 1024, lang) + " KB");
      if (r.archive_size <= kMaxDownloadBytes)
        row.set("link_action", base + "/" + r.id + "/collegamento");
      else
        row.set("archive_too_large", true);
    }
    rows.push_back(row);
  }
  return rows;
}

http::Response page(WebDeps& d, http::Request& req, const StaffCall& c, const Error* error,
                    const std::string& link = {}) {
  const auto& lang = req.ctx.locale;
  const bool hub = c.body == nullptr;
  const std::string base = hub ? std::string(kHubPath) : "/backoffice/" + c.body->slug + kBodyPath;
  web::Page p;
  if (hub) {
    p.template_name = "export_list";
    p.title = d.view.t(lang, "ui.export_title");
    p.noindex = true;
    p.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                    {d.view.t(lang, "ui.staff_home_title"), "/backoffice/"},
                    {p.title, ""}};
    p.data.set("csrf", c.who->csrf_token);
  } else {
    p = web::backoffice_page(d.view, req, *c.body, c.who->csrf_token, "export_list",
                             d.view.t(lang, "ui.export_title"), "", "", false);
  }
  p.data.set("title", p.title);
  p.data.set("action", base);
  std::vector<ExportRun> runs;
  web::Data bodies = web::list();
  auto snap = d.tenants.snapshot();
  for (const auto& b : snap->bodies) {
    if (!hub && b->id != c.body->id) continue;
    web::Data row;
    row.set("slug", b->slug);
    row.set("name", b->name);
    bodies.push_back(row);
    for (auto& r : d.exports.runs(b->id, hub ? 3 : 20)) runs.push_back(std::move(r));
  }
  std::sort(runs.begin(), runs.end(),
            [](const ExportRun& a, const ExportRun& b) { return a.requested_at > b.requested_at; });
  p.data.set("hub", hub);
  p.data.set("bodies", bodies);
  p.data.set("runs", run_rows(d, lang, runs, base));
  p.data.set("has_runs", !runs.empty());
  if (req.query_param("richiesta") == "1") p.data.set("queued", true);
  if (error) web::set_form_error(d.view, req, p, *error);
  if (!link.empty()) {
    p.data.set("link_href", "/backoffice/scarica-esportazione/" + link);
    p.data.set("link_text",
               web::ui(d.view, lang, "ui.export_link_made", {{"minutes", std::to_string(kLinkMinutes)}}));
  }
  return web::private_page(d.view, req, p, error ? web::form_status(*error) : 200);
}

http::Response get(WebDeps& d, http::Request& req, const StaffCall& c) {
  return page(d, req, c, nullptr);
}

http::Response post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  std::shared_ptr<const tenants::Body> body = c.body;
  if (!body) body = d.tenants.by_slug(web::form_field(*form, "ente"));
  if (!body) {
    auto e = Error::make("body_export.unknown_body", 404, web::form_field(*form, "ente"));
    return page(d, req, c, &e);
  }
  auto queued = d.exports.queue(body->id, staff_actor(c));
  if (!queued) return page(d, req, c, &queued.error());
  d.runner.notify();
  return web::see_other((c.body ? "/backoffice/" + c.body->slug + kBodyPath : std::string(kHubPath)) +
                        "?richiesta=1");
}

// The run named in the URL: of the page's body, or of any body on the hub's page.
std::optional<ExportRun> run_of(WebDeps& d, const http::Request& req, const StaffCall& c) {
  if (c.body) return d.exports.run(c.body->id, req.param("id"));
  for (const auto& b : d.tenants.snapshot()->bodies)
    if (auto r = d.exports.run(b->id, req.param("id"))) return r;
  return std::nullopt;
}

// A link to download a done export's archive, shown once on the page (the token is not kept).
http::Response link_post(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto r = run_of(d, req, c);
  if (!r) return d.view.error_page(req, 404);
  auto token = d.exports.create_link(r->tenant_id, r->id, staff_actor(c));
  if (!token) return page(d, req, c, &token.error());
  auto resp = page(d, req, c, nullptr, *token);
  resp.header("Cache-Control", "no-store");
  return resp;
}

// The download: any signed-in staff member holding a link of a body whose exports they may have (the
// hub's administrators: every body; a body's administrators: their own). The archive is sent whole.
http::Response download(WebDeps& d, http::Request& req) {
  const auto* who = identity::principal_of(req);
  if (who == nullptr || !who->is_staff())
    return identity::staff_refusal(d.view, req, Error::make("auth.required", 401));
  auto may = [who](std::int64_t tenant) {
    return static_cast<bool>(identity::authorize(who, identity::Permission::manage_hub, 0)) ||
           static_cast<bool>(identity::authorize(who, identity::Permission::manage_staff, tenant));
  };
  auto got = d.exports.redeem(req.param("token"), may,
                              Actor{audit::ActorKind::staff, who->subject, audit::Channel::web});
  if (!got) return d.view.error_page(req, got.error().http_status);
  auto bytes = BodyExportService::read_archive(*got);
  if (!bytes) return d.view.error_page(req, bytes.error().http_status);
  auto resp = http::Response::text(std::move(*bytes));
  resp.content_type = "application/x-tar";
  resp.header("Content-Disposition", "attachment; filename=\"" + got->file_name + "\"");
  resp.header("X-Content-Type-Options", "nosniff");
  resp.header("Cache-Control", "no-store");
  return resp;
}

http::Response manifest(WebDeps& d, http::Request& req, const StaffCall& c) {
  auto r = run_of(d, req, c);
  if (!r || r->state != "done") return d.view.error_page(req, 404);
  auto text = BodyExportService::verify_directory(r->out_dir);
  if (!text) return d.view.error_page(req, 410);
  auto resp = http::Response::json(*text);
  resp.header("Content-Disposition", "attachment; filename=\"manifest-" + r->id + ".json\"");
  resp.header("Cache-Control", "no-store");
  return resp;
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  using identity::Permission;
  router.get(kHubPath, identity::hub_staff_route(d, Permission::manage_hub, get));
  router.post(kHubPath, identity::hub_staff_route(d, Permission::manage_hub, post));
  router.get(std::string(kHubPath) + "/{id}/manifest",
             identity::hub_staff_route(d, Permission::manage_hub, manifest));
  router.post(std::string(kHubPath) + "/{id}/collegamento",
              identity::hub_staff_route(d, Permission::manage_hub, link_post));
  router.post("/backoffice/{slug}" + std::string(kBodyPath) + "/{id}/collegamento",
              identity::staff_route(d, Permission::manage_staff, link_post));
  router.get("/backoffice/scarica-esportazione/{token}", [&d](http::Request& r) { return download(d, r); });
  router.get("/backoffice/{slug}" + std::string(kBodyPath),
             identity::staff_route(d, Permission::manage_staff, get));
  router.post("/backoffice/{slug}" + std::string(kBodyPath),
              identity::staff_route(d, Permission::manage_staff, post));
  router.get("/backoffice/{slug}" + std::string(kBodyPath) + "/{id}/manifest",
             identity::staff_route(d, Permission::manage_staff, manifest));
}

}  // namespace sp::body_export
