#include "cases/decisions.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <sstream>

#include "core/money.hpp"
#include "core/time.hpp"

namespace sp::cases {
namespace {

namespace fs = std::filesystem;
namespace mustache = kainjow::mustache;

constexpr const char* kDefaultSource = "default";

Error templates_error(const std::string& source, const std::string& what) {
  return Error::make("cases.templates", 500, "data/decisions/" + source + ".json: " + what);
}

bool outcome_code_ok(std::string_view s) {
  return !s.empty() && s.size() <= 40 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

std::string string_at(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A {"it": ..., "en": ...} pair; Italian required.
Status read_texts(const boost::json::object& o, std::string_view key, std::string& it, std::string& en) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_object()) return Error::make("cases.templates", 500, std::string(key));
  it = string_at(v->as_object(), "it");
  en = string_at(v->as_object(), "en");
  if (it.empty()) return Error::make("cases.templates", 500, std::string(key) + ".it");
  return Ok{};
}

std::optional<Action> decision_action(std::string_view s) {
  for (auto a : {Action::accept, Action::reject, Action::notice_of_grounds}) {
    if (to_string(a) == s) return a;
  }
  return std::nullopt;
}

// "12.5" ("12,5" in Italian); whole numbers without decimals.
std::string decision_number(double x, std::string_view lang) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  std::string s(buf);
  if (lang != "en") std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

// "2026-2027": two consecutive years, as form options code a school year.
bool is_school_year_code(const std::string& s) {
  if (s.size() != 9 || s[4] != '-') return false;
  int a = 0, b = 0;
  auto r1 = std::from_chars(s.data(), s.data() + 4, a);
  auto r2 = std::from_chars(s.data() + 5, s.data() + 9, b);
  return r1.ec == std::errc() && r1.ptr == s.data() + 4 && r2.ec == std::errc() && r2.ptr == s.data() + 9 &&
         b == a + 1;
}

// The "[...]" fragments of a template text (one line, no braces inside): what the officer must replace.
void collect_placeholders(const std::string& text, std::vector<std::string>& out) {
  for (auto open = text.find('['); open != std::string::npos; open = text.find('[', open + 1)) {
    const auto close = text.find(']', open);
    if (close == std::string::npos) break;
    const std::string frag = text.substr(open, close - open + 1);
    if (frag.size() < 3 || frag.find_first_of("\n{}[", 1) != std::string::npos) continue;
    if (std::find(out.begin(), out.end(), frag) == out.end()) out.push_back(frag);
  }
}

// JSON values as mustache data: what render_decision_text() documents. Empty strings and nulls are false,
// so that {{#represented}}...{{/represented}} is left out when there is nobody (mustache would take any
// string as true).
mustache::data decision_data(const boost::json::value& v, std::string_view lang) {
  switch (v.kind()) {
    case boost::json::kind::string: {
      std::string s(v.as_string());
      if (s.empty()) return mustache::data(false);
      if (s.size() == 10) {
        if (auto d = time::parse_iso_date(s)) return mustache::data(time::format_it_date(*d));
      }
      if (is_school_year_code(s)) return mustache::data(s.substr(0, 4) + "/" + s.substr(5));
      return mustache::data(s);
    }
    case boost::json::kind::bool_:
      return mustache::data(v.as_bool());
    case boost::json::kind::int64:
      return mustache::data(std::to_string(v.as_int64()));
    case boost::json::kind::uint64:
      return mustache::data(std::to_string(v.as_uint64()));
    case boost::json::kind::double_:
      return mustache::data(decision_number(v.as_double(), lang));
    case boost::json::kind::object: {
      mustache::data o{mustache::data::type::object};
      for (const auto& [k, x] : v.as_object()) o.set(std::string(k), decision_data(x, lang));
      return o;
    }
    case boost::json::kind::array: {
      mustache::data list{mustache::data::type::list};
      bool first = true;
      for (const auto& x : v.as_array()) {
        mustache::data item = decision_data(x, lang);
        if (item.is_object() && item.get("_first") == nullptr) item.set("_first", mustache::data(first));
        list.push_back(item);
        first = false;
      }
      return list;
    }
    case boost::json::kind::null:
      break;
  }
  return mustache::data(false);
}

// {{#euro}}…{{/euro}}: the cents rendered inside, formatted; anything else is left as it is.
mustache::data euro_lambda(std::string lang) {
  return mustache::data(
      mustache::lambda2{[lang](const std::string& text, const mustache::renderer& render) -> std::string {
        const std::string inner = render(text);
        std::int64_t cents = 0;
        auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), cents);
        if (ec != std::errc() || p != inner.data() + inner.size()) return inner;
        return money::format(cents, lang);
      }});
}

}  // namespace

const std::string& DecisionTemplate::title(std::string_view lang) const {
  return lang == "en" && !title_en.empty() ? title_en : title_it;
}

const std::string& DecisionTemplate::text(std::string_view lang) const {
  return lang == "en" && !text_en.empty() ? text_en : text_it;
}

Result<std::vector<DecisionTemplate>> DecisionTemplates::parse(std::string_view json,
                                                               const std::string& source) {
  boost::system::error_code ec;
  auto root = boost::json::parse(json, ec);
  if (ec || !root.is_object()) return templates_error(source, "not a JSON object");
  const auto& o = root.as_object();
  if (string_at(o, "service") != source)
    return templates_error(source, "\"service\" must be \"" + source + "\" (the file's name)");
  const auto* outcomes = o.if_contains("outcomes");
  if (outcomes == nullptr || !outcomes->is_array() || outcomes->as_array().empty())
    return templates_error(source, "\"outcomes\" must be a non-empty array");
  std::vector<DecisionTemplate> out;
  for (const auto& v : outcomes->as_array()) {
    if (!v.is_object()) return templates_error(source, "an outcome is not an object");
    const auto& x = v.as_object();
    DecisionTemplate t;
    t.source = source;
    t.outcome = string_at(x, "code");
    if (!outcome_code_ok(t.outcome)) return templates_error(source, "bad outcome code '" + t.outcome + "'");
    for (const auto& seen : out) {
      if (seen.outcome == t.outcome) return templates_error(source, "outcome '" + t.outcome + "' twice");
    }
    auto action = decision_action(string_at(x, "action"));
    if (!action)
      return templates_error(source, t.outcome + ": action must be accept, reject or notice_of_grounds");
    t.action = *action;
    if (auto st = read_texts(x, "title", t.title_it, t.title_en); !st)
      return templates_error(source, t.outcome + ": " + st.error().detail + " missing");
    if (auto st = read_texts(x, "text", t.text_it, t.text_en); !st)
      return templates_error(source, t.outcome + ": " + st.error().detail + " missing");
    if (t.title_it.find("{{") != std::string::npos || t.title_en.find("{{") != std::string::npos)
      return templates_error(source, t.outcome + ": titles are plain text, without placeholders");
    for (const auto* text : {&t.text_it, &t.text_en}) {
      // Compiles, and renders without values (every placeholder is optional: it becomes empty).
      if (auto r = render_decision_text(*text, {}, "it"); !r)
        return templates_error(source, t.outcome + ": " + r.error().detail);
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<DecisionTemplates> DecisionTemplates::load_dir(const std::string& dir) {
  DecisionTemplates out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return templates_error(kDefaultSource, "no folder " + dir);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    const std::string source = entry.path().stem().string();
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) return templates_error(source, "cannot be read");
    auto parsed = parse(text.str(), source);
    if (!parsed) return parsed.error();
    for (const auto& t : *parsed) {
      collect_placeholders(t.text_it, out.placeholders_);
      collect_placeholders(t.text_en, out.placeholders_);
    }
    out.by_source_[source] = std::move(*parsed);
  }
  if (ec) return templates_error(kDefaultSource, "cannot list " + dir);
  auto def = out.by_source_.find(kDefaultSource);
  if (def == out.by_source_.end()) return templates_error(kDefaultSource, "missing");
  for (const char* needed : {"accept", "reject", "grounds"}) {
    const bool found = std::any_of(def->second.begin(), def->second.end(),
                                   [&](const DecisionTemplate& t) { return t.outcome == needed; });
    if (!found) return templates_error(kDefaultSource, std::string("no '") + needed + "' outcome");
  }
  return out;
}

std::vector<const DecisionTemplate*> DecisionTemplates::for_service(const std::string& service_code) const {
  std::vector<const DecisionTemplate*> out;
  auto own = service_code == kDefaultSource ? by_source_.end() : by_source_.find(service_code);
  if (own != by_source_.end()) {
    for (const auto& t : own->second) out.push_back(&t);
  }
  if (auto def = by_source_.find(kDefaultSource); def != by_source_.end()) {
    for (const auto& t : def->second) {
      const bool redefined = std::any_of(out.begin(), out.end(),
                                         [&](const DecisionTemplate* x) { return x->outcome == t.outcome; });
      if (!redefined) out.push_back(&t);
    }
  }
  return out;
}

const DecisionTemplate* DecisionTemplates::find(const std::string& service_code,
                                                const std::string& outcome) const {
  for (const auto* t : for_service(service_code)) {
    if (t->outcome == outcome) return t;
  }
  return nullptr;
}

std::optional<std::string> DecisionTemplates::unfilled_placeholder(std::string_view text) const {
  std::optional<std::string> first;
  std::size_t at = std::string_view::npos;
  for (const auto& p : placeholders_) {
    const auto pos = text.find(p);
    if (pos != std::string_view::npos && pos < at) {
      at = pos;
      first = p;
    }
  }
  const auto open = text.find("{{");
  if (open != std::string_view::npos && open < at) {
    const auto close = text.find("}}", open);
    first = std::string(text.substr(open, close == std::string_view::npos ? 2 : close + 2 - open));
  }
  return first;
}

Result<std::string> render_decision_text(const std::string& text, const boost::json::object& values,
                                         std::string_view lang) {
  mustache::mustache m(text);
  if (!m.is_valid()) return Error::make("cases.templates", 500, m.error_message());
  m.set_custom_escape([](const std::string& s) { return s; });
  mustache::data data = decision_data(boost::json::value(values), lang);
  data.set("euro", euro_lambda(std::string(lang)));
  std::string out = m.render(data);
  if (!m.is_valid()) return Error::make("cases.templates", 500, m.error_message());
  return out;
}

}  // namespace sp::cases
