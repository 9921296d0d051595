// Running the pagoPA simulator on its own port: standalone (`sportello sim pagopa serve`) or in a thread
// next to the hub (demo mode, tests), as the SPID/CIE simulator does (adapters/oidc/simulator_runner.cpp).
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "adapters/pagopa/simulator.hpp"
#include "adapters/pagopa/simulator_routes.hpp"
#include "http/server.hpp"

namespace sp::pagopa::sim {
namespace {

http::ServerOptions runner_server_options(const SimulatorOptions& o, std::uint16_t port, int listen_fd) {
  http::ServerOptions so;
  so.address = "127.0.0.1";
  so.port = port;
  so.listen_fd = listen_fd;
  // A cart's payment blocks on the station (in demo mode, the hub next door): keep threads for others.
  so.threads = 4;
  so.access_log = false;
  so.static_dir = o.static_dir;
  return so;
}

class ThreadedSimulator final : public RunningSimulator {
 public:
  ThreadedSimulator(SimulatorOptions options, std::uint16_t port, int listen_fd) {
    const bool url_from_port = options.base_url.empty();
    const auto so = runner_server_options(options, port, listen_fd);
    simulator_ = std::make_unique<Simulator>(std::move(options));
    site_ = register_simulator_routes(router_, *simulator_);
    server_ = std::make_unique<http::Server>(so, router_);
    server_->listen();  // throws when the port is taken
    if (url_from_port) simulator_->set_base_url("http://localhost:" + std::to_string(server_->port()));
    thread_ = std::thread([this] { server_->run(); });
  }
  ~ThreadedSimulator() override {
    server_->stop(std::chrono::milliseconds(2000));
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const override { return server_->port(); }
  [[nodiscard]] std::string url() const override { return simulator_->base_url(); }
  [[nodiscard]] Simulator& simulator() override { return *simulator_; }

 private:
  http::Router router_;  // the server keeps a reference: declared first, destroyed last
  std::unique_ptr<Simulator> simulator_;
  std::shared_ptr<void> site_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<RunningSimulator> start_simulator_thread(SimulatorOptions options, std::uint16_t port,
                                                         int listen_fd) {
  return std::make_unique<ThreadedSimulator>(std::move(options), port, listen_fd);
}

const fdr::FlowSource& flow_source(RunningSimulator& running) {
  return running.simulator().flows();
}

int run_simulator(SimulatorOptions options, std::uint16_t port) {
  try {
    const bool url_from_port = options.base_url.empty();
    auto so = runner_server_options(options, port, -1);
    so.access_log = true;
    Simulator simulator(std::move(options));
    http::Router router;
    auto site = register_simulator_routes(router, simulator);
    http::Server server(so, router);
    server.listen();  // port 0: a free one; the URL follows it
    if (url_from_port) simulator.set_base_url("http://localhost:" + std::to_string(server.port()));
    std::printf("pagoPA simulator listening on port %u (%s)\n", static_cast<unsigned>(server.port()),
                simulator.base_url().c_str());
    std::fflush(stdout);
    server.stop_on_signals();
    server.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim pagopa: %s\n", e.what());
    return 1;
  }
}

}  // namespace sp::pagopa::sim
