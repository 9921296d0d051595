#include "forms/loader.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_set>

#include "forms/expression.hpp"
#include "forms/prefill.hpp"
#include "forms/values.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

// True when std::regex accepts `pattern`. Compiling one costs milliseconds under the sanitizers and the
// same forms' patterns are checked by every App a process builds (the test suites): a pattern found valid
// once is not compiled again.
bool valid_pattern(const std::string& pattern) {
  static std::mutex mutex;
  static std::unordered_set<std::string> valid;
  {
    const std::scoped_lock lock(mutex);
    if (valid.contains(pattern)) return true;
  }
  try {
    const std::regex re(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return false;
  }
  const std::scoped_lock lock(mutex);
  valid.insert(pattern);
  return true;
}

// Thrown inside the parser only, turned into an Error by parse_definition.
struct SchemaFailure {
  std::string path;
  std::string why;
};

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw SchemaFailure{path, why};
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 60 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}
bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > 60 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

void only_keys(const json::object& o, std::initializer_list<std::string_view> allowed,
               const std::string& path) {
  for (const auto& [k, _] : o)
    if (std::find(allowed.begin(), allowed.end(), std::string_view(k)) == allowed.end())
      fail(path + "." + std::string(k), "unknown key (misspelt?)");
}

const json::object& as_object(const json::value& v, const std::string& path) {
  if (!v.is_object()) fail(path, "must be an object");
  return v.get_object();
}
const json::array& as_array(const json::value& v, const std::string& path) {
  if (!v.is_array()) fail(path, "must be an array");
  return v.get_array();
}
std::string as_string(const json::value& v, const std::string& path) {
  if (!v.is_string()) fail(path, "must be a string");
  return std::string(v.get_string());
}
bool as_bool(const json::value& v, const std::string& path) {
  if (!v.is_bool()) fail(path, "must be true or false");
  return v.get_bool();
}
std::int64_t as_int(const json::value& v, const std::string& path) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() < (1ull << 62)) return static_cast<std::int64_t>(v.get_uint64());
  fail(path, "must be a whole number");
}

Text text(const json::value& v, const std::string& path) {
  const auto& o = as_object(v, path);
  only_keys(o, {"it", "en"}, path);
  Text t;
  if (auto* it = o.if_contains("it")) t.it = as_string(*it, path + ".it");
  if (auto* en = o.if_contains("en")) t.en = as_string(*en, path + ".en");
  if (t.it.empty()) fail(path + ".it", "the Italian text is required");
  if (t.en.empty()) fail(path + ".en", "the English text is required");
  return t;
}
Text optional_text(const json::object& o, std::string_view key, const std::string& path) {
  if (auto* v = o.if_contains(key)) return text(*v, path + "." + std::string(key));
  return {};
}

std::vector<Option> options(const json::value& v, const std::string& path) {
  const auto& arr = as_array(v, path);
  std::vector<Option> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    const auto& o = as_object(arr[i], p);
    only_keys(o, {"value", "label"}, p);
    Option opt;
    if (!o.contains("value")) fail(p + ".value", "required");
    opt.value = as_string(o.at("value"), p + ".value");
    if (opt.value.empty() || opt.value.size() > 100) fail(p + ".value", "must be 1 to 100 characters");
    if (!seen.insert(opt.value).second) fail(p + ".value", "duplicate option \"" + opt.value + "\"");
    if (!o.contains("label")) fail(p + ".label", "required");
    opt.label = text(o.at("label"), p + ".label");
    out.push_back(std::move(opt));
  }
  return out;
}

class Parser {
 public:
  Definition run(const json::value& root) {
    const auto& o = as_object(root, "(definition)");
    only_keys(
        o,
        {"$schema", "code", "version", "title", "intro", "audience", "steps", "lists", "notes", "duplicates"},
        "");
    Definition d;
    d.source = o;
    if (!o.contains("code")) fail("code", "required");
    d.code = as_string(o.at("code"), "code");
    if (!valid_id(d.code)) fail("code", "must be a service code: lower-case letters, digits and hyphens");
    if (!o.contains("version")) fail("version", "required");
    d.version = static_cast<int>(as_int(o.at("version"), "version"));
    if (d.version < 1) fail("version", "must be 1 or more");
    if (!o.contains("title")) fail("title", "required");
    d.title = text(o.at("title"), "title");
    d.intro = optional_text(o, "intro", "");
    d.audience = o.contains("audience") ? as_string(o.at("audience"), "audience") : "citizens";
    if (d.audience != "citizens" && d.audience != "businesses")
      fail("audience", "must be citizens or businesses");
    if (auto* lists = o.if_contains("lists")) {
      for (const auto& [name, opts] : as_object(*lists, "lists")) {
        if (!valid_name(name)) fail("lists." + std::string(name), "invalid list name");
        d.lists[std::string(name)] = options(opts, "lists." + std::string(name));
      }
    }
    if (!o.contains("steps")) fail("steps", "required");
    const auto& steps = as_array(o.at("steps"), "steps");
    if (steps.empty()) fail("steps", "at least one step is required");

    // First pass: every top-level field name, so conditions may refer to fields of later steps.
    for (std::size_t s = 0; s < steps.size(); ++s)
      collect_names(steps[s], "steps[" + std::to_string(s) + "]");

    std::set<std::string> step_ids;
    for (std::size_t s = 0; s < steps.size(); ++s) {
      std::string p = "steps[" + std::to_string(s) + "]";
      Step st = step(steps[s], p, d);
      if (!step_ids.insert(st.id).second) fail(p + ".id", "duplicate step id \"" + st.id + "\"");
      d.steps.push_back(std::move(st));
    }
    if (auto* dup = o.if_contains("duplicates")) {
      const auto& dobj = as_object(*dup, "duplicates");
      only_keys(dobj, {"subject", "period"}, "duplicates");
      if (!dobj.contains("subject")) fail("duplicates.subject", "required");
      d.duplicates.subject = as_string(dobj.at("subject"), "duplicates.subject");
      const Field* subject = d.field(d.duplicates.subject);
      if (!subject || subject->type != FieldType::codice_fiscale)
        fail("duplicates.subject", "must name a codice_fiscale field (\"children.fiscal_code\")");
      if (auto* period = dobj.if_contains("period")) {
        d.duplicates.period = as_string(*period, "duplicates.period");
        const Field* pf = d.field(d.duplicates.period);
        if (!pf || d.duplicates.period.find('.') != std::string::npos || pf->is_container() ||
            pf->type == FieldType::file || pf->type == FieldType::multi_choice ||
            pf->type == FieldType::address)
          fail("duplicates.period", "must name a one-value field of the form (\"school_year\")");
      }
    }
    return d;
  }

 private:
  void collect_names(const json::value& step_v, const std::string& p) {
    if (!step_v.is_object()) return;
    const auto* sections = step_v.get_object().if_contains("sections");
    if (!sections || !sections->is_array()) return;
    for (std::size_t i = 0; i < sections->get_array().size(); ++i) {
      const auto& sec = sections->get_array()[i];
      if (!sec.is_object()) continue;
      const auto* fields = sec.get_object().if_contains("fields");
      if (!fields || !fields->is_array()) continue;
      for (std::size_t j = 0; j < fields->get_array().size(); ++j) {
        const auto& f = fields->get_array()[j];
        if (!f.is_object() || !f.get_object().contains("name") || !f.get_object().at("name").is_string())
          continue;
        std::string name(f.get_object().at("name").get_string());
        std::string fp = p + ".sections[" + std::to_string(i) + "].fields[" + std::to_string(j) + "]";
        if (!top_names_.insert(name).second) fail(fp + ".name", "duplicate field name \"" + name + "\"");
      }
    }
  }

  // A variable is known when its first segment names a field of the form or of the same group item.
  std::function<bool(std::string_view)> known(const std::set<std::string>* siblings) const {
    return [this, siblings](std::string_view name) {
      std::string head(name.substr(0, name.find('.')));
      return top_names_.count(head) > 0 || (siblings && siblings->count(head) > 0);
    };
  }

  json::value expression(const json::object& o, std::string_view key, const std::string& path,
                         const std::set<std::string>* siblings) {
    auto* v = o.if_contains(key);
    if (!v) return nullptr;
    std::string p = path + "." + std::string(key);
    if (!v->is_object() && !v->is_bool() && !v->is_number())
      fail(p, "must be an expression object or a constant");
    if (auto s = check_expression(*v, p, known(siblings)); !s)
      throw SchemaFailure{s.error().field, s.error().detail};
    return *v;
  }

  Step step(const json::value& v, const std::string& p, const Definition& d) {
    const auto& o = as_object(v, p);
    only_keys(o, {"id", "title", "help", "show_if", "sections"}, p);
    Step st;
    if (!o.contains("id")) fail(p + ".id", "required");
    st.id = as_string(o.at("id"), p + ".id");
    if (!valid_id(st.id)) fail(p + ".id", "lower-case letters, digits, '-' and '_' only");
    if (!o.contains("title")) fail(p + ".title", "required");
    st.title = text(o.at("title"), p + ".title");
    st.help = optional_text(o, "help", p);
    st.show_if = expression(o, "show_if", p, nullptr);
    if (!o.contains("sections")) fail(p + ".sections", "required");
    const auto& secs = as_array(o.at("sections"), p + ".sections");
    if (secs.empty()) fail(p + ".sections", "at least one section is required");
    for (std::size_t i = 0; i < secs.size(); ++i) {
      std::string sp = p + ".sections[" + std::to_string(i) + "]";
      const auto& so = as_object(secs[i], sp);
      only_keys(so, {"title", "help", "show_if", "fields"}, sp);
      Section sec;
      sec.title = optional_text(so, "title", sp);
      sec.help = optional_text(so, "help", sp);
      sec.show_if = expression(so, "show_if", sp, nullptr);
      if (!so.contains("fields")) fail(sp + ".fields", "required");
      const auto& fields = as_array(so.at("fields"), sp + ".fields");
      if (fields.empty()) fail(sp + ".fields", "at least one field is required");
      for (std::size_t j = 0; j < fields.size(); ++j)
        sec.fields.push_back(field(fields[j], sp + ".fields[" + std::to_string(j) + "]", d, nullptr));
      st.sections.push_back(std::move(sec));
    }
    return st;
  }

  Field field(const json::value& v, const std::string& p0, const Definition& d,
              const std::set<std::string>* siblings) {
    const auto& o = as_object(v, p0);
    Field f;
    if (!o.contains("name")) fail(p0 + ".name", "required");
    f.name = as_string(o.at("name"), p0 + ".name");
    const std::string p = p0 + " (" + f.name + ")";
    if (!valid_name(f.name)) fail(p + ".name", "lower-case letters, digits and '_', starting with a letter");
    only_keys(o, {"name",       "type",         "label",           "help",
                  "unit",       "required",     "options",         "options_list",
                  "min",        "max",          "integer",         "min_length",
                  "max_length", "pattern",      "pattern_message", "allow_numeric",
                  "holder",     "check_street", "show_if",         "require_if",
                  "computed",   "checks",       "prefill",         "prefill_editable",
                  "min_items",  "max_items",    "fields",          "max_size",
                  "max_count",  "accept",       "declaration"},
              p);
    if (!o.contains("type")) fail(p + ".type", "required");
    std::string type_name = as_string(o.at("type"), p + ".type");
    auto type = parse_field_type(type_name);
    if (!type) fail(p + ".type", "unknown field type \"" + type_name + "\"");
    f.type = *type;
    const FieldType t = f.type;
    if (!o.contains("label")) fail(p + ".label", "required");
    f.label = text(o.at("label"), p + ".label");
    f.help = optional_text(o, "help", p);
    f.unit = optional_text(o, "unit", p);
    if (auto* r = o.if_contains("required")) f.required = as_bool(*r, p + ".required");

    auto only_for = [&](std::string_view key, std::initializer_list<FieldType> types) {
      if (o.contains(key) && std::find(types.begin(), types.end(), t) == types.end())
        fail(p + "." + std::string(key), "not allowed for a " + type_name + " field");
    };
    only_for("options", {FieldType::choice, FieldType::multi_choice});
    only_for("options_list", {FieldType::choice, FieldType::multi_choice});
    only_for("min", {FieldType::number, FieldType::money, FieldType::date});
    only_for("max", {FieldType::number, FieldType::money, FieldType::date});
    only_for("integer", {FieldType::number});
    only_for("min_length", {FieldType::text, FieldType::long_text});
    only_for("max_length", {FieldType::text, FieldType::long_text});
    // Patterns only on one-line texts: libstdc++'s std::regex recurses per character and could exhaust
    // the stack on a 10,000-character paragraph.
    only_for("pattern", {FieldType::text});
    only_for("pattern_message", {FieldType::text});
    only_for("allow_numeric", {FieldType::codice_fiscale});
    only_for("holder", {FieldType::codice_fiscale});
    only_for("check_street", {FieldType::address});
    only_for("computed", {FieldType::number, FieldType::money});
    only_for("min_items", {FieldType::group, FieldType::multi_choice});
    only_for("max_items", {FieldType::group, FieldType::multi_choice});
    only_for("fields", {FieldType::group});
    only_for("max_size", {FieldType::file});
    only_for("max_count", {FieldType::file});
    only_for("accept", {FieldType::file});
    only_for("declaration", {FieldType::declaration});

    if (auto* ov = o.if_contains("options")) f.options = options(*ov, p + ".options");
    if (auto* ol = o.if_contains("options_list")) {
      f.options_list = as_string(*ol, p + ".options_list");
      if (!d.lists.count(f.options_list))
        fail(p + ".options_list",
             "list \"" + f.options_list + "\" is not declared in the definition's \"lists\"");
      if (o.contains("options")) fail(p + ".options_list", "give either options or options_list");
    }
    if ((t == FieldType::choice || t == FieldType::multi_choice) && f.options.empty() &&
        f.options_list.empty())
      fail(p + ".options", "a choice needs options (or options_list)");

    auto bound = [&](std::string_view key) -> json::value {
      auto* b = o.if_contains(key);
      if (!b) return nullptr;
      std::string bp = p + "." + std::string(key);
      if (b->is_object()) {
        if (auto s = check_expression(*b, bp, known(siblings)); !s)
          throw SchemaFailure{s.error().field, s.error().detail};
        return *b;
      }
      if (t == FieldType::number && !b->is_number()) fail(bp, "must be a number or an expression");
      if (t == FieldType::money && !(b->is_int64() || b->is_uint64()))
        fail(bp, "must be a whole number of cents or an expression");
      if (t == FieldType::date) {
        if (!b->is_string() ||
            !values::date_bound(std::string_view(b->get_string()),
                                std::chrono::year_month_day{std::chrono::year{2000}, std::chrono::January,
                                                            std::chrono::day{1}}))
          fail(bp, "must be \"YYYY-MM-DD\", \"today\", \"today±N(d|m|y)\" or an expression");
      }
      return *b;
    };
    f.min = bound("min");
    f.max = bound("max");
    if (auto* i = o.if_contains("integer")) f.integer = as_bool(*i, p + ".integer");
    if (auto* v = o.if_contains("min_length")) f.min_length = static_cast<int>(as_int(*v, p + ".min_length"));
    if (auto* v = o.if_contains("max_length")) f.max_length = static_cast<int>(as_int(*v, p + ".max_length"));
    if (f.min_length && f.max_length && *f.min_length > *f.max_length)
      fail(p + ".min_length", "above max_length");
    if (auto* v = o.if_contains("pattern")) {
      f.pattern = as_string(*v, p + ".pattern");
      if (f.max_length && *f.max_length > 500)
        fail(p + ".max_length", "a field with a pattern takes at most 500 characters");
      if (!valid_pattern(f.pattern)) fail(p + ".pattern", "not a valid regular expression");
    }
    f.pattern_message = optional_text(o, "pattern_message", p);
    if (auto* v = o.if_contains("allow_numeric")) f.allow_numeric = as_bool(*v, p + ".allow_numeric");
    if (auto* v = o.if_contains("check_street")) f.check_street = as_bool(*v, p + ".check_street");
    if (auto* v = o.if_contains("holder")) {
      const std::string hp = p + ".holder";
      const auto& h = as_object(*v, hp);
      only_keys(h, {"birth_date", "sex"}, hp);
      auto name_of = [&](std::string_view key) -> std::string {
        auto* n = h.if_contains(key);
        if (!n) return {};
        std::string name = as_string(*n, hp + "." + std::string(key));
        if (!known(siblings)(name)) fail(hp + "." + std::string(key), "unknown field \"" + name + "\"");
        return name;
      };
      f.holder_birth_date = name_of("birth_date");
      f.holder_sex = name_of("sex");
    }

    f.show_if = expression(o, "show_if", p, siblings);
    f.require_if = expression(o, "require_if", p, siblings);
    f.computed = expression(o, "computed", p, siblings);
    if (!f.computed.is_null() && (o.contains("prefill") || f.required))
      fail(p + ".computed", "a computed field cannot be required or prefilled");
    if (auto* cs = o.if_contains("checks")) {
      const auto& arr = as_array(*cs, p + ".checks");
      for (std::size_t i = 0; i < arr.size(); ++i) {
        std::string cp = p + ".checks[" + std::to_string(i) + "]";
        const auto& co = as_object(arr[i], cp);
        only_keys(co, {"assert", "message"}, cp);
        Check c;
        c.assert_ = expression(co, "assert", cp, siblings);
        if (c.assert_.is_null()) fail(cp + ".assert", "required");
        if (!co.contains("message")) fail(cp + ".message", "required");
        c.message = text(co.at("message"), cp + ".message");
        f.checks.push_back(std::move(c));
      }
    }
    if (auto* v = o.if_contains("prefill")) {
      f.prefill = as_string(*v, p + ".prefill");
      if (siblings)
        fail(p + ".prefill", "fields inside a group are not prefilled one by one (prefill the group)");
      if (t == FieldType::file || t == FieldType::declaration)
        fail(p + ".prefill", "not allowed for a " + type_name + " field");
      for (const auto& source : prefill_chain(f.prefill)) {
        if (source.rfind("previous.", 0) == 0) {
          std::string target = source.substr(9);
          if (!top_names_.count(target) && !(siblings && siblings->count(target)))
            fail(p + ".prefill", "\"" + source + "\" names no field of this form");
        } else if (!is_known_prefill_source(source)) {
          fail(p + ".prefill", "unknown prefill source \"" + source + "\"");
        }
      }
    }
    if (auto* v = o.if_contains("prefill_editable"))
      f.prefill_editable = as_bool(*v, p + ".prefill_editable");
    if (auto* v = o.if_contains("min_items")) f.min_items = static_cast<int>(as_int(*v, p + ".min_items"));
    if (auto* v = o.if_contains("max_items")) f.max_items = static_cast<int>(as_int(*v, p + ".max_items"));
    if (f.min_items < 0 || f.max_items < 0) fail(p + ".min_items", "must not be negative");
    if (f.max_items > 0 && f.min_items > f.max_items) fail(p + ".min_items", "above max_items");

    if (t == FieldType::group) {
      if (siblings) fail(p + ".type", "a group cannot contain another group");
      if (!o.contains("fields")) fail(p + ".fields", "a group needs fields");
      const auto& arr = as_array(o.at("fields"), p + ".fields");
      if (arr.empty()) fail(p + ".fields", "a group needs fields");
      std::set<std::string> names;
      for (const auto& c : arr)
        if (c.is_object() && c.get_object().contains("name") && c.get_object().at("name").is_string())
          names.insert(std::string(c.get_object().at("name").get_string()));
      for (std::size_t i = 0; i < arr.size(); ++i) {
        Field child = field(arr[i], p + ".fields[" + std::to_string(i) + "]", d, &names);
        if (f.child(child.name))
          fail(p + ".fields[" + std::to_string(i) + "].name", "duplicate field name \"" + child.name + "\"");
        f.fields.push_back(std::move(child));
      }
    }
    if (t == FieldType::file) {
      if (auto* v = o.if_contains("max_size")) f.file.max_size = as_int(*v, p + ".max_size");
      if (auto* v = o.if_contains("max_count"))
        f.file.max_count = static_cast<int>(as_int(*v, p + ".max_count"));
      if (f.file.max_size <= 0) fail(p + ".max_size", "must be more than 0 bytes");
      if (f.file.max_count < 1) fail(p + ".max_count", "must be 1 or more");
      if (auto* v = o.if_contains("accept")) {
        const auto& arr = as_array(*v, p + ".accept");
        for (std::size_t i = 0; i < arr.size(); ++i) {
          std::string m = as_string(arr[i], p + ".accept[" + std::to_string(i) + "]");
          if (m.find('/') == std::string::npos)
            fail(p + ".accept[" + std::to_string(i) + "]", "must be a MIME type");
          f.file.accept.push_back(std::move(m));
        }
      }
    }
    if (t == FieldType::declaration) {
      if (!o.contains("declaration")) fail(p + ".declaration", "a declaration needs its text");
      f.declaration = text(o.at("declaration"), p + ".declaration");
    }
    return f;
  }

  std::set<std::string> top_names_;
};

}  // namespace

Result<Definition> parse_definition(const json::value& root) {
  try {
    return Parser{}.run(root);
  } catch (const SchemaFailure& f) {
    Error e = Error::make("forms.schema", 400, f.path.empty() ? f.why : f.path + ": " + f.why);
    e.field = f.path;
    return e;
  }
}

Result<Definition> parse_definition_text(std::string_view json_text) {
  boost::system::error_code ec;
  json::value v = json::parse(json_text, ec);
  if (ec) return Error::make("forms.schema", 400, "not valid JSON: " + ec.message());
  return parse_definition(v);
}

Result<Definition> load_definition_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::make("forms.file", 500, file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto d = parse_definition_text(ss.str());
  if (!d) {
    Error e = d.error();
    e.detail = file.filename().string() + ": " + e.detail;
    return e;
  }
  return d;
}

Result<std::vector<Definition>> load_definitions_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  if (ec) return Error::make("forms.file", 500, dir.string());
  std::sort(files.begin(), files.end());
  std::vector<Definition> out;
  std::set<std::pair<std::string, int>> seen;
  for (const auto& f : files) {
    auto d = load_definition_file(f);
    if (!d) return d.error();
    if (!seen.emplace(d->code, d->version).second)
      return Error::make("forms.schema", 400,
                         f.filename().string() + ": another definition has the same code and version");
    out.push_back(std::move(d).value());
  }
  return out;
}

}  // namespace sp::forms
