// Demo mode: the local ANPR simulator (adapters/anpr/simulator.hpp) next to the hub, in a thread on
// sim_anpr_port, with the demo's population and one credential per comune made at each start (it lives
// only in this process's memory, in config anpr_credentials, and is never printed).
#include <spdlog/spdlog.h>

#include "app/app.hpp"
#include "core/ids.hpp"

namespace sp::app {

void App::point_at_anpr_simulator() {
  std::uint16_t port = config_.sim_anpr_port;
  if (port == 0) {
    try {
      const auto bound = http::bind_listener("127.0.0.1", 0);
      anpr_sim_fd_ = bound.fd;
      port = bound.port;
    } catch (const std::exception& e) {
      spdlog::error("ANPR simulator: no free port: {}", e.what());
      return;
    }
  }
  if (config_.anpr_url.empty())
    config_.anpr_url = "http://localhost:" + std::to_string(port) + anpr::sim::kServicePath;
  if (config_.anpr_credentials.empty()) {
    std::string pairs;
    for (const auto& body : tenants_->snapshot()->bodies) {
      if (body->kind != tenants::BodyKind::comune || body->istat_code.size() != 6) continue;
      if (!pairs.empty()) pairs += ",";
      pairs += body->istat_code + "=" + ids::random_token(24);
    }
    config_.anpr_credentials = pairs;
  }
}

void App::start_anpr_simulator() {
  if (!config_.demo || !config_.sim_anpr) return;
  anpr::sim::SimulatorOptions so;
  so.population_files = {config_.share_dir + "/data/demo/population.jsonl"};
  so.comuni_file = config_.share_dir + "/data/demo/bodies.json";
  so.share_dir = config_.share_dir;
  so.static_dir = config_.static_dir;
  std::string rest = config_.anpr_credentials;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string item = rest.substr(0, comma);
    rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
    if (const auto eq = item.find('='); eq != std::string::npos)
      so.credentials[item.substr(eq + 1)] = item.substr(0, eq);
  }
  try {
    anpr_sim_ = anpr::sim::start_simulator_thread(so, config_.sim_anpr_port, anpr_sim_fd_);
    anpr_sim_fd_ = -1;  // the simulator's server owns it now
  } catch (const std::exception& e) {
    spdlog::error("ANPR simulator not started on port {}: {}", config_.sim_anpr_port, e.what());
    return;
  }
  spdlog::info("ANPR simulator at {}{} ({} person versions); certificates verify at {}/verifica",
               anpr_sim_->url(), anpr::sim::kServicePath, anpr_sim_->simulator().population().size(),
               anpr_sim_->url());
}

}  // namespace sp::app
