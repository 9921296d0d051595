#include "certificates/model.hpp"

#include <algorithm>
#include <charconv>
#include <map>

namespace sp::certificates {

const std::vector<Kind>& kinds() {
  // The list (residence, family status, birth, citizenship, existence in life, civil status and
  // the combined residence + citizenship + family), in table 13 codes.
  static const std::vector<Kind> k = {
      {"stato-famiglia", {12}, false},
      {"residenza", {8}, false},
      {"nascita", {1}, true},
      {"cittadinanza", {5}, false},
      {"esistenza-vita", {7}, false},
      {"stato-civile", {11}, true},
      {"residenza-cittadinanza-famiglia", {8, 5, 12}, false},
  };
  return k;
}

const Kind* find_kind(std::string_view code) {
  for (const auto& k : kinds())
    if (k.code == code) return &k;
  return nullptr;
}

Result<std::vector<Exemption>> parse_exemptions(std::string_view csv) {
  std::vector<Exemption> out;
  bool header = true;
  int number = 0;
  while (!csv.empty()) {
    const auto nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv = nl == std::string_view::npos ? std::string_view{} : csv.substr(nl + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cols;
    std::size_t start = 0;
    for (int i = 0; i < 4; ++i) {
      const auto comma = line.find(',', start);
      if (comma == std::string_view::npos)
        return Error::make("certificates.exemptions", 500, "line " + std::to_string(number));
      cols.emplace_back(line.substr(start, comma - start));
      start = comma + 1;
    }
    cols.emplace_back(line.substr(start));
    Exemption e;
    auto [p, ec] = std::from_chars(cols[0].data(), cols[0].data() + cols[0].size(), e.code);
    if (ec != std::errc() || cols[1].size() != 10 || (!cols[2].empty() && cols[2].size() != 10))
      return Error::make("certificates.exemptions", 500, "line " + std::to_string(number));
    e.valid_from = cols[1];
    e.valid_to = cols[2];
    e.online = cols[3] == "1";
    e.legal_basis = cols[4];
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<Exemption> exemption_on(const std::vector<Exemption>& table, int code, std::string_view day,
                                      bool online) {
  for (const auto& e : table)
    if (e.code == code && e.in_force(day) && (e.online || !online)) return e;
  return std::nullopt;
}

std::vector<Exemption> exemptions_on(const std::vector<Exemption>& table, std::string_view day, bool online) {
  std::map<int, Exemption> by_code;
  for (const auto& e : table)
    if (e.in_force(day) && (e.online || !online)) by_code.emplace(e.code, e);
  std::vector<Exemption> out;
  for (auto& [c, e] : by_code) out.push_back(std::move(e));
  return out;
}

std::string_view to_string(State s) {
  switch (s) {
    case State::awaiting_payment:
      return "awaiting_payment";
    case State::queued:
      return "queued";
    case State::issued:
      return "issued";
    case State::refused:
      return "refused";
  }
  return "queued";
}

std::optional<State> parse_state(std::string_view s) {
  for (State st : {State::awaiting_payment, State::queued, State::issued, State::refused})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::string_view to_string(Channel c) {
  return c == Channel::online ? "online" : "counter";
}

std::string_view to_string(Means m) {
  return m == Means::pos ? "pos" : "cash";
}

std::optional<Means> parse_means(std::string_view s) {
  if (s == "cash") return Means::cash;
  if (s == "pos") return Means::pos;
  return std::nullopt;
}

std::string types_text(const std::vector<int>& types) {
  std::string out;
  for (int t : types) out += (out.empty() ? "" : ",") + std::to_string(t);
  return out;
}

std::vector<int> parse_types(std::string_view text) {
  std::vector<int> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    int v = 0;
    if (std::from_chars(item.data(), item.data() + item.size(), v).ec == std::errc()) out.push_back(v);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

}  // namespace sp::certificates
