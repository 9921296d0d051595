#include "stamp/web.hpp"

#include "identity/guards.hpp"
#include "identity/permissions.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::stamp {
namespace {

using identity::staff_route;
using identity::StaffCall;
using web::Data;

constexpr const char* kSection = "/contrassegni";

// What the page may show of a registry row: only what the document prints.
Data record_data(WebDeps& d, std::string_view lang, const Record& r, const std::string& body_name) {
  Data x;
  x.set("title", r.title);
  x.set("body", body_name);
  x.set("issued", time::it_datetime_text(r.issued_at));
  if (!r.protocol.empty()) x.set("protocol", r.protocol);
  x.set("identifier", r.token);
  if (r.revoked_at) x.set("revoked_at", time::it_datetime_text(*r.revoked_at));
  (void)d;
  (void)lang;
  return x;
}

http::Response verify_page(WebDeps& d, http::Request& req, const Finding* f, const std::string& how,
                           const std::string& typed, int status = 200) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "stamp_verify";
  page.title = d.view.t(lang, "ui.stamp_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  page.data.set("title", page.title);
  page.data.set("typed_id", typed);
  if (f != nullptr) {
    const std::string v = to_string(f->verdict);
    // A typed identifier or a scanned code cannot show the bytes: their "valid" says what it can.
    std::string explain = v;
    if (f->verdict == Verdict::valid && how != "file") explain = v + "_" + how;
    Data result;
    result.set("verdict", v);
    result.set("verdict_text",
               d.view.t(lang, "stamp.verdict." +
                                  (f->verdict == Verdict::valid && how == "token" ? v + "_token" : v)));
    result.set("explain", d.view.t(lang, "stamp.explain." + explain));
    result.set("alert", f->verdict == Verdict::valid     ? "success"
                        : f->verdict == Verdict::unknown ? "warning"
                                                         : "danger");
    if (f->record) result.set("record", record_data(d, lang, *f->record, f->body_name));
    page.data.set("result", result);
  }
  auto r = http::Response::html(d.view.render(req, page), status);
  r.header("Cache-Control", "no-store");
  r.header("X-Robots-Tag", "noindex, nofollow, noarchive");
  return r;
}

http::Response rate_limited(WebDeps& d, http::Request& req) {
  const auto& lang = req.ctx.locale;
  web::Page page;
  page.template_name = "stamp_verify";
  page.title = d.view.t(lang, "ui.stamp_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"}, {page.title, ""}};
  page.data.set("title", page.title);
  page.data.set("error", d.view.t(lang, "ui.stamp_error_rate_limited"));
  auto r = http::Response::html(d.view.render(req, page), 429);
  r.header("Retry-After", "60");
  r.header("Cache-Control", "no-store");
  return r;
}

bool allowed(WebDeps& d, const http::Request& req) {
  return d.limit.allow(req.remote_addr, std::chrono::system_clock::now());
}

http::Response verify_get(WebDeps& d, http::Request& req) {
  const bool code = req.query.count("s") > 0 && req.query.count("v") > 0;
  const std::string id = req.query_param("id");
  if (!code && id.empty()) return verify_page(d, req, nullptr, "", "");
  if (!allowed(d, req)) return rate_limited(d, req);
  if (code) {
    // The scanned code's text: this page's URL, as the stamp signed it.
    auto f = d.stamps.check_code(d.stamps.options().public_url + "/verifica?" + req.raw_query);
    return verify_page(d, req, &f, "code", "");
  }
  auto f = d.stamps.check_token(id);
  return verify_page(d, req, &f, "token", id);
}

http::Response verify_post(WebDeps& d, http::Request& req) {
  if (!allowed(d, req)) return rate_limited(d, req);
  auto form = req.multipart();
  if (!form) return verify_page(d, req, nullptr, "", "", 400);
  auto files = form->files("file");
  if (files.empty()) {
    // The identifier form posts too when the browser sends it that way.
    auto fields = form->fields();
    auto it = fields.find("id");
    if (it == fields.end() || it->second.empty()) return verify_page(d, req, nullptr, "", "", 400);
    auto f = d.stamps.check_token(it->second);
    return verify_page(d, req, &f, "token", it->second);
  }
  auto f = d.stamps.check_file(files.front()->data);
  return verify_page(d, req, &f, "file", "");
}

http::Response list_get(WebDeps& d, http::Request& req, const StaffCall& a) {
  const auto& lang = req.ctx.locale;
  auto page = web::backoffice_page(d.view, req, *a.body, a.who->csrf_token, "stamp_staff",
                                   d.view.t(lang, "ui.stamp_staff_title"), "", "", false);
  page.data.set("title", page.title);
  std::vector<Record> rows;
  d.db.read([&](db::Conn& c) { rows = StampStore::latest(c, a.body->id, 100); });
  Data list = web::list();
  for (const auto& r : rows) {
    Data x = record_data(d, lang, r, a.body->name);
    x.set("revoke_href", "/backoffice/" + a.body->slug + kSection + "/" + r.token + "/revoca");
    x.set("verify_href", "/verifica?id=" + r.token);
    list.push_back(x);
  }
  page.data.set("documents", list);
  page.data.set("has_documents", !rows.empty());
  if (auto e = req.query_param("errore"); !e.empty()) page.data.set("error", d.view.t(lang, "error." + e));
  if (!req.query_param("revocato").empty()) page.data.set("revoked", true);
  return web::private_page(d.view, req, page);
}

http::Response revoke_post(WebDeps& d, http::Request& req, const StaffCall& a) {
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = identity::check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  auto done = d.stamps.revoke(a.who, a.body->id, req.param("token"), web::form_field(*form, "reason"),
                              req.remote_addr);
  const std::string back = "/backoffice/" + a.body->slug + kSection;
  if (!done) {
    if (done.error().http_status == 404 || done.error().http_status == 403)
      return d.view.error_page(req, done.error().http_status);
    return web::see_other(back + "?errore=" + done.error().code);
  }
  return web::see_other(back + "?revocato=1");
}

}  // namespace

void register_pages(http::Router& router, WebDeps& d) {
  router.get("/verifica", [&d](http::Request& req) { return verify_get(d, req); });
  router.post("/verifica", [&d](http::Request& req) { return verify_post(d, req); });
  router.get("/backoffice/{slug}" + std::string(kSection),
             staff_route(d, identity::Permission::annul_protocol, list_get));
  router.post("/backoffice/{slug}" + std::string(kSection) + "/{token}/revoca",
              staff_route(d, identity::Permission::annul_protocol, revoke_post));
}

}  // namespace sp::stamp
