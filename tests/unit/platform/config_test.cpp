#include "core/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

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

}  // namespace
