#include "forms/prefill.hpp"

#include <algorithm>

#include "forms/values.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

bool empty_value(const json::value* v) {
  if (!v || v->is_null()) return true;
  if (v->is_string()) return v->get_string().empty();
  if (v->is_array()) return v->get_array().empty();
  if (v->is_object()) {
    for (const auto& [_, x] : v->get_object())
      if (!empty_value(&x)) return false;
    return true;
  }
  return false;
}

// Facts are stored as what a form would hold: strings stay strings, numbers become text so the value
// is shown in an input like anything typed; booleans become "yes"/"no" for yes/no fields.
json::value as_answer(const Field& f, const json::value& fact) {
  if (fact.is_bool()) {
    if (f.type == FieldType::yes_no) return json::value(fact.get_bool() ? "yes" : "no");
    return fact;
  }
  if (fact.is_int64() && f.type == FieldType::money) return fact;  // cents from the platform
  if (fact.is_number()) return json::value(values::number_text(fact));
  return fact;
}

}  // namespace

const std::vector<std::string>& prefill_sources() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const char* who : {"profile", "person"})
      for (const char* what : {"fiscal_code", "given_name", "family_name", "full_name", "birth_date",
                               "birth_place", "sex", "email", "mobile"})
        k.push_back(std::string(who) + "." + what);
    for (const char* what : {"citizenship", "address", "family", "children"})
      k.push_back(std::string("person.") + what);
    for (const char* what : {"vat_number", "fiscal_code", "name", "pec", "address"})
      k.push_back(std::string("business.") + what);
    k.emplace_back("body.name");
    k.emplace_back("body.municipality");
    return k;
  }();
  return keys;
}

std::vector<std::string> prefill_chain(std::string_view prefill) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= prefill.size()) {
    auto bar = prefill.find('|', start);
    if (bar == std::string_view::npos) bar = prefill.size();
    out.emplace_back(prefill.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

bool is_known_prefill_source(std::string_view key) {
  if (key.rfind("previous.", 0) == 0) return key.size() > 9;
  const auto& k = prefill_sources();
  return std::find(k.begin(), k.end(), key) != k.end();
}

const json::value* prefill_value(const Field& field, const Facts& facts) {
  if (field.prefill.empty()) return nullptr;
  if (field.prefill.find('|') == std::string::npos) {
    const json::value* v = facts.if_contains(field.prefill);
    return empty_value(v) ? nullptr : v;
  }
  for (const auto& key : prefill_chain(field.prefill)) {  // the first source with a value
    const json::value* v = facts.if_contains(key);
    if (!empty_value(v)) return v;
  }
  return nullptr;
}

std::optional<json::value> prefill_answer(const Field& field, const Facts& facts) {
  const json::value* fact = prefill_value(field, facts);
  if (!fact) return std::nullopt;
  return as_answer(field, *fact);
}

bool is_locked(const Field& field, const Facts& facts) {
  return !field.prefill_editable && prefill_value(field, facts) != nullptr;
}

std::vector<std::string> apply_prefill(const Definition& def, const Facts& facts, Answers& answers) {
  std::vector<std::string> filled;
  for (const Field* f : def.fields()) {
    const json::value* fact = prefill_value(*f, facts);
    if (!fact || !empty_value(answers.if_contains(f->name))) continue;
    answers[f->name] = as_answer(*f, *fact);
    filled.push_back(f->name);
  }
  return filled;
}

void enforce_locked(const Definition& def, const Facts& facts, Answers& answers) {
  for (const Field* f : def.fields())
    if (is_locked(*f, facts)) answers[f->name] = as_answer(*f, *prefill_value(*f, facts));
}

}  // namespace sp::forms
