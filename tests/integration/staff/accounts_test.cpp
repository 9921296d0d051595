// Staff accounts: creation rules, sign-in, lock-out, TOTP, role changes, password reset, and the
// permission boundary between bodies. Both databases, test clock.
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "core/crypto/encoding.hpp"
#include "core/crypto/password.hpp"
#include "core/crypto/totp.hpp"
#include "core/digest.hpp"
#include "staff_fixture.hpp"

namespace staff_test {
namespace {

using sp::db::Conn;

std::string code_at(const std::string& secret_b32, sp::time::TimePoint at) {
  return sp::crypto::totp_code(sp::crypto::base32_decode(secret_b32).value(), at);
}

TEST_P(StaffTest, CreatingAnAccountChecksEmailNameRolesAndPasswordPolicy) {
  const Principal* admin = asti_admin_.get();
  auto short_pw = make(admin, kAsti, "op@asti.example", {Role::operator_}, "corta");
  ASSERT_FALSE(short_pw.ok());
  EXPECT_EQ(short_pw.error().code, "password.too_short");
  EXPECT_EQ(short_pw.error().field, "password");
  auto same_as_login =
      make(admin, kAsti, "lungo.indirizzo@asti.example", {Role::operator_}, "LUNGO.INDIRIZZO@asti.example");
  ASSERT_FALSE(same_as_login.ok());
  EXPECT_EQ(same_as_login.error().code, "password.username");
  EXPECT_EQ(make(admin, kAsti, "not-an-email", {Role::operator_}).error().code, "staff.email");
  EXPECT_EQ(make(admin, kAsti, "op@asti.example", {}).error().code, "staff.role");
  EXPECT_EQ(make(admin, kAsti, "op@asti.example", {Role::hub_admin}).error().code, "staff.role");
  EXPECT_EQ(make(admin, kAsti, "op@asti.example", {Role::citizen}).error().code, "staff.role");
  auto nameless =
      staff_->create(admin, NewStaff{kAsti, "op@asti.example", "  ", kGoodPassword, {}, {Role::operator_}});
  EXPECT_EQ(nameless.error().code, "staff.name");

  auto ok = make(admin, kAsti, "  Op@Asti.Example ", {Role::operator_, Role::office_manager});
  ASSERT_TRUE(ok.ok()) << ok.error().code;
  EXPECT_EQ(ok->email, "op@asti.example");
  EXPECT_EQ(ok->tenant_id, kAsti);
  EXPECT_EQ(ok->roles, (std::set<Role>{Role::operator_, Role::office_manager}));
  EXPECT_TRUE(ok->active);
  EXPECT_FALSE(ok->totp_enrolled);
  EXPECT_GE(ok->id.size(), 20u);

  auto taken = make(admin, kAsti, "OP@asti.example", {Role::operator_});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, "staff.email_taken");
  EXPECT_EQ(taken.error().http_status, 409);

  std::string stored;
  db().read([&](Conn& c) {
    stored = c.query_one("SELECT password_hash FROM staff_accounts WHERE id = $1", {ok->id})->text(0);
  });
  EXPECT_EQ(stored.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(stored.find(kGoodPassword), std::string::npos);
}

// An account brought with its argon2id hash keeps it (and signs in with its password); anything else
// given as a hash is refused and nothing is stored.
TEST_P(StaffTest, AnImportedArgon2idHashIsKeptAndAnythingElseIsRefused) {
  const Principal* admin = asti_admin_.get();
  const std::string hash = sp::crypto::hash_password(kGoodPassword).value();
  NewStaff bad{kAsti, "imp@asti.example", "Importato", "", "$2b$12$notargon2idatall", {Role::operator_}};
  auto refused = staff_->create(admin, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "staff.password_hash");
  EXPECT_FALSE(staff_->account_by_email("imp@asti.example").has_value());

  NewStaff good{kAsti, "imp@asti.example", "Importato", "", hash, {Role::operator_}};
  auto created = staff_->create(admin, good);
  ASSERT_TRUE(created.ok()) << created.error().code;
  std::string stored;
  db().read([&](Conn& c) {
    stored = c.query_one("SELECT password_hash FROM staff_accounts WHERE id = $1", {created->id})->text(0);
  });
  EXPECT_EQ(stored, hash);
  EXPECT_TRUE(staff_->sign_in("imp@asti.example", kGoodPassword, "").ok());
  EXPECT_FALSE(staff_->sign_in("imp@asti.example", "another good long password", "").ok());
  // Another body's administrator cannot import into Asti.
  NewStaff other{kAsti, "imp2@asti.example", "Importato", "", hash, {Role::operator_}};
  EXPECT_EQ(staff_->create(novara_admin_.get(), other).error().http_status, 403);
}

TEST_P(StaffTest, SignInWithTheRightPasswordOpensAStaffSessionOfTheAccountsBody) {
  auto op = make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_});
  ASSERT_TRUE(op.ok());
  auto ns = staff_->sign_in("OP@asti.example ", kGoodPassword, "");
  ASSERT_TRUE(ns.ok()) << ns.error().code;
  EXPECT_EQ(ns->kind, PrincipalKind::staff);
  EXPECT_EQ(ns->subject, op->id);
  EXPECT_EQ(ns->tenant_id, kAsti);
  EXPECT_EQ(ns->roles, std::set<Role>{Role::operator_});
  EXPECT_EQ(ns->display_name, "Staff op@asti.example");

  auto wrong = staff_->sign_in("op@asti.example", kGoodPassword + "x", "");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "staff.invalid_credentials");
  EXPECT_EQ(wrong.error().http_status, 401);
}

TEST_P(StaffTest, AnUnknownEmailGetsTheSameAnswerAsAWrongPassword) {
  ASSERT_TRUE(make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_}).ok());
  auto wrong = staff_->sign_in("op@asti.example", "sbagliata sbagliata", "");
  auto unknown = staff_->sign_in("nessuno@asti.example", "sbagliata sbagliata", "");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, wrong.error().code);
  EXPECT_EQ(unknown.error().http_status, wrong.error().http_status);
  EXPECT_EQ(unknown.error().detail, wrong.error().detail);
  // ... and after five failures both are locked out alike.
  for (int i = 0; i < 4; ++i) {
    (void)staff_->sign_in("op@asti.example", "sbagliata sbagliata", "");
    (void)staff_->sign_in("nessuno@asti.example", "sbagliata sbagliata", "");
  }
  EXPECT_EQ(staff_->sign_in("op@asti.example", "sbagliata sbagliata", "").error().code, "staff.locked");
  EXPECT_EQ(staff_->sign_in("nessuno@asti.example", "sbagliata sbagliata", "").error().code, "staff.locked");
}

TEST_P(StaffTest, FiveFailuresLockTheAccountForFifteenMinutes) {
  ASSERT_TRUE(make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_}).ok());
  // Four failures, then a success: the counter starts again.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(staff_->sign_in("op@asti.example", "sbagliata", "").error().code, "staff.invalid_credentials");
  }
  ASSERT_TRUE(staff_->sign_in("op@asti.example", kGoodPassword, "").ok());
  for (int i = 0; i < 4; ++i) (void)staff_->sign_in("op@asti.example", "sbagliata", "");
  ASSERT_TRUE(staff_->sign_in("op@asti.example", kGoodPassword, "").ok());

  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(staff_->sign_in("op@asti.example", "sbagliata", "").error().code, "staff.invalid_credentials");
  }
  auto locked = staff_->sign_in("op@asti.example", kGoodPassword, "");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, "staff.locked");
  EXPECT_EQ(locked.error().http_status, 423);
  EXPECT_EQ(locked.error().detail, "15");
  EXPECT_TRUE(staff_->account_by_email("op@asti.example")->locked);
  clock_->advance(14min + 59s);
  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, "").error().code, "staff.locked");
  clock_->advance(1s);
  auto again = staff_->sign_in("op@asti.example", kGoodPassword, "");
  ASSERT_TRUE(again.ok()) << again.error().code;
  EXPECT_FALSE(staff_->account_by_email("op@asti.example")->locked);
}

TEST_P(StaffTest, TotpIsRequiredWhenTheBodySaysSoAndACodeWorksOnce) {
  ASSERT_TRUE(make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_}).ok());
  ASSERT_TRUE(make(novara_admin_.get(), kNovara, "op@novara.example", {Role::operator_}).ok());
  // Only Asti's administrator may change Asti's setting.
  EXPECT_EQ(staff_->set_totp_required(novara_admin_.get(), kAsti, true).error().http_status, 403);
  ASSERT_TRUE(staff_->set_totp_required(asti_admin_.get(), kAsti, true).ok());
  EXPECT_TRUE(staff_->totp_required(kAsti));
  EXPECT_FALSE(staff_->totp_required(kNovara));
  EXPECT_TRUE(staff_->sign_in("op@novara.example", kGoodPassword, "").ok());

  auto must_enrol = staff_->sign_in("op@asti.example", kGoodPassword, "");
  ASSERT_FALSE(must_enrol.ok());
  EXPECT_EQ(must_enrol.error().code, "staff.totp_enrolment_required");
  // The server chooses the secret, and only after the password; enrolment needs the password too.
  EXPECT_EQ(staff_->offer_totp_enrolment("op@asti.example", "sbagliata").error().code,
            "staff.invalid_credentials");
  const auto offered = staff_->offer_totp_enrolment("op@asti.example", kGoodPassword);
  ASSERT_TRUE(offered.ok());
  const auto secret = *offered;
  EXPECT_EQ(*staff_->offer_totp_enrolment("op@asti.example", kGoodPassword), secret)
      << "the same offer again";
  auto now = clock_->now();
  EXPECT_EQ(staff_->sign_in_enrolling_totp("op@asti.example", "sbagliata", code_at(secret, now)).error().code,
            "staff.invalid_credentials");
  auto enrolled = staff_->sign_in_enrolling_totp("op@asti.example", kGoodPassword, code_at(secret, now));
  ASSERT_TRUE(enrolled.ok()) << enrolled.error().code;
  EXPECT_TRUE(staff_->account_by_email("op@asti.example")->totp_enrolled);

  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, "").error().code, "staff.totp_required");
  // The code used for enrolment cannot be used again in the same step.
  auto replay = staff_->sign_in("op@asti.example", kGoodPassword, code_at(secret, now));
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, "staff.totp_replayed");
  clock_->advance(30s);
  std::string wrong_digits = "000000";
  for (char d = '0'; d <= '9'; ++d) {
    wrong_digits.assign(6, d);
    bool matches = false;
    for (auto drift : {-30s, 0s, 30s})
      matches = matches || code_at(secret, clock_->now() + drift) == wrong_digits;
    if (!matches) break;
  }
  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, wrong_digits).error().code,
            "staff.totp_invalid");
  const auto next = code_at(secret, clock_->now());
  ASSERT_TRUE(staff_->sign_in("op@asti.example", kGoodPassword, next).ok());
  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, next).error().code, "staff.totp_replayed");

  // An account with a secret needs the code even where the body no longer requires it.
  ASSERT_TRUE(staff_->set_totp_required(asti_admin_.get(), kAsti, false).ok());
  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, "").error().code, "staff.totp_required");
  clock_->advance(30s);
  EXPECT_TRUE(staff_->sign_in("op@asti.example", kGoodPassword, code_at(secret, clock_->now())).ok());
  // A second enrolment is refused.
  EXPECT_EQ(staff_->sign_in_enrolling_totp("op@asti.example", kGoodPassword, "123456").error().code,
            "staff.totp_already_enrolled");
  EXPECT_EQ(staff_->offer_totp_enrolment("op@asti.example", kGoodPassword).error().code,
            "staff.totp_already_enrolled");
}

TEST_P(StaffTest, EnrolmentStoresTheSecretTheServerOfferedNeverOneTheClientChose) {
  // Issue 10: the sign-in form posted the secret back, so a client could enrol any secret it liked.
  ASSERT_TRUE(make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_}).ok());
  ASSERT_TRUE(staff_->set_totp_required(asti_admin_.get(), kAsti, true).ok());
  // Nothing offered yet: no code can enrol, whatever secret it was made with.
  const auto chosen = StaffService::new_totp_secret();
  EXPECT_EQ(staff_->sign_in_enrolling_totp("op@asti.example", kGoodPassword, code_at(chosen, clock_->now()))
                .error()
                .code,
            "staff.totp_secret");
  const auto offered = *staff_->offer_totp_enrolment("op@asti.example", kGoodPassword);
  ASSERT_NE(offered, chosen);
  // A code from the client's own secret does not match the offer.
  auto own = staff_->sign_in_enrolling_totp("op@asti.example", kGoodPassword, code_at(chosen, clock_->now()));
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().code, "staff.totp_invalid");
  EXPECT_FALSE(staff_->account_by_email("op@asti.example")->totp_enrolled);
  // The offer expires: an old one cannot be confirmed later, and a new one is made.
  clock_->advance(11min);
  EXPECT_EQ(staff_->sign_in_enrolling_totp("op@asti.example", kGoodPassword, code_at(offered, clock_->now()))
                .error()
                .code,
            "staff.totp_secret");
  const auto fresh = *staff_->offer_totp_enrolment("op@asti.example", kGoodPassword);
  EXPECT_NE(fresh, offered);
  ASSERT_TRUE(
      staff_->sign_in_enrolling_totp("op@asti.example", kGoodPassword, code_at(fresh, clock_->now())).ok());
  clock_->advance(30s);
  EXPECT_TRUE(staff_->sign_in("op@asti.example", kGoodPassword, code_at(fresh, clock_->now())).ok());
}

TEST_P(StaffTest, ChangingRolesEndsTheMembersSessions) {
  auto op = make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_});
  ASSERT_TRUE(op.ok());
  auto a = sessions_->start(*staff_->sign_in("op@asti.example", kGoodPassword, ""));
  auto b = sessions_->start(*staff_->sign_in("op@asti.example", kGoodPassword, ""));
  auto other = sessions_->start(*staff_->sign_in("admin@asti.example", kGoodPassword, ""));
  ASSERT_NE(sessions_->resume(a.token), nullptr);
  ASSERT_TRUE(staff_->set_roles(asti_admin_.get(), op->id, {Role::office_manager}).ok());
  EXPECT_EQ(sessions_->resume(a.token), nullptr);
  EXPECT_EQ(sessions_->resume(b.token), nullptr);
  EXPECT_NE(sessions_->resume(other.token), nullptr);  // only that member's sessions
  auto p = principal_for("op@asti.example");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->roles, std::set<Role>{Role::office_manager});
}

TEST_P(StaffTest, DeactivatingEndsSessionsAndSignIn) {
  auto op = make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_});
  ASSERT_TRUE(op.ok());
  auto s = sessions_->start(*staff_->sign_in("op@asti.example", kGoodPassword, ""));
  EXPECT_EQ(staff_->deactivate(asti_admin_.get(), asti_admin_->subject).error().code, "staff.self");
  ASSERT_TRUE(staff_->deactivate(asti_admin_.get(), op->id).ok());
  EXPECT_EQ(sessions_->resume(s.token), nullptr);
  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, "").error().code, "staff.invalid_credentials");
  EXPECT_FALSE(staff_->account(op->id)->active);
}

TEST_P(StaffTest, APasswordResetTokenWorksOnceAndExpiresAfterThirtyMinutes) {
  auto op = make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_});
  ASSERT_TRUE(op.ok());
  std::vector<std::pair<std::string, std::string>> sent;
  staff_->send_reset = [&](const std::string& email, const std::string& token) {
    sent.emplace_back(email, token);
  };

  ASSERT_TRUE(staff_->request_password_reset("nessuno@asti.example").ok());
  EXPECT_TRUE(sent.empty());  // unknown address: nothing sent, same answer
  ASSERT_TRUE(staff_->request_password_reset(" OP@asti.example").ok());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "op@asti.example");
  const auto token = sent[0].second;

  // Only the hash is stored.
  std::vector<std::string> stored;
  db().read([&](Conn& c) {
    for (const auto& r : c.query("SELECT token_hash, staff_id FROM staff_password_resets")) {
      stored.push_back(r.text(0));
      EXPECT_EQ(r.text(1), op->id);
    }
  });
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0], sp::digest::sha256_hex(token));
  EXPECT_NE(stored[0], token);

  auto s = sessions_->start(*staff_->sign_in("op@asti.example", kGoodPassword, ""));
  EXPECT_EQ(staff_->reset_password(token, "corta").error().code, "password.too_short");  // token kept
  const std::string fresh = "un'altra password lunga";
  ASSERT_TRUE(staff_->reset_password(token, fresh).ok());
  EXPECT_EQ(sessions_->resume(s.token), nullptr);
  EXPECT_EQ(staff_->sign_in("op@asti.example", kGoodPassword, "").error().code, "staff.invalid_credentials");
  EXPECT_TRUE(staff_->sign_in("op@asti.example", fresh, "").ok());
  EXPECT_EQ(staff_->reset_password(token, "ancora un'altra password").error().code, "staff.reset_invalid");
  EXPECT_EQ(staff_->reset_password(std::string(43, 'A'), "ancora un'altra password").error().code,
            "staff.reset_invalid");

  ASSERT_TRUE(staff_->request_password_reset("op@asti.example").ok());
  ASSERT_EQ(sent.size(), 2u);
  clock_->advance(30min);
  EXPECT_EQ(staff_->reset_password(sent[1].second, "ancora un'altra password").error().code,
            "staff.reset_invalid");
  EXPECT_TRUE(staff_->sign_in("op@asti.example", fresh, "").ok());
}

TEST_P(StaffTest, ABodyAdministratorCannotTouchAnotherBodysStaff) {
  auto novara_op = make(novara_admin_.get(), kNovara, "op@novara.example", {Role::operator_});
  ASSERT_TRUE(novara_op.ok());
  const Principal* asti = asti_admin_.get();
  auto created = make(asti, kNovara, "intruso@novara.example", {Role::operator_});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().http_status, 403);
  EXPECT_FALSE(staff_->account_by_email("intruso@novara.example").has_value());
  EXPECT_EQ(staff_->list(asti, kNovara).error().http_status, 403);
  EXPECT_EQ(staff_->deactivate(asti, novara_op->id).error().http_status, 403);
  EXPECT_EQ(staff_->set_roles(asti, novara_op->id, {Role::body_admin}).error().http_status, 403);
  EXPECT_TRUE(staff_->account(novara_op->id)->active);
  EXPECT_EQ(staff_->account(novara_op->id)->roles, std::set<Role>{Role::operator_});

  // Anonymous callers and non-administrators of the same body are refused too.
  EXPECT_EQ(staff_->list(nullptr, kAsti).error().http_status, 401);
  ASSERT_TRUE(make(asti, kAsti, "op@asti.example", {Role::operator_, Role::office_manager}).ok());
  auto op = principal_for("op@asti.example");
  EXPECT_EQ(staff_->list(op.get(), kAsti).error().http_status, 403);
  EXPECT_EQ(make(op.get(), kAsti, "x@asti.example", {Role::operator_}).error().http_status, 403);

  auto own = staff_->list(asti, kAsti);
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->size(), 2u);
  for (const auto& a : *own) EXPECT_EQ(a.tenant_id, kAsti);

  // The hub administrator manages hub staff and a body's first administrator only.
  EXPECT_EQ(make(hub_admin_.get(), kAsti, "second@asti.example", {Role::body_admin}).error().http_status,
            403);
  EXPECT_EQ(make(hub_admin_.get(), kAsti, "op2@asti.example", {Role::operator_}).error().http_status, 403);
  EXPECT_TRUE(make(hub_admin_.get(), 3, "admin@alba.example", {Role::body_admin}).ok());
  EXPECT_TRUE(make(hub_admin_.get(), 0, "help@sportello.example", {Role::helpdesk}).ok());
  EXPECT_EQ(make(asti, 0, "help2@sportello.example", {Role::helpdesk}).error().http_status, 403);
  EXPECT_EQ(staff_->list(hub_admin_.get(), 0)->size(), 2u);
  EXPECT_EQ(staff_->bootstrap_hub_admin("x@sportello.example", "X", kGoodPassword).error().code,
            "staff.bootstrap_done");
}

// data/demo/staff.json ships each demo password with its hash (so seeding does not hash them at every
// start): each hash must be an argon2id hash of the password next to it.
TEST(DemoStaff, EveryShippedHashIsTheHashOfItsPassword) {
  std::ifstream in(sp::testing::source_dir() + "/data/demo/staff.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = boost::json::parse(text.str()).as_object();
  std::vector<boost::json::object> accounts{doc.at("hub_admin").as_object()};
  for (const auto& v : doc.at("staff").as_array()) accounts.push_back(v.as_object());
  // With Casale's registry operator (docs/protocollo-interop.md) and the hub's tourism editor
  // (docs/tourism.md).
  ASSERT_EQ(accounts.size(), 10u);
  for (const auto& a : accounts) {
    const std::string password(a.at("password").as_string());
    const std::string hash(a.at("password_hash").as_string());
    EXPECT_TRUE(sp::crypto::is_argon2id_hash(hash)) << a.at("email");
    EXPECT_TRUE(sp::crypto::verify_password(hash, password)) << a.at("email");
    EXPECT_FALSE(sp::crypto::needs_rehash(hash)) << a.at("email");
  }
}

INSTANTIATE_TEST_SUITE_P(BothDatabases, StaffTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace staff_test
