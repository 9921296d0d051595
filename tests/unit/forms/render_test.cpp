// The render model: texts in the requested language, values as typed, flags, localised errors.
#include "forms/render.hpp"

#include <gtest/gtest.h>

#include "forms/answers.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

Definition def() {
  return one_step(R"([
    {"name": "email", "type": "email", "label": {"it": "Posta elettronica", "en": "E-mail"},
     "help": {"it": "Per gli avvisi", "en": "For notices"}, "required": true},
    {"name": "area", "type": "number", "label": {"it": "Superficie", "en": "Area"}, "unit": {"it": "m²", "en": "m²"},
     "min": 1, "max": 500},
    {"name": "fee", "type": "money", "label": {"it": "Canone", "en": "Fee"}, "computed": {"*": [{"var": "area"}, 150]}},
    {"name": "kind", "type": "choice", "label": {"it": "Tipo", "en": "Kind"}, "show_if": {">": [{"var": "area"}, 10]},
     "options": [{"value": "dehors", "label": {"it": "Dehors", "en": "Outdoor seating"}}]},
    {"name": "stop", "type": "choice", "label": {"it": "Fermata", "en": "Stop"}, "options_list": "stops"},
    {"name": "home", "type": "address", "label": {"it": "Indirizzo", "en": "Address"}},
    {"name": "kids", "type": "group", "label": {"it": "Figlio", "en": "Child"}, "max_items": 2, "fields": [
      {"name": "born", "type": "date", "label": {"it": "Nato il", "en": "Born on"}, "max": "today"}]}])",
                  R"("lists": {"stops": []},)");
}

TEST(Render, FieldsWithTextsValuesFlagsAndErrors) {
  auto d = def();
  auto ctx = context_today();
  ctx.streets = {"Via Roma", "Via Lanza"};
  auto a = answers(R"({"email": "not-an-email", "area": "12", "kind": "dehors", "home": {"postcode": "abc"},
                       "kids": [{"born": "2020-01-01"}, {"born": "2030-01-01"}]})");
  auto issues = validate(d, a, ctx);
  auto r = render_step(d, "main", a, issues, ctx, locales(), "en");
  const auto& f = r.sections[0].fields;
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f[0].label, "E-mail");
  EXPECT_EQ(f[0].help, "For notices");
  EXPECT_EQ(f[0].value, "not-an-email");  // as typed
  EXPECT_EQ(f[0].id, "f-email");
  ASSERT_EQ(f[0].errors.size(), 1u);
  EXPECT_EQ(f[0].errors[0], locales().t("en", "error.forms.email_invalid"));
  EXPECT_TRUE(f[0].required);
  EXPECT_EQ(f[1].min, "1");
  EXPECT_EQ(f[1].max, "500");
  EXPECT_EQ(f[1].unit, "m²");
  EXPECT_TRUE(f[2].computed);
  EXPECT_FALSE(f[2].editable);
  EXPECT_EQ(f[2].value, "€18.00");
  EXPECT_TRUE(f[3].visible);
  EXPECT_TRUE(f[3].conditional);
  ASSERT_EQ(f[3].options.size(), 1u);
  EXPECT_TRUE(f[3].options[0].selected);
  EXPECT_EQ(f[3].options[0].label, "Outdoor seating");
  EXPECT_TRUE(f[4].free_text);  // the body has not given its stops yet
  ASSERT_EQ(f[5].parts.size(), 4u);
  EXPECT_EQ(f[5].parts[2].input, "home.postcode");
  EXPECT_EQ(f[5].parts[2].value, "abc");
  EXPECT_EQ(f[5].parts[2].errors.size(), 1u);
  EXPECT_EQ(f[5].streets.size(), 2u);
  ASSERT_EQ(f[6].items.size(), 2u);
  EXPECT_EQ(f[6].items[1].prefix, "kids[1]");
  EXPECT_EQ(f[6].items[1].fields[0].input, "kids[1].born");
  EXPECT_EQ(f[6].items[1].fields[0].id, "f-kids-1-born");
  EXPECT_EQ(f[6].items[1].fields[0].errors.size(), 1u);
  EXPECT_EQ(f[6].items[1].title, "Child no. 2");
  EXPECT_FALSE(f[6].can_add);  // max 2
  EXPECT_TRUE(f[6].can_remove);
  EXPECT_EQ(f[6].items[0].fields[0].max, "2026-05-15");

  // the error summary links every error to its input
  ASSERT_EQ(r.errors.size(), issues.size());
  std::set<std::string> ids;
  for (const auto& e : r.errors) ids.insert(e.id);
  EXPECT_TRUE(ids.count("f-email"));
  EXPECT_TRUE(ids.count("f-home-postcode"));
  EXPECT_TRUE(ids.count("f-kids-1-born"));

  auto it = render_step(d, "main", a, issues, ctx, locales(), "it");
  EXPECT_EQ(it.sections[0].fields[0].label, "Posta elettronica");
  EXPECT_EQ(it.sections[0].fields[2].value, "€ 18,00");
  EXPECT_NE(it.sections[0].fields[0].errors[0], f[0].errors[0]);

  // hidden when the area is small
  a["area"] = "5";
  auto small = render_step(d, "main", a, {}, ctx, locales(), "it");
  EXPECT_FALSE(small.sections[0].fields[3].visible);
}

TEST(Render, JsonForTemplates) {
  auto d = def();
  auto ctx = context_today();
  auto a = answers(R"({"email": "a@b.it", "kids": [{"born": "x"}]})");
  auto j = to_json(render_step(d, "main", a, validate(d, a, ctx), ctx, locales(), "it"));
  const auto& fields = j.at("sections").at(0).at("fields").as_array();
  EXPECT_EQ(fields[0].at("is_email"), json::value(true));
  EXPECT_EQ(fields[6].at("items").at(0).at("fields").at(0).at("has_errors"), json::value(true));
  EXPECT_EQ(j.at("has_errors"), json::value(true));
  EXPECT_EQ(to_json(render_form(d, a, {}, ctx, locales(), "en")).at("steps").as_array().size(), 1u);
}

}  // namespace
