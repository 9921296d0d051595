#include "protocollo/register_job.hpp"

#include <spdlog/spdlog.h>

namespace sp::protocollo {

int RegisterJob::run_once() {
  try {
    auto report = registers_.catch_up();
    for (const auto& e : report.errors) spdlog::error("daily register: {}", e);
    if (report.produced > 0) spdlog::info("daily register: produced {} register(s)", report.produced);
    return report.produced;
  } catch (const std::exception& e) {  // a database outage: the next round tries again
    spdlog::error("daily register: {}", e.what());
    return 0;
  }
}

void RegisterJob::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      run_once();
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void RegisterJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sp::protocollo
