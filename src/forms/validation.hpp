#pragma once
// Validation of answers against a definition, per step (drafts) or whole (submission). Every issue has
// the path of the field at fault ("children[1].birth_date", "residence.postcode"), a code and
// parameters; the message is the text "error.forms.<code>" of web/locales/{it,en}/forms.json with the
// parameters as {placeholders}, or the definition's own text for its checks and patterns.
// Hidden fields (show_if false, or in a hidden section/step) are not validated and are dropped at
// submission.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "forms/context.hpp"
#include "forms/model.hpp"

namespace sp::forms {

struct Issue {
  std::string path;  // "children[1].birth_date"; "" for the whole form
  std::string code;  // "required", "cf_invalid", ... (message key: "error.forms." + code)
  std::map<std::string, std::string> params;
  std::optional<Text> message;  // the definition's own message (checks, pattern_message)
};

// Issue codes (each has "error.forms.<code>" in Italian and English):
//   required, text_too_short{min}, text_too_long{max}, pattern, number_invalid, number_integer,
//   number_min{min}, number_max{max}, money_invalid, money_min{min}, money_max{max}, date_invalid{date}
//   (not written as a date), date_nonexistent{date} (written as one, but no such day: 31/02/2020),
//   date_min{min}, date_max{max}, choice_invalid, choices_too_few{min}, choices_too_many{max},
//   yes_no_invalid, cf_invalid{reason}, cf_birth_date_mismatch{cf_date} and cf_sex_mismatch{cf_sex} (a
//   person's code that disagrees with the birth date or sex typed in the fields of Field::holder_*),
//   piva_invalid{reason}, iban_invalid, email_invalid,
//   phone_invalid, street_unknown, street_required, civic_invalid, civic_required, postcode_invalid,
//   postcode_required, municipality_required, address_invalid, file_invalid, file_too_large{max_size},
//   file_too_many{max}, file_type{accept}, group_too_few{min}, group_too_many{max}, group_invalid,
//   declaration_required, prefill_locked, check, value_invalid (a JSON value of the wrong shape, from an
//   API client), step_unknown{step}. number/money/date bounds give *_range{min,max} when both are set.
[[nodiscard]] const std::vector<std::string>& issue_codes();

[[nodiscard]] std::vector<Issue> validate(const Definition& def, const Answers& answers, const Context& ctx);
[[nodiscard]] std::vector<Issue> validate_step(const Definition& def, std::string_view step_id,
                                               const Answers& answers, const Context& ctx);

// What a submission stores: visible fields only, normalised and typed (numbers, cents, booleans, ISO
// dates, upper-case codes, compact IBAN, E.164 phones), computed fields filled in. `data` is meaningful
// only when `issues` is empty.
struct Submission {
  boost::json::object data;
  std::vector<Issue> issues;
  [[nodiscard]] bool ok() const { return issues.empty(); }
};
[[nodiscard]] Submission submit(const Definition& def, const Answers& answers, const Context& ctx);

// The localised sentence for an issue. Money bounds are shown as "€ 16,00"/"€16.00", dates as
// DD/MM/YYYY, sizes in MB.
[[nodiscard]] std::string message(const I18n& i18n, std::string_view lang, const Issue& issue);

}  // namespace sp::forms
