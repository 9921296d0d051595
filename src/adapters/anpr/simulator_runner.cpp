// Running the ANPR simulator on its own port: standalone (`sportello sim anpr serve`) or in a thread next
// to the hub (demo mode, tests), as the pagoPA simulator does (adapters/pagopa/simulator_runner.cpp).
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "adapters/anpr/simulator.hpp"
#include "http/server.hpp"
#include "http/tls_front.hpp"

namespace sp::anpr::sim {

std::shared_ptr<void> register_anpr_simulator_routes(http::Router& router, Simulator& simulator);

namespace {

http::ServerOptions anpr_server_options(const SimulatorOptions& o, std::uint16_t port, int listen_fd) {
  http::ServerOptions so;
  so.address = "127.0.0.1";
  so.port = port;
  so.listen_fd = listen_fd;
  so.threads = 2;
  so.access_log = false;
  so.static_dir = o.static_dir;
  so.upload_prefixes = {"/verifica"};  // the uploaded PDF
  so.upload_body_limit = 10 * 1024 * 1024;
  return so;
}

class ThreadedAnpr final : public RunningSimulator {
 public:
  ThreadedAnpr(SimulatorOptions options, std::uint16_t port, int listen_fd) {
    const bool url_from_port = options.base_url.empty();
    const bool tls = !options.tls_cert_file.empty();
    http::TlsFrontOptions to{"127.0.0.1",          tls ? port : std::uint16_t{0}, options.tls_cert_file,
                             options.tls_key_file, options.tls_client_ca_file,    0};
    // Behind a TLS front, the plain server takes any free port (the front has the one asked for).
    const auto so = anpr_server_options(options, tls ? std::uint16_t{0} : port, tls ? -1 : listen_fd);
    simulator_ = std::make_unique<Simulator>(std::move(options));
    site_ = register_anpr_simulator_routes(router_, *simulator_);
    server_ = std::make_unique<http::Server>(so, router_);
    server_->listen();
    if (tls) {
      to.backend_port = server_->port();
      front_ = std::make_unique<http::TlsFront>(to);
    }
    if (url_from_port)
      simulator_->set_base_url((tls ? "https://localhost:" : "http://localhost:") + std::to_string(port_()));
    thread_ = std::thread([this] { server_->run(); });
  }
  ~ThreadedAnpr() override {
    front_.reset();
    server_->stop(std::chrono::milliseconds(2000));
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const override { return port_(); }
  [[nodiscard]] std::string url() const override { return simulator_->base_url(); }
  [[nodiscard]] Simulator& simulator() override { return *simulator_; }

 private:
  http::Router router_;  // the server keeps a reference: declared first, destroyed last
  std::unique_ptr<Simulator> simulator_;
  std::shared_ptr<void> site_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::TlsFront> front_;
  std::thread thread_;
  [[nodiscard]] std::uint16_t port_() const { return front_ ? front_->port() : server_->port(); }
};

}  // namespace

std::unique_ptr<RunningSimulator> start_simulator_thread(SimulatorOptions options, std::uint16_t port,
                                                         int listen_fd) {
  return std::make_unique<ThreadedAnpr>(std::move(options), port, listen_fd);
}

int run_simulator(SimulatorOptions options, std::uint16_t port) {
  try {
    const bool url_from_port = options.base_url.empty();
    auto so = anpr_server_options(options, port, -1);
    so.access_log = true;
    Simulator simulator(std::move(options));
    http::Router router;
    auto site = register_anpr_simulator_routes(router, simulator);
    http::Server server(so, router);
    server.listen();
    if (url_from_port) simulator.set_base_url("http://localhost:" + std::to_string(server.port()));
    std::printf("ANPR simulator listening on port %u (%s%s), %zu person versions\n",
                static_cast<unsigned>(server.port()), simulator.base_url().c_str(), kServicePath,
                simulator.population().size());
    std::fflush(stdout);
    server.stop_on_signals();
    server.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim anpr: %s\n", e.what());
    return 1;
  }
}

}  // namespace sp::anpr::sim
