// identity::ActorNames: the ids records keep ("staff:<id>", "person:<cf>", "system:cases",
// "system:api-key:<id>") become names and words, and an id is never what comes back, even when it is
// unknown (issue 11, point 5). Both databases.
#include "identity/actor_names.hpp"

#include "core/i18n.hpp"
#include "staff_fixture.hpp"

namespace staff_test {
namespace {

class ActorNamesTest : public StaffTest {
 protected:
  void SetUp() override {
    StaffTest::SetUp();
    for (const auto& [k, it, en] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"actor.system", "Sistema", "System"},
             {"actor.system.cases", "Sistema (protocollazione automatica delle domande)",
              "System (automatic registration of applications)"},
             {"actor.api_key", "Sistema collegato dell'ente (chiave API «{name}»)",
              "The body's connected system (API key «{name}»)"},
             {"actor.api_key_unknown", "Sistema collegato dell'ente", "The body's connected system"},
             {"actor.staff_unknown", "Un operatore dell'ente", "A member of the body's staff"},
             {"actor.person_unknown", "Cittadino", "Citizen"},
             {"ui.staff_role_operator", "Operatore", "Operator"},
             {"ui.staff_role_office_manager", "Responsabile d'ufficio", "Office manager"}}) {
      i18n_.add("it", k, it);
      i18n_.add("en", k, en);
    }
    names_ = std::make_unique<ActorNames>(i18n_, db(), staff_.get());
  }

  sp::I18n i18n_;
  std::unique_ptr<ActorNames> names_;
};

TEST_P(ActorNamesTest, StaffAreNamedWithTheirRolesAndBody) {
  auto op = make(asti_admin_.get(), kAsti, "op@asti.example", {Role::operator_, Role::office_manager});
  ASSERT_TRUE(op.ok()) << op.error().code;
  auto who = names_->resolve("staff:" + op->id, "it");
  EXPECT_TRUE(who.known);
  EXPECT_EQ(who.name, "Staff op@asti.example");
  EXPECT_EQ(who.tenant_id, kAsti);
  EXPECT_NE(who.roles.find("Operatore"), std::string::npos);
  EXPECT_NE(who.roles.find("Responsabile d'ufficio"), std::string::npos);
  EXPECT_EQ(names_->resolve(sp::audit::ActorKind::staff, op->id, "en").roles.find("Operatore"),
            std::string::npos);
  // An id nobody has: a word, not the id.
  auto gone = names_->resolve("staff:tBQON7zQ3kLmNoPqRsTuVw", "it");
  EXPECT_FALSE(gone.known);
  EXPECT_EQ(gone.name, "Un operatore dell'ente");
}

TEST_P(ActorNamesTest, SystemActorsAndApiKeysGetWords) {
  EXPECT_EQ(names_->name("system:cases", "it"), "Sistema (protocollazione automatica delle domande)");
  EXPECT_EQ(names_->name("system:cases", "en"), "System (automatic registration of applications)");
  EXPECT_EQ(names_->name("system:something-new", "it"), "Sistema");
  EXPECT_EQ(names_->name("cases", "it"), "Sistema (protocollazione automatica delle domande)");
  auto key = keys_->create(asti_admin_.get(), kAsti, "Gestionale tributi", {"protocollo:write"});
  ASSERT_TRUE(key.ok()) << key.error().code;
  auto who = names_->resolve("system:api-key:" + key->key.id, "it");
  EXPECT_TRUE(who.known);
  EXPECT_EQ(who.name, "Sistema collegato dell'ente (chiave API «Gestionale tributi»)");
  EXPECT_EQ(who.tenant_id, kAsti);
  EXPECT_EQ(names_->name("system:api-key:nessuna", "it"), "Sistema collegato dell'ente");
}

TEST_P(ActorNamesTest, PeopleAreNamedFromTheirIdentity) {
  Person p;
  p.fiscal_code = "FRRNNA78S70A479X";
  p.given_name = "Anna";
  p.family_name = "Ferraro";
  db().write(
      [&](sp::db::Conn& tx) { PersonStore(db()).upsert_from_sign_in(tx, p, "2026-11-23T10:00:00.000Z"); });
  EXPECT_EQ(names_->name("person:FRRNNA78S70A479X", "it"), "Anna Ferraro");
  auto unknown = names_->resolve("person:RSSMRA80A01H501U", "it");
  EXPECT_FALSE(unknown.known);
  EXPECT_EQ(unknown.name, "Cittadino");
}

INSTANTIATE_TEST_SUITE_P(Dialects, ActorNamesTest,
                         ::testing::Values(sp::db::Dialect::sqlite, sp::db::Dialect::postgres), dialect_name);

}  // namespace
}  // namespace staff_test
