#pragma once
// Localised texts: web/locales/<lang>/*.json, flat objects of "key": "text", merged per language.
// Italian is the default and the fallback; a key missing in English falls back to Italian, and a key
// missing everywhere shows itself (so a gap is visible, never a crash).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp {

class I18n {
 public:
  using Texts = std::map<std::string, std::string, std::less<>>;
  static constexpr const char* kDefault = "it";

  // Loads every <dir>/<lang>/*.json. Throws std::runtime_error naming the file on invalid JSON.
  void load(const std::string& locales_dir);
  void add(const std::string& lang, const std::string& key, const std::string& text);

  [[nodiscard]] const std::string& t(std::string_view lang, std::string_view key) const;
  // t() with "{name}" placeholders replaced.
  [[nodiscard]] std::string format(std::string_view lang, std::string_view key,
                                   const std::map<std::string, std::string>& values) const;
  // The user-facing sentence for an error: its message_key with {detail} filled.
  [[nodiscard]] std::string message(std::string_view lang, const Error& error) const;

  [[nodiscard]] const Texts& all(std::string_view lang) const;
  [[nodiscard]] std::vector<std::string> languages() const;
  [[nodiscard]] bool has(std::string_view lang) const;

  // Picks "it" or "en" from an explicit choice (cookie/query), then Accept-Language, then the default.
  [[nodiscard]] std::string negotiate(std::string_view explicit_choice, std::string_view accept_language,
                                      std::string_view fallback = kDefault) const;

 private:
  std::map<std::string, Texts, std::less<>> texts_;
  Texts empty_;
};

}  // namespace sp
