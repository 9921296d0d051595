#pragma once
// Helpers shared by the forms unit tests: definitions from inline JSON, the shipped locales, issue lookup.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "core/i18n.hpp"
#include "forms/context.hpp"
#include "forms/loader.hpp"
#include "forms/validation.hpp"
#include "support/testing.hpp"

namespace sp::forms::test {

// A definition with one step "main" holding `fields` (a JSON array, as text); `extra` adds top-level keys.
inline Definition one_step(const std::string& fields_json, const std::string& extra = "") {
  std::string text =
      R"({"code": "test-form", "version": 1, "title": {"it": "Prova", "en": "Test"},)" + extra +
      R"("steps": [{"id": "main", "title": {"it": "Dati", "en": "Data"}, "sections": [{"fields": )" +
      fields_json + "}]}]}";
  auto d = parse_definition_text(text);
  if (!d) ADD_FAILURE() << d.error().detail;
  return d ? std::move(d).value() : Definition{};
}

inline Context context_today(int y = 2026, unsigned m = 5, unsigned d = 15) {
  Context c;
  c.today = std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  return c;
}

inline const I18n& locales() { return sp::testing::locales(); }

inline std::vector<std::string> codes_at(const std::vector<Issue>& issues, const std::string& path) {
  std::vector<std::string> out;
  for (const auto& i : issues)
    if (i.path == path) out.push_back(i.code);
  return out;
}

inline const Issue* find_issue(const std::vector<Issue>& issues, const std::string& path) {
  for (const auto& i : issues)
    if (i.path == path) return &i;
  return nullptr;
}

inline Answers answers(const std::string& json_text) {
  return boost::json::parse(json_text).as_object();
}

}  // namespace sp::forms::test
