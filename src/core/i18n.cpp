#include "core/i18n.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/text.hpp"

namespace sp {

void I18n::load(const std::string& locales_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(locales_dir)) throw std::runtime_error("locales folder missing: " + locales_dir);
  std::vector<fs::path> files;
  for (const auto& lang_dir : fs::directory_iterator(locales_dir)) {
    if (!lang_dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(lang_dir.path())) {
      if (f.path().extension() == ".json") files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());  // deterministic override order
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto value = boost::json::parse(ss.str(), ec);
    if (ec || !value.is_object()) throw std::runtime_error("invalid locale file " + path.string());
    std::string lang = path.parent_path().filename().string();
    for (const auto& [k, v] : value.as_object()) {
      if (!v.is_string())
        throw std::runtime_error("non-text value for '" + std::string(k) + "' in " + path.string());
      add(lang, std::string(k), std::string(v.as_string()));
    }
  }
}

void I18n::add(const std::string& lang, const std::string& key, const std::string& text) {
  texts_[lang][key] = text;
}

const std::string& I18n::t(std::string_view lang, std::string_view key) const {
  for (std::string_view l : {lang, std::string_view(kDefault)}) {
    auto lt = texts_.find(l);
    if (lt == texts_.end()) continue;
    auto it = lt->second.find(key);
    if (it != lt->second.end()) return it->second;
  }
  // Remember unknown keys so the reference stays valid; this set only grows with programming errors.
  static thread_local std::map<std::string, std::string, std::less<>> missing;
  auto [it, _] = missing.emplace(std::string(key), std::string(key));
  return it->second;
}

std::string I18n::format(std::string_view lang, std::string_view key,
                         const std::map<std::string, std::string>& values) const {
  std::string out = t(lang, key);
  for (const auto& [name, value] : values) {
    std::string needle = "{" + name + "}";
    for (auto pos = out.find(needle); pos != std::string::npos; pos = out.find(needle, pos + value.size())) {
      out.replace(pos, needle.size(), value);
    }
  }
  return out;
}

std::string I18n::message(std::string_view lang, const Error& error) const {
  return format(lang, error.message_key, {{"detail", error.detail}, {"field", error.field}});
}

const I18n::Texts& I18n::all(std::string_view lang) const {
  auto it = texts_.find(lang);
  return it == texts_.end() ? empty_ : it->second;
}

std::vector<std::string> I18n::languages() const {
  std::vector<std::string> out;
  for (const auto& [lang, _] : texts_) out.push_back(lang);
  return out;
}

bool I18n::has(std::string_view lang) const {
  return texts_.find(lang) != texts_.end();
}

std::string I18n::negotiate(std::string_view explicit_choice, std::string_view accept_language,
                            std::string_view fallback) const {
  auto supported = [&](std::string_view l) { return l == "it" || l == "en"; };
  if (supported(explicit_choice)) return std::string(explicit_choice);
  // Accept-Language: "en-GB,en;q=0.9,it;q=0.8" — take the highest-q supported primary tag.
  std::string best;
  double best_q = -1;
  std::size_t start = 0;
  while (start < accept_language.size()) {
    auto end = accept_language.find(',', start);
    if (end == std::string_view::npos) end = accept_language.size();
    std::string_view item = accept_language.substr(start, end - start);
    start = end + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    double q = 1.0;
    if (auto semi = item.find(';'); semi != std::string_view::npos) {
      auto qpos = item.find("q=", semi);
      if (qpos != std::string_view::npos) {
        try {
          q = std::stod(std::string(item.substr(qpos + 2)));
        } catch (...) {
          q = 0;
        }
      }
      item = item.substr(0, semi);
    }
    const std::string primary = text::to_lower_ascii(item.substr(0, item.find('-')));
    if (supported(primary) && q > best_q) {
      best = primary;
      best_q = q;
    }
  }
  if (!best.empty()) return best;
  return std::string(supported(fallback) ? fallback : kDefault);
}

}  // namespace sp
