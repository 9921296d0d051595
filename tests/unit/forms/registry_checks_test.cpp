// Checks a registry office expects (issue 11 pt 7): a child's codice fiscale agrees with the birth date and
// sex typed (omocodic codes too), 31/02 is a date that does not exist (not a wrong format), and the date
// hints give an example that fits the field (a birth date's in the past, a start date's in the future).
#include <gtest/gtest.h>

#include "core/codice_fiscale.hpp"
#include "core/time.hpp"
#include "forms/answers.hpp"
#include "forms/render.hpp"
#include "forms/values.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;
using std::chrono::year_month_day;

year_month_day ymd(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// A group of children as in the school forms: the code names the item's birth date and sex.
Definition children_form() {
  return one_step(R"([{"name": "children", "type": "group", "label": {"it": "Figlio", "en": "Child"},
    "fields": [
      {"name": "fiscal_code", "type": "codice_fiscale", "label": {"it": "CF", "en": "Code"}, "required": true,
       "holder": {"birth_date": "birth_date", "sex": "sex"}},
      {"name": "sex", "type": "choice", "label": {"it": "Sesso", "en": "Sex"}, "required": true,
       "options": [{"value": "F", "label": {"it": "Femmina", "en": "Female"}},
                   {"value": "M", "label": {"it": "Maschio", "en": "Male"}}]},
      {"name": "birth_date", "type": "date", "label": {"it": "Nato il", "en": "Born on"}, "required": true,
       "max": "today"}]}])");
}

Answers child(const std::string& code, const std::string& sex, const std::string& birth) {
  json::object item{{"fiscal_code", code}, {"sex", sex}, {"birth_date", birth}};
  Answers a;
  a["children"] = json::array{item};
  return a;
}

// Giulia Ferraro, born in Asti on 15 June 2021.
std::string giulia() {
  return sp::cf::compute("Ferraro", "Giulia", sp::cf::Sex::female, ymd(2021, 6, 15), "A479").value();
}

TEST(RegistryChecks, TheChildsCodeAgreesWithTheBirthDateAndSex) {
  auto def = children_form();
  auto ctx = context_today();
  EXPECT_TRUE(validate(def, child(giulia(), "F", "15/06/2021"), ctx).empty());
  EXPECT_TRUE(validate(def, child(giulia(), "F", "2021-06-15"), ctx).empty());

  // another day, month or year
  for (const char* wrong : {"16/06/2021", "15/07/2021", "15/06/2020"}) {
    SCOPED_TRACE(wrong);
    auto issues = validate(def, child(giulia(), "F", wrong), ctx);
    ASSERT_EQ(codes_at(issues, "children[0].fiscal_code"),
              std::vector<std::string>{"cf_birth_date_mismatch"});
    const Issue* i = find_issue(issues, "children[0].fiscal_code");
    EXPECT_EQ(
        message(locales(), "it", *i),
        "Il codice fiscale non corrisponde alla data di nascita indicata: secondo il codice la persona è "
        "nata il 15/06/2021. Controlla il codice fiscale e la data di nascita.");
    EXPECT_NE(message(locales(), "en", *i).find("born on 15/06/2021"), std::string::npos);
    EXPECT_TRUE(codes_at(issues, "children[0].birth_date").empty());
  }

  // the sex: a girl's code (day + 40) with "M"
  auto issues = validate(def, child(giulia(), "M", "15/06/2021"), ctx);
  ASSERT_EQ(codes_at(issues, "children[0].fiscal_code"), std::vector<std::string>{"cf_sex_mismatch"});
  const Issue* i = find_issue(issues, "children[0].fiscal_code");
  EXPECT_NE(message(locales(), "it", *i).find("secondo il codice il sesso è femminile"), std::string::npos);
  EXPECT_NE(message(locales(), "en", *i).find("according to the code the sex is female"), std::string::npos);
  auto boy = sp::cf::compute("Ferraro", "Luca", sp::cf::Sex::male, ymd(2021, 6, 15), "A479").value();
  EXPECT_TRUE(validate(def, child(boy, "M", "15/06/2021"), ctx).empty());
  EXPECT_EQ(codes_at(validate(def, child(boy, "F", "15/06/2021"), ctx), "children[0].fiscal_code"),
            std::vector<std::string>{"cf_sex_mismatch"});

  // an invalid birth date or none is the date's own problem: the code is not compared with it
  issues = validate(def, child(giulia(), "F", "31/02/2021"), ctx);
  EXPECT_TRUE(codes_at(issues, "children[0].fiscal_code").empty());
  EXPECT_EQ(codes_at(issues, "children[0].birth_date"), std::vector<std::string>{"date_nonexistent"});
  issues = validate(def, child(giulia(), "", ""), ctx);
  EXPECT_TRUE(codes_at(issues, "children[0].fiscal_code").empty());
}

TEST(RegistryChecks, OmocodicCodesAreDecodedWithTheirDigitsRestored) {
  auto def = children_form();
  auto ctx = context_today();
  // Level 3 replaces the digits at positions 15, 14, 13 (the place code); level 7 every digit, the birth
  // date's too: 21 → NM, 55 → RR... The holder is still born on 15/06/2021, a girl.
  for (int level : {1, 3, 7}) {
    SCOPED_TRACE(level);
    auto omocodic = sp::cf::omocode(giulia(), level).value();
    ASSERT_NE(omocodic, giulia());
    EXPECT_TRUE(validate(def, child(omocodic, "F", "15/06/2021"), ctx).empty());
    EXPECT_EQ(codes_at(validate(def, child(omocodic, "F", "14/06/2021"), ctx), "children[0].fiscal_code"),
              std::vector<std::string>{"cf_birth_date_mismatch"});
    EXPECT_EQ(codes_at(validate(def, child(omocodic, "M", "15/06/2021"), ctx), "children[0].fiscal_code"),
              std::vector<std::string>{"cf_sex_mismatch"});
  }
  // the one from SPEC.md: Fabio Caccamo's code at level 7 still says 3 April 1985, male
  auto fabio = sp::cf::omocode("CCCFBA85D03L219P", 7).value();
  EXPECT_EQ(fabio.substr(6, 5), "URDLP");
  EXPECT_TRUE(validate(def, child(fabio, "M", "03/04/1985"), ctx).empty());
  EXPECT_EQ(codes_at(validate(def, child(fabio, "M", "03/04/1986"), ctx), "children[0].fiscal_code"),
            std::vector<std::string>{"cf_birth_date_mismatch"});
}

TEST(RegistryChecks, HolderFieldsMustExistAndOnlyOnCodes) {
  auto bad = parse_definition_text(
      R"({"code": "x", "version": 1, "title": {"it": "X", "en": "X"}, "steps": [{"id": "s", "title": {"it": "S", "en": "S"},
      "sections": [{"fields": [{"name": "cf", "type": "codice_fiscale", "label": {"it": "CF", "en": "CF"},
      "holder": {"birth_date": "nato_il"}}]}]}]})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("unknown field \"nato_il\""), std::string::npos) << bad.error().detail;
  auto wrong_type = parse_definition_text(
      R"({"code": "x", "version": 1, "title": {"it": "X", "en": "X"}, "steps": [{"id": "s", "title": {"it": "S", "en": "S"},
      "sections": [{"fields": [{"name": "t", "type": "text", "label": {"it": "T", "en": "T"},
      "holder": {"birth_date": "t"}}]}]}]})");
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().detail.find("not allowed"), std::string::npos) << wrong_type.error().detail;
}

TEST(RegistryChecks, TheShippedSchoolFormsCheckTheChildsCode) {
  auto ctx = context_today(2026, 1, 20);
  auto def = load_definition_file(sp::testing::source_dir() + "/data/forms/iscrizione-scuola-primaria.json");
  ASSERT_TRUE(def) << def.error().detail;
  const Field* code = def->field("children.fiscal_code");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->holder_birth_date, "birth_date");
  EXPECT_EQ(code->holder_sex, "sex");
  FormPairs post{{"school_year", "2027-2028"},
                 {"children[0].fiscal_code", giulia()},
                 {"children[0].given_name", "Giulia"},
                 {"children[0].family_name", "Ferraro"},
                 {"children[0].sex", "M"},
                 {"children[0].birth_date", "15/06/2021"},
                 {"children[0].birth_place", "Asti"},
                 {"children[0].citizenship", "italiana"},
                 {"children[0].disability", "no"}};
  auto issues = validate_step(*def, "children", read_post(*def, post, "children"), ctx);
  EXPECT_EQ(codes_at(issues, "children[0].fiscal_code"), std::vector<std::string>{"cf_sex_mismatch"});
  post.erase("children[0].sex");
  issues = validate_step(*def, "children", read_post(*def, post, "children"), ctx);
  EXPECT_EQ(codes_at(issues, "children[0].sex"), std::vector<std::string>{"required"});
  post.emplace("children[0].sex", "F");
  EXPECT_TRUE(validate_step(*def, "children", read_post(*def, post, "children"), ctx).empty());
  for (const char* other :
       {"iscrizione-scuola-secondaria", "iscrizione-mensa-scolastica", "iscrizione-trasporto-scolastico"}) {
    SCOPED_TRACE(other);
    auto d = load_definition_file(sp::testing::source_dir() + "/data/forms/" + other + ".json");
    ASSERT_TRUE(d) << d.error().detail;
    bool checked = false;
    for (const Field* f : d->fields())
      for (const auto& c : f->fields)
        if (c.type == FieldType::codice_fiscale && c.holder_birth_date == "birth_date") checked = true;
    EXPECT_TRUE(checked);
  }
}

TEST(RegistryChecks, AWellWrittenDateThatDoesNotExistIsNotAWrongFormat) {
  EXPECT_EQ(values::date("31/02/2020").code, "date_nonexistent");
  EXPECT_EQ(values::date("29/02/2021").code, "date_nonexistent");
  EXPECT_EQ(values::date("2020-02-30").code, "date_nonexistent");
  EXPECT_EQ(values::date("15/13/2020").code, "date_nonexistent");
  EXPECT_EQ(values::date("00/01/2020").code, "date_nonexistent");
  EXPECT_TRUE(values::date("29/02/2020").ok());
  for (const char* bad : {"31/02/20", "31 febbraio 2020", "2020/02/31", "ieri", "31-02", "1/1/12345"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(values::date(bad).code, "date_invalid");
  }

  auto def = one_step(R"([{"name": "d", "type": "date", "label": {"it": "Data", "en": "Date"}}])");
  auto ctx = context_today();
  Answers a;
  a["d"] = "31/02/2020";
  auto issues = validate(def, a, ctx);
  ASSERT_EQ(codes_at(issues, "d"), std::vector<std::string>{"date_nonexistent"});
  EXPECT_EQ(message(locales(), "it", issues[0]),
            "La data 31/02/2020 non esiste: controlla il giorno e il mese.");
  EXPECT_EQ(message(locales(), "en", issues[0]),
            "The date 31/02/2020 does not exist: check the day and the month.");
  a["d"] = "31/02/20";
  issues = validate(def, a, ctx);
  ASSERT_EQ(codes_at(issues, "d"), std::vector<std::string>{"date_invalid"});
  EXPECT_NE(message(locales(), "it", issues[0]).find("formato"), std::string::npos);
  EXPECT_NE(message(locales(), "en", issues[0]).find("format"), std::string::npos);
}

TEST(RegistryChecks, DateExamplesFitTheField) {
  const auto today = ymd(2026, 12, 4);
  auto days = [](year_month_day d) { return std::chrono::sys_days(d).time_since_epoch().count(); };
  // a birth date (max today): in the past; a child's (today-11y..today): inside the range
  auto birth = date_example(std::nullopt, today, today);
  EXPECT_LT(days(birth), days(today));
  auto child_birth = date_example(ymd(2015, 12, 4), today, today);
  EXPECT_LT(days(child_birth), days(today));
  EXPECT_GT(days(child_birth), days(ymd(2015, 12, 4)));
  // a start date (min today, or today+10d): in the future, within a maximum when there is one
  auto start = date_example(today, std::nullopt, today);
  EXPECT_GT(days(start), days(today));
  auto soon = date_example(ymd(2026, 12, 14), std::nullopt, today);
  EXPECT_GE(days(soon), days(ymd(2026, 12, 14)));
  auto bounded = date_example(today, ymd(2026, 12, 20), today);
  EXPECT_GT(days(bounded), days(today) - 1);
  EXPECT_LE(days(bounded), days(ymd(2026, 12, 20)));
  // a range around today, or none: today; the day above 12 when it can be, so day and month are clear
  EXPECT_EQ(date_example(ymd(2021, 12, 4), ymd(2027, 1, 4), today), ymd(2026, 12, 18));
  EXPECT_EQ(date_example(std::nullopt, std::nullopt, ymd(2026, 5, 20)), ymd(2026, 5, 20));
  for (auto d : {birth, child_birth, start, soon}) EXPECT_GT(static_cast<unsigned>(d.day()), 12u);
}

TEST(RegistryChecks, DateHintsByFieldKindOnTheShippedForms) {
  Context ctx = context_today(2026, 12, 4);
  auto hint_of = [&](const std::string& code, const std::string& step, const std::string& name,
                     const Answers& answers = {}) {
    auto def = load_definition_file(sp::testing::source_dir() + "/data/forms/" + code + ".json");
    EXPECT_TRUE(def) << def.error().detail;
    auto r = render_step(*def, step, answers, {}, ctx, locales(), "it");
    for (const auto& s : r.sections)
      for (const auto& f : s.fields) {
        if (f.name == name) return f.hint;
        for (const auto& item : f.items)
          for (const auto& c : item.fields)
            if (c.name == name) return c.hint;
      }
    ADD_FAILURE() << "no field " << name;
    return std::string();
  };
  auto example = [](const std::string& hint) {
    // "Scrivi la data come gg/mm/aaaa, per esempio 15/06/2021."
    auto at = hint.find("per esempio ");
    EXPECT_NE(at, std::string::npos) << hint;
    auto d = values::date(hint.substr(at + 12, 10));
    EXPECT_TRUE(d.ok()) << hint;
    return d.value.value_or(year_month_day{});
  };
  auto days = [](year_month_day d) { return std::chrono::sys_days(d).time_since_epoch().count(); };
  const auto today = days(ctx.today);

  Answers one_child;
  one_child["children"] = json::array{json::object{}};
  auto child_birth = example(hint_of("iscrizione-scuola-primaria", "children", "birth_date", one_child));
  EXPECT_LT(days(child_birth), today);
  EXPECT_GE(days(child_birth), days(ymd(2015, 12, 4)));  // min today-11y
  EXPECT_LT(days(example(hint_of("iscrizione-scuola-primaria", "applicant", "applicant_birth_date"))), today);
  EXPECT_GT(days(example(hint_of("iscrizione-mensa-scolastica", "declarations", "start_date"))), today);
  EXPECT_GE(days(example(hint_of("occupazione-suolo-pubblico", "occupation", "date_from"))), today + 10);
  // "to" before "from" is typed: after the earliest "from", not today
  EXPECT_GE(days(example(hint_of("occupazione-suolo-pubblico", "occupation", "date_to"))), today + 10);
  EXPECT_GT(days(example(hint_of("scia-commercio-vicinato", "shop", "start_date"))), today);
  EXPECT_LT(days(example(hint_of("riduzione-tariffe-scolastiche", "services", "isee_date"))), today);

  // English too
  auto def = load_definition_file(sp::testing::source_dir() + "/data/forms/iscrizione-mensa-scolastica.json");
  auto r = render_step(*def, "declarations", {}, {}, ctx, locales(), "en");
  bool found = false;
  for (const auto& s : r.sections)
    for (const auto& f : s.fields)
      if (f.name == "start_date") {
        found = true;
        EXPECT_EQ(f.hint.rfind("Write the date as dd/mm/yyyy, for example ", 0), 0u) << f.hint;
      }
  EXPECT_TRUE(found);
}

}  // namespace
