#pragma once
// The render model: for a step (or the whole form, for the summary page) a plain tree of structs with
// texts in the requested language, the values as typed, and flags. No HTML here: the web layer feeds
// to_json() of these structs to a mustache template.
#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "forms/context.hpp"
#include "forms/model.hpp"
#include "forms/validation.hpp"

namespace sp::forms {

struct RenderOption {
  std::string value;
  std::string label;
  bool selected = false;
};

struct RenderFile {
  std::string id;
  std::string name;
  std::int64_t size = 0;
  std::string mime;
};

struct RenderField;

struct RenderItem {  // one item of a repeatable group
  int index = 0;
  std::string prefix;  // "children[1]": the posted names of its fields start with it
  std::string title;   // "Figlio/a 2" style: the group's label and the 1-based number
  std::vector<RenderField> fields;
};

struct RenderField {
  std::string name;   // the field's name in the definition
  std::string input;  // the posted name / path: "children[1].birth_date"
  std::string id;     // an HTML-safe id: "f-children-1-birth_date"
  std::string type;   // to_string(FieldType)
  std::string label;
  std::string help;
  std::string unit;
  std::string declaration;            // declaration fields: the text declared
  std::string value;                  // as typed (for inputs); "yes"/"no" for yes/no
  std::string display;                // for summaries: option labels, "Sì"/"Yes", € amounts, DD/MM/YYYY
  std::vector<RenderOption> options;  // choice, multi_choice, yes_no
  bool checked = false;               // declaration
  bool required = false;
  bool visible = true;
  bool conditional = false;  // shown or required depending on other answers
  bool prefilled = false;    // the value is the platform's fact, unchanged
  bool editable = true;      // false: computed, or prefilled and locked
  bool computed = false;
  bool free_text = false;  // choice backed by a list nobody provided: render as a text input
  std::string min;         // bounds for input attributes (numbers, ISO dates)
  std::string max;
  std::string hint;  // how to write it (editable dates): "gg/mm/aaaa, per esempio 14/03/2020", date_example
  std::vector<std::string> errors;   // localised messages for this field (not its children)
  std::vector<RenderField> parts;    // address: street, number, postcode, municipality
  std::vector<std::string> streets;  // address: the body's streets (a datalist)
  std::vector<RenderItem> items;     // group
  int min_items = 0;
  int max_items = 0;
  bool can_add = false;           // group: below max_items
  bool can_remove = false;        // group: above min_items
  std::vector<RenderFile> files;  // file
  std::string accept;             // file: "application/pdf,image/*"
  std::int64_t max_size = 0;
  int max_count = 0;
};

struct RenderSection {
  std::string title;
  std::string help;
  bool visible = true;
  std::vector<RenderField> fields;
};

struct RenderErrorLink {  // the error summary at the top of a page: message and the field's id
  std::string id;
  std::string label;
  std::string message;
};

struct RenderStep {
  std::string id;
  std::string title;
  std::string help;
  int number = 0;  // 1-based position among the visible steps
  int count = 0;   // visible steps
  bool visible = true;
  std::vector<RenderSection> sections;
  std::vector<RenderErrorLink> errors;
};

struct RenderForm {
  std::string code;
  int version = 0;
  std::string title;
  std::string intro;
  std::vector<RenderStep> steps;  // visible steps only
};

// The example date a date field's hint shows, from its bounds (resolved against `today`): within them,
// in the past for a field that cannot be later than today (a birth date: the middle of its range, or 30
// years before), in the future for one that cannot be earlier (a start date: the first of the next month
// after its minimum), today when the range holds today or there is none; a day above 12 when possible.
[[nodiscard]] std::chrono::year_month_day date_example(std::optional<std::chrono::year_month_day> lo,
                                                       std::optional<std::chrono::year_month_day> hi,
                                                       std::chrono::year_month_day today);

// One step with its issues (from validate_step, or none on first display). Issues of fields that are not
// on the step are ignored.
[[nodiscard]] RenderStep render_step(const Definition& def, std::string_view step_id, const Answers& answers,
                                     const std::vector<Issue>& issues, const Context& ctx, const I18n& i18n,
                                     std::string_view lang);
// The whole form (summary page, receipts): visible steps, with display values.
[[nodiscard]] RenderForm render_form(const Definition& def, const Answers& answers,
                                     const std::vector<Issue>& issues, const Context& ctx, const I18n& i18n,
                                     std::string_view lang);

[[nodiscard]] boost::json::object to_json(const RenderField& f);
[[nodiscard]] boost::json::object to_json(const RenderStep& s);
[[nodiscard]] boost::json::object to_json(const RenderForm& f);

}  // namespace sp::forms
