#pragma once
// `sportello reconcile [--json] [--creditor FISCALCODE] [--revoked-total gross|net] [--lang it|en] FILE...`
// (issue 13, "Reconciliation"; docs/reconciliation.md): streams each pagoPA reporting flow through the
// schema-validating reader and the per-flow checks (payments/reporting_reconcile.hpp), in memory bounded
// by a constant (rows are staged in an SQLite file in a temporary folder, deleted at the end). Records
// nothing in the hub's database.
//
// Output: --json prints one JSON object per flow, one per line, in the order of the files; otherwise a
// short table. A malformed or invalid file is named with its line on stderr (and, with --json, gets an
// object with verdict "malformed"); the other files are still read.
// Exit status: 0 every flow ok; 1 some flow has problems (wrong receiver, header count/total, duplicate
// rows) or is an ignored/superseded revision; 2 some file is malformed, invalid or unreadable (or the
// schema cannot be loaded).
//
// The subcommand runs from its CLI11 callback (so cli.cpp registers it with one line) and ends the parse
// with CLI::RuntimeError(exit status), which CLI11_PARSE turns into the return value without printing.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace sp::app {

struct ReconcileArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string creditor;
  std::string revoked_total = "gross";
  std::string lang = "it";
  bool import = false;  // --import: record the flows into the database for --body
  std::string body;     // the body's slug (--import, statement)
};

// `sportello reconcile --import --body SLUG FILE...`: each flow imported into the database for the body
// (payments/reconciliation_service.hpp), one JSON object per flow and line with --json (else a line of
// text): outcome (recorded, replaced, unchanged, ignored, refused), flow pk, the per-flow checks and the
// rows' results. Exit status: 0 every flow recorded, replaced or unchanged with no anomalous row; 1 some
// flow refused for a problem, ignored, or with anomalous rows; 2 malformed or unreadable files, or no
// such body.
int run_reconcile_import(const Config& config, const ReconcileArgs& args, std::ostream& out,
                         std::ostream& err);

struct StatementArgs {
  std::string body;
  std::string file;
  bool json = false;
};
// `sportello reconcile statement --body SLUG FILE.csv`: the treasurer's statement imported. Exit status:
// 0 imported; 1 the same file was imported before; 2 unreadable or malformed, or no such body.
struct PullArgs {
  std::string body;  // "" for every creditor body
};
// `sportello reconcile pull [--body SLUG]`: the flows pagoPA's FdR organization API (config pagopa_fdr_url,
// pagopa_subscription_key) published for the body, or for every creditor body, fetched and imported
// (payments/reconciliation_pull.hpp). One JSON line of counts. Exit status: 0 no error; 1 some flow
// refused or some call failed; 2 no URL configured or no such body.
int run_reconcile_pull(const Config& config, const PullArgs& args, std::ostream& out, std::ostream& err);

int run_reconcile_statement(const Config& config, const StatementArgs& args, std::ostream& out,
                            std::ostream& err);

// Adds the subcommand to `cli`.
void add_reconcile_command(CLI::App& cli);

// The command itself (also what tests and the bench call in-process). Returns the exit status.
int run_reconcile(const Config& config, const ReconcileArgs& args, std::ostream& out, std::ostream& err);

}  // namespace sp::app
