// The acceptance test's form: primary school enrolment, from the profile's prefill to the submission.
#include <gtest/gtest.h>

#include "core/codice_fiscale.hpp"
#include "forms/answers.hpp"
#include "forms/overlay.hpp"
#include "forms/prefill.hpp"
#include "forms/render.hpp"
#include "forms/values.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

Definition primary() {
  auto d = load_definition_file(sp::testing::source_dir() + "/data/forms/iscrizione-scuola-primaria.json");
  EXPECT_TRUE(d) << d.error().detail;
  // the body fills its list of schools through its overlay
  auto merged = apply_overlay(*d, json::parse(R"({"code": "iscrizione-scuola-primaria", "lists": {"schools": [
      {"value": "rodari", "label": {"it": "Scuola primaria Gianni Rodari", "en": "Gianni Rodari primary school"}},
      {"value": "montessori", "label": {"it": "Scuola primaria Maria Montessori", "en": "Maria Montessori primary school"}}]}})")
                                      .as_object());
  EXPECT_TRUE(merged) << merged.error().detail;
  return std::move(merged).value();
}

Context parent_context() {
  Context ctx = context_today(2026, 1, 20);  // enrolments open in January
  ctx.facts = json::parse(R"({"profile.fiscal_code": "CCCFBA85D03L219P", "profile.given_name": "Fabio",
    "profile.family_name": "Caccamo", "profile.birth_date": "1985-04-03", "profile.email": "fabio.caccamo@example.it",
    "profile.mobile": "+393331234567"})")
                  .as_object();
  return ctx;
}

// Lucia Caccamo, born in Casale Monferrato on `birth` (DD/MM/YYYY or YYYY-MM-DD), with her own code:
// the code must agree with the birth date and the sex typed.
FormPairs child_post(const std::string& birth) {
  auto day = values::date(birth).value.value();
  return {{"school_year", "2026-2027"},
          {"children[0].fiscal_code",
           sp::cf::compute("Caccamo", "Lucia", sp::cf::Sex::female, day, "B885").value()},
          {"children[0].given_name", "Lucia"},
          {"children[0].family_name", "Caccamo"},
          {"children[0].sex", "F"},
          {"children[0].birth_date", birth},
          {"children[0].birth_place", "Casale Monferrato"},
          {"children[0].citizenship", "italiana"},
          {"children[0].disability", "no"}};
}

TEST(PrimarySchool, TheParentIsPrefilledFromTheProfileAndLocked) {
  auto def = primary();
  auto ctx = parent_context();
  Answers draft;
  apply_prefill(def, ctx.facts, draft);
  auto step = render_step(def, "applicant", draft, {}, ctx, locales(), "it");
  std::map<std::string, RenderField> by_name;
  for (const auto& s : step.sections)
    for (const auto& f : s.fields) by_name[f.name] = f;
  EXPECT_EQ(by_name["applicant_fiscal_code"].value, "CCCFBA85D03L219P");
  EXPECT_TRUE(by_name["applicant_fiscal_code"].prefilled);
  EXPECT_FALSE(by_name["applicant_fiscal_code"].editable);
  EXPECT_EQ(by_name["applicant_given_name"].value, "Fabio");
  EXPECT_FALSE(by_name["applicant_given_name"].editable);
  EXPECT_EQ(by_name["applicant_email"].value, "fabio.caccamo@example.it");
  EXPECT_TRUE(by_name["applicant_email"].prefilled);
  EXPECT_TRUE(by_name["applicant_email"].editable);
  EXPECT_EQ(by_name["applicant_phone"].value, "+393331234567");
  EXPECT_TRUE(by_name["applicant_phone"].editable);
  EXPECT_EQ(step.number, 1);
  EXPECT_EQ(step.count, 4);

  // the person changes the e-mail: no longer marked as prefilled; a changed fiscal code is refused
  FormPairs post{{"applicant_fiscal_code", "RSSMRA80A01B885X"},
                 {"applicant_given_name", "Fabio"},
                 {"applicant_family_name", "Caccamo"},
                 {"applicant_birth_date", "03/04/1985"},
                 {"applicant_email", "fabio@altro.it"},
                 {"applicant_phone", "0142 444111"},
                 {"applicant_role", "genitore"},
                 {"applicant_residence.street", "Via Roma"},
                 {"applicant_residence.number", "10"},
                 {"applicant_residence.postcode", "15033"},
                 {"applicant_residence.municipality", "Casale Monferrato"}};
  merge_step(def, "applicant", read_post(def, post, "applicant"), draft);
  auto issues = validate_step(def, "applicant", draft, ctx);
  EXPECT_EQ(codes_at(issues, "applicant_fiscal_code"), std::vector<std::string>{"prefill_locked"});
  EXPECT_TRUE(codes_at(issues, "applicant_birth_date").empty());  // the same date, written the Italian way
  enforce_locked(def, ctx.facts, draft);
  EXPECT_TRUE(validate_step(def, "applicant", draft, ctx).empty());
  step = render_step(def, "applicant", draft, {}, ctx, locales(), "en");
  for (const auto& f : step.sections[0].fields)
    if (f.name == "applicant_email") {
      EXPECT_FALSE(f.prefilled);
    }
}

TEST(PrimarySchool, BirthDateRulesOfTheSchoolYearAndEarlyEnrolment) {
  auto def = primary();
  auto ctx = parent_context();
  // born 15/05/2021: too young for 2026/2027 (6 years by 30/04/2027 at the latest)
  auto issues = validate_step(def, "children", read_post(def, child_post("15/05/2021"), "children"), ctx);
  ASSERT_EQ(codes_at(issues, "children[0].birth_date"), std::vector<std::string>{"check"});
  EXPECT_NE(message(locales(), "en", *find_issue(issues, "children[0].birth_date")).find("30/04/2021"),
            std::string::npos);
  // born 10/02/2021: early enrolment, which must be declared
  issues = validate_step(def, "children", read_post(def, child_post("10/02/2021"), "children"), ctx);
  EXPECT_EQ(codes_at(issues, "children[0].early_enrolment"),
            std::vector<std::string>{"declaration_required"});
  auto post = child_post("10/02/2021");
  post.emplace("children[0].early_enrolment", "on");
  EXPECT_TRUE(validate_step(def, "children", read_post(def, post, "children"), ctx).empty());
  // born 10/10/2020: compulsory, no early-enrolment declaration shown
  auto answers_2020 = read_post(def, child_post("10/10/2020"), "children");
  EXPECT_TRUE(validate_step(def, "children", answers_2020, ctx).empty());
  auto r = render_step(def, "children", answers_2020, {}, ctx, locales(), "it");
  const auto& children = r.sections[1].fields[0];
  ASSERT_EQ(children.items.size(), 1u);
  for (const auto& f : children.items[0].fields)
    if (f.name == "early_enrolment") {
      EXPECT_FALSE(f.visible);
    }
  EXPECT_TRUE(children.can_add);
  EXPECT_FALSE(children.can_remove);  // at least one child
}

TEST(PrimarySchool, SchoolCanteenAndDeclarationsThenTheWholeSubmission) {
  auto def = primary();
  auto ctx = parent_context();
  Answers draft;
  apply_prefill(def, ctx.facts, draft);
  draft["applicant_role"] = "genitore";
  draft["applicant_residence"] = json::parse(
      R"({"street": "Via Roma", "number": "10", "postcode": "15033", "municipality": "Casale Monferrato"})");
  merge_step(def, "children", read_post(def, child_post("2020-10-10"), "children"), draft);

  FormPairs school{{"school", "rodari"},        {"school_second", "rodari"}, {"time_schedule", "40"},
                   {"religion_teaching", "no"}, {"canteen", "yes"},          {"diet_needs", "celiachia"},
                   {"transport", "no"}};
  merge_step(def, "school", read_post(def, school, "school"), draft);
  auto issues = validate_step(def, "school", draft, ctx);
  EXPECT_EQ(codes_at(issues, "school_second"), std::vector<std::string>{"check"});
  EXPECT_EQ(codes_at(issues, "diet_certificate"),
            std::vector<std::string>{"required"});  // coeliac: a certificate
  school.erase("school_second");
  school.emplace("school_second", "montessori");
  merge_step(def, "school", read_post(def, school, "school"), draft);
  draft["diet_certificate"] =
      json::parse(R"([{"id": "f-1", "name": "certificato.pdf", "size": 81234, "mime": "application/pdf"}])");
  EXPECT_TRUE(validate_step(def, "school", draft, ctx).empty());

  auto decl = validate_step(def, "declarations", draft, ctx);
  EXPECT_EQ(decl.size(), 4u);
  for (const auto& i : decl) EXPECT_EQ(i.code, "declaration_required");
  merge_step(def, "declarations",
             read_post(def,
                       FormPairs{{"declaration_shared_responsibility", "on"},
                                 {"declaration_vaccinations", "on"},
                                 {"declaration_truth", "on"},
                                 {"declaration_privacy", "on"}},
                       "declarations"),
             draft);
  auto sub = submit(def, draft, ctx);
  ASSERT_TRUE(sub.ok()) << sub.issues[0].path << " " << sub.issues[0].code;
  EXPECT_EQ(sub.data.at("applicant_fiscal_code"), json::value("CCCFBA85D03L219P"));
  EXPECT_EQ(sub.data.at("applicant_phone"), json::value("+393331234567"));
  EXPECT_EQ(sub.data.at("canteen"), json::value(true));
  EXPECT_EQ(sub.data.at("diet_needs"), json::array{"celiachia"});
  EXPECT_EQ(sub.data.at("children").as_array()[0].at("birth_date"), json::value("2020-10-10"));
  EXPECT_FALSE(sub.data.at("children").as_array()[0].as_object().contains("disability_certificate"));
  EXPECT_FALSE(sub.data.contains("diet_notes") && !sub.data.at("diet_notes").is_null());

  // the summary page: option labels and yes/no in the reader's language
  auto summary = render_form(def, draft, {}, ctx, locales(), "en");
  ASSERT_EQ(summary.steps.size(), 4u);
  std::map<std::string, std::string> shown;
  for (const auto& st : summary.steps)
    for (const auto& sec : st.sections)
      for (const auto& f : sec.fields) shown[f.name] = f.display;
  EXPECT_EQ(shown["school"], "Gianni Rodari primary school");
  EXPECT_EQ(shown["canteen"], "Yes");
  EXPECT_EQ(shown["time_schedule"], "40 hours (full time)");
  EXPECT_EQ(shown["declaration_truth"], "Declared");
  EXPECT_EQ(shown["applicant_residence"], "Via Roma 10, 15033 Casale Monferrato");
}

}  // namespace
