// Issue 11 points 2 and 3, against real SQLite and PostgreSQL. The applicant is told of every step through
// the outbox in the change's own transaction (a refused change sends nothing), by their verified channels,
// in their language, with a link to the case, and the notice is recorded in the case with masked
// addresses. A notice of grounds or a decision that still holds a template's placeholder is refused before
// anything is registered or sent. Decisions print the answers' labels and the school year as people write
// it; every letter (request for additions, notice of grounds, decision) is registered as outgoing and its
// PDF carries its own protocol number.
#include <string>

#include "adapters/messaging/outbox.hpp"
#include "cases_fixture.hpp"
#include "forms/definitions_service.hpp"
#include "identity/profile_service.hpp"
#include "support/pdf_inspect.hpp"

namespace sp::cases::testing {
namespace {

constexpr const char* kLink = "http://sportello.example/area-personale/pratiche/asti/";

using sp::testing::pdf_facts;
using sp::testing::pdf_text;  // what a reader extracts (pdftotext)

class NoticesTest : public CasesTest {
 protected:
  void SetUp() override {
    CasesTest::SetUp();
    const std::string t = "2026-01-01T00:00:00.000Z";
    db().write([&](db::Conn& tx) {
      const char* sql =
          "INSERT INTO persons (fiscal_code, given_name, family_name, email, email_verified_at, mobile, "
          "mobile_verified_at, preferred_channel, created_at, updated_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)";
      // Mario prefers SMS and has both channels verified.
      tx.exec(sql,
              {mario_.subject, std::string("Mario"), std::string("Rossi"), std::string("mario@example.it"), t,
               std::string("+393331234567"), t, std::string("sms"), t});
      // Anna prefers App IO (no adapter yet), reads English, and has a verified e-mail only.
      tx.exec(sql, {anna_.subject, std::string("Anna"), std::string("Bianchi"),
                    std::string("anna@example.org"), t, nullptr, nullptr, std::string("io"), t});
    });
    audit_ = std::make_unique<audit::AuditService>(db(), clock_);
    profiles_ = std::make_unique<identity::ProfileService>(db(), *audit_, clock_);
    Options o;
    o.public_url = "http://sportello.example";
    o.language_of = [this](const std::string& cf) { return cf == anna_.subject ? "en" : "it"; };
    notifying_ = std::make_unique<CaseService>(db(), clock_, *protocol_, *files_, *catalog_, *tenants_,
                                               profiles_.get(), o);
  }

  std::vector<messaging::StoredMessage> outbox() {
    auto all = messaging::list_messages(db());
    std::reverse(all.begin(), all.end());  // oldest first
    return all;
  }

  std::vector<Message> notifications(const std::string& id) {
    auto v = notifying_->get(&staff_, body_, id);
    EXPECT_TRUE(v.ok());
    std::vector<Message> out;
    for (const auto& m : v->messages) {
      if (m.kind == MessageKind::notification) out.push_back(m);
    }
    return out;
  }

  Case started(const identity::Principal& who, const std::string& key, Submission s = {}) {
    if (s.service_code.empty()) s = submission(key);
    auto r = notifying_->submit(&who, body_, s);
    EXPECT_TRUE(r.ok()) << r.error().code;
    EXPECT_TRUE(notifying_->start(&staff_, body_, r->c.id).ok());
    return r->c;
  }

  std::int64_t outgoing() {
    return count("SELECT COUNT(*) FROM protocol_entries WHERE direction = 'outgoing'");
  }

  std::unique_ptr<audit::AuditService> audit_;
  std::unique_ptr<identity::ProfileService> profiles_;
  std::unique_ptr<CaseService> notifying_;
};

TEST_P(NoticesTest, TheAdditionsRequestGoesByEmailAndSmsWithALinkAndIsRecorded) {
  Case c = started(mario_, "additions");
  // The receipt: by the preferred channel only (SMS), with the link.
  auto sent = outbox();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].message.channel, messaging::Channel::sms);
  EXPECT_EQ(sent[0].message.recipient, "+393331234567");
  EXPECT_NE(sent[0].message.body.find(kLink + c.id), std::string::npos) << sent[0].message.body;

  // A request for additions starts a suspension: every verified channel.
  ASSERT_TRUE(
      notifying_->request_additions(&staff_, body_, c.id, "Manca la firma del secondo genitore.").ok());
  sent = outbox();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent[1].message.channel, messaging::Channel::sms);
  EXPECT_EQ(sent[2].message.channel, messaging::Channel::email);
  EXPECT_EQ(sent[2].message.recipient, "mario@example.it");
  EXPECT_EQ(sent[2].message.subject, "Richiesta di integrazioni: Iscrizione alla scuola primaria");
  for (const auto* m : {&sent[1], &sent[2]}) {
    EXPECT_NE(m->message.body.find(kLink + c.id), std::string::npos) << m->message.body;
    EXPECT_NE(m->message.body.find("0000001/2026"), std::string::npos) << m->message.body;
    EXPECT_EQ(m->message.body.find("Manca la firma"), std::string::npos);  // only where to read it
    EXPECT_EQ(m->message.tenant_id, body_);
  }
  // The case's history says so, with masked addresses only.
  auto seen = notifications(c.id);
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].body,
            "Richiesta di integrazioni: avviso inviato per SMS al numero +39******4567 e per e-mail a "
            "m***@example.it.");
  EXPECT_EQ(seen[1].direction, MessageDirection::to_applicant);
  auto mine = notifying_->get(&mario_, body_, c.id);
  ASSERT_TRUE(mine.ok());
  for (const auto& m : mine->messages) {
    EXPECT_EQ(m.body.find("mario@example.it"), std::string::npos);
    EXPECT_EQ(m.body.find("3331234567"), std::string::npos);
  }
  // A message from the office: the preferred channel.
  ASSERT_TRUE(notifying_->send_message(&staff_, body_, c.id, "Può usare il modulo allegato.").ok());
  sent = outbox();
  ASSERT_EQ(sent.size(), 4U);
  EXPECT_EQ(sent[3].message.channel, messaging::Channel::sms);
}

TEST_P(NoticesTest, ARefusedChangeSendsAndRecordsNothing) {
  Case c = started(mario_, "refused");
  const auto before = outbox().size();
  const auto notes = notifications(c.id).size();
  // Rejection without a notice of grounds; a notice still holding a placeholder; an unknown outcome.
  EXPECT_EQ(notifying_->reject(&staff_, body_, c.id, "Respinta.").error().code, "cases.grounds_required");
  EXPECT_EQ(notifying_->notice_of_grounds(&staff_, body_, c.id, "Motivi: [indicare i motivi]").error().code,
            "cases.placeholder");
  EXPECT_EQ(notifying_->accept(&staff_, body_, c.id, "Accolta.", {"rinvio", "it"}).error().code,
            "cases.outcome");
  // A change that fails in the middle (the registry refuses the letter) rolls the notice back with it.
  db().write([&](db::Conn& tx) {
    if (tx.dialect() == db::Dialect::sqlite) {
      tx.exec_script(
          "CREATE TRIGGER test_refuse BEFORE INSERT ON protocol_entries BEGIN SELECT RAISE(ABORT, 'no'); "
          "END;");
    } else {
      tx.exec_script(
          "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no'; "
          "END; $$; CREATE TRIGGER test_refuse BEFORE INSERT ON protocol_entries FOR EACH ROW EXECUTE "
          "FUNCTION test_refuse();");
    }
  });
  EXPECT_THROW((void)notifying_->accept(&staff_, body_, c.id, "Accolta."), std::exception);
  EXPECT_EQ(outbox().size(), before);
  EXPECT_EQ(notifications(c.id).size(), notes);
  EXPECT_EQ(load(c.id).state, State::in_progress);
}

TEST_P(NoticesTest, InTheirLanguageAndByEmailWhenTheirChannelCannotBeServed) {
  Case c = started(anna_, "english");
  auto sent = outbox();
  ASSERT_EQ(sent.size(), 1U);  // App IO preferred: e-mail instead
  EXPECT_EQ(sent[0].message.channel, messaging::Channel::email);
  EXPECT_EQ(sent[0].message.recipient, "anna@example.org");
  EXPECT_EQ(sent[0].message.subject, "Application received: Iscrizione alla scuola primaria");
  EXPECT_NE(sent[0].message.body.find("registered with protocol no. 0000001/2026"), std::string::npos)
      << sent[0].message.body;
  ASSERT_TRUE(notifying_->notice_of_grounds(&staff_, body_, c.id, "The child is not resident.").ok());
  sent = outbox();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[1].message.subject, "Notice of grounds for refusal: Iscrizione alla scuola primaria");
  EXPECT_NE(sent[1].message.body.find("You have 10 days, up to and including 12/03/2026"), std::string::npos)
      << sent[1].message.body;
  EXPECT_NE(sent[1].message.body.find("registered as no. 0000002/2026"), std::string::npos);
  auto seen = notifications(c.id);
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].body, "Notice of grounds for refusal: notice sent by e-mail to a***@example.org.");

  // Nobody to tell: no verified address (or "none" chosen) sends and records nothing.
  identity::Principal luca = person("VRDLCU90A01A479Z", "Luca Verdi");
  Case quiet = started(luca, "quiet");
  EXPECT_EQ(outbox().size(), 2U);
  EXPECT_TRUE(notifications(quiet.id).empty());
}

TEST_P(NoticesTest, APlaceholderLeftInALegalTextIsRefusedAndNothingIsRegistered) {
  Case c = started(mario_, "placeholder");
  const auto entries = outgoing();
  const auto sent = outbox().size();
  auto st =
      notifying_->notice_of_grounds(&staff_, body_, c.id,
                                    "Con riferimento alla domanda...\n\n[indicare i motivi]\n\nEntro 10 "
                                    "giorni...",
                                    {"grounds", "it"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "cases.placeholder");
  EXPECT_EQ(st.error().detail, "[indicare i motivi]");
  EXPECT_EQ(st.error().field, "text");
  // The English one, and a tag nobody rendered, are refused too.
  EXPECT_EQ(notifying_->accept(&staff_, body_, c.id, "Granted.\n[state the reasons]", {"accept", "en"})
                .error()
                .detail,
            "[state the reasons]");
  EXPECT_EQ(notifying_->accept(&staff_, body_, c.id, "Accolta per {{answers.school}}.").error().detail,
            "{{answers.school}}");
  EXPECT_EQ(outgoing(), entries);
  EXPECT_EQ(outbox().size(), sent);
  EXPECT_EQ(load(c.id).state, State::in_progress);
  // Brackets of the officer's own are not placeholders.
  ASSERT_TRUE(notifying_->notice_of_grounds(&staff_, body_, c.id, "Manca il requisito [art. 3].").ok());
}

TEST_P(NoticesTest, DecisionsPrintLabelsAndTheirOwnProtocolNumber) {
  forms::DefinitionsService definitions(db(), clock_);
  ASSERT_TRUE(definitions.load_dir(sp::testing::source_dir() + "/data/forms").ok());
  auto overlay = boost::json::parse(R"({"lists": {"schools": [
      {"value": "rodari", "label": {"it": "Scuola primaria G. Rodari", "en": "G. Rodari primary school"}},
      {"value": "baussano", "label": {"it": "Scuola primaria G. Baussano", "en": "G. Baussano primary school"}}
    ]}})")
                     .as_object();
  ASSERT_TRUE(definitions.save_as({"system:test", "Test"}, body_, kSchool, overlay, 0).ok());
  notifying_->set_form_definitions(&definitions);
  Submission s = submission("labels");
  s.answers = boost::json::parse(R"({"school_year": "2026-2027", "school": "baussano",
      "children": [{"given_name": "Luca", "family_name": "Rossi"}]})")
                  .as_object();
  Case c = started(mario_, "labels", s);

  // The request for additions is a registered outgoing letter that carries its number.
  ASSERT_TRUE(notifying_->request_additions(&staff_, body_, c.id, "Manca la firma.").ok());
  ASSERT_TRUE(notifying_->answer_additions(&mario_, body_, c.id, "Firmata.", {}).ok());

  auto drafts = notifying_->decision_drafts(&staff_, body_, c.id, "it", "Ci sono posti.");
  ASSERT_TRUE(drafts.ok());
  const DecisionDraft* accept = nullptr;
  for (const auto& d : *drafts) {
    if (d.outcome == "accept") accept = &d;
  }
  ASSERT_NE(accept, nullptr);
  EXPECT_NE(accept->text.find("scuola scelta (Scuola primaria G. Baussano)"), std::string::npos)
      << accept->text;
  EXPECT_NE(accept->text.find("anno scolastico 2026/2027"), std::string::npos) << accept->text;
  EXPECT_EQ(accept->text.find("baussano)"), std::string::npos);
  EXPECT_EQ(accept->text.find("2026-2027"), std::string::npos);
  auto en = notifying_->decision_drafts(&staff_, body_, c.id, "en", "Places are available.");
  ASSERT_TRUE(en.ok());
  EXPECT_NE(en->front().text.find("(G. Baussano primary school)"), std::string::npos) << en->front().text;
  ASSERT_TRUE(notifying_->accept(&staff_, body_, c.id, accept->text, {"accept", "it"}).ok());

  auto v = notifying_->get(&staff_, body_, c.id);
  ASSERT_TRUE(v.ok());
  int letters = 0;
  for (const auto& d : v->documents) {
    if (d.kind != DocumentKind::notice && d.kind != DocumentKind::decision) continue;
    ++letters;
    ASSERT_GT(d.protocol_number, 0) << d.file_name;
    const std::string number = protocollo::format_number(d.protocol_number) + "/2026";
    auto content = notifying_->document(&mario_, body_, c.id, d.id);
    ASSERT_TRUE(content.ok());
    const std::string text = pdf_text(content->bytes);
    EXPECT_NE(text.find("Protocollo: " + number + " del 02/03/2026"), std::string::npos)
        << d.file_name << text;
    EXPECT_NE(text.find("AOO_ASTI - 2026 - " + protocollo::format_number(d.protocol_number)),
              std::string::npos)
        << text;
    const auto facts = pdf_facts(content->bytes);  // tagged, in the letter's language
    EXPECT_TRUE(facts.struct_tree);
    EXPECT_TRUE(facts.marked);
    EXPECT_EQ(facts.lang, "it-IT");
    EXPECT_EQ(facts.tags.count("H1"), 1U);
    EXPECT_GE(facts.tags.count("P"), 3U);
    if (d.kind == DocumentKind::decision) {
      EXPECT_NE(text.find("Baussano"), std::string::npos) << text;
      EXPECT_EQ(text.find("baussano"), std::string::npos) << text;
    }
    // The registry records the digest of what was rendered with that number.
    auto entry = protocol_->get(protocollo::SystemActor{"test"}, body_, d.protocol_entry_id);
    ASSERT_TRUE(entry.ok());
    EXPECT_EQ(entry->direction, protocollo::Direction::outgoing);
    EXPECT_EQ(entry->number, d.protocol_number);
    ASSERT_FALSE(entry->documents.empty());
    EXPECT_EQ(entry->documents[0].sha256, d.sha256);
  }
  EXPECT_EQ(letters, 2);  // the request for additions and the decision
}

INSTANTIATE_TEST_SUITE_P(Dialects, NoticesTest, ::testing::Values(db::Dialect::sqlite, db::Dialect::postgres),
                         dialect_name);

}  // namespace
}  // namespace sp::cases::testing
