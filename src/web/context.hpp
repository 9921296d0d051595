#pragma once
// What page and API handlers share: the view, the caches and the domain services they call.
// Built once by the application at start; handlers hold a reference.
#include "catalog/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::web {

struct Services {
  View& view;
  RenderCache& cache;
  tenants::TenantService& tenants;
  catalog::CatalogService& catalog;
};

// Returns the rendered page with the common headers for public, cacheable-by-nobody-else pages.
inline http::Response page_response(std::string html) {
  auto r = http::Response::html(std::move(html));
  r.header("Cache-Control", "no-cache");
  return r;
}

// A page for one signed-in person or staff member (their data, a form with its CSRF token): never cached.
inline http::Response private_page(const View& v, const http::Request& req, const Page& page,
                                   int status = 200) {
  auto r = http::Response::html(v.render(req, page), status);
  r.header("Cache-Control", "no-store");
  return r;
}

// The answer to a form POST that worked (post/redirect/get), never cached.
inline http::Response see_other(std::string location) {
  auto r = http::Response::redirect(std::move(location), 303);
  r.header("Cache-Control", "no-store");
  return r;
}

// A posted field's value; empty when the field was not sent.
inline std::string form_field(const http::Params& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// The status of a form page shown again with its error: a 401 needs a WWW-Authenticate challenge, so a
// refused form answers 400 instead; other statuses stay.
inline int form_status(const Error& e) {
  return e.http_status == 401 ? 400 : e.http_status;
}

// Puts a refused form's error on its page: the localised message, its code, and "error_field_<field>"
// so that the template marks the input at fault.
inline void set_form_error(const View& v, const http::Request& req, Page& page, const Error& e) {
  page.data.set("error", v.i18n().message(req.ctx.locale, e));
  page.data.set("error_code", e.code);
  if (!e.field.empty()) page.data.set("error_field_" + e.field, true);
}

// A back-office page of one body: not indexed; breadcrumb staff home > the section (on its sub-pages,
// `sub_page`) > this page; the body's name and the staff member's CSRF token in the data.
inline Page backoffice_page(const View& v, const http::Request& req, const tenants::Body& body,
                            const std::string& csrf, const std::string& tpl, const std::string& title,
                            const std::string& section_key, const std::string& section_href, bool sub_page) {
  const auto& lang = req.ctx.locale;
  Page page;
  page.template_name = tpl;
  page.title = title;
  page.noindex = true;
  page.body_slug = body.slug;
  page.body_name = body.name;
  page.breadcrumb = {{v.t(lang, "ui.staff_home_title"), "/backoffice/"}};
  if (sub_page) page.breadcrumb.push_back({v.t(lang, section_key), section_href});
  page.breadcrumb.push_back({title, ""});
  page.data.set("body_name", body.name);
  page.data.set("csrf", csrf);
  return page;
}

// A download of stored bytes (documents, registers, receipts): always an attachment, never sniffed nor
// rendered inline by the browser, never cached. Quotes, backslashes and control characters of the file
// name become '_' so the header cannot be broken.
inline http::Response download_response(std::string bytes, const std::string& mime,
                                        const std::string& file_name) {
  auto r = http::Response::text(std::move(bytes));
  r.content_type = mime.empty() ? "application/octet-stream" : mime;
  std::string safe;
  for (char c : file_name) safe += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
  r.header("Content-Disposition", "attachment; filename=\"" + safe + "\"");
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Cache-Control", "no-store");
  return r;
}

// "{count}"-style formatting of a UI text.
inline std::string ui(const View& v, std::string_view lang, std::string_view key,
                      const std::map<std::string, std::string>& values = {}) {
  return v.i18n().format(lang, key, values);
}

// A text with a count: the "<key>_one" variant when count is 1 (Italian and English need no other forms),
// with {count} filled in.
inline std::string ui_count(const View& v, std::string_view lang, const std::string& key, std::size_t count,
                            std::map<std::string, std::string> values = {}) {
  values["count"] = std::to_string(count);
  return v.i18n().format(lang, count == 1 ? key + "_one" : key, values);
}

}  // namespace sp::web
