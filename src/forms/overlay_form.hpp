#pragma once
// The body administrator's edit page of a form, without HTML: what it shows (every field of the hub's
// definition with its texts, the fields the body added, the lists the hub leaves to the body) and how its
// post becomes the next overlay (overlay.hpp). Input names of the page:
//   title.it  title.en  intro.it  intro.en                   the form's title and introduction
//   label.it:<path>  label.en:<path>  help.it:<path>  help.en:<path>   any field ("canteen",
//   "children.class") required:<path>  options:<path>  remove:<path>          a field the body added
//   list:<name>                                              a body list, one option per line
//   new.after  new.type  new.name  new.label.it  new.label.en  new.help.it  new.help.en  new.required
//   new.options                                              a field to add after the field "new.after"
// A text left empty keeps the hub's text in that language; an English text left empty takes the Italian.
// Option lines read "code;Italian label;English label" (code and English optional: "Scuola G. Rodari").
// Refusals are Error "forms.overlay" (400) with a message key of their own, so the page says precisely
// what to fix in the reader's language, and `field` naming the input at fault.
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "forms/answers.hpp"
#include "forms/model.hpp"

namespace sp::forms {

// Types a body may give to a field it adds (the others need rules only the hub writes).
[[nodiscard]] const std::vector<std::string>& addable_types();

struct EditField {
  std::string path;  // "canteen", "children.class"
  std::string type;
  int depth = 0;       // 1 inside a group
  bool added = false;  // added by the body (editable rules, removable)
  Text hub_label;      // the hub's texts (empty for added fields)
  Text hub_help;
  Text label;  // as in force (hub + overlay)
  Text help;
  bool required = false;
  std::string options_text;  // added choice fields: their options as lines
  std::string step_id;       // the step it is on
};

struct EditList {
  std::string name;
  std::string text;  // the options in force as lines ("code;it;en")
};

struct EditModel {
  Text hub_title, hub_intro;
  Text title, intro;
  std::vector<EditField> fields;
  std::vector<EditList> lists;
};

// The page's content for `merged` (the hub with the current overlay applied: apply_overlay) knowing
// `hub` and the current overlay (empty object when none).
[[nodiscard]] EditModel edit_model(const Definition& hub, const Definition& merged,
                                   const boost::json::object& current);

// The overlay the page's post describes, built on the current overlay (texts of steps, sections and
// options that the page does not show are kept). Checked with apply_overlay before it is returned.
[[nodiscard]] Result<boost::json::object> overlay_from_post(const Definition& hub,
                                                            const boost::json::object& current,
                                                            const FormPairs& post);

// Option lines ("code;it;en" per line) → options; codes derived from the Italian label when missing.
// Errors (forms.overlay): a line with an empty label, a code repeated, too many lines.
[[nodiscard]] Result<std::vector<Option>> parse_option_lines(std::string_view text, const std::string& input);
[[nodiscard]] std::string option_lines(const std::vector<Option>& options);

}  // namespace sp::forms
