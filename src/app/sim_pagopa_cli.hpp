#pragma once
// `sportello sim pagopa ...` (adapters/pagopa/simulator.hpp, docs/pagopa-simulator.md):
//   serve  [--port P] --config FILE [--state FILE]   the simulator alone, without the hub
//   pay    NAV [--amount C] [--fiscal-code CF] [--psp ID] [--duplicate | --late | --wrong-amount C]
//          [--sim URL] [--json] [--lang it|en]         asks the running simulator to pay a notice at its PSP
//   resend [--all] [--sim URL]                         sends again the receipts it is unsure of (all: every
//   one)
// pay exits 0 when the simulator recorded the payment, 1 when the station refused it (the node's fault code
// is printed), 2 on usage or connection errors. Added to the command line by cli.cpp.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/config.hpp"
#include "core/i18n.hpp"

namespace sp::app {

class SimPagopaCommands {
 public:
  explicit SimPagopaCommands(CLI::App& sim);
  [[nodiscard]] bool parsed() const;
  int run(const Config& cfg, std::ostream& out, std::ostream& err) const;

 private:
  int serve(const Config& cfg, std::ostream& err) const;
  int pay(const I18n& i18n, std::ostream& out, std::ostream& err) const;
  int resend(const I18n& i18n, std::ostream& out, std::ostream& err) const;

  CLI::App* pagopa_ = nullptr;
  CLI::App* serve_ = nullptr;
  CLI::App* pay_ = nullptr;
  CLI::App* resend_ = nullptr;
  std::uint16_t port_ = 8092;
  std::string config_file_, state_file_, base_url_;
  std::string nav_, fiscal_code_, psp_, sim_url_ = "http://localhost:8092", lang_ = "it";
  std::int64_t amount_ = -1, wrong_amount_ = -1;
  bool duplicate_ = false, late_ = false, json_ = false, all_ = false;
};

}  // namespace sp::app
