#include "privacy/person_data.hpp"

#include <boost/json.hpp>
#include <set>

#include "export/store.hpp"
#include "privacy/store.hpp"

namespace sp::privacy {
namespace json = boost::json;
namespace {

json::value to_json_value(const db::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return json::string(*s);
  return nullptr;
}

}  // namespace

std::vector<PersonSection> PersonDataService::collect(const std::string& fiscal_code) {
  std::vector<PersonSection> out;
  db_.read([&](db::Conn& c) {
    for (const auto& src : store::person_sources()) {
      std::vector<body_export::Column> cols;
      for (auto& col : body_export::store::columns(c, src.table))
        if (!col.blob && !src.withheld.count(col.name)) cols.push_back(std::move(col));
      PersonSection s;
      s.code = src.code;
      s.table = src.table;
      json::array arr;
      const auto rows =
          body_export::store::rows_where(c, src.table, cols, src.where, fiscal_code, kPersonRowsCap + 1);
      for (const auto& r : rows) {
        if (static_cast<int>(arr.size()) == kPersonRowsCap) {
          s.truncated = true;
          break;
        }
        json::object o;
        for (std::size_t i = 0; i < cols.size(); ++i) o[cols[i].name] = to_json_value(r.raw(i));
        arr.push_back(std::move(o));
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
