#pragma once
// `sportello sim anpr serve [--port P] [--population FILE]... [--credential ISTAT=SECRET]... [--url URL]`
// (adapters/anpr/simulator.hpp, docs/certificates.md): the ANPR simulator alone, without the hub. It
// always loads data/demo/population.jsonl and the comuni's names from data/demo/bodies.json; each
// --population adds a file (JSON Lines or CSV, docs/population-format.md). Each --credential gives a
// comune (ISTAT code) a secret; SPORTELLO_ANPR_SIM_CREDENTIALS may hold more, as ISTAT=SECRET pairs
// separated by commas (so that secrets stay off the command line). Added to the command line by cli.cpp.
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
  int run(const Config& cfg, std::ostream& err) const;

 private:
  CLI::App* anpr_ = nullptr;
  CLI::App* serve_ = nullptr;
  std::uint16_t port_ = 8093;
  std::vector<std::string> population_files_;
  std::vector<std::string> credentials_;
  std::string base_url_;
};

}  // namespace sp::app
