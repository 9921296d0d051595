// Issue 11, point 8: every body's contacts, privacy notice, accessibility statement and legal notes, in
// every footer, with the hub's texts as defaults; the body's administrators complete them (a new
// version per save, audited), nobody else can, and a refused save keeps what was typed.
#include "app_fixture.hpp"
#include "audit/service.hpp"

namespace sp::protocollo::webtest {
namespace {

using BodyPagesTest = AppTest;

std::string form_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

TEST_P(BodyPagesTest, EveryFooterLinksThePagesAndTheyAnswerWithTheHubsDefaults) {
  for (const std::string slug : {"asti", "novara"}) {
    auto home = get("/" + slug + "/", "");
    ASSERT_EQ(home.status, 200);
    for (const std::string page : {"contatti", "privacy", "accessibilita", "note-legali"}) {
      const std::string href = "/" + slug + "/" + page;
      EXPECT_NE(home.body.find("href=\"" + href + "\""), std::string::npos) << href;
      auto r = get(href, "");
      EXPECT_EQ(r.status, 200) << href;
    }
  }
  auto hub = get("/", "");
  for (const std::string page : {"/contatti", "/privacy", "/accessibilita", "/note-legali"}) {
    EXPECT_NE(hub.body.find("href=\"" + page + "\""), std::string::npos) << page;
    EXPECT_EQ(get(page, "").status, 200) << page;
  }
  EXPECT_EQ(get("/nessuno/privacy", "").status, 404);
  // The default privacy notice names the body as controller, with its tax code and PEC.
  auto privacy = get("/asti/privacy", "");
  EXPECT_NE(privacy.body.find("Comune di Asti (codice fiscale"), std::string::npos);
  EXPECT_NE(privacy.body.find("Garante per la protezione dei dati personali"), std::string::npos);
  EXPECT_NE(get("/asti/privacy", "", "en").body.find("Data controller"), std::string::npos);
  EXPECT_NE(get("/asti/accessibilita", "").body.find("id=\"no-statement\""), std::string::npos);
}

TEST_P(BodyPagesTest, TheBodysAdministratorCompletesThePagesAndOnlyThey) {
  const auto admin = staff_session("admin@asti.example", "Asti-admin-2026!");
  const std::string edit = "/backoffice/asti/pagine-pubbliche";
  ASSERT_EQ(get(edit, admin).status, 200);
  auto saved =
      post_form(edit, admin,
                "address=" + form_encode("Piazza San Secondo 1, 14100 Asti") +
                    "&phone=" + form_encode("+39 0141 399111") + "&email=urp%40comune.asti.it&dpo_name=" +
                    form_encode("Avv. Maria Rossi") + "&dpo_email=rpd%40comune.asti.it" +
                    "&accessibility_statement_url=" + form_encode("https://form.agid.gov.it/view/abc") +
                    "&office_hours_it=" + form_encode("Lunedì 9-12\n\nGiovedì 15-17"));
  ASSERT_EQ(saved.status, 303) << saved.body.substr(0, 2000);
  EXPECT_EQ(header(saved, "location"), edit + "?salvato=1");
  auto contacts = get("/asti/contatti", "");
  EXPECT_NE(contacts.body.find("Piazza San Secondo 1, 14100 Asti"), std::string::npos);
  EXPECT_NE(contacts.body.find("<p>Lunedì 9-12</p>"), std::string::npos) << "paragraphs from blank lines";
  EXPECT_NE(contacts.body.find("<p>Giovedì 15-17</p>"), std::string::npos);
  auto privacy = get("/asti/privacy", "");
  EXPECT_NE(privacy.body.find("Avv. Maria Rossi"), std::string::npos);
  EXPECT_NE(privacy.body.find("mailto:rpd@comune.asti.it"), std::string::npos);
  auto access = get("/asti/accessibilita", "");
  EXPECT_NE(access.body.find("href=\"https://form.agid.gov.it/view/abc\""), std::string::npos);
  EXPECT_NE(access.body.find("mailto:urp@comune.asti.it"), std::string::npos)
      << "feedback falls back to the e-mail";
  // Novara's pages are untouched, and Novara's administrator cannot edit Asti's.
  EXPECT_EQ(get("/novara/contatti", "").body.find("Piazza San Secondo"), std::string::npos);
  const auto novara = novara_session();
  EXPECT_EQ(get(edit, novara).status, 403);
  EXPECT_EQ(post_form(edit, novara, "address=intruso").status, 403);
  EXPECT_EQ(get("/asti/contatti", "").body.find("intruso"), std::string::npos);
  // An operator of Asti is no administrator; anonymous callers go to the sign-in.
  EXPECT_EQ(get(edit, operator_session()).status, 403);
  EXPECT_EQ(get(edit, "").status, 303);
  // The save is on Asti's audit log.
  audit::Query q;
  q.action = "body_pages.update";
  EXPECT_EQ(audit::AuditService(app_->database()).entries(asti_, q).entries.size(), 1U);
}

TEST_P(BodyPagesTest, ARefusedSaveKeepsWhatWasTypedAndChangesNothing) {
  const auto admin = staff_session("admin@asti.example", "Asti-admin-2026!");
  const std::string edit = "/backoffice/asti/pagine-pubbliche";
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {"dpo_email=non-una-mail&address=Via+Roma+1", "dpo_email"},
           {"accessibility_statement_url=http%3A%2F%2Fexample.org&address=Via+Roma+1",
            "accessibility_statement_url"},
           {"phone=chiamami&address=Via+Roma+1", "phone"},
           {"address=Via%0ARoma", "address"}}) {
    auto r = post_form(edit, admin, body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find("id=\"error-summary\""), std::string::npos);
    EXPECT_NE(r.body.find("name=\"" + field + "\""), std::string::npos);
    if (field != "address") EXPECT_NE(r.body.find("value=\"Via Roma 1\""), std::string::npos) << "typed kept";
  }
  EXPECT_EQ(get("/asti/contatti", "").body.find("Via Roma"), std::string::npos);
  // A script in a field is text, never markup.
  ASSERT_EQ(post_form(edit, admin, "address=%3Cscript%3Ealert(1)%3C%2Fscript%3E").status, 303);
  auto contacts = get("/asti/contatti", "");
  EXPECT_EQ(contacts.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(contacts.body.find("&lt;script&gt;"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, BodyPagesTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::protocollo::webtest
