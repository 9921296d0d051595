#pragma once
// SMS through an HTTP JSON gateway, and a local simulator of that gateway.
//
// Italian SMS gateways each have their own API; this is the simulator's protocol, deliberately small,
// and the one a production adapter for a real provider must be mapped onto:
//
//   POST {base}/messages
//   Authorization: Bearer <api key>
//   Content-Type: application/json
//   Idempotency-Key: <the outbox message id>   (optional; a repeat with the same key is not sent again)
//   {"to": "+393331234567", "text": "...", "sender": "Sportello"}
//
//   202 {"id": "sms-1", "status": "accepted"}       accepted for delivery
//   400 {"error": "invalid_request", ...}          bad JSON, "to" not E.164, empty text  (no retry)
//   401 {"error": "unauthorized"}                  missing or wrong key                   (no retry)
//   429 / 5xx                                      try again later                        (retry)
//
//   GET {base}/messages   (same bearer)  →  200 [{"id","to","text","sender","received_at"}, ...]
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/http_client.hpp"
#include "adapters/messaging/message.hpp"
#include "http/router.hpp"

namespace sp::messaging {

struct SmsOptions {
  std::string url = "http://127.0.0.1:8080/sim/sms/messages";  // the POST endpoint
  std::string api_key;
  std::string sender = "Sportello";  // alphanumeric sender id, at most 11 characters
  std::chrono::milliseconds timeout{10'000};
};

class SmsSender final : public Sender {
 public:
  explicit SmsSender(SmsOptions options);
  // Errors: messaging.rejected (400/401/403/404/422: no retry), messaging.sms (connection, timeout,
  // 429, 5xx: retried).
  sp::Status send(const StoredMessage& m) override;

 private:
  SmsOptions options_;
  adapters::HttpClient http_;
};

struct ReceivedSms {
  std::string id;
  std::string to;
  std::string text;
  std::string sender;
  std::string received_at;
};

// The gateway simulator: routes on an http::Router (the app's own in demo mode, or a test server).
class SmsGatewaySimulator {
 public:
  explicit SmsGatewaySimulator(std::string api_key) : api_key_(std::move(api_key)) {}
  [[nodiscard]] const std::string& api_key() const { return api_key_; }

  // Adds POST and GET {prefix}/messages. The simulator must outlive the router.
  void register_routes(http::Router& router, const std::string& prefix = "/sim/sms");

  [[nodiscard]] std::vector<ReceivedSms> messages() const;
  [[nodiscard]] std::size_t count() const;
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;
  void clear();
  // Test hook: answer the next `times` POSTs with `status` (e.g. 503) instead of accepting them;
  // times < 0: until told otherwise (fail(0, 0) restores normal service).
  void fail(int status, int times);
  // How many POSTs arrived, accepted or not.
  [[nodiscard]] int requests() const;

  http::Response handle_post(const http::Request& req);
  http::Response handle_list(const http::Request& req) const;

 private:
  [[nodiscard]] bool authorised(const http::Request& req) const;

  std::string api_key_;
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::vector<ReceivedSms> received_;
  std::map<std::string, std::string> by_key_;  // Idempotency-Key → the id given to the first request
  int next_id_ = 1;
  int fail_status_ = 0;
  int fail_times_ = 0;
  int requests_ = 0;
};

// True for "+" followed by 8 to 15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view s);

}  // namespace sp::messaging
