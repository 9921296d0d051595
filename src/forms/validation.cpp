#include "forms/validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>

#include "core/codice_fiscale.hpp"
#include "core/money.hpp"
#include "core/partita_iva.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "forms/answers.hpp"
#include "forms/expression.hpp"
#include "forms/prefill.hpp"
#include "forms/values.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

constexpr int kTextMax = 500;        // one-line text when the definition sets no max_length
constexpr int kLongTextMax = 10000;  // long text likewise

std::string trimmed(const json::value* v) {
  if (!v) return {};
  if (v->is_string()) return text::trim(std::string_view(v->get_string()));
  if (v->is_number() || v->is_bool()) return raw_text(v);
  return {};
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_empty(const Field& f, const json::value* v) {
  if (!v || v->is_null()) return true;
  if (f.type == FieldType::declaration)
    return !(v->is_bool() ? v->get_bool() : values::yes_no(trimmed(v)).value_or(false));
  if (v->is_string()) return text::trim(std::string_view(v->get_string())).empty();
  if (v->is_array()) return v->get_array().empty();
  if (v->is_object()) {
    for (const auto& [_, x] : v->get_object())
      if (x.is_string() ? !text::trim(std::string_view(x.get_string())).empty() : !x.is_null()) return false;
    return true;
  }
  return false;
}

std::string limit_text(double d) {
  if (std::trunc(d) == d && std::fabs(d) < 9.0e15) return std::to_string(static_cast<std::int64_t>(d));
  return values::number_text(json::value(d));
}

std::string fmt_mb(double mb) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", mb);
  return buf;
}

std::optional<double> to_double(const json::value& v) {
  if (v.is_number()) return v.to_number<double>();
  return std::nullopt;
}

// The sex as a choice field holds it: "F"/"M", or the words in Italian or English.
std::optional<cf::Sex> sex_of(std::string_view v) {
  std::string s = text::to_lower_ascii(text::trim(v));
  if (s == "f" || s == "femmina" || s == "female" || s == "donna") return cf::Sex::female;
  if (s == "m" || s == "maschio" || s == "male" || s == "uomo") return cf::Sex::male;
  return std::nullopt;
}

class Validator {
 public:
  Validator(const Definition& def, const Answers& answers, const Context& ctx)
      : def_(def), answers_(answers), ctx_(ctx), typed_(typed_answers(def, answers, ctx)) {}

  const json::object& typed() const { return typed_; }

  void run(std::string_view step_id) {
    for (const auto& step : def_.steps) {
      if (!step_id.empty() && step.id != step_id) continue;
      if (!step_visible(step, typed_, ctx_)) continue;
      for (const auto& sec : step.sections) {
        if (!section_visible(sec, typed_, ctx_)) continue;
        for (const auto& f : sec.fields) {
          if (!field_visible(f, typed_, ctx_)) continue;
          field(f, answers_.if_contains(f.name), f.name, nullptr, true);
        }
      }
    }
  }

  std::vector<Issue> issues;

 private:
  void add(const std::string& path, std::string code, std::map<std::string, std::string> params = {}) {
    issues.push_back(Issue{path, std::move(code), std::move(params), std::nullopt});
  }
  void add_text(const std::string& path, std::string code, const Text& message) {
    issues.push_back(Issue{path, std::move(code), {}, message});
  }

  Scope scope(const json::object* item) const { return Scope{item, &typed_, ctx_.today}; }

  // A bound as a JSON value: literals as they are, expressions evaluated.
  json::value bound(const json::value& b, const json::object* item) const {
    if (b.is_object()) return evaluate(b, scope(item));
    return b;
  }

  void field(const Field& f, const json::value* raw, const std::string& path, const json::object* item,
             bool top) {
    if (!f.computed.is_null()) return;
    if (top && is_locked(f, ctx_.facts)) {
      auto fact = prefill_answer(f, ctx_.facts);
      if (fact && !same_answer(f, raw, &*fact)) {
        add(path, "prefill_locked");
        return;
      }
    }
    bool required = field_required(f, typed_, ctx_, item);
    if (f.type == FieldType::group) {
      group(f, raw, path, required);
      return;
    }
    if (is_empty(f, raw)) {
      if (required) {
        if (f.type == FieldType::declaration)
          add(path, "declaration_required");
        else if (f.type == FieldType::address)
          address(f, raw, path);
        else
          add(path, "required");
      }
      return;
    }
    std::size_t before = issues.size();
    check_type(f, *raw, path, item);
    if (issues.size() != before) return;
    for (const auto& c : f.checks)
      if (!condition(c.assert_, scope(item), true)) add_text(path, "check", c.message);
  }

  void check_type(const Field& f, const json::value& raw, const std::string& path, const json::object* item) {
    const std::string s = trimmed(&raw);
    bool structured =
        f.type == FieldType::multi_choice || f.type == FieldType::address || f.type == FieldType::file;
    if (!structured && (raw.is_array() || raw.is_object())) return add(path, "value_invalid");
    switch (f.type) {
      case FieldType::text:
      case FieldType::long_text: {
        std::size_t n = code_points(s);
        int max = f.max_length.value_or(f.type == FieldType::text ? kTextMax : kLongTextMax);
        if (f.min_length && n < static_cast<std::size_t>(*f.min_length))
          return add(path, "text_too_short", {{"min", std::to_string(*f.min_length)}});
        if (n > static_cast<std::size_t>(max))
          return add(path, "text_too_long", {{"max", std::to_string(max)}});
        if (!f.pattern.empty()) {
          std::regex re(f.pattern, std::regex::ECMAScript);
          if (!std::regex_match(s, re)) {
            if (!f.pattern_message.empty()) return add_text(path, "pattern", f.pattern_message);
            return add(path, "pattern");
          }
        }
        return;
      }
      case FieldType::number: {
        std::optional<double> n;
        if (raw.is_number())
          n = raw.to_number<double>();
        else if (auto p = values::number(s); p.ok())
          n = *p.value;
        if (!n) return add(path, "number_invalid");
        if (f.integer && std::trunc(*n) != *n) return add(path, "number_integer");
        auto lo = to_double(bound(f.min, item)), hi = to_double(bound(f.max, item));
        return range(path, "number", *n, lo, hi, limit_text);
      }
      case FieldType::money: {
        std::optional<std::int64_t> c;
        if (raw.is_int64() || raw.is_uint64())
          c = values::whole(raw);
        else if (raw.is_double())
          return add(path, "money_invalid");  // JSON money is whole cents, or a string as typed
        else if (auto p = values::money(s); p.ok())
          c = *p.value;
        if (!c) return add(path, "money_invalid");
        auto lo = to_double(bound(f.min, item)), hi = to_double(bound(f.max, item));
        return range(path, "money", static_cast<double>(*c), lo, hi,
                     [](double d) { return std::to_string(static_cast<std::int64_t>(std::llround(d))); });
      }
      case FieldType::date: {
        auto d = values::date(s);
        if (!d.ok()) return add(path, d.code, {{"date", s}});
        auto resolve = [&](const json::value& b) -> std::optional<double> {
          json::value v = bound(b, item);
          if (!v.is_string()) return std::nullopt;
          auto r = values::date_bound(std::string_view(v.get_string()), ctx_.today);
          if (!r) return std::nullopt;
          return static_cast<double>(std::chrono::sys_days(*r).time_since_epoch().count());
        };
        double day = static_cast<double>(std::chrono::sys_days(*d.value).time_since_epoch().count());
        return range(path, "date", day, resolve(f.min), resolve(f.max), [](double v) {
          return time::format_iso_date(
              std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{static_cast<int>(v)}}});
        });
      }
      case FieldType::choice: {
        auto opts = options_of(def_, f, ctx_);
        if (opts.empty()) {
          if (!raw.is_string() || code_points(s) > 200) add(path, "choice_invalid");
          return;
        }
        if (std::none_of(opts.begin(), opts.end(), [&](const Option& o) { return o.value == s; }))
          add(path, "choice_invalid");
        return;
      }
      case FieldType::multi_choice: {
        auto opts = options_of(def_, f, ctx_);
        std::vector<std::string> chosen;
        if (raw.is_string())
          chosen.push_back(s);
        else if (raw.is_array())
          for (const auto& x : raw.get_array()) {
            if (!x.is_string()) return add(path, "choice_invalid");
            std::string v(x.get_string());
            if (std::find(chosen.begin(), chosen.end(), v) == chosen.end()) chosen.push_back(v);
          }
        else
          return add(path, "choice_invalid");
        if (!opts.empty())
          for (const auto& v : chosen)
            if (std::none_of(opts.begin(), opts.end(), [&](const Option& o) { return o.value == v; }))
              return add(path, "choice_invalid");
        int n = static_cast<int>(chosen.size());
        if (f.min_items > 0 && n < f.min_items)
          return add(path, "choices_too_few", {{"min", std::to_string(f.min_items)}});
        if (f.max_items > 0 && n > f.max_items)
          return add(path, "choices_too_many", {{"max", std::to_string(f.max_items)}});
        return;
      }
      case FieldType::yes_no:
        if (!raw.is_bool() && !values::yes_no(s)) add(path, "yes_no_invalid");
        return;
      case FieldType::declaration:
        return;  // ticked (is_empty said so)
      case FieldType::codice_fiscale: {
        auto r = cf::validate_any(s);
        if (!r) return add(path, "cf_invalid", {{"reason", r.error().code}});
        if (r->kind == cf::Kind::numeric && !f.allow_numeric)
          return add(path, "cf_invalid", {{"reason", "cf.length"}});
        if (r->kind == cf::Kind::person) holder(f, r->code, path, item);
        return;
      }
      case FieldType::partita_iva: {
        auto r = piva::validate(s);
        if (!r) add(path, "piva_invalid", {{"reason", r.error().code}});
        return;
      }
      case FieldType::iban:
        if (!values::iban(s).ok()) add(path, "iban_invalid");
        return;
      case FieldType::email:
        if (!values::email(s).ok()) add(path, "email_invalid");
        return;
      case FieldType::phone:
        if (!values::phone(s).ok()) add(path, "phone_invalid");
        return;
      case FieldType::address:
        return address(f, &raw, path);
      case FieldType::file:
        return files(f, raw, path);
      case FieldType::group:
        return;
    }
  }

  // A person's code against the birth date and sex typed in the fields it names (Field::holder): the
  // code's day, month and two-digit year, and its sex (day + 40 for women). Omocodic codes are decoded
  // with their digits restored. A field that is empty or not valid is left to its own issue.
  void holder(const Field& f, const std::string& code, const std::string& path, const json::object* item) {
    if (f.holder_birth_date.empty() && f.holder_sex.empty()) return;
    auto decoded = cf::decode(code, ctx_.today);
    if (!decoded) return;
    const Scope sc = scope(item);
    if (!f.holder_birth_date.empty()) {
      json::value v = evaluate(json::object{{"var", f.holder_birth_date}}, sc);
      std::optional<std::chrono::year_month_day> typed_date;
      if (v.is_string())
        if (auto r = time::parse_iso_date(std::string_view(v.get_string()))) typed_date = *r;
      if (typed_date) {
        const auto& c = decoded->birth_date;
        bool same = c.month() == typed_date->month() && c.day() == typed_date->day() &&
                    static_cast<int>(c.year()) % 100 == static_cast<int>(typed_date->year()) % 100;
        if (!same) {
          // The code has two digits of the year: show it in the century of the date typed.
          int year = static_cast<int>(typed_date->year()) / 100 * 100 + static_cast<int>(c.year()) % 100;
          std::chrono::year_month_day shown{std::chrono::year{year}, c.month(), c.day()};
          if (!shown.ok()) shown = c;
          return add(path, "cf_birth_date_mismatch", {{"cf_date", time::format_iso_date(shown)}});
        }
      }
    }
    if (!f.holder_sex.empty()) {
      json::value v = evaluate(json::object{{"var", f.holder_sex}}, sc);
      auto sex = v.is_string() ? sex_of(std::string_view(v.get_string())) : std::nullopt;
      if (sex && *sex != decoded->sex)
        add(path, "cf_sex_mismatch", {{"cf_sex", decoded->sex == cf::Sex::female ? "F" : "M"}});
    }
  }

  template <class Fmt>
  void range(const std::string& path, const std::string& kind, double v, std::optional<double> lo,
             std::optional<double> hi, Fmt fmt) {
    bool below = lo && v < *lo, above = hi && v > *hi;
    if (!below && !above) return;
    if (lo && hi) return add(path, kind + "_range", {{"min", fmt(*lo)}, {"max", fmt(*hi)}});
    if (below) return add(path, kind + "_min", {{"min", fmt(*lo)}});
    add(path, kind + "_max", {{"max", fmt(*hi)}});
  }

  void address(const Field& f, const json::value* raw, const std::string& path) {
    if (raw && !raw->is_null() && !raw->is_object()) return add(path, "address_invalid");
    const json::object* o = raw && raw->is_object() ? &raw->get_object() : nullptr;
    auto part = [&](std::string_view name) { return o ? trimmed(o->if_contains(name)) : std::string(); };
    std::string street = part("street"), number = part("number"), postcode = part("postcode"),
                town = part("municipality");
    if (street.empty()) {
      add(path + ".street", "street_required");
    } else if (f.check_street && !ctx_.streets.empty()) {
      std::string folded = text::fold(street);
      if (std::none_of(ctx_.streets.begin(), ctx_.streets.end(),
                       [&](const std::string& s) { return text::fold(s) == folded; }))
        add(path + ".street", "street_unknown");
    } else if (code_points(street) > 200) {
      add(path + ".street", "street_unknown");
    }
    if (number.empty())
      add(path + ".number", "civic_required");
    else if (!values::civic_number(number).ok())
      add(path + ".number", "civic_invalid");
    if (postcode.empty())
      add(path + ".postcode", "postcode_required");
    else if (!values::postcode(postcode).ok())
      add(path + ".postcode", "postcode_invalid");
    if (town.empty() || code_points(town) > 100) add(path + ".municipality", "municipality_required");
  }

  void files(const Field& f, const json::value& raw, const std::string& path) {
    if (!raw.is_array()) return add(path, "file_invalid");
    const auto& arr = raw.get_array();
    if (static_cast<int>(arr.size()) > f.file.max_count)
      return add(path, "file_too_many", {{"max", std::to_string(f.file.max_count)}});
    for (const auto& x : arr) {
      const json::object* o = x.is_object() ? &x.get_object() : nullptr;
      const json::value* id = o ? o->if_contains("id") : nullptr;
      const json::value* size = o ? o->if_contains("size") : nullptr;
      if (!id || !id->is_string() || id->get_string().empty() || !size ||
          !(size->is_int64() || size->is_uint64()))
        return add(path, "file_invalid");
      if (!values::whole(*size) || *values::whole(*size) > f.file.max_size)
        return add(path, "file_too_large", {{"max_size", std::to_string(f.file.max_size)}});
      if (!f.file.accept.empty()) {
        std::string mime = o->contains("mime") ? trimmed(&o->at("mime")) : std::string();
        mime = text::to_lower_ascii(mime);
        bool ok = std::any_of(f.file.accept.begin(), f.file.accept.end(), [&](const std::string& a) {
          if (a.size() > 2 && a.compare(a.size() - 2, 2, "/*") == 0)
            return mime.rfind(a.substr(0, a.size() - 1), 0) == 0;
          return mime == a;
        });
        if (!ok) return add(path, "file_type", {{"accept", text::join(f.file.accept, ", ")}});
      }
    }
  }

  void group(const Field& g, const json::value* raw, const std::string& path, bool required) {
    if (raw && !raw->is_null() && !raw->is_array()) return add(path, "group_invalid");
    std::size_t n = raw && raw->is_array() ? raw->get_array().size() : 0;
    int min = std::max(g.min_items, required ? 1 : 0);
    if (static_cast<int>(n) < min) add(path, "group_too_few", {{"min", std::to_string(min)}});
    if (g.max_items > 0 && static_cast<int>(n) > g.max_items)
      return add(path, "group_too_many", {{"max", std::to_string(g.max_items)}});
    const json::value* typed_items = typed_.if_contains(g.name);
    for (std::size_t i = 0; i < n; ++i) {
      const json::value& item_raw = raw->get_array()[i];
      std::string item_path = path + "[" + std::to_string(i) + "]";
      if (!item_raw.is_object()) {
        add(item_path, "group_invalid");
        continue;
      }
      const json::object* item = typed_items && typed_items->is_array() &&
                                         i < typed_items->get_array().size() &&
                                         typed_items->get_array()[i].is_object()
                                     ? &typed_items->get_array()[i].get_object()
                                     : nullptr;
      for (const auto& c : g.fields) {
        if (!field_visible(c, typed_, ctx_, item)) continue;
        field(c, item_raw.get_object().if_contains(c.name), item_path + "." + c.name, item, false);
      }
    }
  }

  const Definition& def_;
  const Answers& answers_;
  const Context& ctx_;
  json::object typed_;
};

}  // namespace

const std::vector<std::string>& issue_codes() {
  static const std::vector<std::string> codes{"required",
                                              "text_too_short",
                                              "text_too_long",
                                              "pattern",
                                              "number_invalid",
                                              "number_integer",
                                              "number_min",
                                              "number_max",
                                              "number_range",
                                              "money_invalid",
                                              "money_min",
                                              "money_max",
                                              "money_range",
                                              "date_invalid",
                                              "date_min",
                                              "date_max",
                                              "date_range",
                                              "date_nonexistent",
                                              "choice_invalid",
                                              "choices_too_few",
                                              "choices_too_many",
                                              "yes_no_invalid",
                                              "cf_invalid",
                                              "cf_birth_date_mismatch",
                                              "cf_sex_mismatch",
                                              "piva_invalid",
                                              "iban_invalid",
                                              "email_invalid",
                                              "phone_invalid",
                                              "street_unknown",
                                              "street_required",
                                              "civic_invalid",
                                              "civic_required",
                                              "postcode_invalid",
                                              "postcode_required",
                                              "municipality_required",
                                              "address_invalid",
                                              "file_invalid",
                                              "file_too_large",
                                              "file_too_many",
                                              "file_type",
                                              "group_too_few",
                                              "group_too_many",
                                              "group_invalid",
                                              "declaration_required",
                                              "prefill_locked",
                                              "check",
                                              "value_invalid",
                                              "step_unknown"};
  return codes;
}

std::vector<Issue> validate(const Definition& def, const Answers& answers, const Context& ctx) {
  Validator v(def, answers, ctx);
  v.run({});
  return std::move(v.issues);
}

std::vector<Issue> validate_step(const Definition& def, std::string_view step_id, const Answers& answers,
                                 const Context& ctx) {
  if (!def.step(step_id)) return {Issue{"", "step_unknown", {{"step", std::string(step_id)}}, std::nullopt}};
  Validator v(def, answers, ctx);
  v.run(step_id);
  return std::move(v.issues);
}

Submission submit(const Definition& def, const Answers& answers, const Context& ctx) {
  Validator v(def, answers, ctx);
  v.run({});
  Submission out;
  out.issues = std::move(v.issues);
  const json::object& typed = v.typed();
  for (const auto& step : def.steps) {
    if (!step_visible(step, typed, ctx)) continue;
    for (const auto& sec : step.sections) {
      if (!section_visible(sec, typed, ctx)) continue;
      for (const auto& f : sec.fields) {
        if (!field_visible(f, typed, ctx)) continue;
        const json::value* t = typed.if_contains(f.name);
        if (f.type != FieldType::group) {
          out.data[f.name] = t ? *t : json::value(nullptr);
          continue;
        }
        json::array items;
        if (t && t->is_array())
          for (const auto& item_v : t->get_array()) {
            const json::object& item = item_v.get_object();
            json::object kept;
            for (const auto& c : f.fields)
              if (field_visible(c, typed, ctx, &item))
                kept[c.name] = item.contains(c.name) ? item.at(c.name) : nullptr;
            items.push_back(std::move(kept));
          }
        out.data[f.name] = std::move(items);
      }
    }
  }
  return out;
}

std::string message(const I18n& i18n, std::string_view lang, const Issue& issue) {
  if (issue.message) return issue.message->in(lang);
  if (auto it = issue.params.find("reason"); it != issue.params.end()) {
    std::string key = "error." + it->second;
    const std::string& precise = i18n.t(lang, key);
    if (precise != key) return precise;
  }
  std::map<std::string, std::string> params = issue.params;
  const std::string& code = issue.code;
  for (const char* name : {"min", "max"}) {
    auto it = params.find(name);
    if (it == params.end()) continue;
    if (code.rfind("money_", 0) == 0) {
      try {
        it->second = money::format(std::stoll(it->second), lang);
      } catch (const std::exception&) {
      }
    } else if (code.rfind("date_", 0) == 0) {
      if (auto d = time::parse_iso_date(it->second)) it->second = time::format_it_date(*d);
    } else if (code.rfind("number_", 0) == 0 && lang != "en") {
      std::replace(it->second.begin(), it->second.end(), '.', ',');
    }
  }
  if (auto it = params.find("cf_date"); it != params.end())
    if (auto d = time::parse_iso_date(it->second)) it->second = time::format_it_date(*d);
  if (auto it = params.find("cf_sex"); it != params.end())
    it->second = i18n.t(lang, it->second == "F" ? "ui.forms.sex_female" : "ui.forms.sex_male");
  if (auto it = params.find("max_size"); it != params.end()) {
    try {
      double mb = static_cast<double>(std::stoll(it->second)) / (1024.0 * 1024.0);
      std::string s =
          mb >= 1 && std::trunc(mb) == mb ? std::to_string(static_cast<long long>(mb)) : fmt_mb(mb);
      if (lang != "en") std::replace(s.begin(), s.end(), '.', ',');
      it->second = s + " MB";
    } catch (const std::exception&) {
    }
  }
  return i18n.format(lang, "error.forms." + code, params);
}

}  // namespace sp::forms
