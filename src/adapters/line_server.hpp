#pragma once
// A small line-protocol server on loopback for the simulators of mail-like systems (the PEC provider's
// POP3 mailbox; the SMTP sink has the same shape and should move onto it): it listens, accepts, gives
// each connection a thread and a LineConn, and on stop closes every connection and joins the threads.
// Plain POSIX sockets: a simulator serves a handful of clients.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sp::adapters {

class LineConn {
 public:
  explicit LineConn(int fd) : fd_(fd) {}
  bool send(std::string_view s);
  // A line without its CRLF (a bare LF also ends a line); nullopt on close, 60 s of silence or a line
  // over 4 KiB.
  std::optional<std::string> line();

 private:
  int fd_;
  std::string buf_;
};

class LineServer {
 public:
  using Handler = std::function<void(LineConn&)>;
  // Binds address:port (0: a free port) at once; throws std::runtime_error when it cannot.
  LineServer(std::uint16_t port, const std::string& address, Handler handler);
  ~LineServer();  // stops
  LineServer(const LineServer&) = delete;
  LineServer& operator=(const LineServer&) = delete;

  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] bool stopping() const { return stopping_; }

 private:
  void accept_loop();
  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
};

}  // namespace sp::adapters
