#pragma once
// The register mirror from the command line (docs/anagrafe.md):
//
// `sportello anagrafe import --body SLUG|ID|IPA [--format csv|jsonl] [--batch N] [--lang it|en] FILE`
// (the body by its slug, its id, or a comune's IPA code "c_" + cadastral code): streams
// the file into the body's register as the system actor "cli-import", in batches of N rows (default
// 2000) through the single writer, so a running hub keeps serving. Prints the per-row report (line,
// codice fiscale, localised reason) on stdout and the counts and rate on stderr. Exit status: 0 every row
// imported or already there, 1 some rows refused (the others are imported), 2 cannot run (configuration,
// unknown body, unreadable file, a file without its header).
//
// `sportello anagrafe sync --body SLUG|ID|IPA`: fetches the body's ANPR change notifications now (service
// 4005, anagrafe/anpr_sync.hpp; config anpr_url and anpr_credentials) and applies them. Prints one line per
// notification (ANPR id, codice fiscale, applied/known/refused and the reason) and the counts on stderr.
// Exit 0, 1 when some were refused, 2 when it cannot run (ANPR unreachable or not configured, unknown body).
//
// The demo's residents (data/demo/population.jsonl) are loaded at the first start of a demo hub by
// seed_demo_population: each comune's rows into its body.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "anagrafe/service.hpp"
#include "anagrafe/synthetic.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "tenants/service.hpp"

namespace sp::app {

struct AnagrafeImportArgs {
  std::string body;
  std::string file;
  std::string format;  // "" = by the file's extension (.csv, else jsonl)
  std::size_t batch = 2000;
  std::string lang = "it";
};

void add_anagrafe_command(CLI::App& cli);
int run_anagrafe_import(const Config& config, const AnagrafeImportArgs& args, std::ostream& out,
                        std::ostream& err);
int run_anagrafe_sync(const Config& config, const std::string& body, std::ostream& out, std::ostream& err);

// `sportello demo --scale N [--out FILE]`: a deterministic synthetic population of N residents across
// the hub's comuni (anagrafe/synthetic.hpp), loaded into the register mirror (each comune's share into its
// body, through the same import as files, in batches), or with --out written as JSON Lines in the format
// of docs/population-format.md (the ANPR simulator loads that file). Prints the counts on stderr. Exit
// status 0, or 2 when it cannot run (no comune with an ISTAT and a cadastral code).
// The comuni of `demo --scale N` and each one's share of the N residents, with its generator's seed.
struct DemoComune {
  tenants::TenantId tenant = 0;
  anagrafe::SyntheticComune comune;
  std::int64_t share = 0;
  std::uint64_t seed = 0;
};
std::vector<DemoComune> demo_comuni(const tenants::TenantService& tenants, std::int64_t residents);

int run_demo_scale(const Config& config, tenants::TenantService& tenants,
                   anagrafe::AnagrafeService* register_, std::int64_t residents, const std::string& out_file,
                   std::ostream& err);

// Loads <share_dir>/data/demo/population.jsonl when the register is empty: each member body with an ISTAT
// code gets the rows of its comune.
Status seed_demo_population(const std::string& share_dir, tenants::TenantService& tenants,
                            anagrafe::AnagrafeService& register_);

}  // namespace sp::app
