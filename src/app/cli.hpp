#pragma once
namespace sp::app {
// Parses the command line (CLI11) and runs the chosen subcommand; returns the process exit code.
int run_cli(int argc, char** argv);
}  // namespace sp::app
