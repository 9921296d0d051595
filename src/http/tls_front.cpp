// GCC 12 coroutine rules (DESIGN.md): coroutines are free functions taking parameters by value (a
// shared_ptr to the connection both directions share), no capturing coroutine lambdas.
#include "http/tls_front.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace sp::http {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {
constexpr auto tls_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

struct TlsConnection {
  TlsConnection(tcp::socket client, ssl::context& ctx)
      : tls(std::move(client), ctx), backend(tls.get_executor()), timer(tls.get_executor()) {}
  ssl::stream<tcp::socket> tls;
  tcp::socket backend;
  asio::steady_timer timer;
  void close() {
    boost::system::error_code ignored;
    tls.lowest_layer().close(ignored);
    backend.close(ignored);
  }
};

asio::awaitable<void> client_to_backend(std::shared_ptr<TlsConnection> c) {
  std::array<char, 16384> buf;
  for (;;) {
    auto [ec, n] = co_await c->tls.async_read_some(asio::buffer(buf), tls_nothrow);
    if (ec) break;
    auto [wec, w] = co_await asio::async_write(c->backend, asio::buffer(buf.data(), n), tls_nothrow);
    if (wec) break;
  }
  c->close();
}

asio::awaitable<void> backend_to_client(std::shared_ptr<TlsConnection> c) {
  std::array<char, 16384> buf;
  for (;;) {
    auto [ec, n] = co_await c->backend.async_read_some(asio::buffer(buf), tls_nothrow);
    if (ec) break;
    auto [wec, w] = co_await asio::async_write(c->tls, asio::buffer(buf.data(), n), tls_nothrow);
    if (wec) break;
  }
  c->close();
}

asio::awaitable<void> relay(std::shared_ptr<TlsConnection> c, std::uint16_t backend_port) {
  // A client that never finishes its handshake is dropped.
  c->timer.expires_after(kHandshakeTimeout);
  c->timer.async_wait([c](boost::system::error_code ec) {
    if (!ec) c->close();
  });
  auto [hec] = co_await c->tls.async_handshake(ssl::stream_base::server, tls_nothrow);
  c->timer.cancel();
  if (hec) {
    // A missing or untrusted client certificate ends here: the client gets the TLS alert.
    spdlog::debug("tls front: handshake refused: {}", hec.message());
    c->close();
    co_return;
  }
  auto [cec] = co_await c->backend.async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), backend_port), tls_nothrow);
  if (cec) {
    c->close();
    co_return;
  }
  auto ex = c->tls.get_executor();
  asio::co_spawn(ex, client_to_backend(c), asio::detached);
  asio::co_spawn(ex, backend_to_client(c), asio::detached);
}

asio::awaitable<void> tls_accept_loop(TlsFront::Impl* impl);

}  // namespace

// Destroyed in reverse: the thread (joined before), the acceptor, the io_context (with the connections'
// coroutines still pending), then the TLS context they used.
struct TlsFront::Impl {
  TlsFrontOptions options;
  ssl::context ctx{ssl::context::tls_server};
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
};

namespace {
asio::awaitable<void> tls_accept_loop(TlsFront::Impl* impl) {
  for (;;) {
    tcp::socket socket(impl->ioc);
    auto [ec] = co_await impl->acceptor.async_accept(socket, tls_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !impl->acceptor.is_open()) co_return;
      continue;
    }
    auto c = std::make_shared<TlsConnection>(std::move(socket), impl->ctx);
    asio::co_spawn(impl->ioc, relay(c, impl->options.backend_port), asio::detached);
  }
}
}  // namespace

TlsFront::TlsFront(TlsFrontOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  auto& o = impl_->options;
  auto& ctx = impl_->ctx;
  try {
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx.use_certificate_chain_file(o.cert_file);
    ctx.use_private_key_file(o.key_file, ssl::context::pem);
    if (!o.client_ca_file.empty()) {
      ctx.load_verify_file(o.client_ca_file);
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    tcp::endpoint ep(asio::ip::make_address(o.address), o.port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("tls front: ") + e.what());
  }
  asio::co_spawn(impl_->ioc, tls_accept_loop(impl_.get()), asio::detached);
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

TlsFront::~TlsFront() {
  asio::post(impl_->ioc, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t TlsFront::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace sp::http
