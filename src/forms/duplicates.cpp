#include "forms/duplicates.hpp"

#include <algorithm>

#include "core/codice_fiscale.hpp"
#include "core/text.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

std::string text_of(const json::value* v) {
  if (!v) return {};
  if (v->is_string()) return text::trim(std::string_view(v->get_string()));
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

void add(std::vector<Subject>& out, const json::value* code_v, std::string path, const std::string& period) {
  const std::string code = cf::normalize(text_of(code_v));
  if (code.empty()) return;
  auto decoded = cf::decode(code);
  if (!decoded) return;
  out.push_back(Subject{std::move(path), decoded->code, decoded->canonical, period});
}

}  // namespace

std::vector<Subject> subjects(const Definition& def, const Answers& answers) {
  std::vector<Subject> out;
  const DuplicateRule& rule = def.duplicates;
  if (rule.subject.empty()) return out;
  const std::string period = rule.period.empty() ? std::string() : text_of(answers.if_contains(rule.period));
  const auto dot = rule.subject.find('.');
  if (dot == std::string::npos) {
    add(out, answers.if_contains(rule.subject), rule.subject, period);
    return out;
  }
  const std::string group = rule.subject.substr(0, dot), field = rule.subject.substr(dot + 1);
  const json::value* items = answers.if_contains(group);
  if (!items || !items->is_array()) return out;
  for (std::size_t i = 0; i < items->get_array().size(); ++i) {
    const json::value& item = items->get_array()[i];
    if (!item.is_object()) continue;
    add(out, item.get_object().if_contains(field), group + "[" + std::to_string(i) + "]." + field, period);
  }
  return out;
}

std::vector<Subject> same_subjects(const Definition& def, const Answers& current, const Answers& other) {
  const auto theirs = subjects(def, other);
  std::vector<Subject> out;
  for (auto& s : subjects(def, current))
    if (std::any_of(theirs.begin(), theirs.end(),
                    [&](const Subject& t) { return t.key == s.key && t.period == s.period; }))
      out.push_back(std::move(s));
  return out;
}

std::string period_label(const Definition& def, const Context& ctx, const std::string& value,
                         std::string_view lang) {
  if (def.duplicates.period.empty()) return value;
  if (const Field* f = def.field(def.duplicates.period); f && f->type == FieldType::choice)
    for (const auto& o : options_of(def, *f, ctx))
      if (o.value == value) return o.label.in(lang);
  return value;
}

}  // namespace sp::forms
