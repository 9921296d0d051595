// Checks a registry office expects (issue 11 pt 7), through the whole program on SQLite and PostgreSQL:
// a second enrolment of the same child for the same school year is sent only after a warning on the
// summary (with the first one's protocol number); a child's code that disagrees with the sex or birth date
// typed, or a date that does not exist, refuses the step with the values kept; the documents the service
// page says are needed are asked for; the date hints fit the field.
#include <gtest/gtest.h>

#include "app_fixture.hpp"
#include "cases/store.hpp"

namespace sp::applications::webtest::registry_checks {
namespace {

bool shows(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class RegistryChecksTest : public AppTest {
 protected:
  // Fills every step of the person's open draft of the primary school enrolment; returns its base URL.
  std::string fill_all(const std::string& session, const Fields& children = children_step()) {
    const std::string base = start_draft(session);
    EXPECT_EQ(post_form(base + "/passo/1", session, applicant_step()).status, 303);
    auto r2 = post_form(base + "/passo/2", session, children);
    EXPECT_EQ(r2.status, 303) << r2.body.substr(0, 2000);
    EXPECT_EQ(post_form(base + "/passo/3", session, school_step()).status, 303);
    auto r4 = post_form(base + "/passo/4", session, declarations_step());
    EXPECT_EQ(location(r4), base + "/riepilogo");
    return base;
  }

  // Sends the draft; returns the case's protocol label ("0000001/2026").
  std::string send_it(const std::string& session, const std::string& base) {
    auto sent = post_form(base + "/invia", session, {});
    EXPECT_EQ(sent.status, 303) << sent.body.substr(0, 2000);
    EXPECT_EQ(location(sent), base + "/ricevuta");
    auto d = stored_draft(asti_, draft_id(base));
    EXPECT_TRUE(d && d->submitted());
    return d ? d->protocol_label : std::string();
  }

  static Fields with(Fields f, const std::string& name, const std::string& value) {
    for (auto& [k, v] : f)
      if (k == name) v = value;
    return f;
  }

  static std::string today_dmy(int days_ago) {
    auto d =
        std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) -
                                    std::chrono::days{days_ago}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(d.day()),
                  static_cast<unsigned>(d.month()), static_cast<int>(d.year()));
    return buf;
  }
};

TEST_P(RegistryChecksTest, ASecondEnrolmentOfTheSameChildForTheSameYearIsWarnedNotRefused) {
  const auto s = anna();
  const std::string first = fill_all(s);
  // The first application: no warning on its summary.
  auto summary = get(first + "/riepilogo", s);
  ASSERT_EQ(summary.status, 200);
  EXPECT_FALSE(shows(summary.body, "duplicate-warning"));
  const std::string protocol = send_it(s, first);
  ASSERT_FALSE(protocol.empty());

  // The same child again, for the same school year: the summary warns, with the first one's number.
  const std::string second = fill_all(s);
  ASSERT_NE(second, first);
  summary = get(second + "/riepilogo", s);
  ASSERT_EQ(summary.status, 200);
  const std::string code = child_cf("Giulia", std::chrono::year{2021} / std::chrono::June / 15);
  EXPECT_TRUE(shows(summary.body, "Risulta già una domanda per il codice fiscale " + code +
                                      " per l&apos;anno 2027/2028 (protocollo " + protocol + " del "))
      << summary.body;
  EXPECT_TRUE(shows(summary.body, "id=\"send-form\""));  // a warning: sending stays possible
  auto english = get(second + "/riepilogo", s, "en");
  EXPECT_TRUE(shows(english.body, "An application for fiscal code " + code + " for the year 2027/2028"))
      << english.body;
  // Written as an omocodic variant, it is still the same child.
  auto omocodic = cf::omocode(code, 2).value();
  ASSERT_EQ(
      post_form(second + "/passo/2", s, with(children_step(), "children[0].fiscal_code", omocodic)).status,
      303);
  EXPECT_TRUE(shows(get(second + "/riepilogo", s).body, "protocollo " + protocol));

  // Another school year: no warning. (Giulia is too young for 2026/2027, so the step is refused, but the
  // draft keeps what was typed and its summary lists the problem, without the warning.)
  post_form(second + "/passo/2", s, with(children_step(), "school_year", "2026-2027"));
  ASSERT_EQ(std::string(stored_draft(asti_, draft_id(second))->answers.at("school_year").as_string()),
            "2026-2027");
  auto other_year = get(second + "/riepilogo", s);
  EXPECT_TRUE(shows(other_year.body, "id=\"error-summary\""));
  EXPECT_FALSE(shows(other_year.body, "duplicate-warning"));
  // Back to the same year: sent anyway after the warning, a second case.
  ASSERT_EQ(post_form(second + "/passo/2", s, children_step()).status, 303);
  const std::string second_protocol = send_it(s, second);
  EXPECT_NE(second_protocol, protocol);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE tenant_id = $1 AND service_code = $2",
                  {asti_, std::string(kService)}),
            2);

  // The other parent (Fabio) enrolling the same child for the same year is warned too, but learns nothing
  // of Anna's application: not who sent it, when, or its number.
  const auto f = fabio();
  const std::string his = start_draft(f);
  ASSERT_EQ(post_form(his + "/passo/2", f, children_step()).status, 303);
  auto his_summary = get(his + "/riepilogo", f);
  EXPECT_TRUE(shows(his_summary.body, "duplicate-warning"));
  EXPECT_TRUE(shows(his_summary.body,
                    "da un&apos;altra persona (per esempio l&apos;altro genitore), una domanda per "
                    "il codice fiscale " +
                        code + " per l&apos;anno 2027/2028"))
      << his_summary.body;
  EXPECT_FALSE(shows(his_summary.body, protocol));
  EXPECT_FALSE(shows(his_summary.body, second_protocol));
  // Another year is not the same enrolment.
  post_form(his + "/passo/2", f, with(children_step(), "school_year", "2026-2027"));
  EXPECT_FALSE(shows(get(his + "/riepilogo", f).body, "duplicate-warning"));
  // The store finds the body's standing cases only (Anna's two at Asti, none at Novara).
  const auto novara = tenants_->by_slug("novara");
  ASSERT_TRUE(novara);
  app_->database().read([&](db::Conn& c) {
    EXPECT_EQ(cases::CaseStore::mentioning(c, asti_, kService, code, 20).size(), 2u);
    EXPECT_TRUE(cases::CaseStore::mentioning(c, novara->id, kService, code, 20).empty());
  });
}

TEST_P(RegistryChecksTest, AChildsCodeThatDisagreesWithSexOrBirthDateRefusesTheStepKeepingTheValues) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  const std::string code = child_cf("Giulia", std::chrono::year{2021} / std::chrono::June / 15);

  auto boy = post_form(base + "/passo/2", s, with(children_step(), "children[0].sex", "M"));
  ASSERT_EQ(boy.status, 422) << boy.body.substr(0, 500);
  EXPECT_TRUE(shows(boy.body, "Il codice fiscale non corrisponde al sesso indicato"));
  EXPECT_TRUE(shows(boy.body, "value=\"" + code + "\""));
  EXPECT_TRUE(shows(boy.body, "value=\"Giulia\""));

  auto other_day =
      post_form(base + "/passo/2", s, with(children_step(), "children[0].birth_date", "16/06/2021"));
  ASSERT_EQ(other_day.status, 422);
  EXPECT_TRUE(shows(other_day.body, "secondo il codice la persona è nata il 15/06/2021"));
  EXPECT_TRUE(shows(other_day.body, "value=\"16/06/2021\""));
  auto en =
      post_form(base + "/passo/2", s, with(children_step(), "children[0].birth_date", "16/06/2021"), "en");
  EXPECT_TRUE(shows(en.body, "according to the code the person was born on 15/06/2021"));

  // 31/02 is a date that does not exist, not a wrong format; kept as typed.
  auto feb = post_form(base + "/passo/2", s, with(children_step(), "children[0].birth_date", "31/02/2021"));
  ASSERT_EQ(feb.status, 422);
  EXPECT_TRUE(shows(feb.body, "La data 31/02/2021 non esiste"));
  EXPECT_FALSE(shows(feb.body, "formato"));
  EXPECT_TRUE(shows(feb.body, "value=\"31/02/2021\""));
  auto d = stored_draft(asti_, draft_id(base));  // saved anyway: nothing typed is lost
  ASSERT_TRUE(d);
  EXPECT_EQ(std::string(d->answers.at("children").as_array().at(0).as_object().at("birth_date").as_string()),
            "31/02/2021");

  ASSERT_EQ(post_form(base + "/passo/2", s, children_step()).status, 303);
}

TEST_P(RegistryChecksTest, DateHintsFitTheField) {
  const auto s = anna();
  const std::string base = start_draft(s);
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  auto page = get(base + "/passo/2", s);
  ASSERT_EQ(page.status, 200);
  // The child's birth date (at most today, at least 11 years ago): an example in the past.
  auto at = page.body.find("id=\"f-children-0-birth_date-hint\"");
  ASSERT_NE(at, std::string::npos) << page.body;
  auto ex = page.body.find("per esempio ", at);
  ASSERT_NE(ex, std::string::npos);
  const std::string example = page.body.substr(ex + 12, 10);
  auto when =
      time::parse_iso_date(example.substr(6, 4) + "-" + example.substr(3, 2) + "-" + example.substr(0, 2));
  ASSERT_TRUE(when) << example;
  EXPECT_LT(std::chrono::sys_days(*when),
            std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
}

TEST_P(RegistryChecksTest, TheDocumentsTheServicePageNeedsAreAskedFor) {
  // Asti's "riduzione delle tariffe scolastiche": the service page lists the ISEE certificate.
  const auto s = anna();
  const std::string base = start_draft(s, "asti", "riduzione-tariffe-scolastiche");
  ASSERT_FALSE(base.empty());
  auto page = get(base + "/passo/2", s);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(shows(page.body, "Attestazione ISEE per prestazioni rivolte ai minorenni"));
  EXPECT_TRUE(shows(page.body, "accept=\"application/pdf,image/jpeg,image/png\"")) << page.body;

  const std::string code = child_cf("Giulia", std::chrono::year{2021} / std::chrono::June / 15);
  Fields step{{"school_year", "2026-2027"},
              {"services", "mensa"},
              {"children[0]._item", "1"},
              {"children[0].fiscal_code", code},
              {"children[0].full_name", "Giulia Ferraro"},
              {"isee_protocol", "INPS-ISEE-2026-123456789-00"},
              {"isee_date", today_dmy(30)},
              {"isee_value", "9.500,00"},
              {"household_size", "3"},
              {"azione", "avanti"}};
  ASSERT_EQ(post_form(base + "/passo/1", s, applicant_step()).status, 303);
  auto missing = post_multipart(base + "/passo/2", s, step, {});
  ASSERT_EQ(missing.status, 422) << missing.body.substr(0, 500);
  EXPECT_TRUE(shows(missing.body, "Questo campo è obbligatorio."));
  EXPECT_TRUE(shows(missing.body, "href=\"#f-isee_certificate\"")) << missing.body;
  EXPECT_TRUE(shows(missing.body, "value=\"INPS-ISEE-2026-123456789-00\""));  // kept

  auto ok = post_multipart(base + "/passo/2", s, step,
                           {{"isee_certificate", "isee.pdf", "application/pdf", sample_pdf("isee")}});
  ASSERT_EQ(ok.status, 303) << ok.body.substr(0, 2000);
  auto d = stored_draft(asti_, draft_id(base));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->answers.at("isee_certificate").as_array().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, RegistryChecksTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::applications::webtest::registry_checks
