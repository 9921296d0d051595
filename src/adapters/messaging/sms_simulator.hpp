#pragma once
// A local simulator of the SMS gateway of sms.hpp (the protocol is described there): it answers on an
// http::Router, so it is web-side (sp_adapters_web); the sender in sms.hpp is the domain side.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
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

  // Adds POST and GET {prefix}/messages, and POST {prefix}/guasto (form status=401&times=1: fail() from
  // outside, for the demo and the browser tests; status=0&times=0 mends it). The simulator must outlive
  // the router.
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
  // POSTs per Idempotency-Key (repeats included) and messages accepted per key (always 1: a repeat is not
  // sent again): what a crash test counts.
  [[nodiscard]] std::map<std::string, int> requests_by_key() const;
  // Test and demo hook: every n-th POST is answered 429 with Retry-After `retry_after_s` (0: never).
  void throttle_every(int n, int retry_after_s = 1);

  // Delivery reports: each accepted message gets one, held until send_reports() POSTs the pending ones to
  // `url` with `Authorization: Bearer <token>` (the hub's /inbound/sms/reports), so a test decides when
  // they arrive (late: after the hub's own view is final). Recipients whose number ends in 999 get a
  // "failed" report, others "delivered".
  void set_reports(std::string url, std::string token);
  // Posts the pending reports (each `copies` times: 2 plays a duplicate); returns how many the hub took.
  int send_reports(int copies = 1);
  [[nodiscard]] std::size_t pending_reports() const;
  // Demo: a thread of its own sends the pending reports every `every` (0: stop).
  void report_every(std::chrono::milliseconds every);
  ~SmsGatewaySimulator();

  http::Response handle_post(const http::Request& req);
  http::Response handle_list(const http::Request& req) const;
  http::Response handle_fault(const http::Request& req);

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
  int throttle_every_ = 0;
  int retry_after_s_ = 1;
  std::map<std::string, int> requests_by_key_;
  struct Report {
    std::string id, reference, status;
  };
  std::vector<Report> reports_;
  std::string reports_url_, reports_token_;
  std::thread reporter_;
  bool reporter_stop_ = false;
};

}  // namespace sp::messaging
