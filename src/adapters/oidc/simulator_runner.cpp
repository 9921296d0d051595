// Running the provider simulator on its own port: standalone (`sportello sim idp`) or in a thread next
// to the main server (demo mode, tests).
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "adapters/oidc/simulator.hpp"
#include "http/server.hpp"

namespace sp::oidc {
namespace {

http::ServerOptions server_options(std::uint16_t port) {
  http::ServerOptions o;
  o.address = "127.0.0.1";
  o.port = port;
  o.threads = 2;  // a handler may block on the RP's JWKS; keep a second thread for other requests
  o.access_log = false;
  return o;
}

class ThreadedSimulator final : public RunningSimulator {
 public:
  ThreadedSimulator(SimulatorOptions options, std::uint16_t port, std::optional<SimulatorOptions> cie) {
    const bool issuer_from_port = options.issuer.empty();
    const bool cie_issuer_from_port = cie && cie->issuer.empty();
    // The CIE provider's routes are mounted under its issuer's path: a placeholder host until the port
    // is known.
    if (cie_issuer_from_port) cie->issuer = "http://127.0.0.1:0/cie";
    simulator_ = register_simulator_routes(router_, std::move(options));
    if (cie) cie_ = register_simulator_routes(router_, std::move(*cie));
    server_ = std::make_unique<http::Server>(server_options(port), router_);
    server_->listen();  // throws when the port is taken
    if (issuer_from_port) simulator_->set_issuer("http://127.0.0.1:" + std::to_string(server_->port()));
    if (cie_issuer_from_port) cie_->set_issuer(simulator_->issuer() + "/cie");
    thread_ = std::thread([this] { server_->run(); });
  }
  ~ThreadedSimulator() override {
    server_->stop(std::chrono::milliseconds(2000));
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const override { return server_->port(); }
  [[nodiscard]] std::string issuer() const override { return simulator_->issuer(); }
  [[nodiscard]] Simulator& simulator() override { return *simulator_; }
  [[nodiscard]] Simulator* cie() override { return cie_.get(); }

 private:
  http::Router router_;  // the server keeps a reference: declared first, destroyed last
  std::shared_ptr<Simulator> simulator_;
  std::shared_ptr<Simulator> cie_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<RunningSimulator> start_simulator_thread(SimulatorOptions options, std::uint16_t port,
                                                         std::optional<SimulatorOptions> cie) {
  return std::make_unique<ThreadedSimulator>(std::move(options), port, std::move(cie));
}

int run_simulator(const SimulatorOptions& options, std::uint16_t port) {
  try {
    http::Router router;
    SimulatorOptions o = options;
    const bool issuer_from_port = o.issuer.empty();
    if (issuer_from_port) o.issuer = "http://127.0.0.1:" + std::to_string(port);
    auto sim = register_simulator_routes(router, o);
    http::ServerOptions so = server_options(port);
    so.access_log = true;
    http::Server server(so, router);
    server.listen();  // port 0: a free one; the issuer follows it
    if (issuer_from_port) sim->set_issuer("http://127.0.0.1:" + std::to_string(server.port()));
    std::printf("SPID/CIE simulator listening on port %u, issuer %s\n", static_cast<unsigned>(server.port()),
                sim->issuer().c_str());
    std::fflush(stdout);
    server.stop_on_signals();
    server.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim idp: %s\n", e.what());
    return 1;
  }
}

}  // namespace sp::oidc
