#pragma once
// What the caller knows besides the definition and the answers when it validates or renders a form:
// today's date (Europe/Rome, from the caller's clock), the body's lists and streets, and the facts that
// prefill fields (prefill.hpp).
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "forms/model.hpp"

namespace sp::forms {

// Prefill facts: source key → value, e.g. {"profile.email": "anna@example.it",
// "person.birth_date": "1985-04-03", "previous.school": "rodari"}. See prefill.hpp for the keys.
using Facts = boost::json::object;

struct Context {
  std::chrono::year_month_day today{};
  // Body lists (name → options), overriding the definition's own lists of the same name.
  std::map<std::string, std::vector<Option>, std::less<>> lists;
  // The body's street names (toponymy); when non-empty, address streets must be one of them
  // (compared ignoring case, accents and punctuation).
  std::vector<std::string> streets;
  Facts facts;
};

// The options of a choice field: its own, else the list it names (Context first, then the definition).
// Empty when the field names a list nobody provided (it then accepts any text).
[[nodiscard]] std::vector<Option> options_of(const Definition& def, const Field& field, const Context& ctx);

}  // namespace sp::forms
