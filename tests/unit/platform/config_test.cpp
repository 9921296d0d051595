#include "core/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/oidc_bodies.hpp"
#include "support/testing.hpp"

namespace {

// Sets an environment variable for the duration of a test.
struct EnvVar {
  std::string name;
  EnvVar(std::string n, const std::string& value) : name(std::move(n)) {
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~EnvVar() { unsetenv(name.c_str()); }
};

TEST(Config, DefaultsAreSafe) {
  auto c = sp::load_config("");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->address, "127.0.0.1");  // not exposed to the network unless asked
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->database.rfind("sqlite:", 0), 0u);
  EXPECT_FALSE(c->demo);
  EXPECT_EQ(c->sources.at("port"), "default");
}

TEST(Config, EnvironmentOverridesAndIsRecorded) {
  EnvVar port("SPORTELLO_PORT", "9090");
  auto c = sp::load_config("");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 9090);
  EXPECT_EQ(c->sources.at("port"), "SPORTELLO_PORT");
}

// `config check` runs before every start of the systemd unit and its output goes to the journal.
TEST(Config, TheDescriptionShowsNoSecret) {
  EnvVar db("SPORTELLO_DATABASE", "postgresql://sportello:s3cret-db@db.example:5432/sportello");
  EnvVar smtp("SPORTELLO_SMTP_PASSWORD", "s3cret-smtp");
  EnvVar token("SPORTELLO_SMS_REPORT_TOKEN", "s3cret-token");
  auto c = sp::load_config("");
  ASSERT_TRUE(c.ok());
  const auto text = sp::describe_config(*c);
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_NE(text.find("postgresql://sportello:***@db.example:5432/sportello"), std::string::npos) << text;
  EXPECT_NE(text.find("(set, not shown)"), std::string::npos);
  EXPECT_EQ(c->smtp_password, "s3cret-smtp") << "only the description hides it";
}

TEST(Config, UnknownEnvironmentSettingNamesIt) {
  EnvVar bad("SPORTELLO_DATABSE", "sqlite:x.db");
  auto c = sp::load_config("");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "config.unknown");
  EXPECT_NE(c.error().detail.find("SPORTELLO_DATABSE"), std::string::npos);
}

TEST(Config, InvalidValuesNameTheSetting) {
  {
    EnvVar port("SPORTELLO_PORT", "80a");
    auto c = sp::load_config("");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().detail.find("port"), std::string::npos);
  }
  {
    EnvVar port("SPORTELLO_PORT", "70000");
    EXPECT_FALSE(sp::load_config("").ok());
  }
  {
    EnvVar db("SPORTELLO_DATABASE", "mysql://x");
    auto c = sp::load_config("");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().detail.find("database"), std::string::npos);
  }
  {
    EnvVar demo("SPORTELLO_DEMO", "maybe");
    EXPECT_FALSE(sp::load_config("").ok());
  }
}

// The SMS sender alias follows AGCOM's rules (at most 11 characters, letters, digits and a few symbols, at
// least one letter): a bad one stops the start with the reason, and `config check` says the same.
TEST(Config, SmsSenderAliasFollowsAgcomsRules) {
  for (const char* good : {"Sportello", "ComuneAsti", "Asti-Comune", "A.S.T.I. 1", "Polo&Co", "Bra"})
    EXPECT_EQ(sp::sms_sender_problem(good), "") << good;
  EXPECT_NE(sp::sms_sender_problem("Comune di Asti").find("at most 11"), std::string::npos);
  EXPECT_NE(sp::sms_sender_problem("3331234567").find("no letter"), std::string::npos);
  EXPECT_NE(sp::sms_sender_problem("Città").find("only letters"), std::string::npos) << "no accents";
  EXPECT_NE(sp::sms_sender_problem("Asti!").find("'!'"), std::string::npos);
  EXPECT_NE(sp::sms_sender_problem(" Asti").find("space"), std::string::npos);
  EXPECT_NE(sp::sms_sender_problem("").find("empty"), std::string::npos);
  EnvVar alias("SPORTELLO_SMS_SENDER", "Comune di Asti");
  auto c = sp::load_config("");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "config.invalid");
  EXPECT_NE(c.error().detail.find("sms_sender: 'Comune di Asti' has 14 characters"), std::string::npos)
      << c.error().detail;
}

// The PEC acceptance timeout (docs/messaging.md, "No receipt at all"): 30 minutes unless set, in range.
TEST(Config, PecAcceptanceTimeoutIsASettingInRange) {
  EXPECT_EQ(sp::load_config("")->pec_acceptance_timeout_min, 30);
  {
    EnvVar t("SPORTELLO_PEC_ACCEPTANCE_TIMEOUT_MIN", "90");
    auto c = sp::load_config("");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->pec_acceptance_timeout_min, 90);
    EXPECT_EQ(c->sources.at("pec_acceptance_timeout_min"), "SPORTELLO_PEC_ACCEPTANCE_TIMEOUT_MIN");
  }
  EnvVar zero("SPORTELLO_PEC_ACCEPTANCE_TIMEOUT_MIN", "0");
  auto c = sp::load_config("");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().detail.find("pec_acceptance_timeout_min"), std::string::npos) << c.error().detail;
}

TEST(Config, TomlFileIsReadAndUnknownKeysRejected) {
  sp::testing::TempDir dir;
  auto path = (dir.path() / "s.toml").string();
  { std::ofstream(path) << "port = 8181\ndemo = true\ndatabase = \"sqlite:/tmp/x.db\"\n"; }
  auto c = sp::load_config(path);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->port, 8181);
  EXPECT_TRUE(c->demo);
  EXPECT_EQ(c->sources.at("port"), path);
  { std::ofstream(path) << "prot = 8181\n"; }
  auto bad = sp::load_config(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "config.unknown");
  EXPECT_NE(bad.error().detail.find("prot"), std::string::npos);
  { std::ofstream(path) << "port = [\n"; }
  EXPECT_EQ(sp::load_config(path).error().code, "config.file_syntax");
  EXPECT_EQ(sp::load_config(path + ".missing").error().code, "config.file_missing");
}

TEST(Config, EnvironmentBeatsFile) {
  sp::testing::TempDir dir;
  auto path = (dir.path() / "s.toml").string();
  std::ofstream(path) << "port = 8181\n";
  EnvVar port("SPORTELLO_PORT", "8282");
  auto c = sp::load_config(path);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 8282);
}

// The protocol exchange's and the preservation service's settings: from the file and the environment,
// checked by `config check` (files that exist, a URL that parses), the token never printed.
TEST(Config, ExchangeAndPreservationSettingsAreReadAndChecked) {
  sp::testing::TempDir dir;
  auto path = (dir.path() / "s.toml").string();
  const auto ca = (dir.path() / "ca.pem").string();
  std::ofstream(path) << "agid_schema_dir = \"" << dir.path().string() << "\"\nagid_trusted_ca_file = \""
                      << ca << "\"\nagid_soap_endpoints = \"" << (dir.path() / "soap.txt").string()
                      << "\"\nconservazione_url = \"https://conservatore.example/api/\"\n"
                         "sim_conservazione = false\nsim_conservazione_port = 8096\n";
  std::ofstream(ca) << "not a certificate\n";
  EnvVar token("SPORTELLO_CONSERVAZIONE_TOKEN", "s3cret-conservatore");
  auto c = sp::load_config(path);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->conservazione_url, "https://conservatore.example/api");
  EXPECT_EQ(c->conservazione_token, "s3cret-conservatore");
  EXPECT_FALSE(c->sim_conservazione);
  EXPECT_EQ(c->sim_conservazione_port, 8096);
  EXPECT_EQ(sp::agid_schema_dir(*c), dir.path().string());
  EXPECT_EQ(c->sources.at("conservazione_token"), "SPORTELLO_CONSERVAZIONE_TOKEN");
  std::string problems;
  for (const auto& p : sp::check_config(*c)) problems += p + "\n";
  EXPECT_NE(problems.find("agid_schema_dir: no segnatura_protocollo.xsd"), std::string::npos) << problems;
  EXPECT_NE(problems.find("agid_trusted_ca_file: '" + ca + "' holds no PEM certificate"), std::string::npos);
  EXPECT_NE(problems.find("agid_soap_endpoints:"), std::string::npos) << problems;
  EXPECT_EQ(problems.find("conservazione"), std::string::npos) << "URL and token are both set";
  const auto text = sp::describe_config(*c);
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_NE(text.find("SPORTELLO_AGID_SOAP_ENDPOINTS"), std::string::npos);
  {
    EnvVar url("SPORTELLO_CONSERVAZIONE_URL", "conservatore.example");
    auto bad = sp::load_config("");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().detail.find("conservazione_url"), std::string::npos);
  }
  {
    EnvVar url("SPORTELLO_CONSERVAZIONE_URL", "http://127.0.0.1:8096");
    EnvVar empty("SPORTELLO_CONSERVAZIONE_TOKEN", "");
    auto alone = sp::load_config("");
    ASSERT_TRUE(alone.ok());
    std::string p2;
    for (const auto& p : sp::check_config(*alone)) p2 += p + "\n";
    EXPECT_NE(p2.find("conservazione_token: empty"), std::string::npos) << p2;
  }
}

TEST(Config, EachBodysFederationDataAreReadFromItsTableAndChecked) {
  sp::testing::TempDir dir;
  auto path = (dir.path() / "s.toml").string();
  {
    std::ofstream(path)
        << "[oidc_federation]\n"
           "authority_hints = [\"https://registry.spid.gov.it\", "
           "\"https://registry.servizicie.interno.gov.it\"]\n"
           "[oidc_body.c_a479]\n"
           "organization_name = \"Comune di Asti\"\n"
           "contacts = [\"protocollo.comuneasti@pec.it\"]\n"
           "homepage_uri = \"https://www.comune.asti.it/\"\n"
           "policy_uri = \"https://www.comune.asti.it/privacy\"\n"
           "logo_uri = \"https://www.comune.asti.it/logo.svg\"\n"
           "trust_marks = [{ id = \"https://registry.spid.gov.it/openid_relying_party/public/\", "
           "trust_mark = \"aaa.bbb.ccc\" }]\n"
           "[oidc_body.c_f952]\n"
           "contacts = [\"comune.novara@pec.it\"]\n";
  }
  auto c = sp::load_config(path);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->sources.at("oidc_body"), path);
  auto f = sp::load_oidc_federation(*c);
  ASSERT_TRUE(f.ok()) << f.error().detail;
  EXPECT_EQ(f->authority_hints, (std::vector<std::string>{"https://registry.spid.gov.it",
                                                          "https://registry.servizicie.interno.gov.it"}));
  ASSERT_EQ(f->bodies.size(), 2u);
  const auto& asti = f->bodies.at("c_a479");
  EXPECT_EQ(asti.organization_name, "Comune di Asti");
  EXPECT_EQ(asti.contacts, std::vector<std::string>{"protocollo.comuneasti@pec.it"});
  EXPECT_EQ(asti.policy_uri, "https://www.comune.asti.it/privacy");
  ASSERT_EQ(asti.trust_marks.size(), 1u);
  EXPECT_EQ(asti.trust_marks[0].trust_mark, "aaa.bbb.ccc");
  EXPECT_TRUE(f->bodies.at("c_f952").organization_name.empty()) << "left to the body's record";
  EXPECT_NE(sp::describe_config(*c).find("[oidc_body] tables"), std::string::npos);
  EXPECT_TRUE(sp::load_oidc_federation(sp::Config{}).value().bodies.empty()) << "no file: no tables";

  // What a provider or the onboarding tool would refuse stops the start, naming the key.
  for (const auto& [table, key] : std::vector<std::pair<std::string, std::string>>{
           {"[oidc_body.c_a479]\npolicy_uri = \"www.comune.asti.it/privacy\"\n",
            "oidc_body.c_a479.policy_uri"},
           {"[oidc_body.c_a479]\ncontacts = [\"protocollo\"]\n", "oidc_body.c_a479.contacts"},
           {"[oidc_body.c_a479]\ncontacts = []\n", "oidc_body.c_a479.contacts"},
           {"[oidc_body.c_a479]\ntrust_marks = [{ id = \"x\", trust_mark = \"not-a-jwt\" }]\n",
            "oidc_body.c_a479.trust_marks"},
           {"[oidc_body.Asti]\ncontacts = [\"a@pec.it\"]\n", "oidc_body.Asti"},
           {"[oidc_body.c_a479]\norganisation_name = \"x\"\n", "oidc_body.c_a479.organisation_name"},
           {"[oidc_federation]\nauthority_hints = [\"registry\"]\n", "oidc_federation.authority_hints"}}) {
    { std::ofstream(path, std::ios::trunc) << table; }
    auto bad = sp::load_config(path);
    ASSERT_FALSE(bad.ok()) << table;
    EXPECT_NE(bad.error().detail.find(key), std::string::npos) << bad.error().detail;
  }
}

}  // namespace
