#pragma once
// A local simulator of the SMS gateway of sms.hpp (the protocol is described there): it answers on an
// http::Router, so it is web-side (sp_adapters_web); the sender in sms.hpp is the domain side.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/messaging/sms.hpp"
#include "http/router.hpp"

namespace sp::messaging {

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
  // How many valid POSTs carried this Idempotency-Key, the repeats (accepted, not sent again) included:
  // what a test of "nothing sent twice" counts.
  [[nodiscard]] int count_for_key(const std::string& key) const;

  http::Response handle_post(const http::Request& req);
  http::Response handle_list(const http::Request& req) const;

 private:
  [[nodiscard]] bool authorised(const http::Request& req) const;

  std::string api_key_;
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::vector<ReceivedSms> received_;
  std::map<std::string, std::string> by_key_;  // Idempotency-Key → the id given to the first request
  std::map<std::string, int> key_requests_;    // Idempotency-Key → valid POSTs carrying it
  int next_id_ = 1;
  int fail_status_ = 0;
  int fail_times_ = 0;
  int requests_ = 0;
};

}  // namespace sp::messaging
