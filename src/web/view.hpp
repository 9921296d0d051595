#pragma once
// Server-rendered pages: mustache templates (web/templates/*.mustache) wrapped in one layout, with the
// page's texts in the request's language. Templates see:
//   {{t.key}}        the "ui.key" text of web/locales/<lang>/*.json
//   {{lang}}         "it" or "en";  {{>name}} any other template as a partial
//   {{{content}}}    (layout only) the rendered page
// Handlers build a Page (a mustache data object plus title/breadcrumb) and call render().
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/i18n.hpp"
#include "http/message.hpp"

namespace sp::web {

using Data = kainjow::mustache::data;
using List = kainjow::mustache::data;  // constructed with Data::type::list

inline Data list() {
  return Data(Data::type::list);
}

struct Crumb {
  std::string label;
  std::string href;  // empty: current page
};

// What the layout needs besides the page body.
struct Page {
  std::string template_name;  // e.g. "body_home"
  std::string title;          // <title> and <h1> context
  Data data;                  // the page's own values
  std::vector<Crumb> breadcrumb;
  std::string body_slug;  // when the page belongs to a member body: its header and theme
  std::string body_name;
  std::string description;  // <meta name="description">
  bool noindex = false;     // keep search engines off (personal data pages, albo items past their term)
};

class View {
 public:
  View(std::string templates_dir, const I18n& i18n, std::string hub_name);

  // Renders page + layout. Throws std::runtime_error naming the template when it is missing or invalid.
  [[nodiscard]] std::string render(const http::Request& req, const Page& page) const;
  // Renders a template with no layout (e.g. theme CSS, XML).
  [[nodiscard]] std::string render_bare(const std::string& template_name, const Data& data,
                                        std::string_view lang) const;

  [[nodiscard]] const I18n& i18n() const { return i18n_; }
  [[nodiscard]] const std::string& t(std::string_view lang, std::string_view key) const {
    return i18n_.t(lang, key);
  }

  // An error page in the site's style (404, 403, 500 ...).
  [[nodiscard]] http::Response error_page(const http::Request& req, int status,
                                          const std::string& detail = {}) const;

 private:
  [[nodiscard]] const std::string& source(const std::string& name) const;
  [[nodiscard]] Data base_data(std::string_view lang, Data start) const;

  std::string dir_;
  const I18n& i18n_;
  std::string hub_name_;
  std::map<std::string, std::string> sources_;  // template name → text, loaded at start
  std::map<std::string, Data> texts_by_lang_;   // "t" objects, built once per language
};

// A small cache of rendered fragments or pages keyed by a string, for content that changes only when the
// catalog or the body directory changes (callers put the relevant versions in the key).
class RenderCache {
 public:
  explicit RenderCache(std::size_t max_entries = 4096) : max_entries_(max_entries) {}
  std::shared_ptr<const std::string> get(const std::string& key) const;
  void put(const std::string& key, std::shared_ptr<const std::string> value);

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> entries_;
  std::size_t max_entries_;
};

// Helpers shared by page handlers.
std::string lang_switch_href(const http::Request& req, std::string_view to_lang);
std::string format_cents(std::int64_t cents, std::string_view lang);

}  // namespace sp::web
