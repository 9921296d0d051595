// The profile's contact preferences on both databases: codes go through the outbox to the SMTP sink and
// the SMS gateway simulator, wrong codes count, right codes verify, channels need verification.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "adapters/messaging/email.hpp"
#include "adapters/messaging/outbox.hpp"
#include "adapters/messaging/sms.hpp"
#include "adapters/messaging/sms_simulator.hpp"
#include "adapters/messaging/smtp_sink.hpp"
#include "audit/service.hpp"
#include "http/server.hpp"
#include "identity/profile_service.hpp"
#include "support/testing.hpp"

namespace {

using namespace sp::identity;
using namespace sp::messaging;
using namespace std::chrono_literals;

constexpr const char* kCf = "RSSMRA80A01H501U";

std::string code_in(const std::string& text) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(R"(\b(\d{6})\b)")) ? m[1].str() : std::string();
}

class ProfileTest : public ::testing::TestWithParam<sp::db::Dialect> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<sp::testing::TestDatabase>(GetParam());
    clock_ = std::make_unique<sp::time::TestClock>(sp::time::parse_iso_utc("2026-11-23T10:00:00Z").value());
    audit_ = std::make_unique<sp::audit::AuditService>(db(), *clock_);
    profile_ = std::make_unique<ProfileService>(db(), *audit_, *clock_);
    sink_ = std::make_unique<SmtpSink>();
    sink_->start();
    sms_ = std::make_unique<SmsGatewaySimulator>("k");
    sms_->register_routes(router_);
    sp::http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    o.access_log = false;
    server_ = std::make_unique<sp::http::Server>(o, router_);
    server_->listen();
    server_thread_ = std::thread([this] { server_->run(); });
    delivery_ = std::make_unique<Delivery>();
    dispatcher_ = std::make_unique<sp::jobs::Runner>(db(), *clock_);
    delivery_->register_with(*dispatcher_);
    delivery_->set_sender(Channel::email,
                          std::make_shared<EmailSender>(EmailOptions{.smtp_url = sink_->url()}, *clock_));
    delivery_->set_sender(
        Channel::sms, std::make_shared<SmsSender>(SmsOptions{
                          "http://127.0.0.1:" + std::to_string(server_->port()) + "/sim/sms/messages", "k"}));
    PersonStore people(db());
    Person p;
    p.fiscal_code = kCf;
    p.given_name = "Mario";
    p.family_name = "Rossi";
    p.birth_date = "1980-01-01";
    db().write([&](sp::db::Conn& tx) { people.upsert_from_sign_in(tx, p, "2026-11-23T09:00:00Z"); });
    // These tests start from "no channel preferred", so that choosing e-mail or SMS is a change; the
    // default a sign-in leaves (e-mail preferred, unverified) has its own test.
    db().write([&](sp::db::Conn& tx) {
      tx.exec("UPDATE persons SET preferred_channel = 'none' WHERE fiscal_code = $1", {std::string(kCf)});
    });
  }
  void TearDown() override {
    dispatcher_.reset();
    server_->stop(2000ms);
    server_thread_.join();
  }
  sp::db::Database& db() { return database_->db(); }
  Person person() { return profile_->show(kCf).value(); }

  // Delivers what is due and returns the code in the newest e-mail received.
  std::string deliver_and_read_email_code(std::size_t expected_count) {
    dispatcher_->run_once();
    EXPECT_TRUE(sink_->wait_for(expected_count, 10s));
    auto mails = sink_->messages();
    if (mails.empty()) return {};
    return code_in(mails.back().body());
  }
  std::size_t audited(const std::string& action) {
    sp::audit::Query q;
    q.action = action;
    return audit_->entries(0, q).entries.size();
  }

  ProfileActor actor_{kCf, "192.0.2.1", ""};
  std::unique_ptr<sp::testing::TestDatabase> database_;
  std::unique_ptr<sp::time::TestClock> clock_;
  std::unique_ptr<sp::audit::AuditService> audit_;
  std::unique_ptr<ProfileService> profile_;
  std::unique_ptr<SmtpSink> sink_;
  std::unique_ptr<SmsGatewaySimulator> sms_;
  sp::http::Router router_;
  std::unique_ptr<sp::http::Server> server_;
  std::thread server_thread_;
  std::unique_ptr<Delivery> delivery_;
  std::unique_ptr<sp::jobs::Runner> dispatcher_;  // runs the outbox's deliveries
};

TEST_P(ProfileTest, EmailCodeArrivesWrongCodesCountRightCodeVerifies) {
  // E-mail cannot be preferred while unverified: nothing is saved.
  auto refused = profile_->update_contacts(actor_, {"Mario.Rossi@Example.IT", "", "email"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "profile.channel_unverified");
  EXPECT_EQ(refused.error().field, "preferred_channel");
  EXPECT_EQ(person().email, "");
  EXPECT_TRUE(list_messages(db()).empty());

  auto done = profile_->update_contacts(actor_, {"Mario.Rossi@Example.IT", "", "io"});
  ASSERT_TRUE(done.ok()) << done.error().code;
  EXPECT_TRUE(done->email_code_sent);
  EXPECT_EQ(person().email, "Mario.Rossi@example.it");
  EXPECT_EQ(person().email_verified_at, "");
  EXPECT_EQ(person().preferred_channel, "io");
  EXPECT_EQ(audited("profile.contacts.update"), 1u);

  const std::string code = deliver_and_read_email_code(1);
  ASSERT_EQ(code.size(), 6u);
  auto mail = sink_->messages().back();
  EXPECT_EQ(mail.rcpt_to.at(0), "Mario.Rossi@example.it");
  EXPECT_NE(mail.subject().find("codice di verifica"), std::string::npos);
  auto pending = profile_->pending(kCf);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].channel, "email");
  EXPECT_EQ(pending[0].attempts_left, 5);

  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto w = profile_->confirm(actor_, "email", wrong);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, "profile.code_wrong");
  EXPECT_EQ(w.error().detail, "4");
  EXPECT_EQ(profile_->pending(kCf).at(0).attempts_left, 4) << "the wrong attempt was counted and committed";
  EXPECT_EQ(profile_->confirm(actor_, "email", "12a456").error().code, "profile.code_format");

  auto ok = profile_->confirm(actor_, "email", code);
  ASSERT_TRUE(ok.ok()) << ok.error().code;
  EXPECT_EQ(person().email_verified_at, "2026-11-23T10:00:00Z");
  EXPECT_EQ(audited("profile.contacts.verify"), 1u);
  EXPECT_EQ(profile_->confirm(actor_, "email", code).error().code, "profile.code_none") << "single use";
  EXPECT_TRUE(profile_->pending(kCf).empty());

  // Now e-mail can be preferred; saving the same address sends nothing new.
  auto pref = profile_->update_contacts(actor_, {"mario.rossi@example.it ", "", "email"});
  ASSERT_FALSE(pref.ok()) << "the local part is case-sensitive: a different address";
  EXPECT_EQ(pref.error().code, "profile.channel_unverified");
  auto pref2 = profile_->update_contacts(actor_, {"Mario.Rossi@EXAMPLE.it", "", "email"});
  ASSERT_TRUE(pref2.ok()) << pref2.error().code;
  EXPECT_FALSE(pref2->email_code_sent);
  EXPECT_EQ(person().preferred_channel, "email");
  EXPECT_EQ(list_messages(db()).size(), 1u);

  // Changing the address clears its verification and needs e-mail no longer preferred.
  EXPECT_EQ(profile_->update_contacts(actor_, {"altro@example.org", "", "email"}).error().code,
            "profile.channel_unverified");
  auto changed = profile_->update_contacts(actor_, {"altro@example.org", "", "none"});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(person().email_verified_at, "");
  EXPECT_EQ(profile_->confirm(actor_, "email", code).error().code, "profile.code_wrong")
      << "the new address has its own code";
  EXPECT_EQ(list_messages(db()).size(), 2u);
}

TEST_P(ProfileTest, FiveWrongCodesLockTheCodeUntilANewOneIsSent) {
  ASSERT_TRUE(profile_->update_contacts(actor_, {"a@example.org", "", "none"}).ok());
  const std::string code = deliver_and_read_email_code(1);
  const std::string wrong = code == "999999" ? "888888" : "999999";
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(profile_->confirm(actor_, "email", wrong).error().detail, std::to_string(5 - i));
  }
  auto fifth = profile_->confirm(actor_, "email", wrong);
  EXPECT_EQ(fifth.error().code, "profile.code_attempts");
  EXPECT_EQ(fifth.error().http_status, 429);
  EXPECT_EQ(profile_->confirm(actor_, "email", code).error().code, "profile.code_attempts")
      << "even the right code is refused now";
  EXPECT_TRUE(person().email_verified_at.empty());

  // Resend: at most once a minute; the new code replaces the old one.
  auto soon = profile_->resend(actor_, "email");
  ASSERT_FALSE(soon.ok());
  EXPECT_EQ(soon.error().code, "profile.resend_too_soon");
  EXPECT_EQ(soon.error().detail, "60");
  clock_->advance(61s);
  ASSERT_TRUE(profile_->resend(actor_, "email").ok());
  const std::string fresh = deliver_and_read_email_code(2);
  ASSERT_EQ(fresh.size(), 6u);
  if (fresh != code) {
    EXPECT_EQ(profile_->confirm(actor_, "email", code).error().code, "profile.code_wrong");
  }
  EXPECT_TRUE(profile_->confirm(actor_, "email", fresh).ok());
  EXPECT_EQ(profile_->resend(actor_, "email").error().code, "profile.nothing_to_verify");
}

TEST_P(ProfileTest, AMobileIsAddedWhileTheDefaultUnverifiedEmailStaysPreferred) {
  // Issue 11: a person signed in with SPID has e-mail preferred (the default) and the SPID address
  // unverified; saving a mobile number with that preselected choice failed.
  db().write([&](sp::db::Conn& tx) {
    tx.exec(
        "UPDATE persons SET preferred_channel = 'email', email = 'mario@example.org' WHERE fiscal_code = $1",
        {std::string(kCf)});
  });
  auto added = profile_->update_contacts(actor_, {"mario@example.org", "+39 333 1234567", "email"});
  ASSERT_TRUE(added.ok()) << added.error().code;
  EXPECT_TRUE(added->mobile_code_sent);
  EXPECT_EQ(person().mobile, "+393331234567");
  EXPECT_EQ(person().preferred_channel, "email");
  // Switching to the unverified mobile is still refused, and so is making a verified e-mail unverified
  // while it is preferred (checked in the tests above).
  EXPECT_EQ(profile_->update_contacts(actor_, {"mario@example.org", "+39 333 1234567", "sms"}).error().code,
            "profile.channel_unverified");
}

TEST_P(ProfileTest, CodesExpireAfterFifteenMinutes) {
  ASSERT_TRUE(profile_->update_contacts(actor_, {"a@example.org", "", "none"}).ok());
  const std::string code = deliver_and_read_email_code(1);
  clock_->advance(15min);
  EXPECT_EQ(profile_->confirm(actor_, "email", code).error().code, "profile.code_expired");
  EXPECT_TRUE(profile_->pending(kCf).empty());
}

TEST_P(ProfileTest, MobileIsNormalisedVerifiedBySmsAndThenPreferable) {
  auto done = profile_->update_contacts(actor_, {"", "+39 333 1234567", "sms"});
  EXPECT_EQ(done.error().code, "profile.channel_unverified");
  done = profile_->update_contacts(actor_, {"", "+39 333 1234567", "io"});
  ASSERT_TRUE(done.ok()) << done.error().code;
  EXPECT_TRUE(done->mobile_code_sent);
  EXPECT_EQ(person().mobile, "+393331234567");
  dispatcher_->run_once();
  ASSERT_TRUE(sms_->wait_for(1, 10s));
  auto sms = sms_->messages().at(0);
  EXPECT_EQ(sms.to, "+393331234567");
  const auto code = code_in(sms.text);
  ASSERT_EQ(code.size(), 6u);
  ASSERT_TRUE(profile_->confirm(actor_, "sms", code).ok());
  EXPECT_FALSE(person().mobile_verified_at.empty());
  ASSERT_TRUE(profile_->update_contacts(actor_, {"", "3331234567", "sms"}).ok())
      << "same number, other spelling";
  EXPECT_EQ(person().preferred_channel, "sms");
  EXPECT_EQ(sms_->count(), 1u);
  // Removing the preferred mobile is refused; with another channel it is allowed.
  EXPECT_EQ(profile_->update_contacts(actor_, {"", "", "sms"}).error().code, "profile.channel_unverified");
  ASSERT_TRUE(profile_->update_contacts(actor_, {"", "", "none"}).ok());
  EXPECT_EQ(person().mobile, "");
  EXPECT_EQ(audited("profile.contacts.update"), 3u);
}

TEST_P(ProfileTest, InvalidInputsAreRejectedWithCodesAndChangeNothing) {
  struct Case {
    ContactsForm form;
    const char* code;
    const char* field;
  };
  const Case cases[] = {
      {{"not-an-email", "", "none"}, "profile.email_invalid", "email"},
      {{"a@b", "", "none"}, "profile.email_invalid", "email"},
      {{"a..b@example.org", "", "none"}, "profile.email_invalid", "email"},
      {{"a b@example.org", "", "none"}, "profile.email_invalid", "email"},
      {{"a@-example.org", "", "none"}, "profile.email_invalid", "email"},
      {{"a@example.c0m", "", "none"}, "profile.email_invalid", "email"},
      {{"", "12345", "none"}, "profile.mobile_invalid", "mobile"},
      {{"", "06 1234567", "none"}, "profile.mobile_invalid", "mobile"},
      {{"", "+39 06 1234567", "none"}, "profile.mobile_invalid", "mobile"},
      {{"", "333 12345678901", "none"}, "profile.mobile_invalid", "mobile"},
      {{"", "+39 333 abc4567", "none"}, "profile.mobile_invalid", "mobile"},
      {{"", "", "fax"}, "profile.channel_invalid", "preferred_channel"},
      {{"", "", "email"}, "profile.channel_unverified", "preferred_channel"},
  };
  for (const auto& c : cases) {
    auto r = profile_->update_contacts(actor_, c.form);
    ASSERT_FALSE(r.ok()) << c.form.email << c.form.mobile << c.form.preferred_channel;
    EXPECT_EQ(r.error().code, c.code) << c.form.email << c.form.mobile;
    EXPECT_EQ(r.error().field, c.field);
  }
  EXPECT_EQ(person().email, "");
  EXPECT_EQ(person().preferred_channel, "none") << "what was stored stays until the person changes it";
  EXPECT_TRUE(list_messages(db()).empty());
  EXPECT_EQ(audited("profile.contacts.update"), 0u);
  EXPECT_EQ(profile_->confirm(actor_, "fax", "123456").error().code, "profile.channel_invalid");
  EXPECT_EQ(profile_->confirm(actor_, "email", "123456").error().code, "profile.code_none");
}

TEST_P(ProfileTest, UnknownPersonIsNotFound) {
  ProfileActor stranger{"BNCGLI92L55F205A", "", ""};
  EXPECT_EQ(profile_->update_contacts(stranger, {"a@example.org", "", "none"}).error().code, "not_found");
  EXPECT_EQ(profile_->show("BNCGLI92L55F205A").error().http_status, 404);
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, ProfileTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres),
                         [](const auto& info) {
                           return info.param == sp::db::Dialect::sqlite ? "sqlite" : "postgres";
                         });

TEST(ContactNormalisation, MobilesBecomeE164) {
  for (const char* in :
       {"+39 333 1234567", "3331234567", "0039 333-1234567", "+39 (333) 123.4567", " 333 123 4567 "}) {
    auto r = normalise_mobile(in);
    ASSERT_TRUE(r.ok()) << in;
    EXPECT_EQ(*r, "+393331234567") << in;
  }
  EXPECT_EQ(normalise_mobile("+41 79 123 45 67").value(), "+41791234567");
  EXPECT_EQ(normalise_mobile("+44 7911 123456").value(), "+447911123456");
  EXPECT_FALSE(normalise_mobile("+0 123456789").ok());
  EXPECT_FALSE(normalise_mobile("").ok());
  EXPECT_FALSE(normalise_mobile("+").ok());
}

TEST(ContactNormalisation, EmailsKeepTheLocalPartAndLowerTheDomain) {
  EXPECT_EQ(normalise_email("  Mario.Rossi+pa@Comune.Asti.IT ").value(), "Mario.Rossi+pa@comune.asti.it");
  EXPECT_EQ(normalise_email("o'neil@example.co.uk").value(), "o'neil@example.co.uk");
  EXPECT_FALSE(normalise_email("mario@@example.it").ok());
  EXPECT_FALSE(normalise_email(".mario@example.it").ok());
  EXPECT_FALSE(normalise_email("mario@example").ok());
  EXPECT_FALSE(normalise_email("màrio@example.it").ok());
}

}  // namespace
