#include "adapters/messaging/smtp_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "adapters/messaging/email.hpp"
#include "core/time.hpp"

namespace sp::messaging {
namespace {

constexpr std::size_t kMaxLine = 4096;  // RFC 5321 asks for 1000; be lenient
constexpr std::size_t kMaxMessage = 10 * 1024 * 1024;
constexpr int kIdleMs = 60'000;

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != std::toupper(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// "<a@b> SIZE=12" after "MAIL FROM:" → "a@b"; nullopt when there are no angle brackets.
std::optional<std::string> path_arg(std::string_view rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '<') return std::nullopt;
  auto close = rest.find('>');
  if (close == std::string_view::npos) return std::nullopt;
  return std::string(rest.substr(1, close - 1));
}

class Conn {
 public:
  explicit Conn(int fd) : fd_(fd) {}
  bool send(std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // A line without its CRLF (a bare LF also ends a line); nullopt on close, timeout or overlong line.
  std::optional<std::string> line() {
    for (;;) {
      auto lf = buf_.find('\n');
      if (lf != std::string::npos) {
        std::string l = buf_.substr(0, lf);
        buf_.erase(0, lf + 1);
        if (!l.empty() && l.back() == '\r') l.pop_back();
        return l;
      }
      if (buf_.size() > kMaxLine) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, kIdleMs) <= 0) return std::nullopt;
      char tmp[4096];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return std::nullopt;
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string decode_qp(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && i + 2 < in.size() + 1) {
      if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
        i += 2;
        continue;
      }
      if (i + 1 < in.size() && in[i + 1] == '\n') {
        i += 1;
        continue;
      }
      if (i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
        out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
        i += 2;
        continue;
      }
    }
    out += in[i];
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ReceivedMail::headers() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < data.size()) {
    auto eol = data.find("\r\n", pos);
    if (eol == std::string::npos) eol = data.size();
    std::string_view l(data.data() + pos, eol - pos);
    pos = eol + 2;
    if (l.empty()) break;
    if ((l.front() == ' ' || l.front() == '\t') && !out.empty()) {
      out.back().second += std::string(l);  // unfold: drop the CRLF, keep the whitespace
      continue;
    }
    auto colon = l.find(':');
    if (colon == std::string_view::npos) continue;
    std::string value(l.substr(colon + 1));
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    out.emplace_back(std::string(l.substr(0, colon)), value);
  }
  return out;
}

std::string ReceivedMail::header(std::string_view name) const {
  for (auto& [k, v] : headers())
    if (lower(k) == lower(std::string(name))) return v;
  return {};
}

std::string ReceivedMail::subject() const {
  return decode_header_words(header("subject"));
}

std::string ReceivedMail::body() const {
  auto start = data.find("\r\n\r\n");
  std::string raw = start == std::string::npos ? std::string() : data.substr(start + 4);
  auto cte = lower(header("content-transfer-encoding"));
  if (cte == "base64") return base64_decode(raw).value_or(raw);
  if (cte == "quoted-printable") return decode_qp(raw);
  return raw;
}

SmtpSink::SmtpSink(std::uint16_t port, std::string address) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("smtp sink: socket");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1)
    throw std::runtime_error("smtp sink: address");
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(listen_fd_, 16) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("smtp sink: cannot listen on " + address + ":" + std::to_string(port));
  }
  socklen_t len = sizeof sa;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
}

SmtpSink::~SmtpSink() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void SmtpSink::start() {
  if (acceptor_.joinable()) return;
  acceptor_ = std::thread([this] { accept_loop(); });
}

void SmtpSink::stop() {
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

void SmtpSink::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 200);
    if (stopping_) break;
    if (r <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      break;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void SmtpSink::serve(int fd) {
  Conn c(fd);
  std::string from;
  std::vector<std::string> rcpt;
  bool have_from = false;
  c.send("220 sportello-sink ESMTP ready\r\n");
  while (!stopping_) {
    auto line = c.line();
    if (!line) break;
    const std::string& l = *line;
    if (iequals_prefix(l, "EHLO")) {
      c.send("250-sportello-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n");
      have_from = false;
      rcpt.clear();
    } else if (iequals_prefix(l, "HELO")) {
      c.send("250 sportello-sink\r\n");
      have_from = false;
      rcpt.clear();
    } else if (iequals_prefix(l, "MAIL FROM:")) {
      auto p = path_arg(std::string_view(l).substr(10));
      if (!p) {
        c.send("501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
        continue;
      }
      from = *p;
      have_from = true;
      rcpt.clear();
      c.send("250 2.1.0 OK\r\n");
    } else if (iequals_prefix(l, "RCPT TO:")) {
      if (!have_from) {
        c.send("503 5.5.1 MAIL first\r\n");
        continue;
      }
      auto p = path_arg(std::string_view(l).substr(8));
      if (!p || p->empty()) {
        c.send("501 5.5.4 Syntax: RCPT TO:<address>\r\n");
        continue;
      }
      int reject = 0;
      {
        std::lock_guard lock(mutex_);
        if (reject_times_ > 0) {
          --reject_times_;
          reject = reject_code_;
        }
      }
      if (reject != 0) {
        c.send(std::to_string(reject) +
               (reject >= 500 ? " 5.1.1 Recipient rejected\r\n" : " 4.3.0 Try again later\r\n"));
        continue;
      }
      rcpt.push_back(*p);
      c.send("250 2.1.5 OK\r\n");
    } else if (iequals_prefix(l, "DATA")) {
      if (!have_from || rcpt.empty()) {
        c.send("503 5.5.1 RCPT first\r\n");
        continue;
      }
      c.send("354 End data with <CR><LF>.<CR><LF>\r\n");
      std::string data;
      bool complete = false, too_big = false;
      while (auto dl = c.line()) {
        if (*dl == ".") {
          complete = true;
          break;
        }
        std::string_view v = *dl;
        if (!v.empty() && v.front() == '.') v.remove_prefix(1);  // dot-unstuffing (RFC 5321 4.5.2)
        if (data.size() + v.size() + 2 > kMaxMessage) too_big = true;
        if (!too_big) {
          data.append(v);
          data += "\r\n";
        }
      }
      if (!complete) break;
      if (too_big) {
        c.send("552 5.3.4 Message too big\r\n");
      } else {
        std::string id;
        {
          std::lock_guard lock(mutex_);
          id = "sink-" + std::to_string(next_id_++);
          mails_.push_back(ReceivedMail{id, from, rcpt, std::move(data),
                                        time::format_iso_utc(std::chrono::system_clock::now())});
        }
        cv_.notify_all();
        c.send("250 2.0.0 OK queued as " + id + "\r\n");
      }
      have_from = false;
      rcpt.clear();
    } else if (iequals_prefix(l, "RSET")) {
      have_from = false;
      rcpt.clear();
      c.send("250 2.0.0 OK\r\n");
    } else if (iequals_prefix(l, "NOOP")) {
      c.send("250 2.0.0 OK\r\n");
    } else if (iequals_prefix(l, "VRFY")) {
      c.send("252 2.5.2 Cannot verify\r\n");
    } else if (iequals_prefix(l, "QUIT")) {
      c.send("221 2.0.0 Bye\r\n");
      break;
    } else {
      c.send("500 5.5.2 Command not recognised\r\n");
    }
  }
  std::lock_guard lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

std::vector<ReceivedMail> SmtpSink::messages() const {
  std::lock_guard lock(mutex_);
  return mails_;
}

std::size_t SmtpSink::count() const {
  std::lock_guard lock(mutex_);
  return mails_.size();
}

bool SmtpSink::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return mails_.size() >= n; });
}

void SmtpSink::clear() {
  std::lock_guard lock(mutex_);
  mails_.clear();
}

void SmtpSink::reject_recipients(int code, int times) {
  std::lock_guard lock(mutex_);
  reject_code_ = code;
  reject_times_ = times;
}

}  // namespace sp::messaging
