// Conditions (show_if / require_if), computed fields, repeatable groups and the expression subset.
#include <gtest/gtest.h>

#include "forms/answers.hpp"
#include "forms/expression.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

json::value eval(const char* expr, const char* vars = "{}") {
  json::object root = json::parse(vars).as_object();
  Scope s{nullptr, &root,
          std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::May, std::chrono::day{15}}};
  return evaluate(json::parse(expr), s);
}

TEST(Expressions, OperatorsOfTheSubset) {
  EXPECT_EQ(eval(R"({"==": [{"var": "a"}, 2]})", R"({"a": 2.0})"), json::value(true));
  EXPECT_EQ(eval(R"({"!=": [{"var": "a"}, "x"]})", R"({"a": "x"})"), json::value(false));
  EXPECT_EQ(eval(R"({"<": [1, {"var": "a"}, 3]})", R"({"a": 2})"), json::value(true));
  EXPECT_EQ(eval(R"({"<=": ["2026-01-01", {"var": "d"}]})", R"({"d": "2026-05-15"})"), json::value(true));
  EXPECT_EQ(eval(R"({">": [{"var": "missing"}, 1]})"), json::value(false));  // null is not comparable
  EXPECT_EQ(eval(R"({">=": [3, 3]})"), json::value(true));
  EXPECT_EQ(eval(R"({"and": [true, {"var": "a"}]})", R"({"a": 0})"), json::value(false));
  EXPECT_EQ(eval(R"({"or": [false, "x"]})"), json::value(true));
  EXPECT_EQ(eval(R"({"not": [{"var": "a"}]})", R"({"a": ""})"), json::value(true));
  EXPECT_EQ(eval(R"({"in": ["b", {"var": "l"}]})", R"({"l": ["a", "b"]})"), json::value(true));
  EXPECT_EQ(eval(R"({"in": ["ci", "Casale"]})"), json::value(false));
  EXPECT_EQ(eval(R"({"+": [1, 2, 3]})"), json::value(6));
  EXPECT_EQ(eval(R"({"-": [10, 4]})"), json::value(6));
  EXPECT_EQ(eval(R"({"-": [4]})"), json::value(-4));
  EXPECT_EQ(eval(R"({"*": [{"var": "a"}, 150]})", R"({"a": 12})"), json::value(1800));
  EXPECT_EQ(eval(R"({"/": [7, 2]})"), json::value(3.5));
  EXPECT_EQ(eval(R"({"/": [7, 0]})"), json::value(nullptr));
  EXPECT_EQ(eval(R"({"min": [5, 2, 9]})"), json::value(2));
  EXPECT_EQ(eval(R"({"max": [5, 2, 9]})"), json::value(9));
  EXPECT_EQ(eval(R"({"if": [false, "a", {"var": "b"}, "b", "c"]})", R"({"b": true})"), json::value("b"));
  EXPECT_EQ(eval(R"({"if": [false, "a", "c"]})"), json::value("c"));
  EXPECT_EQ(eval(R"({"count": {"var": "g"}})", R"({"g": [{}, {}, {}]})"), json::value(3));
  EXPECT_EQ(eval(R"({"days_between": ["2026-05-01", "2026-05-15"]})"), json::value(14));
  EXPECT_EQ(eval(R"({"years_between": ["2020-05-16", {"today": []}]})"), json::value(5));
  EXPECT_EQ(eval(R"({"round": [2.5]})"), json::value(3));
  EXPECT_EQ(eval(R"({"+": [1, "x"]})"), json::value(nullptr));  // a bad operand gives null, never a throw
  EXPECT_EQ(eval(R"({"var": ["missing", 7]})"), json::value(7));
  EXPECT_EQ(eval(R"({"var": "addr.postcode"})", R"({"addr": {"postcode": "15033"}})"), json::value("15033"));
}

TEST(Expressions, SchemaCheckNamesUnknownOperatorsAndFields) {
  auto known = [](std::string_view n) { return n == "a"; };
  EXPECT_TRUE(check_expression(json::parse(R"({"==": [{"var": "a"}, 1]})"), "x", known));
  auto bad_op = check_expression(json::parse(R"({"===": [1, 1]})"), "x.show_if", known);
  ASSERT_FALSE(bad_op);
  EXPECT_EQ(bad_op.error().detail, "x.show_if: unknown operator \"===\"");
  auto bad_var = check_expression(json::parse(R"({"and": [{"var": "b"}]})"), "x", known);
  ASSERT_FALSE(bad_var);
  EXPECT_NE(bad_var.error().detail.find("unknown field \"b\""), std::string::npos);
  EXPECT_FALSE(check_expression(json::parse(R"({"/": [1]})"), "x", known));
  EXPECT_FALSE(check_expression(json::parse(R"({"==": [1, 2], "!=": [1, 2]})"), "x", known));
}

const char* kCanteen = R"([
  {"name": "canteen", "type": "yes_no", "label": {"it": "Mensa", "en": "Canteen"}, "required": true},
  {"name": "diet", "type": "multi_choice", "label": {"it": "Dieta", "en": "Diet"}, "show_if": {"==": [{"var": "canteen"}, true]},
   "options": [{"value": "celiac", "label": {"it": "Celiachia", "en": "Coeliac"}}, {"value": "other", "label": {"it": "Altro", "en": "Other"}}]},
  {"name": "diet_notes", "type": "long_text", "label": {"it": "Note", "en": "Notes"}, "show_if": {"==": [{"var": "canteen"}, true]},
   "require_if": {"in": ["other", {"var": "diet"}]}}
])";

TEST(Conditions, HiddenFieldsAreNotValidatedAndDroppedAtSubmission) {
  auto def = one_step(kCanteen);
  auto ctx = context_today();
  // canteen "no": diet holds a value that would be invalid, but it is hidden
  auto a = answers(R"({"canteen": "no", "diet": ["bogus"], "diet_notes": "x"})");
  EXPECT_TRUE(validate(def, a, ctx).empty());
  auto sub = submit(def, a, ctx);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub.data.at("canteen"), json::value(false));
  EXPECT_FALSE(sub.data.contains("diet"));
  EXPECT_FALSE(sub.data.contains("diet_notes"));
  // canteen "yes": diet is shown and validated
  a["canteen"] = "sì";
  EXPECT_EQ(codes_at(validate(def, a, ctx), "diet"), std::vector<std::string>{"choice_invalid"});
}

TEST(Conditions, RequireIf) {
  auto def = one_step(kCanteen);
  auto ctx = context_today();
  auto a = answers(R"({"canteen": "yes", "diet": ["celiac"], "diet_notes": ""})");
  EXPECT_TRUE(validate(def, a, ctx).empty());
  a["diet"] = json::array{"celiac", "other"};
  EXPECT_EQ(codes_at(validate(def, a, ctx), "diet_notes"), std::vector<std::string>{"required"});
  a["diet_notes"] = "Niente pesce";
  auto sub = submit(def, a, ctx);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub.data.at("diet"), (json::array{"celiac", "other"}));
  EXPECT_EQ(sub.data.at("diet_notes"), json::value("Niente pesce"));
}

TEST(Conditions, StepsAndSectionsCanBeHidden) {
  auto d = parse_definition_text(R"({"code": "t", "version": 1, "title": {"it": "T", "en": "T"}, "steps": [
    {"id": "a", "title": {"it": "A", "en": "A"}, "sections": [{"fields": [
      {"name": "business", "type": "yes_no", "label": {"it": "Impresa?", "en": "Business?"}, "required": true}]}]},
    {"id": "b", "title": {"it": "B", "en": "B"}, "show_if": {"var": "business"}, "sections": [{"fields": [
      {"name": "vat", "type": "partita_iva", "label": {"it": "P.IVA", "en": "VAT"}, "required": true}]}]},
    {"id": "c", "title": {"it": "C", "en": "C"}, "sections": [{"show_if": {"!": {"var": "business"}}, "fields": [
      {"name": "cf", "type": "codice_fiscale", "label": {"it": "CF", "en": "CF"}, "required": true}]}]}]})");
  ASSERT_TRUE(d) << d.error().detail;
  auto ctx = context_today();
  auto issues = validate(*d, answers(R"({"business": "yes"})"), ctx);
  EXPECT_EQ(codes_at(issues, "vat"), std::vector<std::string>{"required"});
  EXPECT_TRUE(codes_at(issues, "cf").empty());
  issues = validate(*d, answers(R"({"business": "no", "vat": "123"})"), ctx);
  EXPECT_TRUE(codes_at(issues, "vat").empty());
  EXPECT_EQ(codes_at(issues, "cf"), std::vector<std::string>{"required"});
  // per step: only that step's fields
  EXPECT_TRUE(validate_step(*d, "a", answers(R"({"business": "no"})"), ctx).empty());
  EXPECT_EQ(validate_step(*d, "nope", answers("{}"), ctx)[0].code, "step_unknown");
}

TEST(Computed, FeeFromAreaDaysAndPurpose) {
  auto def = one_step(R"([
    {"name": "area", "type": "number", "label": {"it": "Superficie", "en": "Area"}, "required": true, "min": 1},
    {"name": "from", "type": "date", "label": {"it": "Dal", "en": "From"}, "required": true},
    {"name": "to", "type": "date", "label": {"it": "Al", "en": "To"}, "required": true, "min": {"var": "from"}},
    {"name": "days", "type": "number", "label": {"it": "Giorni", "en": "Days"},
     "computed": {"+": [{"days_between": [{"var": "from"}, {"var": "to"}]}, 1]}},
    {"name": "fee", "type": "money", "label": {"it": "Canone", "en": "Fee"},
     "computed": {"max": [2500, {"round": {"*": [{"var": "area"}, {"var": "days"}, 45.5]}}]}}])");
  auto ctx = context_today();
  auto a = answers(R"({"area": "12,5", "from": "01/06/2026", "to": "2026-06-10", "fee": "1"})");
  auto sub = submit(def, a, ctx);
  ASSERT_TRUE(sub.ok()) << sub.issues[0].code << " " << sub.issues[0].path;
  EXPECT_EQ(sub.data.at("days"), json::value(10));
  EXPECT_EQ(sub.data.at("fee"),
            json::value(5688));  // 12.5 m² × 10 days × 45.5 cents, rounded; typed "1" ignored
  a["area"] = "1";
  a["to"] = "2026-06-01";
  EXPECT_EQ(submit(def, a, ctx).data.at("fee"), json::value(2500));  // the minimum fee
  // a bound from another field: "to" before "from"
  a["to"] = "2026-05-31";
  EXPECT_EQ(codes_at(validate(def, a, ctx), "to"), std::vector<std::string>{"date_min"});
}

TEST(Computed, ChecksWithTheDefinitionsOwnMessage) {
  auto def = one_step(R"([
    {"name": "isee", "type": "money", "label": {"it": "ISEE", "en": "ISEE"}, "required": true,
     "checks": [{"assert": {"<=": [{"var": "isee"}, 2038290]},
                 "message": {"it": "ISEE oltre la soglia", "en": "ISEE above the threshold"}}]}])");
  auto ctx = context_today();
  auto issues = validate(def, answers(R"({"isee": "20.382,91"})"), ctx);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, "check");
  EXPECT_EQ(message(locales(), "it", issues[0]), "ISEE oltre la soglia");
  EXPECT_EQ(message(locales(), "en", issues[0]), "ISEE above the threshold");
  EXPECT_TRUE(validate(def, answers(R"({"isee": "20.382,90"})"), ctx).empty());
}

const char* kChildren = R"([
  {"name": "children", "type": "group", "label": {"it": "Figlio", "en": "Child"}, "required": true,
   "min_items": 1, "max_items": 3, "fields": [
     {"name": "name", "type": "text", "label": {"it": "Nome", "en": "Name"}, "required": true},
     {"name": "birth_date", "type": "date", "label": {"it": "Nato il", "en": "Born on"}, "required": true, "max": "today"},
     {"name": "disability", "type": "yes_no", "label": {"it": "Disabilità", "en": "Disability"}},
     {"name": "certificate", "type": "file", "label": {"it": "Certificato", "en": "Certificate"}, "required": true,
      "show_if": {"==": [{"var": "disability"}, true]}},
     {"name": "fee", "type": "money", "label": {"it": "Quota", "en": "Fee"},
      "computed": {"if": [{"var": "disability"}, 0, {"==": [{"var": "pays_full"}, true]}, 5000, 2500]}}]},
  {"name": "pays_full", "type": "yes_no", "label": {"it": "Tariffa piena", "en": "Full fee"}},
  {"name": "total", "type": "money", "label": {"it": "Totale", "en": "Total"},
   "computed": {"*": [{"count": {"var": "children"}}, 100]}}])";

TEST(Groups, MinMaxAndPathsOfItemFields) {
  auto def = one_step(kChildren);
  auto ctx = context_today();
  EXPECT_EQ(codes_at(validate(def, answers(R"({"children": []})"), ctx), "children"),
            std::vector<std::string>{"group_too_few"});
  auto four = answers(
      R"({"children": [{"name": "a", "birth_date": "2020-01-01"}, {"name": "b", "birth_date": "2020-01-01"},
                                      {"name": "c", "birth_date": "2020-01-01"}, {"name": "d", "birth_date": "2020-01-01"}]})");
  EXPECT_EQ(codes_at(validate(def, four, ctx), "children"), std::vector<std::string>{"group_too_many"});
  auto two = answers(R"({"children": [{"name": "Anna", "birth_date": "2020-01-01"},
                                     {"name": "", "birth_date": "2030-01-01", "disability": "yes"}]})");
  auto issues = validate(def, two, ctx);
  EXPECT_EQ(codes_at(issues, "children[1].name"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "children[1].birth_date"), std::vector<std::string>{"date_max"});
  EXPECT_EQ(codes_at(issues, "children[1].certificate"),
            std::vector<std::string>{"required"});  // shown for item 1 only
  EXPECT_TRUE(codes_at(issues, "children[0].certificate").empty());
  EXPECT_EQ(issues.size(), 3u);
}

TEST(Groups, ComputedPerItemAndOverTheGroup) {
  auto def = one_step(kChildren);
  auto ctx = context_today();
  auto a = answers(R"({"pays_full": "yes", "children": [
      {"name": "Anna", "birth_date": "2020-01-01", "disability": "no"},
      {"name": "Bruno", "birth_date": "2019-03-01", "disability": "yes", "certificate": [{"id": "f1", "name": "c.pdf", "size": 10}]}]})");
  auto sub = submit(def, a, ctx);
  ASSERT_TRUE(sub.ok()) << sub.issues[0].path;
  const auto& items = sub.data.at("children").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("fee"), json::value(5000));
  EXPECT_EQ(items[1].at("fee"), json::value(0));
  EXPECT_FALSE(items[0].as_object().contains("certificate"));  // hidden in item 0: dropped
  EXPECT_EQ(items[1].at("certificate").as_array().size(), 1u);
  EXPECT_EQ(sub.data.at("total"), json::value(200));
}

}  // namespace
