#pragma once
// What a body publishes on the pages every public-sector portal must have (issue 11, point 8): its
// contacts, the details of its privacy notice (GDPR art. 13: who the controller is, how to reach the
// data protection officer), its accessibility statement (Legge 4/2004: AgID's guidelines have every
// body publish its statement through AgID's form and link it from the site's footer, with a way to
// report inaccessible content) and what it adds to the legal notes. The hub's wording is the default
// (web/locales/*/body_pages.json); these fields fill it in and extend it. Plain text only: pages escape
// it and turn blank lines into paragraphs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace sp::body_pages {

// The public pages, by the URL segment they have under /{slug}/ (and, with the hub's details, under /).
enum class Kind { contacts, privacy, accessibility, legal_notes };
inline constexpr std::array<std::pair<Kind, std::string_view>, 4> kPaths = {{
    {Kind::contacts, "contatti"},
    {Kind::privacy, "privacy"},
    {Kind::accessibility, "accessibilita"},
    {Kind::legal_notes, "note-legali"},
}};

// One editable field: its name in the stored JSON and the form, its longest value, and what it holds.
enum class FieldKind { text, paragraphs, email, phone, https_url };
struct FieldSpec {
  std::string_view name;
  FieldKind kind;
  std::size_t max_length;
};
inline constexpr std::array<FieldSpec, 17> kFields = {{
    {"address", FieldKind::text, 300},
    {"phone", FieldKind::phone, 40},
    {"email", FieldKind::email, 254},
    {"office_hours_it", FieldKind::paragraphs, 2000},
    {"office_hours_en", FieldKind::paragraphs, 2000},
    {"urp", FieldKind::text, 300},  // the public relations office (URP), where one exists
    {"dpo_name", FieldKind::text, 200},
    {"dpo_email", FieldKind::email, 254},
    {"dpo_pec", FieldKind::email, 254},
    {"privacy_extra_it", FieldKind::paragraphs, 10000},
    {"privacy_extra_en", FieldKind::paragraphs, 10000},
    {"accessibility_statement_url", FieldKind::https_url, 500},
    {"accessibility_feedback_email", FieldKind::email, 254},
    {"legal_extra_it", FieldKind::paragraphs, 10000},
    {"legal_extra_en", FieldKind::paragraphs, 10000},
    {"contacts_extra_it", FieldKind::paragraphs, 4000},
    {"contacts_extra_en", FieldKind::paragraphs, 4000},
}};

// A body's fields as saved (absent ones are empty), with the version they were saved as (0: never).
struct BodyInfo {
  std::map<std::string, std::string, std::less<>> fields;
  std::int64_t version = 0;
  std::string saved_at;  // UTC ISO, empty when never saved

  [[nodiscard]] const std::string& get(std::string_view name) const {
    static const std::string empty;
    auto it = fields.find(name);
    return it == fields.end() ? empty : it->second;
  }
  // The Italian or English variant of a field pair ("office_hours" → office_hours_en, falling back to
  // the Italian one when the English is empty).
  [[nodiscard]] const std::string& in(std::string_view base, std::string_view lang) const {
    if (lang == "en") {
      const auto& en = get(std::string(base) + "_en");
      if (!en.empty()) return en;
    }
    return get(std::string(base) + "_it");
  }
};

}  // namespace sp::body_pages
