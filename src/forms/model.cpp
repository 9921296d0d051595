#include "forms/model.hpp"

#include <array>
#include <utility>

#include "forms/context.hpp"

namespace sp::forms {
namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 17> kTypes{{
    {FieldType::text, "text"},
    {FieldType::long_text, "long_text"},
    {FieldType::number, "number"},
    {FieldType::money, "money"},
    {FieldType::date, "date"},
    {FieldType::choice, "choice"},
    {FieldType::multi_choice, "multi_choice"},
    {FieldType::yes_no, "yes_no"},
    {FieldType::codice_fiscale, "codice_fiscale"},
    {FieldType::partita_iva, "partita_iva"},
    {FieldType::iban, "iban"},
    {FieldType::email, "email"},
    {FieldType::phone, "phone"},
    {FieldType::address, "address"},
    {FieldType::file, "file"},
    {FieldType::group, "group"},
    {FieldType::declaration, "declaration"},
}};

}  // namespace

std::string_view to_string(FieldType t) {
  for (const auto& [type, name] : kTypes)
    if (type == t) return name;
  return "text";
}

std::optional<FieldType> parse_field_type(std::string_view s) {
  for (const auto& [type, name] : kTypes)
    if (name == s) return type;
  return std::nullopt;
}

const Field* Field::child(std::string_view child_name) const {
  for (const auto& f : fields)
    if (f.name == child_name) return &f;
  return nullptr;
}

const Step* Definition::step(std::string_view id) const {
  for (const auto& s : steps)
    if (s.id == id) return &s;
  return nullptr;
}

const Field* Definition::field(std::string_view path) const {
  auto dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  for (const auto& s : steps)
    for (const auto& sec : s.sections)
      for (const auto& f : sec.fields)
        if (f.name == head) {
          if (dot == std::string_view::npos) return &f;
          return f.type == FieldType::group ? f.child(path.substr(dot + 1)) : nullptr;
        }
  return nullptr;
}

const Step* Definition::step_of(std::string_view field_name) const {
  for (const auto& s : steps)
    for (const auto& sec : s.sections)
      for (const auto& f : sec.fields)
        if (f.name == field_name) return &s;
  return nullptr;
}

std::vector<const Field*> Definition::fields() const {
  std::vector<const Field*> out;
  for (const auto& s : steps)
    for (const auto& sec : s.sections)
      for (const auto& f : sec.fields) out.push_back(&f);
  return out;
}

std::vector<Option> options_of(const Definition& def, const Field& field, const Context& ctx) {
  if (!field.options.empty() || field.options_list.empty()) return field.options;
  if (auto it = ctx.lists.find(field.options_list); it != ctx.lists.end() && !it->second.empty())
    return it->second;
  if (auto it = def.lists.find(field.options_list); it != def.lists.end()) return it->second;
  return {};
}

}  // namespace sp::forms
