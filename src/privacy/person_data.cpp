#include "privacy/person_data.hpp"

#include <boost/json.hpp>
#include <set>

#include "export/service.hpp"
#include "privacy/store.hpp"

namespace sp::privacy {
namespace json = boost::json;

std::vector<PersonSection> PersonDataService::collect(const std::string& fiscal_code) {
  std::vector<PersonSection> out;
  db_.read([&](db::Conn& c) {
    for (const auto& src : store::person_sources()) {
      PersonSection s;
      s.code = src.code;
      s.table = src.table;
      auto arr =
          body_export::rows_as_json(c, src.table, src.where, fiscal_code, src.withheld, kPersonRowsCap + 1);
      if (static_cast<int>(arr.size()) > kPersonRowsCap) {
        s.truncated = true;
        arr.resize(kPersonRowsCap);
      }
      s.rows = static_cast<std::int64_t>(arr.size());
      s.json = json::serialize(arr);
      out.push_back(std::move(s));
    }
  });
  return out;
}

std::string PersonDataService::to_json(const std::string& fiscal_code, const std::string& generated_at) {
  json::object sections;
  json::array truncated;
  for (auto& s : collect(fiscal_code)) {
    sections[s.code] = json::parse(s.json);
    if (s.truncated) truncated.push_back(json::string(s.code));
  }
  json::object doc{{"format", "sportello-personal-data"},
                   {"format_version", 1},
                   {"fiscal_code", fiscal_code},
                   {"generated_at", generated_at},
                   {"sections", sections}};
  if (!truncated.empty()) doc["truncated"] = truncated;
  return json::serialize(doc);
}

}  // namespace sp::privacy
