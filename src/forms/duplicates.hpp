#pragma once
// The same person twice (issue 11 pt 7): a definition's DuplicateRule names who an application is about (a
// codice fiscale, e.g. each child's) and for which period (the school year). These functions read those
// values out of answers — as typed in a draft or as stored in a case — so the caller can warn that an
// application for the same person and period already exists. A warning, never a refusal: the office
// decides (a second parent, a corrected application, a change of school).
#include <string>
#include <vector>

#include "forms/context.hpp"
#include "forms/model.hpp"

namespace sp::forms {

struct Subject {
  std::string path;    // where the code is in the answers: "children[1].fiscal_code"
  std::string code;    // the code as typed, normalised (trimmed, upper-case)
  std::string key;     // the code compared: omocodic variants of one person give the same key
  std::string period;  // the period field's value ("2026-2027"); "" when the rule has none
};

// The subjects of answers under the definition's rule: one per valid personal code (codes that are not
// valid are left out), in the order of the answers. Empty when the definition has no rule.
[[nodiscard]] std::vector<Subject> subjects(const Definition& def, const Answers& answers);

// The subjects of `current` that also appear, for the same period, in `other` (another application of the
// same form: a case's stored answers or another draft's).
[[nodiscard]] std::vector<Subject> same_subjects(const Definition& def, const Answers& current,
                                                 const Answers& other);

// The period's value as people read it: the option's label for a choice ("2026/2027"), else the value.
[[nodiscard]] std::string period_label(const Definition& def, const Context& ctx, const std::string& value,
                                       std::string_view lang);

}  // namespace sp::forms
