#include "adapters/messaging/sms_reports_web.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

#include "adapters/messaging/sms.hpp"
#include "core/digest.hpp"

namespace sp::messaging {
namespace {

namespace json = boost::json;

http::Response answer(int status, json::object o) {
  return http::Response::json(json::serialize(o), status);
}

struct ReportsDeps {
  db::Database& db;
  std::string token;
  const time::Clock& clock;
};

http::Response receive(const ReportsDeps& d, const http::Request& req) {
  const std::string* auth = req.header("authorization");
  if (auth == nullptr || !digest::equal_constant_time(*auth, "Bearer " + d.token))
    return answer(401, {{"error", "unauthorized"}});
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || (!v.is_object() && !v.is_array())) return answer(400, {{"error", "invalid_request"}});
  json::array items;
  if (v.is_array()) {
    items = v.as_array();
  } else {
    items.push_back(v);
  }
  if (items.size() > 1000)
    return answer(400, {{"error", "invalid_request"}, {"detail", "at most 1000 reports"}});
  int applied = 0, unchanged = 0, unknown = 0;
  for (const auto& item : items) {
    if (!item.is_object()) return answer(400, {{"error", "invalid_request"}});
    const auto& o = item.as_object();
    auto str = [&](const char* k) {
      auto* p = o.if_contains(k);
      return p != nullptr && p->is_string() ? std::string(p->as_string()) : std::string();
    };
    SmsReport r{str("id"), str("reference"), str("status"), str("error")};
    auto change = apply_sms_report(d.db, r, d.clock.now());
    if (!change) {
      if (change.error().code == "sms.report")
        return answer(400, {{"error", "invalid_request"}, {"detail", change.error().detail}});
      ++unknown;
      continue;
    }
    if (*change == Change::moved) {
      ++applied;
    } else {
      ++unchanged;
    }
  }
  if (unknown > 0) spdlog::warn("sms reports: {} about no message of the hub", unknown);
  return answer(200, {{"applied", applied}, {"unchanged", unchanged}, {"unknown", unknown}});
}

}  // namespace

void register_sms_reports(http::Router& router, db::Database& db, std::string token,
                          const time::Clock& clock) {
  if (token.empty()) return;
  auto deps = std::make_shared<ReportsDeps>(ReportsDeps{db, std::move(token), clock});
  router.post("/inbound/sms/reports", [deps](http::Request& r) { return receive(*deps, r); });
}

}  // namespace sp::messaging
