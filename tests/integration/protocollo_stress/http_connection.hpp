#pragma once
// A small blocking HTTP/1.1 client that keeps its connection alive between requests, for the stress tests:
// thousands of registrations cannot afford a TCP handshake each (the shared test helpers close after every
// request). It never retries: a request whose answer did not arrive whole is reported as lost (nullopt),
// which is exactly what the crash tests need to tell "acknowledged" from "maybe committed".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace sp::protocollo_stress {

struct Reply {
  int status = 0;
  std::string headers;  // lower-cased names and values, "name: value\r\n" each
  std::string body;

  // The value of a header (name lower-case), "" when absent.
  [[nodiscard]] std::string header(const std::string& name) const {
    const std::string key = name + ": ";
    for (std::size_t pos = 0; pos < headers.size();) {
      auto eol = headers.find("\r\n", pos);
      if (eol == std::string::npos) eol = headers.size();
      if (headers.compare(pos, key.size(), key) == 0)
        return headers.substr(pos + key.size(), eol - pos - key.size());
      pos = eol + 2;
    }
    return {};
  }
};

class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port) : port_(port) {}
  ~HttpConnection() { close(); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends one request (connecting first when needed) and reads the whole answer. nullopt when the
  // connection could not be made, broke, or the answer did not arrive whole within `timeout_ms`; the
  // connection is then closed and the next request opens a new one.
  std::optional<Reply> request(const std::string& method, const std::string& target,
                               const std::vector<std::string>& headers, const std::string& body = {},
                               int timeout_ms = 30000) {
    deadline_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
    if (fd_ < 0 && !connect()) return std::nullopt;
    std::string out =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& h : headers) out += h + "\r\n";
    if (!body.empty() || method == "POST") out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "\r\n";
    out += body;
    auto reply = exchange(out);
    if (!reply) close();
    return reply;
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

 private:
  using Clock = std::chrono::steady_clock;

  bool connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close();
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
  }

  int remaining_ms() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
  }

  // Reads more bytes into buf_; false on EOF, error or timeout.
  bool fill() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms()) <= 0) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  // Takes exactly `n` bytes from the front of buf_, reading as needed.
  bool take(std::size_t n, std::string& out) {
    while (buf_.size() < n)
      if (!fill()) return false;
    out.append(buf_, 0, n);
    buf_.erase(0, n);
    return true;
  }

  bool take_line(std::string& line) {
    std::size_t eol;
    while ((eol = buf_.find("\r\n")) == std::string::npos)
      if (!fill()) return false;
    line = buf_.substr(0, eol);
    buf_.erase(0, eol + 2);
    return true;
  }

  std::optional<Reply> exchange(const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return std::nullopt;
      sent += static_cast<std::size_t>(n);
    }
    std::size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    std::string head = buf_.substr(0, head_end + 2);
    buf_.erase(0, head_end + 4);
    if (head.size() < 12 || head.compare(0, 7, "HTTP/1.") != 0) return std::nullopt;
    Reply r;
    r.status = std::atoi(head.substr(9, 3).c_str());
    r.headers = head.substr(head.find("\r\n") + 2);
    std::transform(r.headers.begin(), r.headers.end(), r.headers.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool close_after = r.header("connection") == "close";
    if (r.header("transfer-encoding").find("chunked") != std::string::npos) {
      for (;;) {
        std::string size_line;
        if (!take_line(size_line)) return std::nullopt;
        const auto size = std::strtoul(size_line.c_str(), nullptr, 16);
        if (size == 0) {
          std::string trailer;
          do {
            if (!take_line(trailer)) return std::nullopt;
          } while (!trailer.empty());
          break;
        }
        std::string crlf;
        if (!take(size, r.body) || !take(2, crlf)) return std::nullopt;
      }
    } else if (auto length = r.header("content-length"); !length.empty()) {
      if (!take(std::strtoul(length.c_str(), nullptr, 10), r.body)) return std::nullopt;
    } else {
      while (fill()) {
      }
      r.body = std::move(buf_);
      buf_.clear();
      close();
      return r;
    }
    if (close_after) close();
    return r;
  }

  std::uint16_t port_;
  int fd_ = -1;
  std::string buf_;
  Clock::time_point deadline_{};
};

}  // namespace sp::protocollo_stress
