// The language switch comes back to the same page with its query (issue 11, point 9: the sign-in's
// return page, the SPID level asked and a search were lost), less any ?lang= that would undo it.
#include <gtest/gtest.h>

#include "http/message.hpp"
#include "web/view.hpp"

namespace sp::web {
namespace {

std::string href_for(const std::string& target, std::string_view to) {
  http::Request req;
  EXPECT_TRUE(http::parse_target(req, target).ok());
  return lang_switch_href(req, to);
}

// What /lang/{to} will see as `next`: the value decoded once, as the query parser does.
std::string next_of(const std::string& href) {
  http::Request req;
  EXPECT_TRUE(http::parse_target(req, href).ok());
  return req.query_param("next");
}

TEST(LangSwitch, KeepsThePathAndTheQuery) {
  EXPECT_EQ(href_for("/asti/", "en"), "/lang/en?next=/asti/");
  EXPECT_EQ(next_of(href_for("/accedi?next=%2Farea-personale&livello=2", "en")),
            "/accedi?next=%2Farea-personale&livello=2");
  EXPECT_EQ(next_of(href_for("/servizi?q=mensa+scolastica", "it")), "/servizi?q=mensa+scolastica");
  EXPECT_EQ(next_of(href_for("/servizi?q=caf%C3%A8", "it")), "/servizi?q=caf%C3%A8");
}

TEST(LangSwitch, DropsAnExplicitLangParameter) {
  EXPECT_EQ(next_of(href_for("/servizi?lang=en&q=mensa", "it")), "/servizi?q=mensa");
  EXPECT_EQ(next_of(href_for("/servizi?q=mensa&lang=it", "en")), "/servizi?q=mensa");
  EXPECT_EQ(next_of(href_for("/servizi?lang", "en")), "/servizi");
  // "language=" is another parameter.
  EXPECT_EQ(next_of(href_for("/servizi?language=x", "en")), "/servizi?language=x");
}

TEST(LangSwitch, NothingInTheHrefCanBreakOutOfTheAttributeOrTheQuery) {
  const auto href = href_for("/asti/servizi/%22%3E%3Cscript%3E?q=a%26b%3D%22&x=%0D%0A", "en");
  EXPECT_EQ(href.find('"'), std::string::npos);
  EXPECT_EQ(href.find('<'), std::string::npos);
  EXPECT_EQ(href.find('\r'), std::string::npos);
  EXPECT_EQ(href.substr(0, href.find("?next=") + 6).find('&'), std::string::npos);
  EXPECT_EQ(href.find('&'), std::string::npos) << "the page's own & are encoded inside next";
}

}  // namespace
}  // namespace sp::web
