// The shipped definitions (data/forms/*.json) load, match the catalog and render in both languages; schema
// errors name the path of the fault.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "forms/answers.hpp"
#include "forms/render.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

std::string forms_dir() {
  return sp::testing::source_dir() + "/data/forms";
}

std::map<std::string, std::string> catalog_codes() {  // code → audience
  std::ifstream in(sp::testing::source_dir() + "/data/demo/catalog.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::map<std::string, std::string> codes;
  const json::value catalog = json::parse(ss.str());
  for (const auto& s : catalog.at("services").as_array())
    codes[std::string(s.at("code").as_string())] = std::string(s.at("audience").as_string());
  return codes;
}

TEST(Definitions, EveryShippedDefinitionLoadsAndNamesACatalogService) {
  auto defs = load_definitions_dir(forms_dir());
  ASSERT_TRUE(defs) << defs.error().detail;
  ASSERT_GE(defs->size(), 1u);
  auto codes = catalog_codes();
  std::set<std::string> seen;
  for (const auto& d : *defs) {
    EXPECT_TRUE(codes.count(d.code)) << d.code << " is not a service of data/demo/catalog.json";
    EXPECT_TRUE(seen.insert(d.code).second);
    if (codes.count(d.code)) {
      EXPECT_EQ(d.audience, codes[d.code]) << d.code << ": audience differs from the catalog's";
    }
  }
  EXPECT_TRUE(seen.count("iscrizione-scuola-primaria"));
}

TEST(Definitions, EveryShippedDefinitionRendersEveryStepInBothLanguages) {
  auto defs = load_definitions_dir(forms_dir());
  ASSERT_TRUE(defs) << defs.error().detail;
  auto ctx = context_today();
  for (const auto& d : *defs) {
    SCOPED_TRACE(d.code);
    Answers empty;
    auto issues = validate(d, empty, ctx);
    EXPECT_FALSE(issues.empty()) << "an empty application should not be valid";
    for (const auto& i : issues) {
      EXPECT_NE(message(locales(), "it", i), "error.forms." + i.code);
      EXPECT_NE(message(locales(), "en", i), "error.forms." + i.code);
    }
    for (const auto& st : d.steps) {
      for (std::string lang : {"it", "en"}) {
        auto r = render_step(d, st.id, empty, issues, ctx, locales(), lang);
        EXPECT_EQ(r.id, st.id);
        EXPECT_FALSE(r.title.empty());
        for (const auto& sec : r.sections)
          for (const auto& f : sec.fields) {
            EXPECT_FALSE(f.label.empty()) << f.name;
            if (f.type == "declaration") {
              EXPECT_FALSE(f.declaration.empty()) << f.name;
            }
          }
        auto j = to_json(r);
        EXPECT_EQ(j.at("id"), json::value(st.id));
      }
    }
    auto en = render_form(d, empty, {}, ctx, locales(), "en");
    auto it = render_form(d, empty, {}, ctx, locales(), "it");
    EXPECT_NE(en.title, it.title);
  }
}

struct SchemaCase {
  const char* fields;
  const char* path;  // expected Error::field
  const char* why;   // part of the detail
};

TEST(Definitions, SchemaErrorsAreReportedWithTheFieldPath) {
  const std::vector<SchemaCase> cases{
      {R"([{"name": "a", "type": "yesno", "label": {"it": "A", "en": "A"}}])",
       "steps[0].sections[0].fields[0] (a).type", "unknown field type \"yesno\""},
      {R"([{"name": "a", "type": "text", "label": {"it": "A"}}])",
       "steps[0].sections[0].fields[0] (a).label.en", "English text is required"},
      {R"([{"name": "a", "type": "text", "label": {"it": "A", "en": "A"}, "requird": true}])",
       "steps[0].sections[0].fields[0] (a).requird", "unknown key"},
      {R"([{"name": "a", "type": "text", "label": {"it": "A", "en": "A"}}, {"name": "a", "type": "text", "label": {"it": "A", "en": "A"}}])",
       "steps[0].sections[0].fields[1].name", "duplicate field name"},
      {R"([{"name": "a", "type": "choice", "label": {"it": "A", "en": "A"}}])",
       "steps[0].sections[0].fields[0] (a).options", "needs options"},
      {R"([{"name": "a", "type": "text", "label": {"it": "A", "en": "A"}, "show_if": {"==": [{"var": "zz"}, 1]}}])",
       "steps[0].sections[0].fields[0] (a).show_if", "unknown field \"zz\""},
      {R"([{"name": "a", "type": "text", "label": {"it": "A", "en": "A"}, "min": 3}])",
       "steps[0].sections[0].fields[0] (a).min", "not allowed for a text field"},
      {R"([{"name": "a", "type": "date", "label": {"it": "A", "en": "A"}, "max": "domani"}])",
       "steps[0].sections[0].fields[0] (a).max", "today"},
      {R"([{"name": "a", "type": "text", "label": {"it": "A", "en": "A"}, "pattern": "[a-"}])",
       "steps[0].sections[0].fields[0] (a).pattern", "regular expression"},
      {R"([{"name": "g", "type": "group", "label": {"it": "G", "en": "G"}, "fields": [
           {"name": "x", "type": "nope", "label": {"it": "X", "en": "X"}}]}])",
       "steps[0].sections[0].fields[0] (g).fields[0] (x).type", "unknown field type"},
      {R"([{"name": "d", "type": "declaration", "label": {"it": "D", "en": "D"}}])",
       "steps[0].sections[0].fields[0] (d).declaration", "needs its text"},
      {R"([{"name": "Bad Name", "type": "text", "label": {"it": "A", "en": "A"}}])",
       "steps[0].sections[0].fields[0] (Bad Name).name", "lower-case"},
      {R"([{"name": "n", "type": "money", "label": {"it": "A", "en": "A"}, "computed": {"*": [2]}, "required": true}])",
       "steps[0].sections[0].fields[0] (n).computed", "cannot be required"},
  };
  for (const auto& c : cases) {
    std::string text = R"({"code": "t", "version": 1, "title": {"it": "T", "en": "T"}, "steps": [{"id": "s",
        "title": {"it": "S", "en": "S"}, "sections": [{"fields": )" +
                       std::string(c.fields) + "}]}]}";
    auto d = parse_definition_text(text);
    ASSERT_FALSE(d) << c.fields;
    EXPECT_EQ(d.error().code, "forms.schema");
    EXPECT_EQ(d.error().field, c.path) << d.error().detail;
    EXPECT_NE(d.error().detail.find(c.why), std::string::npos) << d.error().detail;
    EXPECT_EQ(d.error().detail.rfind(c.path, 0), 0u)
        << "the detail starts with the path: " << d.error().detail;
  }
  auto no_steps =
      parse_definition_text(R"({"code": "t", "version": 1, "title": {"it": "T", "en": "T"}, "steps": []})");
  ASSERT_FALSE(no_steps);
  EXPECT_EQ(no_steps.error().field, "steps");
  auto not_json = parse_definition_text("{");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, "forms.schema");
}

TEST(Definitions, AFileErrorNamesTheFile) {
  sp::testing::TempDir dir;
  std::ofstream(dir.path() / "a.json")
      << R"({"code": "ok", "version": 1, "title": {"it": "T", "en": "T"}, "steps": [
    {"id": "s", "title": {"it": "S", "en": "S"}, "sections": [{"fields": [{"name": "x", "type": "text", "label": {"it": "X", "en": "X"}}]}]}]})";
  std::ofstream(dir.path() / "b.json") << R"({"code": "broken", "version": 1})";
  auto r = load_definitions_dir(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.rfind("b.json: ", 0), 0u) << r.error().detail;
  auto one = load_definition_file(dir.path() / "a.json");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->code, "ok");
  EXPECT_FALSE(load_definition_file(dir.path() / "missing.json"));
}

}  // namespace
