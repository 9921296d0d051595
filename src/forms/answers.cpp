#include "forms/answers.hpp"

#include <algorithm>
#include <cmath>

#include "core/codice_fiscale.hpp"
#include "core/partita_iva.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "forms/values.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

bool on_step(std::string_view step_id, const Step& step) {
  return step_id.empty() || step.id == step_id;
}

std::string first_value(const FormPairs& post, const std::string& name) {
  auto it = post.find(name);
  return it == post.end() ? std::string() : it->second;
}

json::value read_field(const Field& f, const std::string& name, const FormPairs& post);

// Items of a group from names "<name>[<index>].<child>": indexes in order, gaps closed.
json::value read_group(const Field& g, const std::string& name, const FormPairs& post) {
  const std::string prefix = name + "[";
  std::vector<std::size_t> indexes;
  for (auto it = post.lower_bound(prefix);
       it != post.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    auto close = rest.find(']');
    if (close == std::string_view::npos || close == 0 || close > 4) continue;
    std::size_t idx = 0;
    bool digits = true;
    for (char c : rest.substr(0, close)) {
      if (c < '0' || c > '9')
        digits = false;
      else
        idx = idx * 10 + static_cast<std::size_t>(c - '0');
    }
    if (digits) indexes.push_back(idx);
  }
  std::sort(indexes.begin(), indexes.end());
  indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
  json::array items;
  for (std::size_t idx : indexes) {
    json::object item;
    std::string item_prefix = name + "[" + std::to_string(idx) + "].";
    for (const auto& c : g.fields) {
      if (c.type == FieldType::file || !c.computed.is_null()) continue;
      item[c.name] = read_field(c, item_prefix + c.name, post);
    }
    items.push_back(std::move(item));
  }
  return items;
}

json::value read_field(const Field& f, const std::string& name, const FormPairs& post) {
  switch (f.type) {
    case FieldType::multi_choice: {
      json::array arr;
      for (const std::string& n : {name, name + "[]"}) {
        auto [lo, hi] = post.equal_range(n);
        for (auto it = lo; it != hi; ++it)
          if (!it->second.empty()) arr.emplace_back(it->second);
      }
      return arr;
    }
    case FieldType::address: {
      json::object a;
      for (auto part : kAddressParts) a[part] = first_value(post, name + "." + std::string(part));
      return a;
    }
    case FieldType::group:
      return read_group(f, name, post);
    default:
      return json::value(first_value(post, name));
  }
}

std::string trimmed(const json::value& v) {
  return v.is_string() ? text::trim(std::string_view(v.get_string())) : std::string();
}

json::value number_json(double d) {
  if (std::trunc(d) == d && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
  return d;
}

}  // namespace

json::value typed_value(const Field& f, const json::value* raw) {
  if (!raw || raw->is_null()) {
    if (f.type == FieldType::declaration) return false;
    return nullptr;
  }
  const json::value& v = *raw;
  switch (f.type) {
    case FieldType::text:
    case FieldType::long_text:
    case FieldType::choice: {
      std::string s = trimmed(v);
      return s.empty() ? json::value(nullptr) : json::value(s);
    }
    case FieldType::number: {
      if (v.is_number()) return v;
      auto n = values::number(trimmed(v));
      return n.ok() ? number_json(*n.value) : json::value(nullptr);
    }
    case FieldType::money: {
      if (v.is_int64() || v.is_uint64()) {
        auto c = values::whole(v);
        return c ? json::value(*c) : json::value(nullptr);
      }
      if (v.is_double()) return nullptr;  // JSON money is whole cents, or a string as typed
      auto m = values::money(trimmed(v));
      return m.ok() ? json::value(*m.value) : json::value(nullptr);
    }
    case FieldType::date: {
      auto d = values::date(trimmed(v));
      return d.ok() ? json::value(time::format_iso_date(*d.value)) : json::value(nullptr);
    }
    case FieldType::yes_no:
    case FieldType::declaration: {
      if (v.is_bool()) return v.get_bool();
      auto b = values::yes_no(trimmed(v));
      if (f.type == FieldType::declaration) return b.value_or(false);
      return b ? json::value(*b) : json::value(nullptr);
    }
    case FieldType::multi_choice: {
      json::array out;
      if (v.is_array()) {
        for (const auto& x : v.get_array())
          if (x.is_string() && !x.get_string().empty()) out.push_back(x);
      } else if (v.is_string() && !v.get_string().empty()) {
        out.push_back(v);
      }
      return out;
    }
    case FieldType::codice_fiscale: {
      auto r = cf::validate_any(trimmed(v));
      return r && (f.allow_numeric || r->kind == cf::Kind::person) ? json::value(r->code)
                                                                   : json::value(nullptr);
    }
    case FieldType::partita_iva: {
      std::string n = piva::normalize(trimmed(v));
      return piva::validate(n) ? json::value(n) : json::value(nullptr);
    }
    case FieldType::iban: {
      auto r = values::iban(trimmed(v));
      return r.ok() ? json::value(*r.value) : json::value(nullptr);
    }
    case FieldType::email: {
      auto r = values::email(trimmed(v));
      return r.ok() ? json::value(*r.value) : json::value(nullptr);
    }
    case FieldType::phone: {
      auto r = values::phone(trimmed(v));
      return r.ok() ? json::value(*r.value) : json::value(nullptr);
    }
    case FieldType::address: {
      if (!v.is_object()) return nullptr;
      json::object a;
      bool any = false;
      for (auto part : kAddressParts) {
        const json::value* p = v.get_object().if_contains(part);
        std::string s = p ? trimmed(*p) : std::string();
        any = any || !s.empty();
        a[part] = s;
      }
      return any ? json::value(std::move(a)) : json::value(nullptr);
    }
    case FieldType::file:
      return v.is_array() && !v.get_array().empty() ? v : json::value(nullptr);
    case FieldType::group:
      return nullptr;  // built by the caller, item by item
  }
  return nullptr;
}

bool same_answer(const Field& f, const json::value* a, const json::value* b) {
  if (f.type == FieldType::group || f.type == FieldType::file) {
    if (!a || !b) return a == b;
    return *a == *b;
  }
  json::value ta = typed_value(f, a), tb = typed_value(f, b);
  if (!ta.is_null() || !tb.is_null()) return ta == tb;
  return text::trim(raw_text(a)) == text::trim(raw_text(b));
}

namespace {

json::object typed_item(const Field& group, const json::value& raw_item) {
  json::object item;
  const json::object* raw = raw_item.is_object() ? &raw_item.get_object() : nullptr;
  for (const auto& c : group.fields) item[c.name] = typed_value(c, raw ? raw->if_contains(c.name) : nullptr);
  return item;
}

}  // namespace

Answers read_post(const Definition& def, const FormPairs& post, std::string_view step_id) {
  Answers out;
  for (const auto& step : def.steps) {
    if (!on_step(step_id, step)) continue;
    for (const auto& sec : step.sections)
      for (const auto& f : sec.fields) {
        if (f.type == FieldType::file || !f.computed.is_null()) continue;
        out[f.name] = read_field(f, f.name, post);
      }
  }
  return out;
}

void merge_step(const Definition& def, std::string_view step_id, const Answers& posted, Answers& draft) {
  const Step* step = def.step(step_id);
  if (!step) return;
  for (const auto& sec : step->sections)
    for (const auto& f : sec.fields) {
      if (f.type == FieldType::file || !f.computed.is_null()) continue;
      const json::value* in = posted.if_contains(f.name);
      if (!in) continue;
      if (f.type != FieldType::group) {
        draft[f.name] = *in;
        continue;
      }
      json::array items = in->is_array() ? in->get_array() : json::array{};
      const json::value* old = draft.if_contains(f.name);
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_object()) continue;
        const json::value* old_item =
            old && old->is_array() && i < old->get_array().size() ? &old->get_array()[i] : nullptr;
        for (const auto& c : f.fields) {
          if (c.type != FieldType::file && c.computed.is_null()) continue;
          if (old_item && old_item->is_object())
            if (const json::value* kept = old_item->get_object().if_contains(c.name))
              items[i].get_object()[c.name] = *kept;
        }
      }
      draft[f.name] = std::move(items);
    }
}

json::object typed_answers(const Definition& def, const Answers& answers, const Context& ctx) {
  json::object root;
  for (const Field* f : def.fields()) {
    const json::value* raw = answers.if_contains(f->name);
    if (f->type == FieldType::group) {
      json::array items;
      if (raw && raw->is_array())
        for (const auto& it : raw->get_array()) items.push_back(typed_item(*f, it));
      root[f->name] = std::move(items);
    } else {
      root[f->name] = f->computed.is_null() ? typed_value(*f, raw) : json::value(nullptr);
    }
  }
  // One pass in definition order: hidden fields become null (a hidden answer never counts), computed
  // fields are evaluated with what is known so far.
  for (const auto& step : def.steps) {
    bool step_shown = step_visible(step, root, ctx);
    for (const auto& sec : step.sections) {
      bool sec_shown = step_shown && section_visible(sec, root, ctx);
      for (const auto& f : sec.fields) {
        if (!sec_shown || !field_visible(f, root, ctx)) {
          root[f.name] = f.type == FieldType::group ? json::value(json::array{}) : json::value(nullptr);
          continue;
        }
        if (f.type == FieldType::group) {
          json::array& items = root[f.name].as_array();
          for (auto& item_v : items) {
            json::object& item = item_v.as_object();
            for (const auto& c : f.fields) {
              if (!field_visible(c, root, ctx, &item)) {
                item[c.name] = nullptr;
              } else if (!c.computed.is_null()) {
                json::value r = evaluate(c.computed, Scope{&item, &root, ctx.today});
                if (c.type == FieldType::money && r.is_double())
                  r = static_cast<std::int64_t>(std::llround(r.get_double()));
                item[c.name] = r.is_number() ? r : json::value(nullptr);
              }
            }
          }
        } else if (!f.computed.is_null()) {
          json::value r = evaluate(f.computed, Scope{nullptr, &root, ctx.today});
          if (f.type == FieldType::money && r.is_double())
            r = static_cast<std::int64_t>(std::llround(r.get_double()));
          root[f.name] = r.is_number() ? r : json::value(nullptr);
        }
      }
    }
  }
  return root;
}

bool step_visible(const Step& step, const json::object& typed, const Context& ctx) {
  return condition(step.show_if, Scope{nullptr, &typed, ctx.today}, true);
}
bool section_visible(const Section& section, const json::object& typed, const Context& ctx) {
  return condition(section.show_if, Scope{nullptr, &typed, ctx.today}, true);
}
bool field_visible(const Field& field, const json::object& typed, const Context& ctx,
                   const json::object* item) {
  return condition(field.show_if, Scope{item, &typed, ctx.today}, true);
}
bool field_required(const Field& field, const json::object& typed, const Context& ctx,
                    const json::object* item) {
  if (!field.computed.is_null()) return false;
  return field.required || condition(field.require_if, Scope{item, &typed, ctx.today}, false);
}

std::string raw_text(const json::value* v) {
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "yes" : "no";
  if (v->is_number()) return values::number_text(*v);
  return {};
}

}  // namespace sp::forms
