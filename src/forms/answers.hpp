#pragma once
// Answers from posted forms, and the typed view of the answers that conditions and computations read.
//
// Posted names follow the field paths: "school", "children[0].given_name", "residence.street",
// "diets" repeated (or "diets[]") for a multi-choice. Everything typed is kept as typed, valid or not,
// so a page can be shown again with the person's input and the errors; nothing typed is ever lost.
#include <map>
#include <string>
#include <string_view>

#include "forms/context.hpp"
#include "forms/expression.hpp"
#include "forms/model.hpp"

namespace sp::forms {

// Same shape as http::Params (a form body or query).
using FormPairs = std::multimap<std::string, std::string>;

// The answers posted for one step (all steps when `step_id` is empty). Fields of that step that the post
// does not carry become empty (an unticked box, no option chosen); file fields, computed fields and
// fields of other steps are never read from a post. Group items keep the order of their indexes; gaps
// are closed. Unknown names are ignored.
[[nodiscard]] Answers read_post(const Definition& def, const FormPairs& post, std::string_view step_id = {});

// Puts a step's posted answers into a draft: the step's fields are replaced, except file values (kept
// from the draft, also inside group items with the same index, since uploads arrive separately).
void merge_step(const Definition& def, std::string_view step_id, const Answers& posted, Answers& draft);

// The typed view (see expression.hpp): numbers, cents, booleans, ISO dates; invalid or empty → null.
// Computed fields are evaluated in definition order (a computed field may read those before it).
[[nodiscard]] boost::json::object typed_answers(const Definition& def, const Answers& answers,
                                                const Context& ctx);

// The typed value of one answer (what typed_answers holds for it); null when empty or invalid. Groups
// are typed item by item by typed_answers, so this gives null for them.
[[nodiscard]] boost::json::value typed_value(const Field& field, const boost::json::value* raw);
// Whether two answers of a field mean the same: equal typed values ("03/04/1985" and "1985-04-03",
// "cccfba85d03l219p" and "CCCFBA85D03L219P"), or the same text when neither is valid.
[[nodiscard]] bool same_answer(const Field& field, const boost::json::value* a, const boost::json::value* b);

// Whether a step / section / field is shown, given the typed answers (show_if).
// `item` is the typed group item for fields inside a group.
[[nodiscard]] bool step_visible(const Step& step, const boost::json::object& typed, const Context& ctx);
[[nodiscard]] bool section_visible(const Section& section, const boost::json::object& typed,
                                   const Context& ctx);
[[nodiscard]] bool field_visible(const Field& field, const boost::json::object& typed, const Context& ctx,
                                 const boost::json::object* item = nullptr);
[[nodiscard]] bool field_required(const Field& field, const boost::json::object& typed, const Context& ctx,
                                  const boost::json::object* item = nullptr);

// The raw (as typed) answer as display text for an input: strings as they are, numbers and booleans
// written out ("yes"/"no" for booleans), empty for anything else.
[[nodiscard]] std::string raw_text(const boost::json::value* v);

}  // namespace sp::forms
