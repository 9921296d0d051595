// Body overlays: add fields and change texts only; anything else is refused with a clear error.
#include "forms/overlay.hpp"

#include <gtest/gtest.h>

#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

Definition hub() {
  return one_step(R"([
    {"name": "school", "type": "choice", "label": {"it": "Scuola", "en": "School"}, "required": true, "options_list": "schools"},
    {"name": "canteen", "type": "yes_no", "label": {"it": "Mensa", "en": "Canteen"}, "required": true},
    {"name": "shift", "type": "choice", "label": {"it": "Turno", "en": "Shift"},
     "options": [{"value": "am", "label": {"it": "Mattina", "en": "Morning"}}, {"value": "pm", "label": {"it": "Pomeriggio", "en": "Afternoon"}}]},
    {"name": "children", "type": "group", "label": {"it": "Figlio", "en": "Child"}, "fields": [
      {"name": "name", "type": "text", "label": {"it": "Nome", "en": "Name"}, "required": true}]}])",
                  R"("lists": {"schools": []},)");
}

json::object obj(const char* s) {
  return json::parse(s).as_object();
}

TEST(Overlay, AddsFieldsChangesTextsAndFillsLists) {
  auto h = hub();
  auto merged = apply_overlay(h, obj(R"({"code": "test-form", "base_version": 1,
    "texts": [{"target": "field:canteen", "label": {"it": "Mensa, servizio comunale", "en": "Canteen, municipal"}},
              {"target": "option:shift/am", "label": {"it": "Mattino", "en": "Morning"}},
              {"target": "step:main", "help": {"it": "Aiuto", "en": "Help"}},
              {"target": "form", "title": {"it": "Prova del Comune", "en": "Town test"}}],
    "fields": [{"after": "canteen", "field": {"name": "bus_stop", "type": "text", "label": {"it": "Fermata", "en": "Stop"}}},
               {"before": "school", "field": {"name": "notice", "type": "yes_no", "label": {"it": "Avviso", "en": "Notice"}}},
               {"after": "children.name", "field": {"name": "class", "type": "text", "label": {"it": "Classe", "en": "Class"}}}],
    "lists": {"schools": [{"value": "rodari", "label": {"it": "Scuola Rodari", "en": "Rodari school"}}]}})"));
  ASSERT_TRUE(merged) << merged.error().detail;
  const auto& fields = merged->steps[0].sections[0].fields;
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"notice", "school", "canteen", "bus_stop", "shift", "children"}));
  EXPECT_EQ(merged->field("canteen")->label.it, "Mensa, servizio comunale");
  EXPECT_TRUE(merged->field("canteen")->required);  // rules untouched
  EXPECT_EQ(merged->field("shift")->options[0].label.it, "Mattino");
  EXPECT_TRUE(merged->field("children.class"));
  EXPECT_EQ(merged->title.en, "Town test");
  EXPECT_EQ(merged->steps[0].help.it, "Aiuto");
  ASSERT_EQ(merged->lists.at("schools").size(), 1u);
  // the body's list now drives validation
  auto ctx = context_today();
  auto issues = validate(*merged, answers(R"({"school": "verdi", "canteen": "no"})"), ctx);
  EXPECT_EQ(codes_at(issues, "school"), std::vector<std::string>{"choice_invalid"});
}

TEST(Overlay, RefusesAnythingButTextsAndNewFields) {
  auto h = hub();
  struct Bad {
    const char* overlay;
    const char* says;
  };
  for (
      const Bad& b : std::vector<Bad>{
          {R"({"code": "test-form", "texts": [{"target": "field:canteen", "required": false}]})",
           "\"required\" of field:canteen"},
          {R"({"code": "test-form", "texts": [{"target": "field:canteen", "type": "text"}]})",
           "\"type\" of field:canteen"},
          {R"({"code": "test-form", "texts": [{"target": "field:nothere", "label": {"it": "a", "en": "b"}}]})",
           "does not exist"},
          {R"({"code": "test-form", "fields": [{"after": "school", "field": {"name": "canteen", "type": "text",
                "label": {"it": "a", "en": "b"}}}]})",
           "cannot redefine"},
          {R"({"code": "test-form", "remove": ["canteen"]})", "\"remove\""},
          {R"({"code": "test-form", "steps": []})", "\"steps\""},
          {R"({"code": "other-form"})", "not for \"test-form\""},
          {R"({"code": "test-form", "lists": {"streets": []}})", "no such list"},
          {R"({"code": "test-form", "fields": [{"after": "school", "field": {"name": "x", "type": "bogus",
                "label": {"it": "a", "en": "b"}}}]})",
           "unknown field type"},
      }) {
    auto r = apply_overlay(h, obj(b.overlay));
    ASSERT_FALSE(r) << b.overlay;
    EXPECT_EQ(r.error().code, "forms.overlay");
    EXPECT_NE(r.error().detail.find(b.says), std::string::npos) << r.error().detail;
    EXPECT_NE(locales().message("it", r.error()).find(b.says),
              std::string::npos);  // shown to the administrator
  }
}

TEST(Overlay, DerivedFromAnEditedCopyOfTheHubsDefinition) {
  auto h = hub();
  json::object edited = h.source;
  auto& fields =
      edited["steps"].as_array()[0].as_object()["sections"].as_array()[0].as_object()["fields"].as_array();
  fields[1].as_object()["label"] = obj(R"({"it": "Refezione", "en": "School meals"})");
  fields.insert(fields.begin(),
                json::parse(R"({"name": "first", "type": "text", "label": {"it": "Primo", "en": "First"}})"));
  auto overlay = derive_overlay(h, edited);
  ASSERT_TRUE(overlay) << overlay.error().detail;
  auto merged = apply_overlay(h, *overlay);
  ASSERT_TRUE(merged) << merged.error().detail;
  EXPECT_EQ(merged->steps[0].sections[0].fields[0].name, "first");
  EXPECT_EQ(merged->field("canteen")->label.it, "Refezione");

  json::object removed = h.source;
  auto& rf =
      removed["steps"].as_array()[0].as_object()["sections"].as_array()[0].as_object()["fields"].as_array();
  rf.erase(rf.begin() + 1);
  auto r1 = derive_overlay(h, removed);
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().detail.find("\"canteen\" of the hub's definition is missing"), std::string::npos)
      << r1.error().detail;

  json::object altered = h.source;
  altered["steps"]
      .as_array()[0]
      .as_object()["sections"]
      .as_array()[0]
      .as_object()["fields"]
      .as_array()[1]
      .as_object()["type"] = "text";
  auto r2 = derive_overlay(h, altered);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().detail.find("field \"canteen\": \"type\" is a rule"), std::string::npos)
      << r2.error().detail;

  json::object relaxed = h.source;
  relaxed["steps"]
      .as_array()[0]
      .as_object()["sections"]
      .as_array()[0]
      .as_object()["fields"]
      .as_array()[0]
      .as_object()["required"] = false;
  auto r3 = derive_overlay(h, relaxed);
  ASSERT_FALSE(r3);
  EXPECT_NE(r3.error().detail.find("\"required\""), std::string::npos);

  json::object option_removed = h.source;
  option_removed["steps"]
      .as_array()[0]
      .as_object()["sections"]
      .as_array()[0]
      .as_object()["fields"]
      .as_array()[2]
      .as_object()["options"]
      .as_array()
      .pop_back();
  EXPECT_FALSE(derive_overlay(h, option_removed));
}

}  // namespace
