// Answers from posted forms (nothing typed is lost), step merges, prefill and locked fields.
#include "forms/answers.hpp"

#include <gtest/gtest.h>

#include "forms/prefill.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

Definition two_steps() {
  auto d = parse_definition_text(R"({"code": "t", "version": 1, "title": {"it": "T", "en": "T"}, "steps": [
    {"id": "who", "title": {"it": "Chi", "en": "Who"}, "sections": [{"fields": [
      {"name": "cf", "type": "codice_fiscale", "label": {"it": "CF", "en": "CF"}, "required": true,
       "prefill": "profile.fiscal_code", "prefill_editable": false},
      {"name": "email", "type": "email", "label": {"it": "E-mail", "en": "E-mail"}, "required": true, "prefill": "profile.email"},
      {"name": "home", "type": "address", "label": {"it": "Residenza", "en": "Home"}, "prefill": "person.address"},
      {"name": "agree", "type": "declaration", "label": {"it": "D", "en": "D"}, "required": true,
       "declaration": {"it": "Dichiaro", "en": "I declare"}}]}]},
    {"id": "kids", "title": {"it": "Figli", "en": "Children"}, "sections": [{"fields": [
      {"name": "diets", "type": "multi_choice", "label": {"it": "Diete", "en": "Diets"},
       "options": [{"value": "a", "label": {"it": "A", "en": "A"}}, {"value": "b", "label": {"it": "B", "en": "B"}}]},
      {"name": "children", "type": "group", "label": {"it": "Figlio", "en": "Child"}, "fields": [
        {"name": "name", "type": "text", "label": {"it": "Nome", "en": "Name"}, "required": true},
        {"name": "born", "type": "date", "label": {"it": "Nato", "en": "Born"}},
        {"name": "doc", "type": "file", "label": {"it": "Doc", "en": "Doc"}}]},
      {"name": "count", "type": "number", "label": {"it": "N", "en": "N"}, "computed": {"count": {"var": "children"}}},
      {"name": "upload", "type": "file", "label": {"it": "Allegato", "en": "Attachment"}}]}]}]})");
  EXPECT_TRUE(d) << d.error().detail;
  return std::move(d).value();
}

TEST(Answers, FromAPostKeepEverythingTypedEvenWhenInvalid) {
  auto def = two_steps();
  FormPairs post{{"children[2].name", "Carla"},
                 {"children[2].born", "31/02/2019"},
                 {"children[0].name", "  Anna "},
                 {"children[0].born", "ieri"},
                 {"children[10].name", "Dario"},
                 {"diets", "a"},
                 {"diets[]", "zzz"},
                 {"cf", "non è un codice"},
                 {"unknown", "ignored"},
                 {"count", "99"},
                 {"upload", "sneaky"},
                 {"home.postcode", "15O33"}};
  Answers a = read_post(def, post);
  EXPECT_EQ(a.at("cf"), json::value("non è un codice"));
  EXPECT_EQ(a.at("email"), json::value(""));
  EXPECT_EQ(a.at("agree"), json::value(""));  // unticked
  EXPECT_EQ(a.at("home").at("postcode"), json::value("15O33"));
  EXPECT_EQ(a.at("diets"), (json::array{"a", "zzz"}));
  const auto& kids = a.at("children").as_array();
  ASSERT_EQ(kids.size(), 3u);  // indexes 0, 2, 10 in order, gaps closed
  EXPECT_EQ(kids[0].at("name"), json::value("  Anna "));
  EXPECT_EQ(kids[0].at("born"), json::value("ieri"));
  EXPECT_EQ(kids[1].at("born"), json::value("31/02/2019"));
  EXPECT_EQ(kids[2].at("name"), json::value("Dario"));
  EXPECT_FALSE(a.contains("unknown"));
  EXPECT_FALSE(a.contains("count"));   // computed: never from a post
  EXPECT_FALSE(a.contains("upload"));  // files arrive separately

  auto issues = validate(def, a, context_today());
  EXPECT_EQ(codes_at(issues, "cf"), std::vector<std::string>{"cf_invalid"});
  EXPECT_EQ(codes_at(issues, "children[0].born"), std::vector<std::string>{"date_invalid"});
  EXPECT_EQ(codes_at(issues, "children[1].born"), std::vector<std::string>{"date_nonexistent"});  // 31/02
  EXPECT_EQ(codes_at(issues, "diets"), std::vector<std::string>{"choice_invalid"});
  EXPECT_EQ(codes_at(issues, "home.postcode"), std::vector<std::string>{"postcode_invalid"});
  EXPECT_EQ(codes_at(issues, "agree"), std::vector<std::string>{"declaration_required"});
}

TEST(Answers, AnItemWithOnlyItsMarkerIsKept) {
  auto def = two_steps();
  Answers a = read_post(def, FormPairs{{"children[0]._item", "1"}}, "kids");
  ASSERT_EQ(a.at("children").as_array().size(), 1u);
  EXPECT_EQ(a.at("children").as_array()[0].at("name"), json::value(""));
  EXPECT_FALSE(a.contains("cf"));  // another step's field
}

TEST(Answers, MergeStepReplacesTheStepButKeepsUploadsAndOtherSteps) {
  auto def = two_steps();
  Answers draft = answers(R"({"cf": "CCCFBA85D03L219P", "upload": [{"id": "u1", "name": "a.pdf", "size": 3}],
    "children": [{"name": "Old", "doc": [{"id": "d1", "name": "d.pdf", "size": 1}]}], "diets": ["a"]})");
  Answers posted =
      read_post(def, FormPairs{{"children[0].name", "New"}, {"children[1].name", "Second"}}, "kids");
  merge_step(def, "kids", posted, draft);
  EXPECT_EQ(draft.at("cf"), json::value("CCCFBA85D03L219P"));
  EXPECT_EQ(draft.at("upload").as_array().size(), 1u);
  EXPECT_EQ(draft.at("diets"), json::array{});  // unticked on this post
  const auto& kids = draft.at("children").as_array();
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0].at("name"), json::value("New"));
  EXPECT_EQ(kids[0].at("doc").as_array()[0].at("id"), json::value("d1"));
  EXPECT_FALSE(kids[1].as_object().contains("doc"));
}

TEST(Prefill, FillsEmptyAnswersAndLocksWhereTheRulesSaySo) {
  auto def = two_steps();
  Facts facts =
      json::parse(R"({"profile.fiscal_code": "CCCFBA85D03L219P", "profile.email": "fabio@example.it",
    "person.address": {"street": "Via Roma", "number": "3", "postcode": "15033", "municipality": "Casale Monferrato"}})")
          .as_object();
  Answers a = answers(R"({"email": "mine@example.it"})");
  auto filled = apply_prefill(def, facts, a);
  EXPECT_EQ(filled, (std::vector<std::string>{"cf", "home"}));
  EXPECT_EQ(a.at("email"), json::value("mine@example.it"));  // typed by the person: kept
  EXPECT_EQ(a.at("home").at("street"), json::value("Via Roma"));

  EXPECT_TRUE(is_locked(*def.field("cf"), facts));
  EXPECT_FALSE(is_locked(*def.field("email"), facts));
  EXPECT_FALSE(is_locked(*def.field("cf"), Facts{}));  // no fact: the person types it

  auto ctx = context_today();
  ctx.facts = facts;
  a["agree"] = "on";
  EXPECT_TRUE(validate_step(def, "who", a, ctx).empty());
  a["cf"] = "RSSMRA85T10A562S";  // a valid code, but not theirs
  EXPECT_EQ(codes_at(validate_step(def, "who", a, ctx), "cf"), std::vector<std::string>{"prefill_locked"});
  enforce_locked(def, facts, a);
  EXPECT_EQ(a.at("cf"), json::value("CCCFBA85D03L219P"));
  a["cf"] = "cccfba85d03l219p";  // the same code typed in lower case is not a change
  EXPECT_TRUE(validate_step(def, "who", a, ctx).empty());
}

TEST(Prefill, PreviousApplicationsAndUnknownSources) {
  auto ok = parse_definition_text(R"({"code": "t", "version": 1, "title": {"it": "T", "en": "T"}, "steps": [
    {"id": "s", "title": {"it": "S", "en": "S"}, "sections": [{"fields": [
      {"name": "school", "type": "text", "label": {"it": "Scuola", "en": "School"}, "prefill": "previous.school"}]}]}]})");
  ASSERT_TRUE(ok) << ok.error().detail;
  Answers a;
  apply_prefill(*ok, json::parse(R"({"previous.school": "Rodari"})").as_object(), a);
  EXPECT_EQ(a.at("school"), json::value("Rodari"));

  auto bad = parse_definition_text(R"({"code": "t", "version": 1, "title": {"it": "T", "en": "T"}, "steps": [
    {"id": "s", "title": {"it": "S", "en": "S"}, "sections": [{"fields": [
      {"name": "x", "type": "text", "label": {"it": "X", "en": "X"}, "prefill": "profile.shoe_size"}]}]}]})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "steps[0].sections[0].fields[0] (x).prefill");
}

}  // namespace
