#include "forms/expression.hpp"

#include <cmath>
#include <map>
#include <optional>

#include "core/time.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

// Operands of an operator: an array as it is, anything else as a one-element list.
json::array operands(const json::value& v) {
  if (v.is_array()) return v.as_array();
  json::array a;
  a.push_back(v);
  return a;
}

std::optional<double> as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

// A number result: an integer when it is a whole number that fits, so cents stay integers.
json::value number_value(double d) {
  if (!std::isfinite(d)) return nullptr;
  if (std::trunc(d) == d && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
  return d;
}

bool loosely_equal(const json::value& a, const json::value& b) {
  auto na = as_number(a), nb = as_number(b);
  if (na && nb) return *na == *nb;
  return a == b;
}

// -1, 0, 1 or nullopt when the two are not comparable (numbers with numbers, strings with strings).
std::optional<int> compare(const json::value& a, const json::value& b) {
  auto na = as_number(a), nb = as_number(b);
  if (na && nb) return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
  if (a.is_string() && b.is_string()) {
    int c = a.get_string().compare(b.get_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

const json::value* lookup_path(const json::value* v, std::string_view rest) {
  while (v && !rest.empty()) {
    auto dot = rest.find('.');
    std::string_view seg = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    if (v->is_object()) {
      v = v->as_object().if_contains(seg);
    } else if (v->is_array()) {
      std::size_t idx = 0;
      bool digits = !seg.empty();
      for (char c : seg) {
        if (c < '0' || c > '9')
          digits = false;
        else
          idx = idx * 10 + static_cast<std::size_t>(c - '0');
      }
      v = digits && idx < v->as_array().size() ? &v->as_array()[idx] : nullptr;
    } else {
      v = nullptr;
    }
  }
  return v;
}

const json::value* lookup(std::string_view name, const Scope& scope) {
  auto dot = name.find('.');
  std::string_view head = name.substr(0, dot);
  std::string_view rest = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  for (const json::object* obj : {scope.item, scope.root}) {
    if (!obj) continue;
    if (const json::value* v = obj->if_contains(head)) return lookup_path(v, rest);
  }
  return nullptr;
}

std::optional<std::chrono::year_month_day> as_date(const json::value& v) {
  if (!v.is_string()) return std::nullopt;
  auto d = time::parse_iso_date(std::string_view(v.get_string()));
  if (!d) return std::nullopt;
  return *d;
}

json::value arithmetic(std::string_view op, const json::array& args, const Scope& scope) {
  std::vector<json::value> vals;
  for (const auto& a : args) vals.push_back(evaluate(a, scope));
  std::vector<double> nums;
  for (const auto& v : vals) {
    auto n = as_number(v);
    if (!n) return nullptr;
    nums.push_back(*n);
  }
  if (nums.empty()) return nullptr;
  double r = nums[0];
  if (op == "+") {
    for (std::size_t i = 1; i < nums.size(); ++i) r += nums[i];
  } else if (op == "*") {
    for (std::size_t i = 1; i < nums.size(); ++i) r *= nums[i];
  } else if (op == "-") {
    if (nums.size() == 1) return number_value(-r);
    for (std::size_t i = 1; i < nums.size(); ++i) r -= nums[i];
  } else if (op == "/") {
    if (nums.size() != 2 || nums[1] == 0) return nullptr;
    r = nums[0] / nums[1];
  } else if (op == "min") {
    for (double n : nums) r = std::min(r, n);
  } else if (op == "max") {
    for (double n : nums) r = std::max(r, n);
  }
  return number_value(r);
}

struct Arity {
  int min;
  int max;  // -1: any
};
const std::map<std::string_view, Arity>& operators() {
  static const std::map<std::string_view, Arity> ops{
      {"var", {1, 2}},
      {"==", {2, 2}},
      {"!=", {2, 2}},
      {"<", {2, 3}},
      {"<=", {2, 3}},
      {">", {2, 2}},
      {">=", {2, 2}},
      {"and", {1, -1}},
      {"or", {1, -1}},
      {"not", {1, 1}},
      {"!", {1, 1}},
      {"in", {2, 2}},
      {"+", {1, -1}},
      {"-", {1, 2}},
      {"*", {1, -1}},
      {"/", {2, 2}},
      {"min", {1, -1}},
      {"max", {1, -1}},
      {"if", {2, -1}},
      {"count", {1, 1}},
      {"days_between", {2, 2}},
      {"years_between", {2, 2}},
      {"round", {1, 1}},
      {"today", {0, 0}},
  };
  return ops;
}

}  // namespace

bool truthy(const json::value& v) {
  if (v.is_null()) return false;
  if (v.is_bool()) return v.get_bool();
  if (auto n = as_number(v)) return *n != 0;
  if (v.is_string()) return !v.get_string().empty();
  if (v.is_array()) return !v.get_array().empty();
  return true;
}

json::value evaluate(const json::value& expr, const Scope& scope) {
  if (expr.is_array()) {
    json::array out;
    for (const auto& e : expr.get_array()) out.push_back(evaluate(e, scope));
    return out;
  }
  if (!expr.is_object()) return expr;
  const auto& obj = expr.get_object();
  if (obj.size() != 1) return nullptr;
  const auto& [key, arg] = *obj.begin();
  std::string_view op = key;
  json::array args = op == "today" ? json::array{} : operands(arg);

  if (op == "var") {
    if (args.empty() || !args[0].is_string()) return nullptr;
    const json::value* v = lookup(std::string_view(args[0].get_string()), scope);
    if (v && !v->is_null()) return *v;
    return args.size() > 1 ? args[1] : json::value(nullptr);
  }
  if (op == "==" || op == "!=") {
    if (args.size() != 2) return false;
    bool eq = loosely_equal(evaluate(args[0], scope), evaluate(args[1], scope));
    return op == "==" ? eq : !eq;
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    if (args.size() < 2) return false;
    std::vector<json::value> v;
    for (const auto& a : args) v.push_back(evaluate(a, scope));
    for (std::size_t i = 0; i + 1 < v.size(); ++i) {
      auto c = compare(v[i], v[i + 1]);
      if (!c) return false;
      bool ok = op == "<" ? *c < 0 : op == "<=" ? *c <= 0 : op == ">" ? *c > 0 : *c >= 0;
      if (!ok) return false;
    }
    return true;
  }
  if (op == "and") {
    for (const auto& a : args)
      if (!truthy(evaluate(a, scope))) return false;
    return true;
  }
  if (op == "or") {
    for (const auto& a : args)
      if (truthy(evaluate(a, scope))) return true;
    return false;
  }
  if (op == "not" || op == "!") return args.empty() ? true : !truthy(evaluate(args[0], scope));
  if (op == "in") {
    if (args.size() != 2) return false;
    auto needle = evaluate(args[0], scope);
    auto hay = evaluate(args[1], scope);
    if (hay.is_array()) {
      for (const auto& h : hay.get_array())
        if (loosely_equal(needle, h)) return true;
      return false;
    }
    if (hay.is_string() && needle.is_string())
      return std::string_view(hay.get_string()).find(std::string_view(needle.get_string())) !=
             std::string_view::npos;
    return false;
  }
  if (op == "+" || op == "-" || op == "*" || op == "/" || op == "min" || op == "max")
    return arithmetic(op, args, scope);
  if (op == "if") {
    std::size_t i = 0;
    for (; i + 1 < args.size(); i += 2)
      if (truthy(evaluate(args[i], scope))) return evaluate(args[i + 1], scope);
    return i < args.size() ? evaluate(args[i], scope) : json::value(nullptr);
  }
  if (op == "count") {
    auto v = args.empty() ? json::value(nullptr) : evaluate(args[0], scope);
    if (v.is_array()) return static_cast<std::int64_t>(v.get_array().size());
    return v.is_null() ? 0 : 1;
  }
  if (op == "days_between" || op == "years_between") {
    if (args.size() != 2) return nullptr;
    auto a = as_date(evaluate(args[0], scope));
    auto b = as_date(evaluate(args[1], scope));
    if (!a || !b) return nullptr;
    if (op == "days_between")
      return static_cast<std::int64_t>((std::chrono::sys_days(*b) - std::chrono::sys_days(*a)).count());
    int years = static_cast<int>(b->year()) - static_cast<int>(a->year());
    if (std::chrono::month_day(b->month(), b->day()) < std::chrono::month_day(a->month(), a->day())) --years;
    return static_cast<std::int64_t>(years);
  }
  if (op == "round") {
    auto n = args.empty() ? std::nullopt : as_number(evaluate(args[0], scope));
    if (!n) return nullptr;
    return number_value(std::round(*n));
  }
  if (op == "today") return json::value(time::format_iso_date(scope.today));
  return nullptr;
}

bool condition(const json::value& expr, const Scope& scope, bool when_absent) {
  if (expr.is_null()) return when_absent;
  return truthy(evaluate(expr, scope));
}

Status check_expression(const json::value& expr, const std::string& path,
                        const std::function<bool(std::string_view)>& is_known) {
  auto fail = [&](const std::string& why) -> Status {
    Error e = Error::make("forms.schema", 400, path + ": " + why);
    e.field = path;
    return e;
  };
  if (expr.is_array()) {
    for (std::size_t i = 0; i < expr.get_array().size(); ++i)
      if (auto s = check_expression(expr.get_array()[i], path, is_known); !s) return s;
    return Ok{};
  }
  if (!expr.is_object()) return Ok{};
  const auto& obj = expr.get_object();
  if (obj.size() != 1) return fail("an expression object must have exactly one operator");
  const auto& [key, arg] = *obj.begin();
  auto it = operators().find(std::string_view(key));
  if (it == operators().end()) return fail("unknown operator \"" + std::string(key) + "\"");
  json::array args = key == "today" ? (arg.is_array() ? arg.get_array() : json::array{}) : operands(arg);
  const Arity ar = it->second;
  if (static_cast<int>(args.size()) < ar.min || (ar.max >= 0 && static_cast<int>(args.size()) > ar.max))
    return fail("wrong number of operands for \"" + std::string(key) + "\"");
  if (key == "var") {
    if (!args[0].is_string()) return fail("\"var\" takes a field name");
    std::string name(args[0].get_string());
    if (!is_known(name)) return fail("unknown field \"" + name + "\"");
    return Ok{};
  }
  for (const auto& a : args)
    if (auto s = check_expression(a, path, is_known); !s) return s;
  return Ok{};
}

std::vector<std::string> variables(const json::value& expr) {
  std::vector<std::string> out;
  if (expr.is_array()) {
    for (const auto& e : expr.get_array())
      for (auto& v : variables(e)) out.push_back(std::move(v));
  } else if (expr.is_object()) {
    for (const auto& [k, v] : expr.get_object()) {
      if (k == "var") {
        auto args = operands(v);
        if (!args.empty() && args[0].is_string()) out.emplace_back(args[0].get_string());
      } else {
        for (auto& name : variables(v)) out.push_back(std::move(name));
      }
    }
  }
  return out;
}

}  // namespace sp::forms
