// The messaging module on both databases (issue 17): routing rules per message type (pure), a PEC
// address entered and verified by a code sent by PEC, a person's channel choices (only verified channels,
// legal types not theirs to choose), a failed channel followed by the next one, templates checked when
// saved (unknown placeholders refused, personal data out of subjects) and filled with the body's name and
// contacts, and every staff action scoped to the body (another body's administrator is refused).
#include <gtest/gtest.h>

#include <regex>

#include "adapters/messaging/outbox.hpp"
#include "audit/service.hpp"
#include "core/i18n.hpp"
#include "identity/person_store.hpp"
#include "identity/profile_service.hpp"
#include "jobs/store.hpp"
#include "messaging/model.hpp"
#include "messaging/routing.hpp"
#include "messaging/service.hpp"
#include "support/testing.hpp"

namespace {

using namespace sp::messaging;
using namespace std::chrono_literals;
using sp::identity::Principal;
using sp::identity::PrincipalKind;
using sp::identity::Role;

constexpr const char* kPersonCf = "RSSMRA80A01H501U";
constexpr const char* kOtherCf = "VRDLGU70B02L219X";

std::string code_from(const std::string& text) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(R"(\b(\d{6})\b)")) ? m[1].str() : std::string();
}

const MessageType& type_named(std::string_view name) {
  return *find_type(name);
}

// --- routing: pure ---------------------------------------------------------------------------------

TEST(MessagingRouting, LegalActsGoByPecWhereThePersonHasOneAndCopiesElsewhere) {
  Contacts c{kPersonCf, "m@example.it", "+393331234567", "m@pec.example.it", "email"};
  auto p = plan(c, type_named("case.grounds"), "");
  ASSERT_EQ(p.send.size(), 3u);
  EXPECT_EQ(p.send[0].channel, Channel::pec);
  EXPECT_EQ(p.send[0].recipient, "m@pec.example.it");
  EXPECT_EQ(p.send[1].channel, Channel::email);
  EXPECT_EQ(p.send[2].channel, Channel::sms);
  EXPECT_TRUE(p.fallbacks.empty());
  c.preferred = "io";  // and a copy on App IO for a person who chose it (remote content for the letters)
  p = plan(c, type_named("case.accepted"), "");
  ASSERT_EQ(p.send.size(), 4u);
  EXPECT_EQ(p.send[3].channel, Channel::appio);
  EXPECT_EQ(p.send[3].recipient, kPersonCf);
  c.preferred = "none";
  p = plan(c, type_named("case.grounds"), "sms");  // a choice does not apply to a legal act
  ASSERT_EQ(p.send.size(), 1u);
  EXPECT_EQ(p.send[0].channel, Channel::pec);
  c.pec.clear();
  EXPECT_TRUE(plan(c, type_named("case.grounds"), "").send.empty());
  EXPECT_TRUE(plan(c, type_named("contact.code"), "").send.empty()) << "codes are not routed";
}

TEST(MessagingRouting, OtherMessagesGoByThePersonsChoiceThenFallBack) {
  Contacts c{kPersonCf, "m@example.it", "+393331234567", "", "email"};
  auto p = plan(c, type_named("case.message"), "sms");
  ASSERT_EQ(p.send.size(), 1u);
  EXPECT_EQ(p.send[0].channel, Channel::sms);
  ASSERT_EQ(p.fallbacks.size(), 1u);
  EXPECT_EQ(p.fallbacks[0].channel, Channel::email);
  p = plan(c, type_named("case.message"), "pec");  // not verified: the general preference
  EXPECT_EQ(p.send.at(0).channel, Channel::email);
  EXPECT_EQ(p.fallbacks.at(0).channel, Channel::sms);
  p = plan(c, type_named("payment.due"), "appio");
  EXPECT_EQ(p.send.at(0).channel, Channel::appio);
  EXPECT_EQ(p.send.at(0).recipient, kPersonCf);
  EXPECT_EQ(p.fallbacks.size(), 2u) << "e-mail and SMS stand in";
  c.preferred = "none";
  EXPECT_TRUE(plan(c, type_named("case.message"), "").send.empty()) << "none, and no choice for the type";
  EXPECT_EQ(plan(c, type_named("case.message"), "email").send.at(0).channel, Channel::email);
  c.preferred = "io";
  EXPECT_EQ(plan(c, type_named("case.submitted"), "").send.at(0).channel, Channel::appio);
  Contacts nobody{kPersonCf, "", "", "", "email"};
  EXPECT_TRUE(plan(nobody, type_named("case.message"), "").send.empty());
  EXPECT_EQ(choosable(nobody), std::vector<Channel>{Channel::appio});
}

// A PEC failure is told to people from the receipt's type and error code, never the provider's text.
TEST(MessagingPecReasons, ReceiptTypeAndErrorCodeMapToALocalisedReason) {
  EXPECT_EQ(pec_reason_key("pec errore-consegna: no-dest (5.1.1 utente sconosciuto) — consegna"),
            "ui.pec_reason_no_dest");
  EXPECT_EQ(pec_reason_key("pec errore-consegna: no-dominio"), "ui.pec_reason_no_dominio");
  EXPECT_EQ(pec_reason_key("pec errore-consegna: virus (rilevato)"), "ui.pec_reason_virus");
  EXPECT_EQ(pec_reason_key("pec errore-consegna: altro (boh)"), "ui.pec_reason_errore_consegna");
  EXPECT_EQ(pec_reason_key("pec non-accettazione: altro (mittente non autorizzato)"),
            "ui.pec_reason_non_accettazione");
  EXPECT_EQ(pec_reason_key("pec rilevazione-virus"), "ui.pec_reason_virus");
  EXPECT_EQ(pec_reason_key("pec.no_acceptance: no acceptance receipt from the provider within 30 min"),
            "ui.pec_reason_no_acceptance");
  EXPECT_EQ(pec_reason_key("smtp 550 5.1.1 user unknown"), "");
  EXPECT_EQ(pec_reason_key(""), "");
  // Every key has its Italian and English text.
  sp::I18n i18n;
  i18n.load(sp::testing::source_dir() + "/web/locales");
  for (const char* k : {"ui.pec_reason_no_dest", "ui.pec_reason_no_dominio", "ui.pec_reason_virus",
                        "ui.pec_reason_errore_consegna", "ui.pec_reason_non_accettazione",
                        "ui.pec_reason_no_acceptance", "ui.pec_reason_preavviso"})
    for (const char* lang : {"it", "en"}) EXPECT_NE(i18n.t(lang, k), k) << lang << " " << k;
}

TEST(MessagingTemplates, PlaceholdersAreCheckedAndFilled) {
  const auto& t = type_named("case.grounds");
  EXPECT_TRUE(
      check_placeholders(t, "{body}: preavviso per {service}, entro il {last_day}", false, "body").ok());
  auto unknown = check_placeholders(t, "Gentile {nome}", false, "body");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "messaging.placeholder_unknown");
  EXPECT_EQ(unknown.error().detail, "{nome}");
  EXPECT_EQ(unknown.error().field, "body");
  EXPECT_EQ(check_placeholders(t, "Per {fiscal_code}", true, "subject").error().code,
            "messaging.placeholder_personal");
  EXPECT_EQ(check_placeholders(t, "Aperta {service", false, "sms").error().code,
            "messaging.placeholder_syntax");
  EXPECT_EQ(check_placeholders(type_named("case.submitted"), "{last_day}", false, "body").error().code,
            "messaging.placeholder_unknown")
      << "another type's placeholder";
  EXPECT_EQ(fill("{body} – {service} {unknown}", {{"body", "Comune di Asti"}, {"service", "Mensa"}}),
            "Comune di Asti – Mensa {unknown}");
}

// --- the service on both databases ----------------------------------------------------------------

// A channel that refuses every message for good, or accepts them.
class SwitchSender final : public Sender {
 public:
  bool refuse = false;
  std::vector<std::string> got;
  sp::Status send(const StoredMessage& m) override {
    if (refuse) return sp::Error::make("messaging.rejected", 502, "400 invalid number");
    got.push_back(m.message.recipient);
    return sp::Ok{};
  }
};

class MessagingModuleTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    audit_ = std::make_unique<sp::audit::AuditService>(db(), *clock_);
    profiles_ = std::make_unique<sp::identity::ProfileService>(db(), *audit_, *clock_);
    service_ = std::make_unique<MessagingService>(db(), *audit_, *profiles_, *clock_);
    service_->set_body_contacts([](std::int64_t tenant) {
      return tenant == 1 ? BodyContacts{"Comune di Asti", "urp@comune.asti.it",
                                        "protocollo@pec.comune.asti.it", "0141 399111"}
                         : BodyContacts{"Comune di Cassola", "", "", ""};
    });
    sp::identity::PersonStore people(db());
    for (const char* cf : {kPersonCf, kOtherCf}) {
      sp::identity::Person p;
      p.fiscal_code = cf;
      p.given_name = "Mario";
      p.family_name = "Rossi";
      db().write([&](sp::db::Conn& tx) { people.upsert_from_sign_in(tx, p, "2026-11-01T00:00:00Z"); });
    }
    person_.kind = PrincipalKind::person;
    person_.subject = kPersonCf;
    person_.roles = {Role::citizen};
    person_.auth_level = 2;
    asti_admin_ = staff(1, Role::body_admin);
    asti_operator_ = staff(1, Role::operator_);
    cassola_admin_ = staff(2, Role::body_admin);
  }
  static Principal staff(std::int64_t tenant, Role role) {
    Principal p;
    p.kind = PrincipalKind::staff;
    p.subject = "staff-" + std::to_string(tenant) + "-" + std::string(sp::identity::to_string(role));
    p.tenant_id = tenant;
    p.roles = {role};
    return p;
  }
  sp::db::Database& db() { return database_->db(); }
  sp::identity::ProfileActor actor() { return {kPersonCf, "127.0.0.1", ""}; }
  // Verifies `channel` with the code the outbox holds for it.
  void verify(const std::string& channel, Channel ch) {
    std::string code;
    for (const auto& m : list_messages(db(), MessageQuery{.person = kPersonCf}))
      if (m.message.channel == ch && m.message.type == "contact.code" && code.empty())
        code = code_from(m.message.body);
    ASSERT_EQ(code.size(), 6u) << channel;
    auto st = profiles_->confirm(actor(), channel, code);
    ASSERT_TRUE(st.ok()) << st.error().code;
  }

  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  std::unique_ptr<sp::audit::AuditService> audit_;
  std::unique_ptr<sp::identity::ProfileService> profiles_;
  std::unique_ptr<MessagingService> service_;
  Principal person_, asti_admin_, asti_operator_, cassola_admin_;
};

TEST_P(MessagingModuleTest, APecAddressIsVerifiedByACodeSentByPecAndLegalActsGoThere) {
  sp::identity::ContactsForm form{"mario@example.it", "", "email", "",
                                  std::string("Mario.Rossi@PEC.example.it")};
  auto done = profiles_->update_contacts(actor(), form);
  ASSERT_TRUE(done.ok()) << done.error().code;
  EXPECT_TRUE(done->pec_code_sent);
  EXPECT_EQ(done->person.pec, "Mario.Rossi@pec.example.it");
  auto pending = profiles_->pending(kPersonCf);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(service_->route(kPersonCf, "case.grounds").send.size(), 0u) << "nothing verified yet";
  EXPECT_EQ(profiles_->confirm(actor(), "pec", "000000").error().code, "profile.code_wrong");
  verify("pec", Channel::pec);
  verify("email", Channel::email);
  auto p = profiles_->show(kPersonCf);
  EXPECT_FALSE(p->pec_verified_at.empty());
  auto grounds = service_->route(kPersonCf, "case.grounds");
  ASSERT_EQ(grounds.send.size(), 2u);
  EXPECT_EQ(grounds.send[0].channel, Channel::pec);
  EXPECT_EQ(grounds.send[1].channel, Channel::email);
  // A form without the PEC field keeps it; an invalid one is refused.
  ASSERT_TRUE(profiles_->update_contacts(actor(), {"mario@example.it", "", "email", "", std::nullopt}).ok());
  EXPECT_EQ(profiles_->show(kPersonCf)->pec, "Mario.Rossi@pec.example.it");
  EXPECT_EQ(profiles_->update_contacts(actor(), {"mario@example.it", "", "email", "", std::string("no")})
                .error()
                .code,
            "profile.pec_invalid");
  // The codes are the person's messages, visible in their area without the code itself on the page.
  auto mine = service_->my_messages(&person_);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->size(), 2u);
}

TEST_P(MessagingModuleTest, APersonChoosesOnlyVerifiedChannelsAndOnlyForTheirOwnTypes) {
  ASSERT_TRUE(profiles_->update_contacts(actor(), {"mario@example.it", "333 1234567", "email", ""}).ok());
  verify("email", Channel::email);
  auto unusable = service_->set_preferences(&person_, {{"case.message", "sms"}});
  ASSERT_FALSE(unusable);
  EXPECT_EQ(unusable.error().code, "messaging.channel_unusable");
  EXPECT_EQ(unusable.error().field, "pref_case.message");
  verify("sms", Channel::sms);
  EXPECT_EQ(service_->set_preferences(&person_, {{"case.grounds", "sms"}}).error().code, "messaging.type")
      << "a legal act's channel is not the person's to choose";
  EXPECT_EQ(service_->set_preferences(&person_, {{"nope", "sms"}}).error().code, "messaging.type");
  ASSERT_TRUE(service_->set_preferences(&person_, {{"case.message", "sms"}, {"payment.due", "appio"}}).ok());
  auto prefs = service_->preferences(&person_);
  ASSERT_TRUE(prefs.ok());
  for (const auto& c : *prefs) {
    if (c.type->name == "case.message") {
      EXPECT_EQ(c.choice, "sms");
      EXPECT_EQ(c.plan.send.at(0).channel, Channel::sms);
      EXPECT_EQ(c.plan.fallbacks.at(0).channel, Channel::email);
    }
    if (c.type->name == "case.submitted") EXPECT_EQ(c.plan.send.at(0).channel, Channel::email);
  }
  ASSERT_TRUE(service_->set_preferences(&person_, {{"case.message", ""}}).ok());  // back to the default
  EXPECT_EQ(service_->route(kPersonCf, "case.message").send.at(0).channel, Channel::email);
  EXPECT_EQ(service_->set_preferences(&asti_admin_, {{"case.message", "email"}}).error().http_status, 403);
  EXPECT_EQ(service_->set_preferences(nullptr, {}).error().http_status, 401);
}

TEST_P(MessagingModuleTest, AChannelThatFailsForGoodIsFollowedByTheNextOne) {
  sp::jobs::Runner runner(db(), *clock_);
  Delivery delivery(DeliveryOptions{.max_attempts = 2, .clock = clock_.get()});
  auto sms = std::make_shared<SwitchSender>();
  auto email = std::make_shared<SwitchSender>();
  sms->refuse = true;
  delivery.set_sender(Channel::sms, sms);
  delivery.set_sender(Channel::email, email);
  delivery.register_with(runner);
  Message m{1, Channel::sms, "+393331234567", "", "Asti: nuovo messaggio sulla tua pratica"};
  m.person = kPersonCf;
  m.type = "case.message";
  m.fallbacks = {
      {Channel::email, "mario@example.it", "Nuovo messaggio", "Leggi il messaggio nella pratica."}};
  std::string id;
  db().write([&](sp::db::Conn& tx) { id = *enqueue(tx, m, *clock_); });
  runner.run_until_idle();
  EXPECT_EQ(find_message(db(), id)->status, "permanent_failure");
  ASSERT_EQ(email->got.size(), 1u);
  EXPECT_EQ(email->got[0], "mario@example.it");
  auto all = list_messages(db(), MessageQuery{.tenant_id = 1});
  ASSERT_EQ(all.size(), 2u);
  const auto& stand_in = all[0].id == id ? all[1] : all[0];
  EXPECT_EQ(stand_in.message.fallback_of, id);
  EXPECT_EQ(stand_in.status, "delivered");
  EXPECT_EQ(stand_in.message.person, kPersonCf);
  EXPECT_EQ(stand_in.message.type, "case.message");
  EXPECT_TRUE(stand_in.message.fallbacks.empty());

  // A gateway that keeps failing: dead after its attempts, and the e-mail stands in too.
  sms->refuse = false;
  struct Down final : Sender {
    sp::Status send(const StoredMessage&) override { return sp::Error::make("messaging.sms", 503, "down"); }
  };
  delivery.set_sender(Channel::sms, std::make_shared<Down>());
  db().write([&](sp::db::Conn& tx) { id = *enqueue(tx, m, *clock_); });
  runner.run_until_idle();
  clock_->advance(1h);
  runner.run_until_idle();
  EXPECT_EQ(find_message(db(), id)->status, "dead");
  EXPECT_EQ(email->got.size(), 2u);
}

TEST_P(MessagingModuleTest, TemplatesAreCheckedWhenSavedAndFilledWithTheBodysContacts) {
  TemplateForm f{
      "case.grounds", "it", "Preavviso di rigetto: {service}",
      "{body} ti comunica i motivi ostativi (prot. {protocol}). Osservazioni entro il {last_day}.\n"
      "Scrivi a {body_pec} o chiama {body_phone}.",
      "{body}: preavviso di rigetto, osservazioni entro il {last_day}: {link}"};
  auto bad = f;
  bad.body = "Gentile {nome}, ...";
  auto refused = service_->save_template(&asti_admin_, 1, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "messaging.placeholder_unknown");
  EXPECT_EQ(refused.error().detail, "{nome}");
  bad = f;
  bad.subject = "Preavviso per {fiscal_code}";
  EXPECT_EQ(service_->save_template(&asti_admin_, 1, bad).error().code, "messaging.placeholder_personal");
  bad = f;
  bad.sms = " ";
  EXPECT_EQ(service_->save_template(&asti_admin_, 1, bad).error().code, "messaging.template_empty");
  bad = f;
  bad.type = "contact.code";
  EXPECT_EQ(service_->save_template(&asti_admin_, 1, bad).error().code, "messaging.type");
  EXPECT_TRUE(store::templates(db(), 1).empty()) << "nothing refused was saved";

  EXPECT_EQ(service_->save_template(&asti_operator_, 1, f).error().http_status, 403) << "administrators only";
  EXPECT_EQ(service_->save_template(&cassola_admin_, 1, f).error().http_status, 403) << "another body";
  auto v1 = service_->save_template(&asti_admin_, 1, f);
  ASSERT_TRUE(v1.ok()) << v1.error().code;
  EXPECT_EQ(*v1, 1);
  EXPECT_EQ(*service_->save_template(&asti_admin_, 1, f), 2);

  auto texts = service_->texts(1, "case.grounds", "it",
                               {{"service", "Mensa"}, {"protocol", "12/2026"}, {"last_day", "03/12/2026"}});
  ASSERT_TRUE(texts.has_value());
  EXPECT_EQ(texts->subject, "Preavviso di rigetto: Mensa");
  EXPECT_NE(texts->body.find("Comune di Asti ti comunica"), std::string::npos) << texts->body;
  EXPECT_NE(texts->body.find("protocollo@pec.comune.asti.it"), std::string::npos);
  EXPECT_NE(texts->body.find("0141 399111"), std::string::npos);
  EXPECT_FALSE(service_->texts(1, "case.grounds", "en", {}).has_value()) << "English: the hub's text";
  EXPECT_FALSE(service_->texts(2, "case.grounds", "it", {}).has_value()) << "Cassola has none";
  EXPECT_EQ(service_->templates(&cassola_admin_, 1).error().http_status, 403);
  EXPECT_EQ(service_->templates(&cassola_admin_, 2)->size(), 0u);
  EXPECT_EQ(service_->reset_template(&cassola_admin_, 1, "case.grounds", "it").error().http_status, 403);
  ASSERT_TRUE(service_->reset_template(&asti_admin_, 1, "case.grounds", "it").ok());
  EXPECT_FALSE(service_->texts(1, "case.grounds", "it", {}).has_value());
}

TEST_P(MessagingModuleTest, StaffSeeAndActOnTheirOwnBodysMessagesOnly) {
  Message m{1, Channel::email, "mario@example.it", "Domanda ricevuta", "Testo"};
  m.person = kPersonCf;
  m.type = "case.submitted";
  std::string asti, cassola;
  db().write([&](sp::db::Conn& tx) {
    asti = *enqueue(tx, m, *clock_);
    m.tenant_id = 2;
    cassola = *enqueue(tx, m, *clock_);
  });
  auto list = service_->body_messages(&asti_operator_, 1, "");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).id, asti);
  EXPECT_EQ(service_->body_messages(&cassola_admin_, 1, "").error().http_status, 403);
  EXPECT_EQ(service_->body_message(&cassola_admin_, 1, asti).error().http_status, 403);
  EXPECT_EQ(service_->body_message(&cassola_admin_, 2, asti).error().http_status, 404)
      << "another body's message through one's own body";
  EXPECT_EQ(service_->cancel(&cassola_admin_, 2, asti).error().http_status, 404);
  EXPECT_EQ(service_->retry(&cassola_admin_, 1, asti).error().http_status, 403);
  auto c = service_->cancel(&asti_operator_, 1, asti);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(find_message(db(), asti)->status, "cancelled");
  EXPECT_EQ(find_message(db(), cassola)->status, "queued");
  EXPECT_EQ(service_->retry(&asti_operator_, 1, asti).error().code, "messaging.state");
  // The person sees both bodies' messages; someone else sees neither.
  EXPECT_EQ(service_->my_messages(&person_)->size(), 2u);
  auto detail = service_->my_message(&person_, cassola);
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->message.message.tenant_id, 2);
  Principal other = person_;
  other.subject = kOtherCf;
  EXPECT_TRUE(service_->my_messages(&other)->empty());
  EXPECT_EQ(service_->my_message(&other, asti).error().http_status, 404);
  EXPECT_EQ(service_->my_messages(&asti_admin_).error().http_status, 403);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, MessagingModuleTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
