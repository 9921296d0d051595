#pragma once
// `sportello nav NUMBER [--lang it|en]`: checks a pagoPA notice number (payments/notice_number.hpp) and
// prints the same JSON as GET /api/v1/pagopa/notice-numbers/{nav}; exit status 0 when well-formed, 1
// when not. Added to the command line by cli.cpp.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "core/i18n.hpp"

namespace sp::app {

class NavCommand {
 public:
  explicit NavCommand(CLI::App& cli);
  [[nodiscard]] bool parsed() const;
  int run(const I18n& i18n, std::ostream& out) const;

 private:
  CLI::App* nav_ = nullptr;
  std::string number_;
  std::string lang_ = "it";
};

}  // namespace sp::app
