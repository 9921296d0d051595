#pragma once
// Declarative form definitions (issue 5): what an online application asks, in which steps, with which
// rules. A definition is versioned JSON in data/forms/<service code>.json (format: docs/forms.md); this
// header is its parsed, read-only shape. The engine has no web and no database dependency: the cases
// module stores definitions and answers, the web layer renders the RenderStep trees of render.hpp.
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::forms {

// A text in both languages. Italian is mandatory in every definition; English falls back to Italian.
struct Text {
  std::string it;
  std::string en;
  [[nodiscard]] const std::string& in(std::string_view lang) const {
    return lang == "en" && !en.empty() ? en : it;
  }
  [[nodiscard]] bool empty() const { return it.empty() && en.empty(); }
};

enum class FieldType {
  text,          // one line
  long_text,     // a textarea
  number,        // decimal or integer ("integer": true), with min/max
  money,         // euro, kept as integer cents once typed correctly; min/max in cents
  date,          // YYYY-MM-DD (also typed as DD/MM/YYYY); min/max as dates, "today±N(d|m|y)" or expressions
  choice,        // one of options (or of a list the body provides: options_list)
  multi_choice,  // several of options; min_items/max_items
  yes_no,        // "yes" / "no"
  codice_fiscale,  // a person's 16-character code (11-digit numeric codes with "allow_numeric": true)
  partita_iva,     // 11 digits with check digit
  iban,            // ISO 13616, mod-97; Italian IBANs also checked for length and CIN
  email,
  phone,    // E.164-ish, Italian numbers with or without +39
  address,  // {street, number, postcode, municipality}; the body's streets suggested (checked: check_street)
  file,     // uploads: max_size, max_count, accept (MIME types); values are file references
  group,    // repeatable group of fields (e.g. children): min_items/max_items, fields[]
  declaration,  // a self-declaration to tick (DPR 445/2000): the text is part of the definition
};

// The parts of an address value, in the order pages show them.
inline constexpr std::string_view kAddressParts[] = {"street", "number", "postcode", "municipality"};

[[nodiscard]] std::string_view to_string(FieldType t);
[[nodiscard]] std::optional<FieldType> parse_field_type(std::string_view s);

struct Option {
  std::string value;
  Text label;
};

// A rule of the definition's own: when `assert` evaluates false the field gets `message`
// (issue code "check"). Used for rules that involve several fields (e.g. "to" after "from").
struct Check {
  boost::json::value assert_;
  Text message;
};

struct FileLimits {
  std::int64_t max_size = 10 * 1024 * 1024;  // bytes, per file
  int max_count = 1;
  std::vector<std::string> accept;  // MIME types, "image/*" allowed; empty: any type
};

struct Field {
  std::string name;  // [a-z][a-z0-9_]*, unique in its container (the form, or its group)
  FieldType type = FieldType::text;
  Text label;
  Text help;
  Text unit;  // shown after the input: "m²", "giorni"
  bool required = false;

  std::vector<Option> options;  // choice, multi_choice
  std::string options_list;     // choice, multi_choice: name of a list provided by the body (Context)

  // Bounds. Number: numbers; money: cents; date: "YYYY-MM-DD", "today", "today-6y", or an expression
  // (e.g. {"var": "from"}); null when absent.
  boost::json::value min;
  boost::json::value max;
  bool integer = false;  // number: whole numbers only
  std::optional<int> min_length;
  std::optional<int> max_length;
  std::string pattern;         // text only: ECMAScript regular expression the whole trimmed value must match
  Text pattern_message;        // shown instead of the generic pattern message
  bool allow_numeric = false;  // codice_fiscale: also accept an 11-digit numeric code
  // codice_fiscale: the fields holding the birth date (a date field) and the sex (a choice "F"/"M") of
  // the code's holder, named as in expressions (same group item first, then the form): the code must
  // agree with them ("holder": {"birth_date": "birth_date", "sex": "sex"}). Empty: not checked.
  std::string holder_birth_date;
  std::string holder_sex;
  // address: the place is in the body's territory (the building, the site of works), so once the body has
  // loaded its street list the street must be one of it. Otherwise the list is only offered as suggestions
  // (a residence may be in another municipality).
  bool check_street = false;

  // Conditions and computed values: JSON-Logic-like expressions (expression.hpp); null when absent.
  boost::json::value show_if;
  boost::json::value require_if;
  boost::json::value computed;  // the field is computed, never typed (number or money)
  std::vector<Check> checks;

  // Prefill: a source key ("profile.email", "person.birth_date", "previous.<field>", prefill.hpp).
  std::string prefill;
  bool prefill_editable = true;

  int min_items = 0;          // group, multi_choice
  int max_items = 0;          // group, multi_choice; 0: no limit
  std::vector<Field> fields;  // group

  FileLimits file;   // file
  Text declaration;  // declaration: the text the person declares

  [[nodiscard]] bool is_container() const { return type == FieldType::group; }
  [[nodiscard]] const Field* child(std::string_view name) const;
};

struct Section {
  Text title;
  Text help;
  boost::json::value show_if;
  std::vector<Field> fields;
};

struct Step {
  std::string id;  // [a-z][a-z0-9_-]*
  Text title;
  Text help;
  boost::json::value show_if;
  std::vector<Section> sections;
};

// Who an application is about, for the warning that the same person already has one (duplicates.hpp):
// a codice_fiscale field ("children.fiscal_code" in a group, or a form field) and, optionally, the form
// field that says for which period ("school_year"). Empty subject: no check.
struct DuplicateRule {
  std::string subject;
  std::string period;
};

struct Definition {
  std::string code;  // the catalog service code, e.g. "iscrizione-scuola-primaria"
  int version = 1;
  Text title;
  Text intro;
  std::string audience;  // "citizens" | "businesses"
  std::vector<Step> steps;
  // Option lists a body can provide (schools, bus stops...): name → options. The definition may give
  // defaults; a body overlay or the caller's Context replaces them.
  std::map<std::string, std::vector<Option>, std::less<>> lists;
  DuplicateRule duplicates;  // "duplicates": {"subject": "children.fiscal_code", "period": "school_year"}
  // The JSON the definition was parsed from (overlays are merged at the JSON level, overlay.hpp).
  boost::json::object source;

  [[nodiscard]] const Step* step(std::string_view id) const;
  // A field by its definition path: "canteen", "children.birth_date" (group field). Null when unknown.
  [[nodiscard]] const Field* field(std::string_view path) const;
  // The step holding a top-level field; null when unknown.
  [[nodiscard]] const Step* step_of(std::string_view field_name) const;
  // Every top-level field in order (groups included once, not their children).
  [[nodiscard]] std::vector<const Field*> fields() const;
};

// Answers: a JSON object, field name → value, as typed (strings), groups as arrays of objects, multi-choice
// as arrays of strings, addresses as objects, files as arrays of {id, name, size, mime}. Values typed by
// an API client (numbers, booleans) are accepted too.
using Answers = boost::json::object;

}  // namespace sp::forms
