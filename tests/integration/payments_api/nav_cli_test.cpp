// `sportello nav NUMBER`: the same JSON as the API, exit status 0 for a well-formed number, 1 otherwise.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "support/testing.hpp"

namespace {

sp::testing::CommandRun nav(const std::string& args) {
  return sp::testing::run_command("env SPORTELLO_CONFIG= '" + sp::testing::binary() + "' nav " + args +
                                  " 2>/dev/null");
}

TEST(NavCli, PrintsTheReportAndExitsZeroOrOne) {
  auto ok = nav("'3020 3200 2700 0002 51'");
  ASSERT_EQ(ok.rc, 0) << ok.out;
  auto o = boost::json::parse(ok.out).as_object();
  EXPECT_TRUE(o["valid"].as_bool());
  EXPECT_EQ(o["nav"].as_string(), "302032002700000251");
  EXPECT_EQ(o["segregation_code"].as_string(), "02");
  EXPECT_EQ(o["check_digits"].as_string(), "51");

  auto aux0 = nav("001000000000000141");
  ASSERT_EQ(aux0.rc, 0) << aux0.out;
  EXPECT_EQ(boost::json::parse(aux0.out).as_object()["application_code"].as_string(), "01");

  auto bad = nav("302012387654312384 --lang en");  // pagoPA Checkout's example: check digits should be 86
  ASSERT_EQ(bad.rc, 1) << bad.out;
  auto b = boost::json::parse(bad.out).as_object();
  EXPECT_FALSE(b["valid"].as_bool());
  EXPECT_EQ(b["error"].as_object()["code"].as_string(), "nav.check");
  EXPECT_NE(std::string(b["error"].as_object()["message"].as_string()).find("86"), std::string::npos);

  auto short_one = nav("12345");
  EXPECT_EQ(short_one.rc, 1);
  EXPECT_EQ(boost::json::parse(short_one.out).as_object()["error"].as_object()["code"].as_string(),
            "nav.length");
}

}  // namespace
