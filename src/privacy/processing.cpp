#include "privacy/processing.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "export/service.hpp"
#include "privacy/store.hpp"

namespace sp::privacy {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxField = 4000;

}  // namespace

ProcessingRecords::ProcessingRecords(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                                     const std::string& file)
    : db_(db), audit_(audit), clock_(clock) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto doc = json::parse(ss.str());
  for (const auto& f : doc.at("fields").as_array()) fields_.emplace_back(f.as_string());
  for (const auto& a : doc.at("activities").as_array()) {
    Activity act;
    act.code = std::string(a.at("code").as_string());
    for (const auto& [k, v] : a.as_object())
      if (v.is_string() && k != "code") act.text[std::string(k)] = std::string(v.as_string());
    hub_.push_back(std::move(act));
  }
}

std::vector<Activity> ProcessingRecords::for_body(std::int64_t tenant) {
  auto out = hub_;
  db_.read([&](db::Conn& c) {
    for (const auto& r : store::latest_records(c, tenant)) {
      for (auto& a : out) {
        if (a.code != r.activity) continue;
        a.version = r.version;
        a.saved_at = r.saved_at;
        const auto fields = json::parse(r.fields);
        for (const auto& [k, v] : fields.as_object())
          if (v.is_string()) a.text[std::string(k)] = std::string(v.as_string());
      }
    }
  });
  return out;
}

Status ProcessingRecords::save(std::int64_t tenant, const std::string& staff_id, const std::string& activity,
                               const std::map<std::string, std::string>& values) {
  const Activity* base = nullptr;
  for (const auto& a : hub_)
    if (a.code == activity) base = &a;
  if (!base) return Error::make("privacy.activity", 404, activity);
  json::object changed;
  for (const auto& f : fields_) {
    for (const char* lang : {"_it", "_en"}) {
      const std::string key = f + lang;
      auto it = values.find(key);
      if (it == values.end()) continue;
      if (it->second.size() > kMaxField) {
        auto e = Error::make("privacy.field_too_long", 400, key);
        e.field = key;
        return e;
      }
      auto hub = base->text.find(key);
      if (hub == base->text.end() || hub->second != it->second) changed[key] = it->second;
    }
  }
  const std::string at = time::format_iso_utc_millis(clock_.now());
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    const std::int64_t version = store::next_record_version(tx, tenant, activity);
    store::insert_record(tx, tenant, activity, version, json::serialize(changed), staff_id, at);
    audit::Entry e;
    e.tenant_id = tenant;
    e.actor_kind = audit::ActorKind::staff;
    e.actor_id = staff_id;
    e.channel = audit::Channel::web;
    e.action = "privacy.processing_record.saved";
    e.record_type = "processing_record";
    e.record_id = activity;
    e.details = json::serialize(json::object{{"version", version}});
    if (auto st = audit_.record(tx, e); !st) return st.error();
    return Ok{};
  });
}

std::string ProcessingRecords::csv(std::int64_t tenant, const std::string& lang) {
  std::string out = "\xEF\xBB\xBF";
  out += "code;name;service_kind";
  for (const auto& f : fields_) out += ";" + f;
  out += ";version\r\n";
  const std::string suffix = lang == "en" ? "_en" : "_it";
  for (const auto& a : for_body(tenant)) {
    auto text = [&](const std::string& k) {
      auto it = a.text.find(k + suffix);
      return it == a.text.end() ? std::string() : it->second;
    };
    out += body_export::csv_cell(a.code) + ";" + body_export::csv_cell(text("name")) + ";" +
           body_export::csv_cell(text("service_kind"));
    for (const auto& f : fields_) out += ";" + body_export::csv_cell(text(f));
    out += ";" + std::to_string(a.version) + "\r\n";
  }
  return out;
}

std::string ProcessingRecords::json(std::int64_t tenant) {
  json::array arr;
  for (const auto& a : for_body(tenant)) {
    json::object o{{"code", a.code}, {"version", a.version}};
    for (const auto& [k, v] : a.text) o[k] = v;
    arr.push_back(o);
  }
  return json::serialize(json::object{{"format", "sportello-processing-records"}, {"activities", arr}});
}

}  // namespace sp::privacy
