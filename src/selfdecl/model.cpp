#include "selfdecl/model.hpp"

#include <boost/json.hpp>

namespace sp::selfdecl {

const std::vector<Kind>& kinds() {
  // The facts of the certificates (certificates/model.cpp) as art. 46 declarations, and art. 47.
  static const std::vector<Kind> k = {
      {"residenza", 46, {"comune_residenza", "indirizzo"}},
      {"stato-famiglia", 46, {std::string(kFamilyField)}},
      {"nascita", 46, {}},
      {"cittadinanza", 46, {"cittadinanza"}},
      {"esistenza-vita", 46, {}},
      {"stato-civile", 46, {"stato_civile"}},
      {"residenza-cittadinanza-famiglia",
       46,
       {"comune_residenza", "indirizzo", "cittadinanza", std::string(kFamilyField)}},
      {"atto-notorieta", 47, {std::string(kSubjectField), std::string(kTextField)}},
  };
  return k;
}

const Kind* find_kind(std::string_view code) {
  for (const auto& k : kinds())
    if (k.code == code) return &k;
  return nullptr;
}

std::vector<std::string> form_fields(const Kind& k) {
  std::vector<std::string> out(std::begin(kIdentityFields), std::end(kIdentityFields));
  out.insert(out.end(), k.fields.begin(), k.fields.end());
  return out;
}

std::string tidy(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(i, nl - i);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t' || line.front() == '\r'))
      line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    if (!line.empty()) {
      if (!out.empty()) out += '\n';
      out += line;
    }
    i = nl + 1;
  }
  return out;
}

std::vector<std::string> changed_fields(const std::vector<std::string>& fields, const Facts& register_facts,
                                        const Facts& submitted) {
  std::vector<std::string> out;
  for (const auto& f : fields) {
    auto r = register_facts.find(f);
    if (r == register_facts.end() || r->second.empty()) continue;
    auto s = submitted.find(f);
    const std::string now = s == submitted.end() ? std::string() : tidy(s->second);
    if (now != tidy(r->second)) out.push_back(f);
  }
  return out;
}

std::string facts_json(const Facts& f) {
  boost::json::object o;
  for (const auto& [k, v] : f) o[k] = v;
  return boost::json::serialize(o);
}

Facts parse_facts(std::string_view json) {
  Facts out;
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, x] : v.as_object())
    if (x.is_string()) out[std::string(k)] = std::string(x.as_string());
  return out;
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto j = text.find(sep, i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace sp::selfdecl
