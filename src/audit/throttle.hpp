#pragma once
// Aggregation of repeated anonymous refusals (sign-ins for e-mail addresses that have no account,
// invalid API keys, probing for other people's records): each must leave a trace, but an attacker must
// not be able to flood a body's audit chain with them. The first refusal of a key in a window is
// recorded; the ones after it in the same window are only counted, and the next recorded entry for that
// key carries the count ("suppressed": N). Per node, bounded, in memory: a restart loses at most one
// window's counts, never a recorded entry.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sp::audit {

class RefusalThrottle {
 public:
  explicit RefusalThrottle(std::chrono::seconds window = std::chrono::minutes(10),
                           std::size_t max_keys = 10000)
      : window_(window), max_keys_(max_keys) {}

  // nullopt: do not record this one (it is counted). Otherwise record it, with the returned number of
  // refusals of the same key that were counted and not recorded since the last recorded one.
  std::optional<std::int64_t> admit(const std::string& key, time::TimePoint now) {
    std::lock_guard lock(mu_);
    auto it = seen_.find(key);
    if (it != seen_.end() && now - it->second.recorded_at < window_) {
      ++it->second.suppressed;
      return std::nullopt;
    }
    std::int64_t suppressed = 0;
    if (it != seen_.end()) {
      suppressed = it->second.suppressed;
      it->second = {now, 0};
      return suppressed;
    }
    if (seen_.size() >= max_keys_) evict(now);
    seen_.emplace(key, Seen{now, 0});
    return suppressed;
  }

 private:
  struct Seen {
    time::TimePoint recorded_at;
    std::int64_t suppressed = 0;
  };
  // Drops the keys whose window is over (their counts would start a fresh entry anyway); if every key is
  // still in its window, the whole map: a flood of distinct keys then records one entry per key again,
  // which is what the bound is for.
  void evict(time::TimePoint now) {
    std::erase_if(seen_, [&](const auto& kv) { return now - kv.second.recorded_at >= window_; });
    if (seen_.size() >= max_keys_) seen_.clear();
  }

  std::chrono::seconds window_;
  std::size_t max_keys_;
  std::mutex mu_;
  std::map<std::string, Seen> seen_;
};

// The other half of the same bookkeeping, for callers that must also be slowed down (inbound calls
// from national systems, identity/inbound_service.hpp): at most `limit` calls of one key in a fixed
// window; the ones beyond are refused until the window ends. Per node, bounded, in memory, like
// RefusalThrottle.
class WindowLimit {
 public:
  WindowLimit(std::int64_t limit, std::chrono::seconds window, std::size_t max_keys = 10000)
      : limit_(limit), window_(window), max_keys_(max_keys) {}

  // True when the call may go ahead (and counts it); false when `key` used up its window.
  bool allow(const std::string& key, time::TimePoint now) {
    std::lock_guard lock(mu_);
    auto it = calls_.find(key);
    if (it == calls_.end() || now - it->second.started >= window_) {
      if (it == calls_.end() && calls_.size() >= max_keys_) {
        std::erase_if(calls_, [&](const auto& kv) { return now - kv.second.started >= window_; });
        if (calls_.size() >= max_keys_) calls_.clear();
      }
      calls_[key] = Window{now, 1};
      return true;
    }
    if (it->second.count >= limit_) return false;
    ++it->second.count;
    return true;
  }

 private:
  struct Window {
    time::TimePoint started;
    std::int64_t count = 0;
  };
  std::int64_t limit_;
  std::chrono::seconds window_;
  std::size_t max_keys_;
  std::mutex mu_;
  std::map<std::string, Window> calls_;
};

}  // namespace sp::audit
