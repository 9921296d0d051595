#pragma once
// Waiting for what a test cannot be told about (a restarted node, an outbox delivering in the background, a
// simulator receiving): one copy for the suites that used to carry their own.
#include <chrono>
#include <thread>

namespace sp::testing {

// Asks `f` every `poll` until it answers true or `timeout` has passed, then once more. A bound, not a
// pause: it returns as soon as the condition holds.
template <typename F>
bool eventually(F f, std::chrono::milliseconds timeout = std::chrono::seconds(60),
                std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(poll);
  }
  return f();
}

}  // namespace sp::testing
