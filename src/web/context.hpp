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
