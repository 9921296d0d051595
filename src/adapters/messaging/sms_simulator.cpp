#include "adapters/messaging/sms_simulator.hpp"

#include <boost/json.hpp>
#include <optional>
#include <stdexcept>

#include "adapters/http_client.hpp"
#include "core/digest.hpp"
#include "core/time.hpp"

namespace sp::messaging {
namespace {

namespace json = boost::json;

http::Response gateway_error(int status, std::string_view error, std::string_view detail = {}) {
  json::object o;
  o["error"] = error;
  if (!detail.empty()) o["detail"] = detail;
  return http::Response::json(json::serialize(o), status);
}

}  // namespace

void SmsGatewaySimulator::register_routes(http::Router& router, const std::string& prefix) {
  router.post(prefix + "/messages", [this](http::Request& r) { return handle_post(r); });
  router.get(prefix + "/messages", [this](http::Request& r) { return handle_list(r); });
  router.post(prefix + "/guasto", [this](http::Request& r) { return handle_fault(r); });
}

http::Response SmsGatewaySimulator::handle_fault(const http::Request& req) {
  auto form = req.form();
  if (!form) return http::Response::text("bad form\n", 400);
  auto number = [&](const char* k, int lo, int hi) -> std::optional<int> {
    auto it = form->find(k);
    if (it == form->end()) return std::nullopt;
    try {
      std::size_t used = 0;
      const int v = std::stoi(it->second, &used);
      if (used != it->second.size() || v < lo || v > hi) return std::nullopt;
      return v;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  const auto status = number("status", 0, 599);
  const auto times = number("times", -1, 1000);
  if (!status || !times || (*status != 0 && *status < 400))
    return http::Response::text("status, times\n", 400);
  fail(*status, *times);
  return http::Response::text("ok\n");
}

bool SmsGatewaySimulator::authorised(const http::Request& req) const {
  const std::string* auth = req.header("authorization");
  const std::string expected = "Bearer " + api_key_;
  return auth != nullptr && digest::equal_constant_time(*auth, expected);
}

http::Response SmsGatewaySimulator::handle_post(const http::Request& req) {
  {
    std::lock_guard lock(mutex_);
    ++requests_;
    if (const std::string* key = req.header("idempotency-key"); key != nullptr && !key->empty())
      ++requests_by_key_[*key];
    if (fail_times_ != 0) {
      if (fail_times_ > 0) --fail_times_;
      return gateway_error(fail_status_,
                           fail_status_ == 401 || fail_status_ == 403 ? "unauthorized" : "unavailable",
                           "simulated failure");
    }
    if (throttle_every_ > 0 && requests_ % throttle_every_ == 0) {
      auto r = gateway_error(429, "throttled", "too many requests");
      r.headers.emplace_back("Retry-After", std::to_string(retry_after_s_));
      return r;
    }
  }
  if (!authorised(req)) return gateway_error(401, "unauthorized");
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return gateway_error(400, "invalid_request", "body must be a JSON object");
  const auto& o = v.as_object();
  auto str = [&](const char* k) -> std::string {
    auto* p = o.if_contains(k);
    return p != nullptr && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  ReceivedSms sms{"", str("to"), str("text"), str("sender"),
                  time::format_iso_utc(std::chrono::system_clock::now())};
  if (!is_e164(sms.to)) return gateway_error(400, "invalid_request", "to must be an E.164 number");
  if (sms.text.empty() || sms.text.size() > 1600) return gateway_error(400, "invalid_request", "text");
  if (sms.sender.empty() || sms.sender.size() > 11) return gateway_error(400, "invalid_request", "sender");
  const std::string* key = req.header("idempotency-key");
  {
    std::lock_guard lock(mutex_);
    if (key != nullptr && !key->empty()) {
      ++key_requests_[*key];
      if (auto it = by_key_.find(*key); it != by_key_.end()) {  // a repeat: accepted, not sent again
        json::object out;
        out["id"] = it->second;
        out["status"] = "accepted";
        return http::Response::json(json::serialize(out), 202);
      }
    }
    sms.id = "sms-" + std::to_string(next_id_++);
    received_.push_back(sms);
    const bool fails = sms.to.size() > 3 && sms.to.compare(sms.to.size() - 3, 3, "999") == 0;
    reports_.push_back({sms.id, key != nullptr ? *key : std::string(), fails ? "failed" : "delivered"});
    if (key != nullptr && !key->empty()) by_key_[*key] = sms.id;
  }
  cv_.notify_all();
  json::object out;
  out["id"] = sms.id;
  out["status"] = "accepted";
  return http::Response::json(json::serialize(out), 202);
}

http::Response SmsGatewaySimulator::handle_list(const http::Request& req) const {
  if (!authorised(req)) return gateway_error(401, "unauthorized");
  json::array a;
  for (const auto& m : messages()) {
    a.push_back(json::object{
        {"id", m.id}, {"to", m.to}, {"text", m.text}, {"sender", m.sender}, {"received_at", m.received_at}});
  }
  return http::Response::json(json::serialize(a));
}

std::vector<ReceivedSms> SmsGatewaySimulator::messages() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t SmsGatewaySimulator::count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

bool SmsGatewaySimulator::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
}

void SmsGatewaySimulator::clear() {
  std::lock_guard lock(mutex_);
  received_.clear();
}

void SmsGatewaySimulator::fail(int status, int times) {
  std::lock_guard lock(mutex_);
  fail_status_ = status;
  fail_times_ = times;
}

int SmsGatewaySimulator::count_for_key(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = key_requests_.find(key);
  return it == key_requests_.end() ? 0 : it->second;
}

int SmsGatewaySimulator::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::map<std::string, int> SmsGatewaySimulator::requests_by_key() const {
  std::lock_guard lock(mutex_);
  return requests_by_key_;
}

void SmsGatewaySimulator::throttle_every(int n, int retry_after_s) {
  std::lock_guard lock(mutex_);
  throttle_every_ = n;
  retry_after_s_ = retry_after_s;
}

void SmsGatewaySimulator::set_reports(std::string url, std::string token) {
  std::lock_guard lock(mutex_);
  reports_url_ = std::move(url);
  reports_token_ = std::move(token);
}

std::size_t SmsGatewaySimulator::pending_reports() const {
  std::lock_guard lock(mutex_);
  return reports_.size();
}

int SmsGatewaySimulator::send_reports(int copies) {
  std::vector<Report> batch;
  std::string url, token;
  {
    std::lock_guard lock(mutex_);
    batch.swap(reports_);
    url = reports_url_;
    token = reports_token_;
  }
  if (url.empty() || batch.empty()) return 0;
  adapters::HttpClient http;
  int taken = 0;
  std::vector<Report> again;
  for (const auto& r : batch) {
    json::object o{{"id", r.id}, {"reference", r.reference}, {"status", r.status}};
    if (r.status != "delivered") o["error"] = "simulated: the handset did not answer";
    bool ok = false;
    for (int i = 0; i < copies; ++i) {
      adapters::HttpRequest req;
      req.method = "POST";
      req.url = url;
      req.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
      req.body = json::serialize(o);
      auto res = http.send(req);
      ok = ok || (res && res->status >= 200 && res->status < 300);
    }
    if (ok) {
      ++taken;
    } else {
      again.push_back(r);  // the hub was not there: sent again next time
    }
  }
  if (!again.empty()) {
    std::lock_guard lock(mutex_);
    reports_.insert(reports_.begin(), again.begin(), again.end());
  }
  return taken;
}

void SmsGatewaySimulator::report_every(std::chrono::milliseconds every) {
  {
    std::lock_guard lock(mutex_);
    reporter_stop_ = true;
  }
  cv_.notify_all();
  if (reporter_.joinable()) reporter_.join();
  if (every.count() <= 0) return;
  {
    std::lock_guard lock(mutex_);
    reporter_stop_ = false;
  }
  reporter_ = std::thread([this, every] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, every, [this] { return reporter_stop_; })) {
      lock.unlock();
      send_reports();
      lock.lock();
    }
  });
}

SmsGatewaySimulator::~SmsGatewaySimulator() {
  report_every(std::chrono::milliseconds(0));
}

}  // namespace sp::messaging
