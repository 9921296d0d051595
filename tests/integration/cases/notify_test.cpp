// E-mails to the applicant through the outbox, against real SQLite and PostgreSQL: written in the same
// transaction as the change (a refused change sends nothing), only to a verified address.
#include "adapters/messaging/outbox.hpp"
#include "cases_fixture.hpp"
#include "identity/profile_service.hpp"
#include "messaging/service.hpp"

namespace sp::cases::testing {
namespace {

class NotifyTest : public CasesTest {
 protected:
  void SetUp() override {
    CasesTest::SetUp();
    db().write([&](db::Conn& tx) {
      const char* sql =
          "INSERT INTO persons (fiscal_code, given_name, family_name, email, email_verified_at, created_at, "
          "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
      tx.exec(sql,
              {mario_.subject, std::string("Mario"), std::string("Rossi"), std::string("mario@example.it"),
               std::string("2026-01-01T00:00:00.000Z"), std::string("2026-01-01T00:00:00.000Z")});
      // Anna typed an address but never confirmed it.
      tx.exec(sql, {anna_.subject, std::string("Anna"), std::string("Bianchi"),
                    std::string("anna@example.it"), nullptr, std::string("2026-01-01T00:00:00.000Z")});
    });
    audit_ = std::make_unique<audit::AuditService>(db(), clock_);
    profiles_ = std::make_unique<identity::ProfileService>(db(), *audit_, clock_);
    notifying_ = std::make_unique<CaseService>(db(), clock_, *protocol_, *files_, *catalog_, *tenants_,
                                               profiles_.get());
  }

  std::vector<messaging::StoredMessage> outbox() {
    auto all = messaging::list_messages(db());
    std::reverse(all.begin(), all.end());  // oldest first
    return all;
  }

  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<identity::ProfileService> profiles_;
  std::unique_ptr<CaseService> notifying_;
};

TEST_P(NotifyTest, TheApplicantIsToldAtAVerifiedAddressOnly) {
  auto r = notifying_->submit(&mario_, body_, submission("mail"));
  ASSERT_TRUE(r.ok()) << r.error().code;
  auto sent = outbox();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].message.recipient, "mario@example.it");
  EXPECT_EQ(sent[0].message.tenant_id, body_);
  EXPECT_NE(sent[0].message.subject.find("Iscrizione alla scuola primaria"), std::string::npos);
  EXPECT_NE(sent[0].message.body.find("0000001/2026"), std::string::npos) << sent[0].message.body;
  EXPECT_NE(sent[0].message.body.find("01/04/2026"), std::string::npos) << sent[0].message.body;

  // A replay sends nothing new; Anna's unverified address gets nothing.
  ASSERT_TRUE(notifying_->submit(&mario_, body_, submission("mail")).ok());
  ASSERT_TRUE(notifying_->submit(&anna_, body_, submission("mail")).ok());
  EXPECT_EQ(outbox().size(), 1U);

  // Requests and messages from the office are announced; notes and refused actions are not.
  const std::string id = r->c.id;
  ASSERT_TRUE(notifying_->start(&staff_, body_, id).ok());
  ASSERT_TRUE(notifying_->add_note(&staff_, body_, id, "nota interna").ok());
  EXPECT_EQ(outbox().size(), 1U);
  EXPECT_FALSE(notifying_->reject(&staff_, body_, id, "Respinta.").ok());
  EXPECT_EQ(outbox().size(), 1U);
  ASSERT_TRUE(notifying_->request_additions(&staff_, body_, id, "Manca la firma.").ok());
  ASSERT_TRUE(notifying_->send_message(&staff_, body_, id, "Ricordi la firma?").ok());
  ASSERT_TRUE(notifying_->send_message(&mario_, body_, id, "Arriva.").ok());  // to the office: no e-mail
  sent = outbox();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_NE(sent[1].message.subject.find("Richiesta di integrazioni"), std::string::npos);
  EXPECT_NE(sent[2].message.subject.find("Nuovo messaggio"), std::string::npos);
  // The e-mail never carries the text itself, only where to read it.
  EXPECT_EQ(sent[1].message.body.find("Manca la firma"), std::string::npos);
}

TEST_P(NotifyTest, AFailedSubmissionSendsNothing) {
  Submission s = submission("bad");
  s.attachments = {"missing"};
  EXPECT_FALSE(notifying_->submit(&mario_, body_, s).ok());
  EXPECT_TRUE(outbox().empty());
}

// With the messaging module wired (issue 17): legal acts by PEC and in copy by e-mail, the others by the
// person's choice with the rest as fallbacks, the body's own text when it wrote one.
TEST_P(NotifyTest, RoutedByTheMessagingModule) {
  db().write([&](db::Conn& tx) {
    tx.exec("UPDATE persons SET pec = $2, pec_verified_at = $3 WHERE fiscal_code = $1",
            {mario_.subject, std::string("mario@pec.example.it"), std::string("2026-01-02T00:00:00.000Z")});
  });
  messaging::MessagingService messaging(db(), *audit_, *profiles_, clock_);
  messaging.set_body_contacts([](std::int64_t) {
    return messaging::BodyContacts{"Comune di Asti", "urp@asti.it", "", ""};
  });
  notifying_->set_messaging(&messaging);
  identity::Principal admin = staff(body_, "admin-asti");
  admin.roles = {identity::Role::body_admin};
  ASSERT_TRUE(messaging
                  .save_template(&admin, body_,
                                 {"case.submitted", "it", "Ricevuta: {service}",
                                  "{body} ha protocollato la tua domanda {protocol}. Scrivi a {body_email}.",
                                  "{body}: prot. {protocol} {link}"})
                  .ok());
  auto r = notifying_->submit(&mario_, body_, submission("routed"));
  ASSERT_TRUE(r.ok()) << r.error().code;
  auto sent = outbox();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].message.channel, messaging::Channel::email);
  EXPECT_EQ(sent[0].message.type, "case.submitted");
  EXPECT_EQ(sent[0].message.person, mario_.subject);
  EXPECT_EQ(sent[0].message.subject, "Ricevuta: Iscrizione alla scuola primaria");
  EXPECT_NE(sent[0].message.body.find("Scrivi a urp@asti.it."), std::string::npos) << sent[0].message.body;
  ASSERT_EQ(sent[0].message.fallbacks.size(), 1U) << "PEC stands in if the e-mail fails";
  EXPECT_EQ(sent[0].message.fallbacks[0].channel, messaging::Channel::pec);

  ASSERT_TRUE(notifying_->start(&staff_, body_, r->c.id).ok());
  ASSERT_TRUE(notifying_->request_additions(&staff_, body_, r->c.id, "Manca la firma.").ok());
  sent = outbox();
  ASSERT_EQ(sent.size(), 3U);
  std::map<messaging::Channel, std::string> legal;
  for (std::size_t i = 1; i < sent.size(); ++i) {
    legal[sent[i].message.channel] = sent[i].message.recipient;
    EXPECT_NE(sent[i].message.subject.find("Richiesta di integrazioni"), std::string::npos)
        << "the hub's text";
    EXPECT_EQ(sent[i].message.subject.find(mario_.subject), std::string::npos)
        << "no personal data in subjects";
  }
  EXPECT_EQ(legal[messaging::Channel::pec], "mario@pec.example.it");
  EXPECT_EQ(legal[messaging::Channel::email], "mario@example.it");
}

INSTANTIATE_TEST_SUITE_P(Dialects, NotifyTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::cases::testing
