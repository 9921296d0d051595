#pragma once
// The HTTP/1.1 server: Boost.Beast + Asio with C++20 coroutines, one io_context per thread, keep-alive,
// limits that turn bad input into 4xx or a closed connection (never a crash or a hang), static files,
// security headers, Prometheus metrics and JSON access logs. Knows nothing of domains.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "http/router.hpp"

namespace sp::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (see Server::port())
  int listen_fd = -1;         // a socket already listening (bind_listener): used instead of address and port
  int threads = 0;            // 0: one per core
  std::size_t header_limit = 16 * 1024;              // bytes of request line + headers
  std::size_t body_limit = 1024 * 1024;              // bytes, ordinary requests
  std::size_t upload_body_limit = 25 * 1024 * 1024;  // bytes, for paths starting with an upload prefix
  std::vector<std::string> upload_prefixes;  // e.g. "/api/v1/upload"; a "*" segment matches any one segment
  std::chrono::milliseconds request_timeout{30'000};  // whole request must arrive within this
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::string static_dir;                             // served under static_prefix; empty: no static files
  std::string static_prefix = "/static/";
  std::chrono::seconds static_max_age{3600};
  bool access_log = true;  // JSON lines on stdout via spdlog
  // Strict-Transport-Security on every response: set when the public URL is https (TLS ends at the
  // reverse proxy, so the server cannot tell from the socket). A year, no includeSubDomains: other
  // sites of a body's domain are not ours to pin.
  bool hsts = false;
};

// Hooks the application installs. All are optional.
struct Hooks {
  // Runs before routing (tenant resolution, locale, sessions). Returning a response short-circuits.
  std::function<std::optional<Response>(Request&)> before;
  // Runs after the handler (or the error page) for routed requests: cookies, cache headers.
  std::function<void(Request&, Response&)> after;
  // Renders error pages (404, 405, 413, 500, ...) in the site's style; called with the status.
  std::function<Response(Request&, int status)> error_page;
  // Extra Prometheus text appended to /metrics (e.g. the DB pool).
  std::function<std::string()> extra_metrics;
  // Answers /readyz: true when dependencies (the database) are reachable.
  std::function<bool()> ready;
  // The status for an exception a handler let through (default 500): e.g. 503 for a database that is
  // unreachable or refuses writes, so the node answers "try again" rather than "broken".
  std::function<int(const std::exception&)> exception_status;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Hooks hooks = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; after this, port() is the real port. Throws on bind failure.
  void listen();
  // Runs the io_contexts on `threads` threads and blocks until stop() completes.
  void run();
  // Graceful stop: stop accepting, let requests in flight finish (up to `grace`), then return from run().
  // Safe to call from a signal-handling thread or another thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{10'000});
  // Installs SIGTERM/SIGINT handling that calls stop().
  void stop_on_signals();

  [[nodiscard]] std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A socket bound to address:port (0: a free port) and listening, for a caller that must know the real port
// before it builds what the server serves (the public URL follows it). Throws on bind failure.
struct BoundListener {
  std::uint16_t port = 0;
  int fd = -1;  // pass it as ServerOptions::listen_fd; the server owns it from then on
};
BoundListener bind_listener(const std::string& address, std::uint16_t port);

// Pure request → response dispatch used by the server (and by tests without sockets): routing,
// security headers, 404/405, exceptions → 500, built-in /healthz /readyz /metrics, static files.
Response dispatch(const Router& router, const Hooks& hooks, const ServerOptions& options, Request& req);

}  // namespace sp::http
