#pragma once
// `sportello nav NUMBER [--lang it|en]`: checks a pagoPA notice number (payments/notice_number.hpp) and
// prints the same JSON as GET /api/v1/pagopa/notice-numbers/{nav}; exit status 0 when well-formed, 1
// when not. Added to the command line by cli.cpp.
//
// `sportello payments import --body SLUG [--format csv|json] [--dry-run] [--publish] [--report
// text|json|csv] [--lang it|en] FILE`: imports a file of debt positions into a body, all or nothing
// (payments/import_run.hpp; docs/payments.md, "Importing positions"), as the system actor "cli-import".
// Prints the per-position report on stdout, and the rate on stderr. Exit status: 0 imported (or a dry
// run found nothing wrong), 1 nothing imported (the report says why), 2 cannot run (configuration,
// unknown body, unreadable file, the body is no creditor). Runs from its CLI11 callback, like reconcile.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "core/config.hpp"
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

struct PaymentsImportArgs {
  std::string body;
  std::string file;
  std::string format;  // "" = by the file's extension (.json, else csv)
  bool dry_run = false;
  bool publish = false;
  std::string report = "text";
  std::string lang = "it";
};

// Adds `payments import` to `cli`.
void add_payments_command(CLI::App& cli);
// The command itself (tests call it in-process). Returns the exit status.
int run_payments_import(const Config& config, const PaymentsImportArgs& args, std::ostream& out,
                        std::ostream& err);

}  // namespace sp::app
