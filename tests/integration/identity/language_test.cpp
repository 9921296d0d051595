// Issue 11 point 2: the notices of a person's cases are written in the language the person chose on the
// profile page ("Lingua delle comunicazioni"), through the whole application (the profile form, the
// sending of an application, the office's request for additions, the outbox), on both databases. A value
// other than it/en is refused with everything typed kept and nothing saved; a person signing in for the
// first time gets the language they were using on the site, and a later sign-in does not change it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "adapters/messaging/outbox.hpp"
#include "identity/person_store.hpp"
#include "identity/session_service.hpp"
#include "identity/sign_in.hpp"
#include "integration/applications/app_fixture.hpp"
#include "support/testing.hpp"

namespace sp::applications::webtest {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class LanguageTest : public AppTest {
 protected:
  void SetUp() override {
    AppTest::SetUp();
    // Anna's SPID e-mail is verified, so notices can reach her by e-mail.
    app_->database().write([&](db::Conn& tx) {
      tx.exec("UPDATE persons SET email_verified_at = $2 WHERE fiscal_code = $1",
              {std::string(kAnna), std::string("2026-11-23T10:05:00Z")});
    });
  }

  std::string language_of(const std::string& cf) {
    std::string out;
    app_->database().read([&](db::Conn& c) {
      out = c.query_one("SELECT preferred_language FROM persons WHERE fiscal_code = $1", {cf})->text(0);
    });
    return out;
  }

  http::Response save_profile(const std::string& session, const std::string& language,
                              const std::string& email = "anna.ferraro@example.org",
                              const std::string& mobile = "", const std::string& lang = "it") {
    return post_form("/area-personale/profilo", session,
                     {{"email", email},
                      {"mobile", mobile},
                      {"preferred_channel", "email"},
                      {"preferred_language", language}},
                     lang);
  }

  // Sends Anna's enrolment at Asti; returns the case id.
  std::string send_application(const std::string& session) {
    const std::string base = start_draft(session);
    EXPECT_EQ(post_form(base + "/passo/1", session, applicant_step()).status, 303);
    EXPECT_EQ(post_form(base + "/passo/2", session, children_step()).status, 303);
    EXPECT_EQ(post_form(base + "/passo/3", session, school_step()).status, 303);
    EXPECT_EQ(post_form(base + "/passo/4", session, declarations_step()).status, 303);
    auto sent = post_form(base + "/invia", session, {});
    EXPECT_EQ(sent.status, 303) << sent.body.substr(0, 1000);
    std::string id;
    app_->database().read([&](db::Conn& c) {
      auto r = c.query_one("SELECT id FROM cases WHERE applicant_cf = $1", {std::string(kAnna)});
      if (r) id = r->text(0);
    });
    return id;
  }

  std::string operator_session() {
    auto ns = app_->staff().sign_in("operatore@asti.example", "Asti-operatore-2026!", "");
    EXPECT_TRUE(ns.ok());
    return ns.ok() ? sessions_->start(*ns).token : std::string();
  }

  http::Response staff_action(const std::string& session, const std::string& id, const std::string& action,
                              const std::string& text = {}) {
    return post_form("/backoffice/asti/pratiche/" + id, session, {{"action", action}, {"text", text}});
  }

  // The e-mails in the outbox to Anna, oldest first.
  std::vector<messaging::Message> mails_to_anna() {
    std::vector<messaging::Message> out;
    for (const auto& m : messaging::list_messages(app_->database())) {
      if (m.message.channel == messaging::Channel::email && m.message.recipient == "anna.ferraro@example.org")
        out.push_back(m.message);
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
};

TEST_P(LanguageTest, TheRequestForAdditionsIsWrittenInTheLanguageThePersonChose) {
  const auto s = anna();
  EXPECT_EQ(language_of(kAnna), "it");  // everyone starts Italian
  // The profile page offers the choice, Italian preselected.
  auto page = get("/area-personale/profilo", s);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Lingua delle comunicazioni"));
  EXPECT_TRUE(contains(page.body, "<option value=\"it\" lang=\"it\" selected>Italiano</option>"));
  EXPECT_TRUE(contains(page.body, "<option value=\"en\" lang=\"en\">English</option>"));

  // Anna, who reads the site in Italian, wants her communications in English.
  auto saved = save_profile(s, "en");
  ASSERT_EQ(saved.status, 303) << saved.body.substr(0, 1000);
  EXPECT_EQ(language_of(kAnna), "en");
  page = get("/area-personale/profilo", s);
  EXPECT_TRUE(contains(page.body, "<option value=\"en\" lang=\"en\" selected>English</option>"));
  EXPECT_FALSE(contains(page.body, "<option value=\"it\" lang=\"it\" selected>"));
  EXPECT_TRUE(contains(page.body, "id=\"held-language\">English<"));

  const std::string id = send_application(s);
  ASSERT_FALSE(id.empty());
  const auto op = operator_session();
  ASSERT_EQ(staff_action(op, id, "start").status, 303);
  auto asked = staff_action(op, id, "request_additions", "Manca la firma del secondo genitore.");
  ASSERT_EQ(asked.status, 303) << asked.body.substr(0, 1000);
  auto mails = mails_to_anna();
  ASSERT_FALSE(mails.empty());
  const auto english = mails.back();
  EXPECT_EQ(english.subject.rfind("Request for additions: ", 0), 0U) << english.subject;
  EXPECT_TRUE(contains(english.body, "asks you to complete your application")) << english.body;
  EXPECT_FALSE(contains(english.body, "chiede integrazioni")) << english.body;
  EXPECT_TRUE(contains(english.body, "/area-personale/pratiche/asti/" + id)) << english.body;
  // The receipt before it (by the preferred channel, e-mail) was in English too.
  ASSERT_EQ(mails.size(), 2U);
  EXPECT_EQ(mails.front().subject.rfind("Application received: ", 0), 0U) << mails.front().subject;

  // Back to Italian: the next request for additions is in Italian.
  ASSERT_EQ(save_profile(s, "it").status, 303);
  EXPECT_EQ(language_of(kAnna), "it");
  ASSERT_EQ(staff_action(op, id, "resume", "Ripresa d'ufficio.").status, 303);
  ASSERT_EQ(staff_action(op, id, "request_additions", "Manca ancora la firma.").status, 303);
  mails = mails_to_anna();
  ASSERT_EQ(mails.size(), 3U);
  const auto italian = mails.back();
  EXPECT_EQ(italian.subject.rfind("Richiesta di integrazioni: ", 0), 0U) << italian.subject;
  EXPECT_TRUE(contains(italian.body, "chiede integrazioni alla tua domanda")) << italian.body;
  EXPECT_FALSE(contains(italian.body, "asks you to complete")) << italian.body;
}

TEST_P(LanguageTest, ALanguageNotOfferedIsRefusedWithWhatWasTypedKeptAndNothingSaved) {
  const auto s = anna();
  for (const std::string bad : {"de", "EN", "it;DROP TABLE persons"}) {
    auto r = save_profile(s, bad, "anna.nuova@example.org", "333 765 4321");
    EXPECT_EQ(r.status, 422) << bad;
    EXPECT_TRUE(contains(r.body, "data-code=\"profile.language_invalid\"")) << bad;
    EXPECT_TRUE(contains(r.body, "Scegli una lingua delle comunicazioni tra quelle proposte")) << bad;
    // The other fields as typed; the select shows the stored language; the field is marked.
    EXPECT_TRUE(contains(r.body, "value=\"anna.nuova@example.org\"")) << bad;
    EXPECT_TRUE(contains(r.body, "value=\"333 765 4321\"")) << bad;
    EXPECT_TRUE(contains(r.body, "<option value=\"it\" lang=\"it\" selected>Italiano</option>")) << bad;
    EXPECT_TRUE(contains(r.body,
                         "name=\"preferred_language\" aria-describedby=\"profile-language-help\" "
                         "aria-invalid=\"true\""))
        << bad;
  }
  // In English, the error is in English.
  auto r = save_profile(s, "fr", "anna.ferraro@example.org", "", "en");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(contains(r.body, "Choose a language of communications among those offered"));
  // Nothing saved, no code sent.
  EXPECT_EQ(language_of(kAnna), "it");
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE fiscal_code = $1 AND email = $2 AND mobile IS NULL",
                  {std::string(kAnna), std::string("anna.ferraro@example.org")}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_verifications WHERE fiscal_code = $1", {std::string(kAnna)}),
            0);
}

TEST_P(LanguageTest, ChangingOnlyTheLanguageKeepsTheContactsAndIsAudited) {
  const auto s = anna();
  ASSERT_EQ(save_profile(s, "en").status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE fiscal_code = $1 AND email = $2 AND email_verified_at "
                  "IS NOT NULL AND preferred_channel = 'email'",
                  {std::string(kAnna), std::string("anna.ferraro@example.org")}),
            1);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE action = 'profile.contacts.update' AND record_id = $1 "
            "AND details LIKE '%\"preferred_language\":\"en\"%'",
            {std::string(kAnna)}),
      1);
  // A person's choice is their own: Fabio's form naming Anna changes Fabio only.
  EXPECT_EQ(language_of(kFabio), "it");
  auto other = post_form("/area-personale/profilo", fabio(),
                         {{"fiscal_code", kAnna},
                          {"email", "fabio.caccamo@example.org"},
                          {"mobile", ""},
                          {"preferred_channel", "email"},
                          {"preferred_language", "it"}});
  EXPECT_EQ(other.status, 303);
  EXPECT_EQ(language_of(kAnna), "en");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, LanguageTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

// The first sign-in: the language of the site in that browser becomes the language of communications; a
// later sign-in in another language changes nothing the person may have chosen.
class FirstSignInProvider final : public identity::AuthProvider {
 public:
  std::string id_ = "sim";
  std::string name_ = "Simulatore";
  int n = 0;
  const std::string& id() const override { return id_; }
  const std::string& display_name() const override { return name_; }
  Status check_issuer(const std::string&) override { return Ok{}; }
  Result<identity::AuthStart> begin(int level) override {
    ++n;
    return identity::AuthStart{"https://idp.example/authorize?n=" + std::to_string(n),
                               "state-" + std::to_string(n) + std::string(40, 'x'), "nonce", "verifier",
                               level};
  }
  Result<identity::VerifiedIdentity> complete(const std::string&, const identity::AuthStart&) override {
    return identity::VerifiedIdentity{
        id_, "CCCFBA85D03L219P", "Fabio", "Caccamo", "fabio@example.org", "1985-04-03", 2};
  }
};

class FirstSignInTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    sessions_ = std::make_unique<identity::SessionService>(database_->db(), time::system_clock());
    sign_in_ = std::make_unique<identity::SignInService>(database_->db(), *sessions_, time::system_clock());
    provider_ = std::make_shared<FirstSignInProvider>();
    sign_in_->add_provider(provider_);
  }

  Result<identity::SignedIn> sign_in(const std::string& site_lang) {
    auto started = sign_in_->start("sim", 2, "/");
    EXPECT_TRUE(started.ok());
    identity::ProviderCallback cb{"state-" + std::to_string(provider_->n) + std::string(40, 'x'),
                                  "good",
                                  "",
                                  "",
                                  started->browser_binding,
                                  site_lang};
    return sign_in_->finish(cb, "");
  }

  std::string language() {
    auto p = identity::PersonStore(database_->db()).by_fiscal_code("CCCFBA85D03L219P");
    return p ? p->preferred_language : "(none)";
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<identity::SessionService> sessions_;
  std::unique_ptr<identity::SignInService> sign_in_;
  std::shared_ptr<FirstSignInProvider> provider_;
};

TEST_P(FirstSignInTest, ThePersonIsWrittenToInTheLanguageOfTheSiteWhenTheyFirstSignedIn) {
  ASSERT_TRUE(sign_in("en").ok());
  EXPECT_EQ(language(), "en");
  ASSERT_TRUE(sign_in("it").ok());  // a later sign-in in Italian keeps it
  EXPECT_EQ(language(), "en");
}

TEST_P(FirstSignInTest, AnUnknownSiteLanguageIsItalian) {
  ASSERT_TRUE(sign_in("de").ok());
  EXPECT_EQ(language(), "it");
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, FirstSignInTest,
                         ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace sp::applications::webtest
