#include "adapters/line_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace sp::adapters {
namespace {
constexpr std::size_t kMaxLineBytes = 4096;
constexpr int kIdleMillis = 60'000;
}  // namespace

bool LineConn::send(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::string> LineConn::line() {
  for (;;) {
    if (auto lf = buf_.find('\n'); lf != std::string::npos) {
      std::string l = buf_.substr(0, lf);
      buf_.erase(0, lf + 1);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      return l;
    }
    if (buf_.size() > kMaxLineBytes) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kIdleMillis) <= 0) return std::nullopt;
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return std::nullopt;
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
}

LineServer::LineServer(std::uint16_t port, const std::string& address, Handler handler)
    : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("line server: socket");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(listen_fd_, 16) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("line server: cannot listen on " + address + ":" + std::to_string(port));
  }
  socklen_t len = sizeof sa;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
}

LineServer::~LineServer() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void LineServer::start() {
  if (!acceptor_.joinable()) acceptor_ = std::thread([this] { accept_loop(); });
}

void LineServer::stop() {
  stopping_ = true;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers)
    if (t.joinable()) t.join();
}

void LineServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0 || stopping_) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      break;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] {
      LineConn c(fd);
      handler_(c);
      // Out of the list before closing, under the lock stop() shuts connections down with: a closed
      // descriptor number reused by someone else is never shut down by mistake.
      std::lock_guard done(mutex_);
      std::erase(open_fds_, fd);
      ::close(fd);
    });
  }
}

}  // namespace sp::adapters
