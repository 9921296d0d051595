// E-mails to the applicant through the outbox, against real SQLite and PostgreSQL: written in the same
// transaction as the change (a refused change sends nothing), only to a verified address.
#include "adapters/messaging/outbox.hpp"
#include "cases_fixture.hpp"
#include "identity/profile_service.hpp"

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

INSTANTIATE_TEST_SUITE_P(Dialects, NotifyTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::cases::testing
