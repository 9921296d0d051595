#pragma once
// The HTTP side of App IO (wire.hpp has the bodies): a profile look-up and a message submission, each
// with the body's subscription key in Ocp-Apim-Subscription-Key, each taking a token from a client-side
// bucket per key first (IO allows 150 calls per 5 s per key), and each answering a 429 by pausing that
// key's bucket (Retry-After, or one period) and trying again, a bounded number of times within the call.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "adapters/appio/wire.hpp"
#include "adapters/http_client.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace sp::appio {

// Waits `d` (the real sleep, or a test's fake that advances its clock).
using Sleeper = std::function<void(std::chrono::milliseconds)>;
Sleeper real_sleeper();

// Token buckets, one per subscription key: `calls` tokens, refilled evenly over `period`. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(int calls, std::chrono::milliseconds period, const time::Clock& clock, Sleeper sleep);
  // Takes a token for `key`, sleeping until one is there; false (nothing taken) when that would mean
  // waiting more than `max_wait` in all.
  bool acquire(const std::string& key, std::chrono::milliseconds max_wait);
  // IO answered 429: no call with `key` for `d`, and the bucket starts empty after that.
  void pause(const std::string& key, std::chrono::milliseconds d);
  // Time spent sleeping in acquire(), all keys: the slowing down, for tests and the logs.
  [[nodiscard]] std::chrono::milliseconds waited() const;

 private:
  struct Bucket {
    double tokens = 0;
    time::TimePoint updated{};
    time::TimePoint paused_until{};
  };
  const int calls_;
  const std::chrono::milliseconds period_;
  const time::Clock& clock_;
  Sleeper sleep_;
  mutable std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
  std::chrono::milliseconds waited_{0};
};

struct ClientOptions {
  std::string base_url = "https://api.io.pagopa.it/api/v1";  // demo: the simulator's
  std::chrono::milliseconds timeout{10'000};
  int rate_calls = 150;                          // per key …
  std::chrono::milliseconds rate_period{5'000};  // … per this period
  std::chrono::milliseconds max_wait{15'000};    // longest wait for a token within one call
  int retries_on_429 = 3;                        // within one call; then a transient error (the job retries)
};

class Client {
 public:
  explicit Client(ClientOptions options, const time::Clock& clock = time::system_clock(),
                  Sleeper sleep = real_sleeper());

  // GET /profiles/{fiscal_code}. 404 is not_on_io. Errors: appio.throttled (429s or no token in
  // time), appio.unreachable (connection, timeout, 5xx), messaging.rejected (400/401/403: a wrong key
  // or a refused request, no retry), appio.answer.
  Result<Reach> profile(const std::string& key, const std::string& fiscal_code);
  // POST /messages with `body` (new_message_json). Returns IO's message id. `idempotency_key` goes in
  // an Idempotency-Key header, which IO does not define (it ignores it; the simulator counts by it).
  // Errors: as profile().
  Result<std::string> submit(const std::string& key, const std::string& body,
                             const std::string& idempotency_key);

  [[nodiscard]] RateLimiter& limiter() { return limiter_; }
  [[nodiscard]] const ClientOptions& options() const { return options_; }

 private:
  Result<adapters::HttpResponse> call(adapters::HttpRequest req, const std::string& key);

  ClientOptions options_;
  adapters::HttpClient http_;
  RateLimiter limiter_;
};

}  // namespace sp::appio
