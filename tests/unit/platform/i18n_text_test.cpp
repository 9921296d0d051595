#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/i18n.hpp"
#include "core/text.hpp"
#include "support/testing.hpp"
#include "tenants/web.hpp"

namespace {

TEST(I18n, NegotiatesExplicitThenAcceptLanguageThenDefault) {
  sp::I18n i18n;
  EXPECT_EQ(i18n.negotiate("en", "it-IT,it;q=0.9"), "en");
  EXPECT_EQ(i18n.negotiate("", "en-GB,en;q=0.9,it;q=0.8"), "en");
  EXPECT_EQ(i18n.negotiate("", "de-DE,it;q=0.5,en;q=0.7"), "en");
  EXPECT_EQ(i18n.negotiate("", "de-DE,fr;q=0.8"), "it");
  EXPECT_EQ(i18n.negotiate("fr", ""), "it");
  EXPECT_EQ(i18n.negotiate("", "", "en"), "en");
  EXPECT_EQ(i18n.negotiate("", "en;q=garbage,it"), "it");
}

TEST(I18n, FallsBackToItalianThenToTheKey) {
  sp::I18n i18n;
  i18n.add("it", "ui.a", "Ciao {name}");
  i18n.add("en", "ui.b", "Bye");
  EXPECT_EQ(i18n.t("en", "ui.a"), "Ciao {name}");
  EXPECT_EQ(i18n.t("en", "ui.b"), "Bye");
  EXPECT_EQ(i18n.t("it", "ui.missing"), "ui.missing");
  EXPECT_EQ(i18n.format("it", "ui.a", {{"name", "Anna"}}), "Ciao Anna");
}

TEST(I18n, ShippedLocalesCoverTheSameKeys) {
  sp::I18n i18n;
  i18n.load(sp::testing::source_dir() + "/web/locales");
  const auto& it = i18n.all("it");
  const auto& en = i18n.all("en");
  ASSERT_GT(it.size(), 50u);
  for (const auto& [key, _] : it) EXPECT_TRUE(en.count(key)) << "missing in English: " << key;
  for (const auto& [key, _] : en) EXPECT_TRUE(it.count(key)) << "missing in Italian: " << key;
}

TEST(Text, FoldIgnoresCaseAccentsAndPunctuation) {
  EXPECT_EQ(sp::text::fold("Sant'Agata  DE' Goti"), "sant agata de goti");
  EXPECT_EQ(sp::text::fold("Comunità Montana"), "comunita montana");
  EXPECT_EQ(sp::text::fold("ÈRBA perché"), "erba perche");
  EXPECT_EQ(sp::text::fold("100%_mensa"), "100 mensa");
  EXPECT_EQ(sp::text::fold("  "), "");
}

TEST(Text, SplitLinesTrimsAndDropsEmpty) {
  auto lines = sp::text::split_lines(" a \n\n b\r\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "a");
  EXPECT_EQ(lines[1], "b");
}

TEST(Theme, HeaderColourReachesAAContrastWithWhite) {
  EXPECT_LT(sp::tenants::contrast_with_white("#FFD700"), 4.5);  // gold: unreadable under white text
  auto fixed = sp::tenants::darken_for_white_text("#FFD700", 4.5);
  EXPECT_GE(sp::tenants::contrast_with_white(fixed), 4.5);
  EXPECT_EQ(sp::tenants::darken_for_white_text("#003366", 4.5), "#003366");  // already fine: unchanged
}

// Every POST form of the shipped templates sends the double-submit CSRF field the handlers check
// (`_csrf`, identity::check_csrf), except the public forms that need no session. The access test posts
// `_csrf` itself, so a form naming it otherwise (certificates_office once sent `csrf`: every save was 403)
// passed every other test.
TEST(Templates, EveryPostFormSendsTheCsrfField) {
  const std::set<std::string> public_forms = {"alerts_public.mustache",   "alerts_stop.mustache",
                                              "alerts_verify.mustache",   "sim_anpr_verify.mustache",
                                              "sim_pagopa_cart.mustache", "stamp_verify.mustache"};
  const std::regex form(R"(<form\b[^>]*method="post"[^>]*>([\s\S]*?)</form>)", std::regex::icase);
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(sp::testing::source_dir() + "/web/templates")) {
    const std::string name = entry.path().filename().string();
    if (public_forms.count(name)) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), form), end; it != end; ++it) {
      const std::string inner = (*it)[1];
      ++checked;
      // A partial may carry the field (e.g. {{> csrf_field}}); otherwise the form itself must.
      EXPECT_TRUE(inner.find("name=\"_csrf\"") != std::string::npos || inner.find("{{>") != std::string::npos)
          << name << ": a POST form without name=\"_csrf\"";
    }
  }
  EXPECT_GT(checked, 50);
}

}  // namespace
