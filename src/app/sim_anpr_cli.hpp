#pragma once
// `sportello sim anpr serve [--port P] [--population FILE]... [--credential ISTAT=SECRET]... [--url URL]`
// (adapters/anpr/simulator.hpp, docs/certificates.md): the ANPR simulator alone, without the hub. It
// always loads data/demo/population.jsonl and the comuni's names from data/demo/bodies.json; each
// --population adds a file (JSON Lines or CSV, docs/population-format.md). Each --credential gives a
// comune (ISTAT code) a secret; SPORTELLO_ANPR_SIM_CREDENTIALS may hold more, as ISTAT=SECRET pairs
// separated by commas (so that secrets stay off the command line). Added to the command line by cli.cpp.
//
// `sportello sim anpr move CF --via "VIA ROMA" --civico 3 [--specie VIA] [--cap …] [--comune ISTAT]
// [--famiglia ID] [--date YYYY-MM-DD] [--sim URL]`: a change in the running simulator's population (default
// http://localhost:8093, the demo's): a new address, in the same comune or another. The simulator makes
// the 4005 notifications for the comuni concerned; the hub's job anagrafe.anpr_sync fetches them.
// Prints the notifications' ANPR ids; exit 0, or 1 when the simulator refused (the reason on stderr).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace sp::app {

class SimAnprCommands {
 public:
  explicit SimAnprCommands(CLI::App& sim);
  [[nodiscard]] bool parsed() const;
  int run(const Config& cfg, std::ostream& err) const;  // serve or move

 private:
  CLI::App* anpr_ = nullptr;
  CLI::App* serve_ = nullptr;
  std::uint16_t port_ = 8093;
  std::vector<std::string> population_files_;
  std::vector<std::string> credentials_;
  std::string base_url_;
  CLI::App* move_ = nullptr;
  std::string sim_url_ = "http://localhost:8093";
  std::string cf_, specie_ = "VIA", via_, civico_, cap_, comune_, famiglia_, date_;
  int move(std::ostream& out, std::ostream& err) const;
};

}  // namespace sp::app
