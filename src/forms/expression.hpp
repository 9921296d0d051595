#pragma once
// Conditions and computed values, written as JSON structures (a JSON-Logic-like subset), never as text
// to parse: {"==": [{"var": "canteen"}, true]}, {"*": [{"var": "area"}, {"var": "days"}, 150]}.
//
// Operators: var, ==, !=, <, <=, >, >=, and, or, not (also "!"), in, +, -, *, /, min, max, if,
// plus count (items of a group or a multi-choice), days_between (calendar days from the first ISO date
// to the second), years_between (whole years, e.g. an age), round (to whole numbers: euro cents in
// computations on money), today (today's ISO date).
// A literal (string, number, boolean, null, array of literals) evaluates to itself.
//
// Variables are the *typed* answers (typed_answers in answers.hpp): numbers as numbers, money as integer
// cents, yes/no and declarations as booleans, dates as "YYYY-MM-DD" strings, multi-choice as arrays;
// a missing or invalid value is null. Inside a repeatable group, {"var": "birth_date"} names the field of
// the same item first, then a field of the form. Nothing throws: a bad operand gives null (for numbers)
// or false (for comparisons), so a condition over an unanswered field is simply false.
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp::forms {

struct Scope {
  const boost::json::object* item = nullptr;  // the current group item (typed), when inside a group
  const boost::json::object* root = nullptr;  // the whole form (typed)
  std::chrono::year_month_day today{};
};

[[nodiscard]] boost::json::value evaluate(const boost::json::value& expr, const Scope& scope);
// JSON-Logic truthiness: false, null, 0, "" and [] are false.
[[nodiscard]] bool truthy(const boost::json::value& v);
// Evaluates a condition; a null (absent) expression is `when_absent`.
[[nodiscard]] bool condition(const boost::json::value& expr, const Scope& scope, bool when_absent);

// Schema check of an expression: known operators with the right number of operands, and every variable
// known to `is_known` (called with the name as written). Errors: forms.schema, detail "<path>: <why>".
Status check_expression(const boost::json::value& expr, const std::string& path,
                        const std::function<bool(std::string_view)>& is_known);
// The variable names an expression reads.
[[nodiscard]] std::vector<std::string> variables(const boost::json::value& expr);

}  // namespace sp::forms
