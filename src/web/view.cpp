#include "web/view.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/money.hpp"
#include "core/text.hpp"

namespace sp::web {
namespace {

namespace mustache = kainjow::mustache;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Inserts `value` at the dotted `path` inside `obj`, creating objects on the way. A path that would turn
// a text into an object (or the reverse) is skipped: locale files should not do that.
void set_path(Data& obj, std::string_view path, const std::string& value) {
  auto dot = path.find('.');
  std::string head(path.substr(0, dot));
  if (dot == std::string_view::npos) {
    if (!obj.get(head)) obj.set(head, value);
    return;
  }
  const Data* existing = obj.get(head);
  Data child = existing && existing->is_object() ? *existing : Data();
  if (existing && !existing->is_object()) return;
  set_path(child, path.substr(dot + 1), value);
  obj.set(head, child);
}

// Throws when `source` is not a valid template. A text already found valid in this process is not parsed
// again: every App checks every template at start, and a process that builds many Apps on the same
// files (the test suites, about a sixth of each App's start under the sanitizers) parses them once.
void check_template(const std::string& name, const std::string& source) {
  static std::mutex mutex;
  static std::unordered_set<std::string> valid;
  {
    const std::scoped_lock lock(mutex);
    if (valid.contains(source)) return;
  }
  const mustache::mustache check(source);
  if (!check.is_valid()) throw std::runtime_error("template " + name + ": " + check.error_message());
  const std::scoped_lock lock(mutex);
  valid.insert(source);
}

}  // namespace

View::View(std::string templates_dir, const I18n& i18n, std::string hub_name)
    : dir_(std::move(templates_dir)), i18n_(i18n), hub_name_(std::move(hub_name)) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir_)) throw std::runtime_error("templates folder missing: " + dir_);
  for (const auto& f : fs::directory_iterator(dir_)) {
    if (f.path().extension() != ".mustache") continue;
    auto name = f.path().stem().string();
    sources_[name] = read_file(f.path());
    check_template(name, sources_[name]);
  }
  for (const auto& lang : i18n_.languages()) {
    Data t;
    for (const auto& [key, text] : i18n_.all(lang)) {
      if (key.rfind("ui.", 0) == 0) set_path(t, std::string_view(key).substr(3), text);
    }
    texts_by_lang_[lang] = std::move(t);
  }
  // From here on texts_by_lang_ holds, per language, everything base_data adds to a page: copying the texts
  // into each page's data was about half of a refused request's rendering under the sanitizers.
  std::map<std::string, Data> shared;
  for (const auto& lang : i18n_.languages()) shared[lang] = base_data(lang, Data());
  texts_by_lang_ = std::move(shared);
}

const std::string& View::source(const std::string& name) const {
  auto it = sources_.find(name);
  if (it == sources_.end()) throw std::runtime_error("no template named " + name);
  return it->second;
}

// What every template sees besides its own values (lang, t, hub_name, the partials). Made once per language
// by the constructor (texts_by_lang_ holds the "t" objects until then, these values after), and when asked
// for a language without texts of its own (the default's texts). The partials point into sources_.
Data View::base_data(std::string_view lang, Data d) const {
  d.set("lang", std::string(lang));
  d.set("lang_it", lang != "en");
  d.set("lang_en", lang == "en");
  auto t = texts_by_lang_.find(std::string(lang));
  if (t == texts_by_lang_.end()) t = texts_by_lang_.find(I18n::kDefault);
  if (t != texts_by_lang_.end()) {
    const Data* texts = t->second.get("t");  // after the constructor: the shared values of that language
    d.set("t", texts ? *texts : t->second);
  }
  d.set("hub_name", hub_name_);
  // Templates whose names start with '_' are partials: {{>_service_card}}.
  for (const auto& [name, text] : sources_) {
    if (!name.empty() && name.front() == '_') {
      const std::string* src = &text;
      d.set(name, mustache::partial([src]() { return *src; }));
    }
  }
  return d;
}

namespace {
// The parsed form of a template's text, parsed once per process and kept: parsing the page's template and
// the layout again for every page was most of its rendering under the sanitizers once the shared values
// stopped being copied. Rendering only reads a parsed template (its context, line buffer and output are the
// caller's); kainjow writes into the template itself only when a lambda or a partial fails, and View's
// templates and partials are checked at start and given no lambdas, so one parsed copy serves every thread.
mustache::mustache& parsed(const std::string& source) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::unique_ptr<mustache::mustache>> all;
  const std::scoped_lock lock(mutex);
  auto& slot = all[source];
  if (!slot) slot = std::make_unique<mustache::mustache>(source);
  return *slot;
}

// `page` under `shared` (View::base_data's values): a name is looked up in the shared values first (shared
// names win on a clash), then in the page's own, without copying either into one object.
std::string render_with(mustache::mustache& tmpl, const Data& page, const Data& shared) {
  static const Data kEmpty;
  mustache::context<std::string> ctx(page.is_object() ? &page : &kEmpty);
  ctx.push(&shared);
  return tmpl.render(ctx);
}

// The shared values of `lang` made at start, or made now for a language without its own texts.
template <typename Fn>
std::string with_shared(const std::map<std::string, Data>& made, std::string_view lang,
                        const std::function<Data()>& make, Fn fn) {
  if (auto it = made.find(std::string(lang)); it != made.end()) return fn(it->second);
  const Data now = make();
  return fn(now);
}
}  // namespace

std::string View::render_bare(const std::string& template_name, const Data& data,
                              std::string_view lang) const {
  mustache::mustache& tmpl = parsed(source(template_name));
  if (!tmpl.is_valid()) throw std::runtime_error("template " + template_name + ": " + tmpl.error_message());
  std::string out = with_shared(
      texts_by_lang_, lang, [&] { return base_data(lang, Data()); },
      [&](const Data& shared) { return render_with(tmpl, data, shared); });
  if (!tmpl.is_valid()) throw std::runtime_error("template " + template_name + ": " + tmpl.error_message());
  return out;
}

std::string View::render(const http::Request& req, const Page& page) const {
  const std::string& lang = req.ctx.locale;
  std::string content = render_bare(page.template_name, page.data, lang);

  Data d;
  d.set("content", content);
  d.set("title", page.title);
  d.set("description", page.description.empty() ? page.title : page.description);
  d.set("noindex", page.noindex);
  // Staff pages carry the back office's header (its home, no public service search), whoever renders them:
  // the back office, the hub's service centre (/hub/: the help desk's queue and settings) and the assisted
  // counter (its operators' pages, the certificates' included; not the counter's receipt, which the
  // citizen served reads too).
  const bool counter =
      (req.path == "/sportello-assistito" || req.path.starts_with("/sportello-assistito/")) &&
      !req.path.starts_with("/sportello-assistito/ricevuta/");
  d.set("backoffice", req.path == "/backoffice" || req.path.starts_with("/backoffice/") ||
                          req.path.starts_with("/hub/") || counter);
  d.set("lang_switch_href", lang_switch_href(req, lang == "en" ? "it" : "en"));
  d.set("lang_switch_label", lang == "en" ? std::string("Italiano") : std::string("English"));
  d.set("lang_switch_code", lang == "en" ? std::string("it") : std::string("en"));
  if (!page.body_slug.empty()) {
    Data body;
    body.set("slug", page.body_slug);
    body.set("name", page.body_name);
    d.set("body", body);
  }
  if (!page.breadcrumb.empty()) {
    Data crumbs = list();
    for (std::size_t i = 0; i < page.breadcrumb.size(); ++i) {
      Data c;
      c.set("label", page.breadcrumb[i].label);
      c.set("href", page.breadcrumb[i].href);
      c.set("current", page.breadcrumb[i].href.empty());
      c.set("last", i + 1 == page.breadcrumb.size());
      crumbs.push_back(c);
    }
    d.set("breadcrumb", crumbs);
    d.set("has_breadcrumb", true);
  }
  mustache::mustache& layout = parsed(source("layout"));
  return with_shared(
      texts_by_lang_, lang, [&] { return base_data(lang, Data()); },
      [&](const Data& shared) { return render_with(layout, d, shared); });
}

http::Response View::error_page(const http::Request& req, int status, const std::string& detail) const {
  const std::string& lang = req.ctx.locale;
  std::string key = "ui.error." + std::to_string(status);
  std::string fallback_key = status >= 500 ? "ui.error.500" : "ui.error.400";
  const std::string& title = i18n_.t(lang, key) == key ? i18n_.t(lang, fallback_key) : i18n_.t(lang, key);
  std::string text_key = key + "_text";
  const std::string& text =
      i18n_.t(lang, text_key) == text_key ? i18n_.t(lang, fallback_key + "_text") : i18n_.t(lang, text_key);
  Page page;
  page.template_name = "error";
  page.title = title;
  page.noindex = true;
  page.data.set("status", std::to_string(status));
  page.data.set("heading", title);
  page.data.set("text", text);
  page.data.set("detail", detail);
  page.data.set("request_id", req.ctx.request_id);
  if (!req.ctx.tenant_slug.empty()) page.data.set("body_slug", req.ctx.tenant_slug);
  try {
    return http::Response::html(render(req, page), status);
  } catch (const std::exception&) {
    // The error page itself failed (a broken template): still answer, plainly.
    return http::Response::text(std::to_string(status) + " " + title, status);
  }
}

std::shared_ptr<const std::string> RenderCache::get(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void RenderCache::put(const std::string& key, std::shared_ptr<const std::string> value) {
  std::unique_lock lock(mutex_);
  if (entries_.size() >= max_entries_) entries_.clear();  // versions in keys make old entries dead anyway
  entries_[key] = std::move(value);
}

std::string lang_switch_href(const http::Request& req, std::string_view to_lang) {
  // The page to come back to is this one with its query (the sign-in's return page, the SPID level
  // asked, a search), less any ?lang= that would override the switch. The query stays as it came
  // (still percent-encoded), and the whole is encoded once more as the value of `next`.
  std::string query;
  std::string_view raw = req.raw_query;
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    const std::string_view item = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (item.empty() || item == "lang" || item.starts_with("lang=")) continue;
    if (!query.empty()) query += '&';
    query += item;
  }
  const std::string back = query.empty() ? req.path : req.path + "?" + query;
  return "/lang/" + std::string(to_lang) + "?next=" + text::percent_encode(back, "/");
}

std::string format_cents(std::int64_t cents, std::string_view lang) {
  return money::format(cents, lang);
}

}  // namespace sp::web
