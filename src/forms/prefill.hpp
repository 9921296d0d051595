#pragma once
// Prefill: fields filled from what the platform knows. A field names its source with "prefill"; the
// caller (the cases module) gathers the facts in a Context (context.hpp) under these keys:
//   profile.fiscal_code profile.given_name profile.family_name profile.full_name profile.birth_date
//   profile.birth_place profile.sex profile.email profile.mobile          (the signed-in person's profile)
//   person.<same keys> person.citizenship person.address (object: street, number, postcode,
//   municipality) person.family (array of {fiscal_code, given_name, family_name, birth_date, relation})
//   person.children (the minors of the household who are the head's or spouse's children: array of
//   {fiscal_code, given_name, family_name, birth_date})
//                                                  (the population register, src/anagrafe)
//   business.vat_number business.fiscal_code business.name business.pec business.address
//                                                  (the business the person acts for)
//   body.name body.municipality                    (the member body)
//   previous.<field name>                          (the same person's previous application of this form)
// A field may name several sources separated by '|': the first with a value wins
// ("previous.children|person.children": last application's children, else the household's).
// A prefilled value is marked as such in the render model while it is unchanged. With
// "prefill_editable": false the value is locked when a fact provides it: the posted value is ignored
// (enforce_locked) and a different value fails validation (code "prefill_locked").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "forms/context.hpp"
#include "forms/model.hpp"

namespace sp::forms {

// The source keys a definition may name (previous.* excepted: any field of the same form).
[[nodiscard]] const std::vector<std::string>& prefill_sources();
[[nodiscard]] bool is_known_prefill_source(std::string_view key);
// The sources of a field's "prefill", in order ("a|b" → a, b).
[[nodiscard]] std::vector<std::string> prefill_chain(std::string_view prefill);

// The fact for a field, or null when the field has no prefill or the fact is absent/empty.
[[nodiscard]] const boost::json::value* prefill_value(const Field& field, const Facts& facts);

// The fact as an answer value would hold it (numbers as text, yes/no as "yes"/"no"); nullopt when none.
[[nodiscard]] std::optional<boost::json::value> prefill_answer(const Field& field, const Facts& facts);

// Fills every empty top-level answer that has a fact (a group or an address takes its whole value, e.g.
// "previous.children" or "person.address"; fields inside groups are not prefilled one by one).
// Returns the names of the fields it filled.
std::vector<std::string> apply_prefill(const Definition& def, const Facts& facts, Answers& answers);
// Puts back the fact into every locked field (prefill_editable false and a fact present).
void enforce_locked(const Definition& def, const Facts& facts, Answers& answers);
[[nodiscard]] bool is_locked(const Field& field, const Facts& facts);

}  // namespace sp::forms
