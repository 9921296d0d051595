#include "adapters/appio/client.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

namespace sp::appio {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Retry-After in seconds (IO's API Management sends seconds); absent or unreadable: nullopt.
std::optional<milliseconds> retry_after(const adapters::HttpResponse& r) {
  const std::string* h = r.header("retry-after");
  if (h == nullptr) return std::nullopt;
  long seconds = 0;
  auto [p, ec] = std::from_chars(h->data(), h->data() + h->size(), seconds);
  if (ec != std::errc() || seconds < 0) return std::nullopt;
  return milliseconds(std::min<long>(seconds, 3600) * 1000);
}

Error answer_error(const adapters::HttpResponse& r, std::string_view what) {
  std::string detail = std::string(what) + ": HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  if (r.status == 400 || r.status == 401 || r.status == 403)
    return Error::make("messaging.rejected", 502, detail);
  if (r.status == 429) return Error::make("appio.throttled", 503, detail);
  return Error::make("appio.unreachable", 502, detail);
}

}  // namespace

Sleeper real_sleeper() {
  return [](milliseconds d) { std::this_thread::sleep_for(d); };
}

RateLimiter::RateLimiter(int calls, milliseconds period, const time::Clock& clock, Sleeper sleep)
    : calls_(std::max(1, calls)),
      period_(std::max(milliseconds(1), period)),
      clock_(clock),
      sleep_(std::move(sleep)) {}

bool RateLimiter::acquire(const std::string& key, milliseconds max_wait) {
  milliseconds waited{0};
  const double per_ms = static_cast<double>(calls_) / static_cast<double>(period_.count());
  for (;;) {
    milliseconds wait{0};
    {
      std::lock_guard lock(mutex_);
      const auto now = clock_.now();
      auto [it, fresh] = buckets_.try_emplace(key);
      Bucket& b = it->second;
      if (fresh) {
        b.tokens = calls_;
        b.updated = now;
      }
      if (now < b.paused_until) {
        wait = duration_cast<milliseconds>(b.paused_until - now) + milliseconds(1);
      } else {
        const auto from = std::max(b.updated, b.paused_until);
        const double elapsed = std::chrono::duration<double, std::milli>(now - from).count();
        b.tokens = std::min<double>(calls_, b.tokens + std::max(0.0, elapsed) * per_ms);
        b.updated = now;
        if (b.tokens >= 1.0) {
          b.tokens -= 1.0;
          return true;
        }
        wait = milliseconds(static_cast<long long>(std::ceil((1.0 - b.tokens) / per_ms)));
      }
      if (waited + wait > max_wait) return false;
      waited_ += wait;
    }
    waited += wait;
    sleep_(wait);
  }
}

void RateLimiter::pause(const std::string& key, milliseconds d) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  Bucket& b = buckets_[key];
  b.paused_until = std::max(b.paused_until, now + d);
  b.updated = b.paused_until;
  b.tokens = 0;  // after the pause the bucket refills from empty: the sending resumes slowly
}

milliseconds RateLimiter::waited() const {
  std::lock_guard lock(mutex_);
  return waited_;
}

Client::Client(ClientOptions options, const time::Clock& clock, Sleeper sleep)
    : options_(std::move(options)),
      http_([&] {
        adapters::HttpClientOptions o;
        o.timeout = options_.timeout;
        o.connect_timeout = std::min(options_.timeout, milliseconds(5000));
        return o;
      }()),
      limiter_(options_.rate_calls, options_.rate_period, clock, std::move(sleep)) {}

Result<adapters::HttpResponse> Client::call(adapters::HttpRequest req, const std::string& key) {
  req.headers.emplace_back("Ocp-Apim-Subscription-Key", key);
  req.headers.emplace_back("Accept", "application/json");
  for (int attempt = 0;; ++attempt) {
    if (!limiter_.acquire(key, options_.max_wait))
      return Error::make("appio.throttled", 503,
                         "no call allowed within " + std::to_string(options_.max_wait.count()) + " ms");
    auto res = http_.send(req);
    if (!res) return Error::make("appio.unreachable", 502, res.error().code + " " + res.error().detail);
    if (res->status != 429) return res;
    limiter_.pause(key, retry_after(*res).value_or(options_.rate_period));
    if (attempt >= options_.retries_on_429) return answer_error(*res, req.method + " " + req.url);
  }
}

Result<Reach> Client::profile(const std::string& key, const std::string& fiscal_code) {
  adapters::HttpRequest req;
  req.method = "GET";
  req.url = options_.base_url + "/profiles/" + fiscal_code;
  auto res = call(std::move(req), key);
  if (!res) return res.error();
  if (res->status == 404) return Reach::not_on_io;
  if (res->status != 200) return answer_error(*res, "profile");
  return parse_profile(res->body);
}

Result<std::string> Client::submit(const std::string& key, const std::string& body,
                                   const std::string& idempotency_key) {
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = options_.base_url + "/messages";
  req.headers = {{"Content-Type", "application/json"}};
  if (!idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", idempotency_key);
  req.body = body;
  auto res = call(std::move(req), key);
  if (!res) return res.error();
  if (res->status != 201) return answer_error(*res, "message");
  return parse_created(res->body);
}

}  // namespace sp::appio
