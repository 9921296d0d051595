#pragma once
// A local SMTP sink for the demo and the tests: a minimal SMTP server (RFC 5321 server side: EHLO/HELO,
// MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT) on loopback that accepts every message
// and keeps it in memory, on the simulators' line server (adapters/line_server.hpp).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/line_server.hpp"

namespace sp::messaging {

// A received message: the envelope and the DATA as received (dot-unstuffed, CRLF line endings).
struct ReceivedMail {
  std::string id;  // "sink-<n>"
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;
  std::string received_at;  // ISO 8601 UTC (system clock)

  // Parsed views of `data`: unfolded headers (name as written), the first header by name
  // (case-insensitive, "" if absent), the Subject decoded from RFC 2047, and the body decoded from its
  // Content-Transfer-Encoding (base64, quoted-printable or as is).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> headers() const;
  [[nodiscard]] std::string header(std::string_view name) const;
  [[nodiscard]] std::string subject() const;
  [[nodiscard]] std::string body() const;
};

class SmtpSink {
 public:
  // Binds 127.0.0.1:port (0: a free port) at once; throws std::runtime_error when it cannot.
  explicit SmtpSink(std::uint16_t port = 0, std::string address = "127.0.0.1");
  ~SmtpSink();  // stops
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  void start();  // accept loop in a thread
  void stop();   // closes the listener and every connection, joins the threads

  [[nodiscard]] std::uint16_t port() const { return server_.port(); }
  [[nodiscard]] std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }

  // Copies of what was received so far, oldest first.
  [[nodiscard]] std::vector<ReceivedMail> messages() const;
  [[nodiscard]] std::size_t count() const;
  // Waits until at least `n` messages arrived; false at the deadline.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;
  void clear();

  // Test hook: reply with `code` (e.g. 451 or 550) to the next `times` RCPT TO commands.
  void reject_recipients(int code, int times);

 private:
  void serve(adapters::LineConn& c);

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::vector<ReceivedMail> mails_;
  std::uint64_t next_id_ = 1;
  int reject_code_ = 0;
  int reject_times_ = 0;
  adapters::LineServer server_;  // last: its threads use the members above, and it stops first
};

}  // namespace sp::messaging
