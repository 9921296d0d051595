#pragma once
// `sportello keys list|rotate` (core/keys, docs/keys.md) and `sportello inbound add|rotate|list`
// (identity/inbound_service.hpp): hub-operator commands, added to the command line by cli.cpp.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/config.hpp"

namespace sp::app {

class KeysCommands {
 public:
  explicit KeysCommands(CLI::App& cli);
  [[nodiscard]] bool parsed() const;
  int run(const Config& config, std::ostream& out);

 private:
  CLI::App* keys_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* rotate_ = nullptr;
  std::string owner_;
  std::string purpose_;
  std::string not_before_;
  int valid_days_ = 0;
};

class InboundCommands {
 public:
  explicit InboundCommands(CLI::App& cli);
  [[nodiscard]] bool parsed() const;
  int run(const Config& config, std::ostream& out);

 private:
  CLI::App* inbound_ = nullptr;
  CLI::App* add_ = nullptr;
  CLI::App* rotate_ = nullptr;
  CLI::App* list_ = nullptr;
  std::string body_;
  std::string system_;
  std::string station_;
  std::string identifiers_ = "{}";
  std::string fingerprint_;
  bool certificate_only_ = false;
};

}  // namespace sp::app
