#include "forms/render.hpp"

#include <algorithm>
#include <cmath>

#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "forms/answers.hpp"
#include "forms/expression.hpp"
#include "forms/prefill.hpp"
#include "forms/values.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

std::string html_id(std::string_view path) {
  std::string id = "f-";
  for (char c : path) {
    if (c == '[' || c == '.')
      id += '-';
    else if (c != ']')
      id += c;
  }
  return id;
}

std::string localised_number(const json::value& v, std::string_view lang) {
  std::string s = values::number_text(v);
  if (lang != "en") std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

class Renderer {
 public:
  Renderer(const Definition& def, const Answers& answers, const std::vector<Issue>& issues,
           const Context& ctx, const I18n& i18n, std::string_view lang)
      : def_(def),
        answers_(answers),
        ctx_(ctx),
        i18n_(i18n),
        lang_(lang),
        typed_(typed_answers(def, answers, ctx)) {
    for (const auto& i : issues) by_path_[i.path].push_back(&i);
  }

  RenderStep step(const Step& st) {
    RenderStep out;
    out.id = st.id;
    out.title = st.title.in(lang_);
    out.help = st.help.in(lang_);
    out.visible = step_visible(st, typed_, ctx_);
    int n = 0;
    for (const auto& s : def_.steps)
      if (step_visible(s, typed_, ctx_)) {
        ++n;
        if (&s == &st) out.number = n;
      }
    out.count = n;
    for (const auto& sec : st.sections) {
      RenderSection rs;
      rs.title = sec.title.in(lang_);
      rs.help = sec.help.in(lang_);
      rs.visible = section_visible(sec, typed_, ctx_);
      for (const auto& f : sec.fields) {
        const json::value* typed = typed_.if_contains(f.name);
        rs.fields.push_back(field(f, answers_.if_contains(f.name), typed, f.name, nullptr, true));
      }
      out.sections.push_back(std::move(rs));
    }
    for (const auto& sec : out.sections)
      for (const auto& f : sec.fields) collect_errors(f, out.errors);
    return out;
  }

 private:
  void collect_errors(const RenderField& f, std::vector<RenderErrorLink>& out) const {
    for (const auto& e : f.errors) out.push_back({f.id, f.label, e});
    for (const auto& p : f.parts) collect_errors(p, out);
    for (const auto& item : f.items)
      for (const auto& c : item.fields) collect_errors(c, out);
  }

  std::vector<std::string> errors_at(const std::string& path) const {
    std::vector<std::string> out;
    if (auto it = by_path_.find(path); it != by_path_.end())
      for (const Issue* i : it->second) out.push_back(message(i18n_, lang_, *i));
    return out;
  }

  std::string option_label(const std::vector<Option>& opts, std::string_view value) const {
    for (const auto& o : opts)
      if (o.value == value) return o.label.in(lang_);
    return std::string(value);
  }

  std::string display(const Field& f, const json::value* typed, const std::vector<Option>& opts) const {
    if (!typed || typed->is_null()) return {};
    const json::value& v = *typed;
    switch (f.type) {
      case FieldType::money:
        return values::whole(v) ? money::format(*values::whole(v), lang_) : std::string();
      case FieldType::number:
        return localised_number(v, lang_) + (f.unit.empty() ? "" : " " + f.unit.in(lang_));
      case FieldType::date: {
        auto d = v.is_string() ? time::parse_iso_date(std::string_view(v.get_string()))
                               : Result<time::Date>(Error{});
        return d ? time::format_it_date(*d) : std::string();
      }
      case FieldType::yes_no:
        return v.is_bool() ? i18n_.t(lang_, v.get_bool() ? "ui.forms.yes" : "ui.forms.no") : std::string();
      case FieldType::declaration:
        return v.is_bool() && v.get_bool() ? i18n_.t(lang_, "ui.forms.declared") : std::string();
      case FieldType::choice:
        return v.is_string() ? option_label(opts, v.get_string()) : std::string();
      case FieldType::multi_choice: {
        std::vector<std::string> labels;
        if (v.is_array())
          for (const auto& x : v.get_array())
            if (x.is_string()) labels.push_back(option_label(opts, x.get_string()));
        return text::join(labels, ", ");
      }
      case FieldType::address: {
        if (!v.is_object()) return {};
        auto part = [&](std::string_view k) { return std::string(v.get_object().at(k).get_string()); };
        return part("street") + " " + part("number") + ", " + part("postcode") + " " + part("municipality");
      }
      case FieldType::file: {
        std::vector<std::string> names;
        if (v.is_array())
          for (const auto& x : v.get_array())
            if (x.is_object() && x.get_object().contains("name") && x.get_object().at("name").is_string())
              names.emplace_back(x.get_object().at("name").get_string());
        return text::join(names, ", ");
      }
      case FieldType::group:
        return {};
      default:
        return v.is_string() ? std::string(v.get_string()) : raw_text(&v);
    }
  }

  // A date bound as a day. An expression over a field not answered yet ({"var": "date_from"}) stands for
  // that field's own bound on the same side, so "to" fields get a sensible example before "from" is typed.
  std::optional<std::chrono::year_month_day> date_bound_of(const Field& f, bool upper,
                                                           const json::object* item, int depth = 0) const {
    const json::value& b = upper ? f.max : f.min;
    if (b.is_null()) return std::nullopt;
    json::value v = b.is_object() ? evaluate(b, Scope{item, &typed_, ctx_.today}) : b;
    if (v.is_string()) return values::date_bound(std::string_view(v.get_string()), ctx_.today);
    if (depth < 3 && b.is_object() && b.get_object().size() == 1 && b.get_object().contains("var")) {
      const json::value& name = b.get_object().at("var");
      if (name.is_string())
        if (const Field* other = find_field(std::string_view(name.get_string()));
            other && other->type == FieldType::date)
          return date_bound_of(*other, upper, item, depth + 1);
    }
    return std::nullopt;
  }

  // A field by the name an expression uses: a form field, else a field of one of its groups.
  const Field* find_field(std::string_view name) const {
    for (const Field* top : def_.fields()) {
      if (top->name == name) return top;
      if (const Field* c = top->child(name)) return c;
    }
    return nullptr;
  }

  std::string bound_text(const Field& f, const json::value& b, const json::object* item) const {
    json::value v = b.is_object() ? evaluate(b, Scope{item, &typed_, ctx_.today}) : b;
    if (f.type == FieldType::date && v.is_string()) {
      auto d = values::date_bound(std::string_view(v.get_string()), ctx_.today);
      return d ? time::format_iso_date(*d) : std::string();
    }
    if (f.type == FieldType::number && v.is_number()) return values::number_text(v);
    return {};
  }

  RenderField field(const Field& f, const json::value* raw, const json::value* typed, const std::string& path,
                    const json::object* item, bool top) {
    RenderField r;
    r.name = f.name;
    r.input = path;
    r.id = html_id(path);
    r.type = std::string(to_string(f.type));
    r.label = f.label.in(lang_);
    r.help = f.help.in(lang_);
    r.unit = f.unit.in(lang_);
    r.declaration = f.declaration.in(lang_);
    r.required = field_required(f, typed_, ctx_, item);
    r.visible = field_visible(f, typed_, ctx_, item);
    r.conditional = !f.show_if.is_null() || !f.require_if.is_null();
    r.computed = !f.computed.is_null();
    r.editable = !r.computed && !(top && is_locked(f, ctx_.facts));
    r.errors = errors_at(path);
    r.min = bound_text(f, f.min, item);
    r.max = bound_text(f, f.max, item);
    if (f.type == FieldType::date && r.editable) {
      auto example = date_example(date_bound_of(f, false, item), date_bound_of(f, true, item), ctx_.today);
      r.hint = i18n_.format(lang_, "ui.forms.date_hint", {{"example", time::format_it_date(example)}});
    }
    auto opts = options_of(def_, f, ctx_);
    r.display = display(f, typed, opts);
    r.value = r.computed ? r.display : raw_text(raw);
    if (top) {
      if (auto fact = prefill_answer(f, ctx_.facts)) {
        r.prefilled = raw && same_answer(f, raw, &*fact);
      }
    }
    switch (f.type) {
      case FieldType::choice:
      case FieldType::multi_choice: {
        r.free_text = opts.empty();
        for (const auto& o : opts) {
          bool sel = false;
          if (raw && raw->is_string()) sel = text::trim(std::string_view(raw->get_string())) == o.value;
          if (raw && raw->is_array())
            for (const auto& x : raw->get_array()) sel = sel || (x.is_string() && x.get_string() == o.value);
          r.options.push_back({o.value, o.label.in(lang_), sel});
        }
        break;
      }
      case FieldType::yes_no: {
        std::optional<bool> b;
        if (typed && typed->is_bool()) b = typed->get_bool();
        r.options.push_back({"yes", i18n_.t(lang_, "ui.forms.yes"), b && *b});
        r.options.push_back({"no", i18n_.t(lang_, "ui.forms.no"), b && !*b});
        break;
      }
      case FieldType::declaration:
        r.checked = typed && typed->is_bool() && typed->get_bool();
        break;
      case FieldType::address: {
        const json::object* o = raw && raw->is_object() ? &raw->get_object() : nullptr;
        for (auto part : kAddressParts) {
          RenderField p;
          p.name = std::string(part);
          p.input = path + "." + std::string(part);
          p.id = html_id(p.input);
          p.type = "text";
          p.label = i18n_.t(lang_, "ui.forms.address_" + std::string(part));
          p.value = o ? raw_text(o->if_contains(part)) : std::string();
          p.display = p.value;
          p.required = r.required;
          p.visible = r.visible;
          p.editable = r.editable;
          p.errors = errors_at(p.input);
          r.parts.push_back(std::move(p));
        }
        r.streets = ctx_.streets;
        break;
      }
      case FieldType::file: {
        if (raw && raw->is_array())
          for (const auto& x : raw->get_array()) {
            if (!x.is_object()) continue;
            const auto& o = x.get_object();
            RenderFile rf;
            rf.id = raw_text(o.if_contains("id"));
            rf.name = raw_text(o.if_contains("name"));
            rf.mime = raw_text(o.if_contains("mime"));
            if (const json::value* s = o.if_contains("size"); s && s->is_number())
              rf.size = values::whole(*s).value_or(0);
            r.files.push_back(std::move(rf));
          }
        r.accept = text::join(f.file.accept, ",");
        r.max_size = f.file.max_size;
        r.max_count = f.file.max_count;
        break;
      }
      case FieldType::group: {
        r.min_items = f.min_items;
        r.max_items = f.max_items;
        const json::array* items = raw && raw->is_array() ? &raw->get_array() : nullptr;
        const json::array* titems = typed && typed->is_array() ? &typed->get_array() : nullptr;
        std::size_t n = items ? items->size() : 0;
        for (std::size_t i = 0; i < n; ++i) {
          RenderItem it;
          it.index = static_cast<int>(i);
          it.prefix = path + "[" + std::to_string(i) + "]";
          it.title = i18n_.format(lang_, "ui.forms.item", {{"label", r.label}, {"n", std::to_string(i + 1)}});
          const json::object* raw_item = (*items)[i].is_object() ? &(*items)[i].get_object() : nullptr;
          const json::object* typed_item =
              titems && i < titems->size() && (*titems)[i].is_object() ? &(*titems)[i].get_object() : nullptr;
          for (const auto& c : f.fields)
            it.fields.push_back(field(c, raw_item ? raw_item->if_contains(c.name) : nullptr,
                                      typed_item ? typed_item->if_contains(c.name) : nullptr,
                                      it.prefix + "." + c.name, typed_item, false));
          r.items.push_back(std::move(it));
        }
        int min = std::max(f.min_items, r.required ? 1 : 0);
        r.can_add = r.editable && (f.max_items == 0 || static_cast<int>(n) < f.max_items);
        r.can_remove = r.editable && static_cast<int>(n) > min;
        break;
      }
      default:
        break;
    }
    return r;
  }

  const Definition& def_;
  const Answers& answers_;
  const Context& ctx_;
  const I18n& i18n_;
  std::string lang_;
  json::object typed_;
  std::map<std::string, std::vector<const Issue*>> by_path_;
};

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

std::chrono::year_month_day date_example(std::optional<std::chrono::year_month_day> lo,
                                         std::optional<std::chrono::year_month_day> hi,
                                         std::chrono::year_month_day today) {
  using std::chrono::sys_days;
  using ymd = std::chrono::year_month_day;
  if (lo && hi && sys_days(*lo) > sys_days(*hi)) hi.reset();  // bounds that cannot both hold: keep the lower
  auto midpoint = [](ymd a, ymd b) { return ymd{sys_days(a) + (sys_days(b) - sys_days(a)) / 2}; };
  auto within = [&](ymd d) {
    return (!lo || sys_days(d) >= sys_days(*lo)) && (!hi || sys_days(d) <= sys_days(*hi));
  };
  ymd example = today;
  if (hi && sys_days(*hi) <= sys_days(today)) {  // a date in the past: a birth, a certificate issued
    example = lo ? midpoint(*lo, *hi)
                 : ymd{std::chrono::year_month(hi->year() - std::chrono::years{30}, hi->month()) /
                       std::chrono::day{1}};
  } else if (lo && sys_days(*lo) >= sys_days(today)) {  // a date to come: a start, a booking
    example = ymd{(std::chrono::year_month(lo->year(), lo->month()) + std::chrono::months{1}) /
                  std::chrono::day{1}};
    if (!within(example)) example = hi ? midpoint(*lo, *hi) : *lo;
  }
  // A day above 12 shows which number is the day (14/09, not 05/09).
  if (static_cast<unsigned>(example.day()) <= 12) {
    ymd later{example.year() / example.month() / std::chrono::day{static_cast<unsigned>(example.day()) + 14}};
    if (within(later)) example = later;
  }
  if (!within(example)) example = lo ? *lo : hi ? *hi : today;
  return example;
}

RenderStep render_step(const Definition& def, std::string_view step_id, const Answers& answers,
                       const std::vector<Issue>& issues, const Context& ctx, const I18n& i18n,
                       std::string_view lang) {
  const Step* st = def.step(step_id);
  if (!st) return RenderStep{};
  return Renderer(def, answers, issues, ctx, i18n, lang).step(*st);
}

RenderForm render_form(const Definition& def, const Answers& answers, const std::vector<Issue>& issues,
                       const Context& ctx, const I18n& i18n, std::string_view lang) {
  RenderForm out;
  out.code = def.code;
  out.version = def.version;
  out.title = def.title.in(lang);
  out.intro = def.intro.in(lang);
  Renderer r(def, answers, issues, ctx, i18n, lang);
  for (const auto& st : def.steps) {
    RenderStep rs = r.step(st);
    if (rs.visible) out.steps.push_back(std::move(rs));
  }
  return out;
}

json::object to_json(const RenderField& f) {
  json::object o;
  o["name"] = f.name;
  o["input"] = f.input;
  o["id"] = f.id;
  o["type"] = f.type;
  o["is_" + f.type] = true;  // for mustache sections: {{#is_date}}...{{/is_date}}
  o["label"] = f.label;
  o["help"] = f.help;
  o["unit"] = f.unit;
  o["declaration"] = f.declaration;
  o["value"] = f.value;
  o["display"] = f.display;
  json::array opts;
  for (const auto& op : f.options)
    opts.push_back(json::object{{"value", op.value}, {"label", op.label}, {"selected", op.selected}});
  o["options"] = std::move(opts);
  o["checked"] = f.checked;
  o["required"] = f.required;
  o["visible"] = f.visible;
  o["conditional"] = f.conditional;
  o["prefilled"] = f.prefilled;
  o["editable"] = f.editable;
  o["computed"] = f.computed;
  o["free_text"] = f.free_text;
  o["min"] = f.min;
  o["max"] = f.max;
  o["hint"] = f.hint;
  o["errors"] = strings(f.errors);
  o["has_errors"] = !f.errors.empty();
  json::array parts;
  for (const auto& p : f.parts) parts.push_back(to_json(p));
  o["parts"] = std::move(parts);
  o["streets"] = strings(f.streets);
  json::array items;
  for (const auto& it : f.items) {
    json::array fields;
    for (const auto& c : it.fields) fields.push_back(to_json(c));
    items.push_back(json::object{
        {"index", it.index}, {"prefix", it.prefix}, {"title", it.title}, {"fields", std::move(fields)}});
  }
  o["items"] = std::move(items);
  o["min_items"] = f.min_items;
  o["max_items"] = f.max_items;
  o["can_add"] = f.can_add;
  o["can_remove"] = f.can_remove;
  json::array files;
  for (const auto& x : f.files)
    files.push_back(json::object{{"id", x.id}, {"name", x.name}, {"size", x.size}, {"mime", x.mime}});
  o["files"] = std::move(files);
  o["accept"] = f.accept;
  o["max_size"] = f.max_size;
  o["max_count"] = f.max_count;
  return o;
}

json::object to_json(const RenderStep& s) {
  json::object o;
  o["id"] = s.id;
  o["title"] = s.title;
  o["help"] = s.help;
  o["number"] = s.number;
  o["count"] = s.count;
  o["visible"] = s.visible;
  json::array secs;
  for (const auto& sec : s.sections) {
    json::array fields;
    for (const auto& f : sec.fields) fields.push_back(to_json(f));
    secs.push_back(json::object{
        {"title", sec.title}, {"help", sec.help}, {"visible", sec.visible}, {"fields", std::move(fields)}});
  }
  o["sections"] = std::move(secs);
  json::array errs;
  for (const auto& e : s.errors)
    errs.push_back(json::object{{"id", e.id}, {"label", e.label}, {"message", e.message}});
  o["errors"] = std::move(errs);
  o["has_errors"] = !s.errors.empty();
  return o;
}

json::object to_json(const RenderForm& f) {
  json::object o;
  o["code"] = f.code;
  o["version"] = f.version;
  o["title"] = f.title;
  o["intro"] = f.intro;
  json::array steps;
  for (const auto& s : f.steps) steps.push_back(to_json(s));
  o["steps"] = std::move(steps);
  return o;
}

}  // namespace sp::forms
