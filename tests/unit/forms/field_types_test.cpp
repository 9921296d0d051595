// Each field type rejects invalid input with its own code, and the message exists in Italian and English.
#include <gtest/gtest.h>

#include "forms/values.hpp"
#include "support.hpp"

namespace {
using namespace sp::forms;
using namespace sp::forms::test;
namespace json = boost::json;

struct Case {
  const char* type_json;  // the field, without name/label
  json::value bad;        // an invalid answer
  const char* code;       // expected issue code
  const char* path;       // where
  json::value good;       // a valid answer
};

std::vector<Case> cases() {
  auto obj = [](const char* s) { return json::parse(s); };
  return {
      {R"("type": "text", "max_length": 5)", "troppo lungo", "text_too_long", "f", "corto"},
      {R"("type": "text", "min_length": 3)", "ab", "text_too_short", "f", "abc"},
      {R"("type": "text", "pattern": "[A-Z]{2}[0-9]{3}")", "ab-12", "pattern", "f", "AB123"},
      {R"("type": "long_text", "max_length": 10)", "una descrizione lunga", "text_too_long", "f", "breve"},
      {R"("type": "number")", "dodici", "number_invalid", "f", "12,5"},
      {R"("type": "number", "integer": true)", "2,5", "number_integer", "f", "2"},
      {R"("type": "number", "min": 1, "max": 10)", "11", "number_range", "f", "10"},
      {R"("type": "number", "min": 1)", "0", "number_min", "f", "1"},
      {R"("type": "money")", "dodici euro", "money_invalid", "f", "12,34"},
      {R"("type": "money", "max": 100000)", "1.000,01", "money_max", "f", "1.000,00"},
      {R"("type": "date")", "31/02/2026", "date_nonexistent", "f", "28/02/2026"},
      {R"("type": "date")", "31-2-26", "date_invalid", "f", "29/02/2028"},
      {R"("type": "date", "max": "today")", "2026-05-16", "date_max", "f", "2026-05-15"},
      {R"("type": "date", "min": "today+1d")", "15/05/2026", "date_min", "f", "16/05/2026"},
      {R"("type": "choice", "options": [{"value": "a", "label": {"it": "A", "en": "A"}}])", "b",
       "choice_invalid", "f", "a"},
      {R"("type": "multi_choice", "options": [{"value": "a", "label": {"it": "A", "en": "A"}}])",
       obj(R"(["a", "z"])"), "choice_invalid", "f", obj(R"(["a"])")},
      {R"("type": "multi_choice", "max_items": 1, "options": [{"value": "a", "label": {"it": "A", "en": "A"}},
          {"value": "b", "label": {"it": "B", "en": "B"}}])",
       obj(R"(["a", "b"])"), "choices_too_many", "f", obj(R"(["b"])")},
      {R"("type": "yes_no")", "forse", "yes_no_invalid", "f", "no"},
      {R"("type": "codice_fiscale")", "CCCFBA85D03L219X", "cf_invalid", "f", "CCCFBA85D03L219P"},
      {R"("type": "codice_fiscale")", "00743110157", "cf_invalid", "f", "ccCFBA85D03L219P"},
      {R"("type": "partita_iva")", "00743110158", "piva_invalid", "f", "00743110157"},
      {R"("type": "iban")", "IT60X0542811101000000123457", "iban_invalid", "f",
       "IT60 X054 2811 1010 0000 0123 456"},
      {R"("type": "email")", "anna@@example.it", "email_invalid", "f", "anna.rossi@example.it"},
      {R"("type": "phone")", "12345", "phone_invalid", "f", "+39 333 123 4567"},
      {R"("type": "address")",
       obj(R"({"street": "Via Roma", "number": "1", "postcode": "1503", "municipality": "Casale"})"),
       "postcode_invalid", "f.postcode",
       obj(R"({"street": "Via Roma", "number": "1", "postcode": "15033", "municipality": "Casale Monferrato"})")},
      {R"("type": "address")",
       obj(R"({"street": "Via Roma", "number": "uno", "postcode": "15033", "municipality": "Casale"})"),
       "civic_invalid", "f.number",
       obj(R"({"street": "Via Roma", "number": "12/B", "postcode": "15033", "municipality": "Casale"})")},
      {R"("type": "file", "max_size": 1000)",
       obj(R"([{"id": "x1", "name": "a.pdf", "size": 1001, "mime": "application/pdf"}])"), "file_too_large",
       "f", obj(R"([{"id": "x1", "name": "a.pdf", "size": 1000, "mime": "application/pdf"}])")},
      {R"("type": "file", "accept": ["application/pdf", "image/*"])",
       obj(R"([{"id": "x1", "name": "a.exe", "size": 10, "mime": "application/x-msdownload"}])"), "file_type",
       "f", obj(R"([{"id": "x1", "name": "a.png", "size": 10, "mime": "image/png"}])")},
      {R"("type": "file", "max_count": 1)",
       obj(R"([{"id": "x1", "name": "a", "size": 1}, {"id": "x2", "name": "b", "size": 1}])"),
       "file_too_many", "f", obj(R"([{"id": "x1", "name": "a", "size": 1}])")},
      {R"("type": "group", "max_items": 1, "fields": [{"name": "n", "type": "text", "label": {"it": "N", "en": "N"}}])",
       obj(R"([{"n": "a"}, {"n": "b"}])"), "group_too_many", "f", obj(R"([{"n": "a"}])")},
      {R"("type": "group", "min_items": 2, "fields": [{"name": "n", "type": "text", "label": {"it": "N", "en": "N"}}])",
       obj(R"([{"n": "a"}])"), "group_too_few", "f", obj(R"([{"n": "a"}, {"n": "b"}])")},
      {R"("type": "declaration", "required": true, "declaration": {"it": "Dichiaro", "en": "I declare"})", "",
       "declaration_required", "f", "on"},
  };
}

TEST(FieldTypes, EachRejectsInvalidInputWithItsOwnCodeAndMessagesInBothLanguages) {
  auto ctx = context_today();
  std::set<std::string> types_covered;
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.type_json);
    auto def = one_step(std::string(R"([{"name": "f", "label": {"it": "Campo", "en": "Field"}, )") +
                        c.type_json + "}]");
    types_covered.insert(std::string(to_string(def.field("f")->type)));
    Answers bad;
    bad["f"] = c.bad;
    auto issues = validate(def, bad, ctx);
    ASSERT_EQ(issues.size(), 1u) << (issues.empty() ? "" : issues[0].code);
    EXPECT_EQ(issues[0].code, c.code);
    EXPECT_EQ(issues[0].path, c.path);
    std::string it = message(locales(), "it", issues[0]);
    std::string en = message(locales(), "en", issues[0]);
    EXPECT_NE(it, "error.forms." + issues[0].code);
    EXPECT_NE(en, "error.forms." + issues[0].code);
    EXPECT_NE(it, en) << "the English message falls back to Italian";
    EXPECT_EQ(it.find('{'), std::string::npos) << it;
    EXPECT_EQ(en.find('{'), std::string::npos) << en;

    Answers good;
    good["f"] = c.good;
    auto none = validate(def, good, ctx);
    EXPECT_TRUE(none.empty()) << none[0].code << " at " << none[0].path;
  }
  for (auto t :
       {"text", "long_text", "number", "money", "date", "choice", "multi_choice", "yes_no", "codice_fiscale",
        "partita_iva", "iban", "email", "phone", "address", "file", "group", "declaration"})
    EXPECT_TRUE(types_covered.count(t)) << "no invalid-input case for " << t;
}

TEST(FieldTypes, EveryIssueCodeHasAMessageInItalianAndEnglish) {
  const auto& i18n = locales();
  for (const auto& code : issue_codes()) {
    std::string key = "error.forms." + code;
    EXPECT_TRUE(i18n.all("it").count(key)) << key;
    EXPECT_TRUE(i18n.all("en").count(key)) << key;
    if (i18n.all("it").count(key) && i18n.all("en").count(key)) {
      EXPECT_NE(i18n.all("it").at(key), i18n.all("en").at(key)) << key;
    }
  }
}

TEST(FieldTypes, RequiredFieldsOfEveryKindReportRequired) {
  auto def = one_step(R"([
    {"name": "t", "type": "text", "label": {"it": "T", "en": "T"}, "required": true},
    {"name": "m", "type": "multi_choice", "label": {"it": "M", "en": "M"}, "required": true,
     "options": [{"value": "a", "label": {"it": "A", "en": "A"}}]},
    {"name": "a", "type": "address", "label": {"it": "A", "en": "A"}, "required": true},
    {"name": "f", "type": "file", "label": {"it": "F", "en": "F"}, "required": true},
    {"name": "g", "type": "group", "label": {"it": "G", "en": "G"}, "required": true,
     "fields": [{"name": "n", "type": "text", "label": {"it": "N", "en": "N"}}]}])");
  auto issues = validate(def, answers(R"({"t": "   ", "m": [], "a": {"street": "", "number": ""}, "f": []})"),
                         context_today());
  EXPECT_EQ(codes_at(issues, "t"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "m"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "a.street"), std::vector<std::string>{"street_required"});
  EXPECT_EQ(codes_at(issues, "a.number"), std::vector<std::string>{"civic_required"});
  EXPECT_EQ(codes_at(issues, "a.postcode"), std::vector<std::string>{"postcode_required"});
  EXPECT_EQ(codes_at(issues, "a.municipality"), std::vector<std::string>{"municipality_required"});
  EXPECT_EQ(codes_at(issues, "f"), std::vector<std::string>{"required"});
  EXPECT_EQ(codes_at(issues, "g"), std::vector<std::string>{"group_too_few"});
}

TEST(FieldTypes, StreetMustBeInTheBodysListWhenLoadedAndTheFieldSaysSo) {
  auto def = one_step(R"([{"name": "a", "type": "address", "label": {"it": "A", "en": "A"}, "required": true,
                           "check_street": true},
                          {"name": "home", "type": "address", "label": {"it": "Casa", "en": "Home"}}])");
  auto ctx = context_today();
  auto a = answers(
      R"({"a": {"street": "via roma", "number": "3", "postcode": "15033", "municipality": "Casale Monferrato"}})");
  EXPECT_TRUE(validate(def, a, ctx).empty());  // no list loaded: any street
  ctx.streets = {"Via Roma", "Piazza Mazzini"};
  EXPECT_TRUE(validate(def, a, ctx).empty());  // case-insensitive match
  a["a"].as_object()["street"] = "Via Rome";
  a["home"] = a["a"];
  auto issues = validate(def, a, ctx);
  EXPECT_EQ(codes_at(issues, "a.street"), std::vector<std::string>{"street_unknown"});
  EXPECT_TRUE(codes_at(issues, "home.street").empty());  // a residence may be anywhere: suggestions only
}

TEST(FieldTypes, CodiceFiscaleMessageIsThePreciseOneWhenKnown) {
  auto def = one_step(R"([{"name": "cf", "type": "codice_fiscale", "label": {"it": "CF", "en": "CF"}}])");
  auto issues = validate(def, answers(R"({"cf": "CCCFBA85D03L219X"})"), context_today());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].params.at("reason"), "cf.check");
  EXPECT_NE(message(locales(), "it", issues[0]).find("controllo"), std::string::npos);
  EXPECT_NE(message(locales(), "en", issues[0]), message(locales(), "it", issues[0]));
}

TEST(FieldTypes, BoundsAreShownInTheReadersFormat) {
  auto def = one_step(R"([
    {"name": "m", "type": "money", "label": {"it": "M", "en": "M"}, "min": 1600},
    {"name": "d", "type": "date", "label": {"it": "D", "en": "D"}, "max": "2026-12-31"},
    {"name": "n", "type": "number", "label": {"it": "N", "en": "N"}, "min": 0.5}])");
  auto issues = validate(def, answers(R"({"m": "15", "d": "2027-01-01", "n": "0,1"})"), context_today());
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_NE(message(locales(), "it", *find_issue(issues, "m")).find("€ 16,00"), std::string::npos);
  EXPECT_NE(message(locales(), "en", *find_issue(issues, "m")).find("€16.00"), std::string::npos);
  EXPECT_NE(message(locales(), "it", *find_issue(issues, "d")).find("31/12/2026"), std::string::npos);
  EXPECT_NE(message(locales(), "it", *find_issue(issues, "n")).find("0,5"), std::string::npos);
  EXPECT_NE(message(locales(), "en", *find_issue(issues, "n")).find("0.5"), std::string::npos);
}

TEST(FieldTypes, FileSizesAreShownInMegabytes) {
  auto def =
      one_step(R"([{"name": "f", "type": "file", "label": {"it": "F", "en": "F"}, "max_size": 5242880}])");
  auto issues =
      validate(def, answers(R"({"f": [{"id": "a", "name": "x.pdf", "size": 6000000}]})"), context_today());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(message(locales(), "it", issues[0]).find("5 MB"), std::string::npos)
      << message(locales(), "it", issues[0]);
}

// Single values -------------------------------------------------------------------------------------------

TEST(Values, Iban) {
  EXPECT_EQ(values::iban("it60 x054 2811 1010 0000 0123 456").value.value_or(""),
            "IT60X0542811101000000123456");
  EXPECT_EQ(values::italian_cin("0542811101000000123456"), 'X');
  EXPECT_FALSE(values::iban("IT60Y0542811101000000123456").ok());  // wrong CIN (and check digits)
  EXPECT_FALSE(values::iban("IT60X054281110100000012345").ok());   // 26 characters
  EXPECT_FALSE(values::iban("IT61X0542811101000000123456").ok());  // check digits
  EXPECT_TRUE(values::iban("DE89 3704 0044 0532 0130 00").ok());   // German, 22
  EXPECT_TRUE(values::iban("GB82 WEST 1234 5698 7654 32").ok());   // British, 22
  EXPECT_FALSE(values::iban("DE89 3704 0044 0532 0130 0").ok());   // German length is 22
  EXPECT_FALSE(values::iban("IT60X05428111010000001234€6").ok());
}

TEST(Values, Phone) {
  EXPECT_EQ(values::phone("333 1234567").value.value_or(""), "+393331234567");
  EXPECT_EQ(values::phone("+39 0142 444111").value.value_or(""), "+390142444111");
  EXPECT_EQ(values::phone("0039 06-1234567").value.value_or(""), "+39061234567");
  EXPECT_EQ(values::phone("+44 20 7946 0958").value.value_or(""), "+442079460958");
  EXPECT_FALSE(values::phone("+39 333").ok());
  EXPECT_FALSE(values::phone("12345678").ok());  // Italian numbers start with 0, 3 or 8
  EXPECT_FALSE(values::phone("333 123456a").ok());
  EXPECT_FALSE(values::phone("+1234567890123456").ok());
}

TEST(Values, Email) {
  EXPECT_TRUE(values::email(" anna.rossi+scuola@comune.casale-monferrato.al.it ").ok());
  for (auto bad : {"anna", "anna@", "@example.it", "anna..rossi@example.it", "anna@example", "anna@-ex.it",
                   "anna@example.i", "an na@example.it", "anna@ex_ample.it"})
    EXPECT_FALSE(values::email(bad).ok()) << bad;
}

TEST(Values, NumbersAndDates) {
  EXPECT_DOUBLE_EQ(*values::number("1.234,5").value, 1234.5);
  EXPECT_DOUBLE_EQ(*values::number("1,234.5").value, 1234.5);
  EXPECT_DOUBLE_EQ(*values::number("12.5").value, 12.5);
  EXPECT_DOUBLE_EQ(*values::number("1.200").value, 1200);  // Italian thousands
  EXPECT_DOUBLE_EQ(*values::number("1,200").value, 1.2);   // Italian decimal comma
  EXPECT_DOUBLE_EQ(*values::number("0.125").value, 0.125);
  EXPECT_DOUBLE_EQ(*values::number("45.1335").value, 45.1335);
  EXPECT_DOUBLE_EQ(*values::number("-3").value, -3);
  EXPECT_FALSE(values::number("1.23.4").ok());
  EXPECT_FALSE(values::number("1e5").ok());
  EXPECT_FALSE(values::number("").ok());
  using namespace std::chrono;
  EXPECT_EQ(*values::date("1/2/2024").value, year_month_day(year{2024}, February, day{1}));
  EXPECT_FALSE(values::date("29/02/2025").ok());
  EXPECT_FALSE(values::date("2025-13-01").ok());
  year_month_day today{year{2024}, February, day{29}};
  EXPECT_EQ(*values::date_bound("today-6y", today), year_month_day(year{2018}, February, day{28}));
  EXPECT_EQ(*values::date_bound("today+1m", today), year_month_day(year{2024}, March, day{29}));
  EXPECT_EQ(*values::date_bound("today+2d", today), year_month_day(year{2024}, March, day{2}));
  EXPECT_FALSE(values::date_bound("tomorrow", today));
}

TEST(Values, AddressParts) {
  EXPECT_TRUE(values::postcode("15033").ok());
  EXPECT_FALSE(values::postcode("1503A").ok());
  for (auto good : {"12", "12A", "12 bis", "12/3", "snc", "7 rosso"})
    EXPECT_TRUE(values::civic_number(good).ok()) << good;
  for (auto bad : {"", "A12", "12-", "123456"}) EXPECT_FALSE(values::civic_number(bad).ok()) << bad;
}

}  // namespace

namespace {
using namespace sp::forms;
using namespace sp::forms::test;

TEST(FieldTypes, ValuesTypedByAnApiClient) {
  auto def = one_step(R"([
    {"name": "m", "type": "money", "label": {"it": "M", "en": "M"}, "max": 100000},
    {"name": "n", "type": "number", "label": {"it": "N", "en": "N"}, "max": 10},
    {"name": "y", "type": "yes_no", "label": {"it": "Y", "en": "Y"}},
    {"name": "t", "type": "text", "label": {"it": "T", "en": "T"}},
    {"name": "f", "type": "file", "label": {"it": "F", "en": "F"}}])");
  auto ctx = context_today();
  auto ok = answers(R"({"m": 1600, "n": 2.5, "y": true, "t": 42})");
  EXPECT_TRUE(validate(def, ok, ctx).empty());
  auto sub = submit(def, ok, ctx);
  EXPECT_EQ(sub.data.at("m"), boost::json::value(1600));  // whole cents
  EXPECT_EQ(sub.data.at("y"), boost::json::value(true));
  auto bad = answers(R"({"m": 16.5, "n": 11, "y": ["yes"], "t": {"a": 1},
                         "f": [{"id": "x", "name": "a", "size": 18446744073709551615}]})");
  auto issues = validate(def, bad, ctx);
  EXPECT_EQ(codes_at(issues, "m"), std::vector<std::string>{"money_invalid"});
  EXPECT_EQ(codes_at(issues, "n"), std::vector<std::string>{"number_max"});
  EXPECT_EQ(codes_at(issues, "y"), std::vector<std::string>{"value_invalid"});
  EXPECT_EQ(codes_at(issues, "t"), std::vector<std::string>{"value_invalid"});
  EXPECT_EQ(codes_at(issues, "f"), std::vector<std::string>{"file_too_large"});
  auto huge = answers(R"({"m": 18446744073709551615})");
  EXPECT_EQ(codes_at(validate(def, huge, ctx), "m"), std::vector<std::string>{"money_invalid"});
}

}  // namespace
