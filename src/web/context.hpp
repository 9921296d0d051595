#pragma once
// What page and API handlers share: the view, the caches and the domain services they call.
// Built once by the application at start; handlers hold a reference.
#include <cctype>
#include <functional>
#include <string_view>

#include "catalog/service.hpp"
#include "core/text.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::web {

struct Services {
  View& view;
  RenderCache& cache;
  tenants::TenantService& tenants;
  catalog::CatalogService& catalog;
  // Whether the hub can take a service's application online today (it has a form for it). A service
  // the catalog lists as online without one is shown as information, with how to apply now (issue 11:
  // 22 of Asti's 33 services led to "Pagina non trovata"). Unset: none can.
  std::function<bool(std::string_view service_code)> online_form;
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

// The types a download is served as: kinds that browsers show as documents or images and never run.
// Anything else (HTML, SVG, XML, scripts, unknown types: a registry keeps whatever arrives) goes out as
// application/octet-stream, so that even a browser that ignored the attachment disposition could not
// run it. An allow-list, so a type nobody thought of is inert by default.
inline bool served_as_own_type(std::string_view mime) {
  static constexpr std::string_view kPassive[] = {
      "application/pdf",
      "image/png",
      "image/jpeg",
      "image/gif",
      "image/tiff",
      "image/webp",
      "image/bmp",
      "text/plain",
      "text/csv",
      "application/json",
      "application/zip",
      "application/pkcs7-mime",
      "application/pkcs7-signature",
      "message/rfc822",
      "application/msword",
      "application/vnd.ms-excel",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.oasis.opendocument.text",
      "application/vnd.oasis.opendocument.spreadsheet"};
  for (std::string_view p : kPassive)
    if (mime == p) return true;
  return false;
}

// A download of stored bytes (documents, registers, receipts): always an attachment, never sniffed nor
// rendered inline by the browser, never cached, and sandboxed (no script, no same origin) should a
// browser render it anyway. The file name goes out twice (RFC 6266): an ASCII fallback where quotes,
// backslashes, control and non-ASCII characters become '_', and the exact UTF-8 name percent-encoded.
inline http::Response download_response(std::string bytes, const std::string& mime,
                                        const std::string& file_name) {
  auto r = http::Response::text(std::move(bytes));
  const std::string_view type = std::string_view(mime).substr(0, mime.find(';'));
  r.content_type = served_as_own_type(type) ? std::string(type) : std::string("application/octet-stream");
  std::string ascii;
  for (char c : file_name) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = u > 0x20 && u < 0x7f && c != '"' && c != '\\' && c != '%' && c != ';' && c != ',';
    ascii += plain || c == ' ' ? c : '_';
  }
  // RFC 8187 attr-char: the unreserved characters and these; everything else as %XX of its UTF-8 bytes.
  const std::string encoded = text::percent_encode(file_name, "!#$&+^`|");
  r.header("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded);
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Content-Security-Policy", "sandbox");
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
