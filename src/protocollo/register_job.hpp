#pragma once
// Runs DailyRegisterService::catch_up in the background: once at start (the days missed while the server
// was down) and then every `interval`, so each day's register appears shortly after Rome midnight.
// Several nodes may run it at once: producing a day is idempotent.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "protocollo/daily_register.hpp"

namespace sp::protocollo {

class RegisterJob {
 public:
  RegisterJob(DailyRegisterService& registers, std::chrono::seconds interval)
      : registers_(registers), interval_(interval) {}
  ~RegisterJob() { stop(); }
  RegisterJob(const RegisterJob&) = delete;
  RegisterJob& operator=(const RegisterJob&) = delete;

  void start();
  void stop();
  // Runs one catch-up now, in the caller's thread (tests, the CLI). Returns the registers produced.
  int run_once();

 private:
  DailyRegisterService& registers_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sp::protocollo
