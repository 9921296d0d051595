// The socket layer: Boost.Beast over Asio with C++20 coroutines. Bytes in, Request; dispatch(); bytes out.
//
// Threading: one io_context per thread, each run by exactly one thread, so everything a connection owns
// (its socket, its buffers, its worker's idle set) is touched by one thread and needs no locking. A single
// acceptor lives on worker 0 and hands sockets out round-robin. We chose this over SO_REUSEPORT acceptors
// per context because it is portable, keeps port 0 (tests) trivially correct — every SO_REUSEPORT socket
// would need the same port —, and on loopback benchmarks the one accept loop is nowhere near a bottleneck.
//
// GCC 12 coroutine rules (DESIGN.md): coroutines are free functions taking parameters by value (raw
// pointers to objects that outlive them), no capturing coroutine lambdas.
#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <thread>

#include "core/text.hpp"
#include "http/access_log.hpp"
#include "http/internal.hpp"

namespace sp::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
}

struct Worker {
  asio::io_context ioc{1};  // concurrency hint 1: only this worker's thread runs it
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  // Connections waiting for their next request, as an intrusive list (no allocation per request); stop()
  // cancels them. Only this worker's thread touches it.
  struct IdleLink {
    IdleLink* prev = this;
    IdleLink* next = this;
    beast::tcp_stream* stream = nullptr;
    void link_after(IdleLink& head) {
      prev = &head;
      next = head.next;
      head.next->prev = this;
      head.next = this;
    }
    void unlink() {
      prev->next = next;
      next->prev = prev;
      prev = next = this;
    }
  };
  IdleLink idle;  // sentinel
  std::thread thread;
};

// Everything the server shares with its coroutines. Named outside Server so the free coroutine functions
// can see it (Server::Impl is private); Server::Impl just derives from it.
struct ServerCore {
  ServerCore(ServerOptions o, const Router& r, Hooks h)
      : options(std::move(o)), router(r), hooks(std::move(h)) {}

  ServerOptions options;
  const Router& router;
  Hooks hooks;
  std::atomic<bool> stopping{false};
  std::atomic<bool> destroying{false};
  std::atomic<int> sessions{0};
  std::uint16_t port = 0;
  std::size_t next_worker = 0;  // used by the accept loop only
  // Declared after the atomics and before anything bound to an io_context: members die in reverse order,
  // so sockets/timers go first, then the contexts (destroying suspended coroutines), then the counters.
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<tcp::acceptor> acceptor;  // on workers[0]
  std::optional<asio::steady_timer> grace_timer;
  std::optional<asio::signal_set> signals;

  asio::io_context& main_ioc() { return workers.front()->ioc; }
  void begin_stop(std::chrono::milliseconds grace);
  void finish_if_drained();
  void session_ended();
};

namespace {

// True when `target` starts with `prefix`, where a "*" segment of the prefix matches any one segment
// ("/backoffice/*/protocollo/nuovo" matches "/backoffice/asti/protocollo/nuovo").
bool matches_prefix(std::string_view prefix, std::string_view target) {
  while (!prefix.empty()) {
    const auto star = prefix.find('*');
    if (star == std::string_view::npos) return target.starts_with(prefix);
    if (!target.starts_with(prefix.substr(0, star))) return false;
    target.remove_prefix(star);
    prefix.remove_prefix(star + 1);
    const auto end = target.find_first_of("/?");
    if (end == 0) return false;  // "*" needs a non-empty segment
    target.remove_prefix(end == std::string_view::npos ? target.size() : end);
  }
  return true;
}

bool is_upload_path(const ServerOptions& o, std::string_view target) {
  return std::any_of(o.upload_prefixes.begin(), o.upload_prefixes.end(),
                     [&](const std::string& p) { return !p.empty() && matches_prefix(p, target); });
}

bhttp::response<bhttp::string_body> to_beast(Response&& res, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  const bool bodiless = res.status < 200 || res.status == 204 || res.status == 304;
  // dispatch() already cleaned what handlers set; this is the last line for anything built elsewhere.
  if (auto dropped = detail::sanitize_headers(res); !dropped.empty())
    spdlog::warn("http: dropped {} unsafe response header(s)", dropped.size());
  if (!res.content_type.empty() && !bodiless) out.set(bhttp::field::content_type, res.content_type);
  for (auto& [name, value] : res.headers) out.insert(name, value);
  out.keep_alive(keep_alive);
  if (!bodiless) out.body() = std::move(res.body);
  out.prepare_payload();
  if (head) out.body().clear();  // Content-Length stays that of the GET body
  return out;
}

void log_line(const ServerCore* impl, const Request& req, int status, std::size_t bytes,
              std::chrono::steady_clock::time_point started);

// Writes a connection-level error (no usable Request) and tells the caller to close.
asio::awaitable<void> write_error(ServerCore* impl, beast::tcp_stream& stream, int status,
                                  std::string_view remote, std::chrono::steady_clock::time_point started,
                                  std::string_view method = {}, std::string_view target = {}) {
  Response res = detail::plain_error(status);
  Request req;  // for the access log only
  req.method = std::string(method);
  req.target = std::string(target.substr(0, 512));  // bounded: it may be hostile
  req.ctx.request_id = detail::new_request_id();
  req.ctx.route = "rejected";
  req.remote_addr = std::string(remote);
  res.headers.emplace_back("x-request-id", req.ctx.request_id);
  const std::size_t bytes = res.body.size();
  auto out = to_beast(std::move(res), 11, false, false);
  stream.expires_after(std::chrono::seconds(5));
  co_await bhttp::async_write(stream, out, use_nothrow);
  if (impl->options.access_log) log_line(impl, req, status, bytes, started);
}

void log_line(const ServerCore* impl, const Request& req, int status, std::size_t bytes,
              std::chrono::steady_clock::time_point started) {
  (void)impl;
  detail::AccessEntry e;
  e.request_id = req.ctx.request_id;
  e.method = req.method;
  e.path = req.path.empty() ? std::string_view(req.target) : std::string_view(req.path);
  e.remote = req.remote_addr;
  e.tenant = req.ctx.tenant_slug;
  e.route = req.ctx.route;
  e.status = status;
  e.bytes = bytes;
  e.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  detail::log_access(e);
}

// Decrements the live-session count however the coroutine ends (including destruction by ~io_context).
struct SessionGuard {
  ServerCore* impl;
  ~SessionGuard() { impl->session_ended(); }
};

asio::awaitable<void> session(ServerCore* impl, Worker* worker, tcp::socket socket) {
  SessionGuard guard{impl};
  const ServerOptions& opt = impl->options;
  std::string remote;
  {
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  Worker::IdleLink idle_link;
  idle_link.stream = &stream;
  bool first = true;

  for (;;) {
    // Wait for the first bytes of the next request. Between keep-alive requests this is the idle wait,
    // during which stop() may close us; a brand-new connection gets request_timeout instead.
    if (buffer.size() == 0) {
      if (impl->stopping.load()) break;
      stream.expires_after(first ? opt.request_timeout : opt.idle_timeout);
      idle_link.link_after(worker->idle);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_nothrow);
      idle_link.unlink();
      if (ec) break;
      buffer.commit(n);
    }
    first = false;
    const auto started = std::chrono::steady_clock::now();
    // From the first byte on, the whole request (headers and body) must arrive within request_timeout.
    stream.expires_after(opt.request_timeout);

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opt.header_limit, UINT32_MAX)));
    // Beast checks Content-Length against body_limit when the header completes, so allow the larger of
    // the two here and apply the per-path limit ourselves below.
    parser.body_limit(std::max(opt.body_limit, opt.upload_body_limit));
    {
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_nothrow);
      if (ec == bhttp::error::header_limit) {
        co_await write_error(impl, stream, 431, remote, started);
        break;
      }
      if (ec == bhttp::error::body_limit) {
        co_await write_error(impl, stream, 413, remote, started);
        break;
      }
      if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
          ec == bhttp::error::partial_message || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
        break;  // the peer went away or stalled: nobody to answer
      }
      if (ec) {
        co_await write_error(impl, stream, 400, remote, started);
        break;
      }
    }

    auto& head = parser.get();
    if (head.method() == bhttp::verb::unknown) {
      co_await write_error(impl, stream, 501, remote, started, "OTHER", head.target());
      break;
    }
    const std::size_t limit = is_upload_path(opt, head.target()) ? opt.upload_body_limit : opt.body_limit;
    if (auto length = parser.content_length(); length && *length > limit) {
      // Decided from the header alone: a client announcing 1 GB is answered before it sends a byte of it.
      co_await write_error(impl, stream, 413, remote, started, head.method_string(), head.target());
      break;
    }
    parser.body_limit(limit);  // also bounds chunked bodies as they arrive
    if (!parser.is_done()) {
      if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, head.version()};
        auto [ec, n] = co_await bhttp::async_write(stream, cont, use_nothrow);
        if (ec) break;
      }
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
      if (ec == bhttp::error::body_limit) {
        co_await write_error(impl, stream, 413, remote, started);
        break;
      }
      if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
          ec == bhttp::error::partial_message || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
        break;
      }
      if (ec) {
        co_await write_error(impl, stream, 400, remote, started);
        break;
      }
    }

    auto msg = parser.release();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.remote_addr = remote;
    req.headers.reserve(16);
    for (const auto& field : msg)
      req.headers.emplace_back(text::to_lower_ascii(field.name_string()), std::string(field.value()));
    req.body = std::move(msg.body());

    Response res = dispatch(impl->router, impl->hooks, opt, req);  // never throws: it catches handlers
    const int status = res.status;
    const bool is_head = msg.method() == bhttp::verb::head;
    const bool keep_alive = msg.keep_alive() && !impl->stopping.load();
    const std::size_t bytes = is_head ? 0 : res.body.size();
    auto out = to_beast(std::move(res), msg.version(), keep_alive, is_head);

    stream.expires_after(opt.request_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, out, use_nothrow);
    if (opt.access_log) log_line(impl, req, status, bytes, started);
    if (ec || !keep_alive) break;
  }

  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.socket().close(ignored);
}

// Completion handler for sessions: dispatch() catches handler exceptions, so anything here is our bug.
void log_session_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("http: connection ended by exception: {}", ex.what());
  } catch (...) {
    spdlog::error("http: connection ended by unknown exception");
  }
}

asio::awaitable<void> accept_loop(ServerCore* impl) {
  for (;;) {
    Worker* worker = impl->workers[impl->next_worker++ % impl->workers.size()].get();
    tcp::socket socket(worker->ioc);
    auto [ec] = co_await impl->acceptor->async_accept(socket, use_nothrow);
    if (ec) {
      if (impl->stopping.load() || ec == asio::error::operation_aborted || !impl->acceptor->is_open())
        co_return;
      // EMFILE and friends: back off briefly instead of spinning.
      spdlog::warn("http accept failed: {}", ec.message());
      asio::steady_timer pause(impl->main_ioc(), std::chrono::milliseconds(50));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    impl->sessions.fetch_add(1);
    asio::co_spawn(worker->ioc, session(impl, worker, std::move(socket)), log_session_exception);
  }
}

}  // namespace

struct Server::Impl : ServerCore {
  using ServerCore::ServerCore;
};

void ServerCore::session_ended() {
  if (sessions.fetch_sub(1) == 1 && stopping.load() && !destroying.load()) {
    asio::post(main_ioc(), [this] { finish_if_drained(); });
  }
}

// Runs on worker 0. When no connection is left, let every io_context run out of work so run() returns.
void ServerCore::finish_if_drained() {
  if (sessions.load() != 0) return;
  if (grace_timer) grace_timer->cancel();
  for (auto& w : workers) w->work.reset();
}

void ServerCore::begin_stop(std::chrono::milliseconds grace) {
  if (stopping.exchange(true)) return;
  asio::post(main_ioc(), [this, grace] {
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);  // new connections are refused from now on
    if (signals) signals->cancel(ignored);
    grace_timer.emplace(main_ioc(), grace);
    grace_timer->async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // cancelled: everything drained in time
      spdlog::warn("http: grace period over with {} connection(s) still open; closing them", sessions.load());
      for (auto& w : workers) w->ioc.stop();
    });
    finish_if_drained();
  });
  // Idle keep-alive connections would otherwise hold us until idle_timeout.
  for (auto& w : workers) {
    Worker* wp = w.get();
    asio::post(wp->ioc, [wp] {
      for (auto* l = wp->idle.next; l != &wp->idle; l = l->next) l->stream->cancel();
    });
  }
}

Server::Server(ServerOptions options, const Router& router, Hooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(hooks))) {
  int n = impl_->options.threads > 0 ? impl_->options.threads
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->work.emplace(w->ioc.get_executor());
    impl_->workers.push_back(std::move(w));
  }
}

Server::~Server() {
  impl_->destroying.store(true);
  for (auto& w : impl_->workers) {
    w->ioc.stop();
    if (w->thread.joinable()) w->thread.join();
  }
  impl_->signals.reset();
  impl_->grace_timer.reset();
  impl_->acceptor.reset();
  impl_->workers.clear();
}

void Server::listen() {
  auto& ioc = impl_->main_ioc();
  tcp::acceptor acceptor(ioc);
  if (impl_->options.listen_fd >= 0) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(impl_->options.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    acceptor.assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), impl_->options.listen_fd);
  } else {
    tcp::endpoint endpoint{asio::ip::make_address(impl_->options.address), impl_->options.port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->acceptor.emplace(std::move(acceptor));
  asio::co_spawn(ioc, accept_loop(impl_.get()), asio::detached);
}

void Server::run() {
  auto& workers = impl_->workers;
  for (std::size_t i = 1; i < workers.size(); ++i) {
    Worker* w = workers[i].get();
    w->thread = std::thread([w] { w->ioc.run(); });
  }
  workers.front()->ioc.run();
  for (std::size_t i = 1; i < workers.size(); ++i) {
    if (workers[i]->thread.joinable()) workers[i]->thread.join();
  }
  if (impl_->options.access_log) detail::flush_access_log();
}

void Server::stop(std::chrono::milliseconds grace) {
  impl_->begin_stop(grace);
}

void Server::stop_on_signals() {
  Impl* impl = impl_.get();
  impl->signals.emplace(impl->main_ioc(), SIGINT, SIGTERM);
  impl->signals->async_wait([impl](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("http: signal {} received, stopping", signo);
    impl->begin_stop(std::chrono::milliseconds(10'000));
  });
}

BoundListener bind_listener(const std::string& address, std::uint16_t port) {
  asio::io_context ioc;
  tcp::endpoint endpoint{asio::ip::make_address(address), port};
  tcp::acceptor acceptor(ioc);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  BoundListener out;
  out.port = acceptor.local_endpoint().port();
  out.fd = acceptor.release();
  return out;
}

std::uint16_t Server::port() const {
  return impl_->port;
}

}  // namespace sp::http
