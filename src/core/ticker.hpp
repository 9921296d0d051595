#pragma once
// A thread of its own that calls `tick` every `interval` until stopped: for per-node housekeeping that
// must run on every node (anchoring the audit chains, noticing a directory changed elsewhere), unlike the
// job runner's periodic kinds, which run once per period across all nodes. `tick` must not throw (catch
// and log inside: the next round tries again).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sp {

class Ticker {
 public:
  Ticker(std::chrono::milliseconds interval, std::function<void()> tick)
      : interval_(interval), tick_(std::move(tick)) {}
  ~Ticker() { stop(); }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
        lock.unlock();
        tick_();
        lock.lock();
      }
    });
  }
  // Waits for a tick in progress. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (!thread_.joinable() || stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::chrono::milliseconds interval_;
  std::function<void()> tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sp
