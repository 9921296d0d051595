#include "app/sim_anpr_cli.hpp"

#include <cstdlib>

#include "adapters/anpr/simulator.hpp"

namespace sp::app {
namespace {

// "006039=secret" → (secret, istat); false when malformed.
bool anpr_credential(const std::string& pair, anpr::sim::SimulatorOptions& o) {
  const auto eq = pair.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) return false;
  o.credentials[pair.substr(eq + 1)] = pair.substr(0, eq);
  return true;
}

}  // namespace

SimAnprCommands::SimAnprCommands(CLI::App& sim) {
  anpr_ = sim.add_subcommand("anpr", "ANPR simulator: consultation (3000) and certificates (6001)");
  anpr_->require_subcommand(1);
  serve_ = anpr_->add_subcommand("serve", "Run the simulator alone, without the hub");
  serve_->add_option("--port", port_, "Port to listen on (0: a free one, printed)");
  serve_
      ->add_option("--population", population_files_,
                   "More people (JSON Lines or CSV, docs/population-format.md); repeatable")
      ->check(CLI::ExistingFile);
  serve_->add_option("--credential", credentials_, "A comune's credential, ISTAT=SECRET; repeatable");
  serve_->add_option("--url", base_url_, "The simulator's public URL (default http://localhost:PORT)");
}

bool SimAnprCommands::parsed() const {
  return anpr_->parsed();
}

int SimAnprCommands::run(const Config& cfg, std::ostream& err) const {
  anpr::sim::SimulatorOptions o;
  o.population_files.push_back(cfg.share_dir + "/data/demo/population.jsonl");
  o.population_files.insert(o.population_files.end(), population_files_.begin(), population_files_.end());
  o.comuni_file = cfg.share_dir + "/data/demo/bodies.json";
  for (const auto& c : credentials_) {
    if (!anpr_credential(c, o)) {
      err << "sportello: --credential wants ISTAT=SECRET\n";
      return 2;
    }
  }
  if (const char* env = std::getenv("SPORTELLO_ANPR_SIM_CREDENTIALS"); env && *env) {
    std::string rest = env;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string item = rest.substr(0, comma);
      rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
      if (!item.empty() && !anpr_credential(item, o)) {
        err << "sportello: SPORTELLO_ANPR_SIM_CREDENTIALS wants ISTAT=SECRET,...\n";
        return 2;
      }
    }
  }
  o.base_url = base_url_.empty() && port_ != 0 ? "http://localhost:" + std::to_string(port_) : base_url_;
  o.share_dir = cfg.share_dir;
  o.static_dir = cfg.static_dir;
  return anpr::sim::run_simulator(std::move(o), port_);
}

}  // namespace sp::app
