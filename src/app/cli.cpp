// The `sportello` command line (CLI11): serve, migrate, demo, import, cf, config check, routes, audit,
// jobs, keys, inbound (the last two in keys_cli.cpp), nav (payments_cli.cpp), verify (stamp_cli.cpp), sim
// idp, sim pagopa (sim_pagopa_cli.cpp), sim appio (adapters/appio/simulator.hpp), sim pec
// (adapters/pec/simulator.hpp).
#include "app/cli.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "adapters/appio/simulator.hpp"
#include "adapters/business_register/simulator.hpp"
#include "adapters/conservazione/simulator.hpp"
#include "adapters/oidc/rp_check.hpp"
#include "adapters/oidc/simulator.hpp"
#include "adapters/oidc/trust.hpp"
#include "adapters/pec/simulator.hpp"
#include "app/anagrafe_cli.hpp"
#include "app/app.hpp"
#include "app/backup_cli.hpp"
#include "app/bodies_cli.hpp"
#include "app/demo.hpp"
#include "app/demo_cases.hpp"
#include "app/keys_cli.hpp"
#include "app/payments_cli.hpp"
#include "app/reconcile_cli.hpp"
#include "app/sim_anpr_cli.hpp"
#include "app/sim_pagopa_cli.hpp"
#include "app/stamp_cli.hpp"
#include "audit/anchor.hpp"
#include "audit/key.hpp"
#include "audit/verify_command.hpp"
#include "conservazione/service.hpp"
#include "core/config.hpp"
#include "core/i18n.hpp"
#include "core/oidc_bodies.hpp"
#include "core/time.hpp"
#include "export/service.hpp"
#include "http/server.hpp"
#include "jobs/store.hpp"
#include "privacy/retention.hpp"
#include "protocollo/registry_simulator.hpp"
#include "statistics/service.hpp"
#include "web/fiscal_api.hpp"

namespace sp::app {
namespace {

// The window of `statistics rebuild`: the nightly job's when neither end is given.
Result<statistics::Window> parse_statistics_window(statistics::StatisticsService& s, const std::string& from,
                                                   const std::string& to) {
  if (from.empty() && to.empty()) return s.rebuild_window();
  return statistics::parse_window(from, to, s.today());
}

// Pretty-prints a JSON value with two-space indentation.
void pretty(std::ostream& os, const boost::json::value& v, int indent = 0) {
  const std::string pad(indent, ' ');
  if (v.is_object()) {
    os << "{\n";
    bool first = true;
    for (const auto& [k, item] : v.as_object()) {
      if (!first) os << ",\n";
      first = false;
      os << pad << "  " << boost::json::serialize(boost::json::value(k)) << ": ";
      pretty(os, item, indent + 2);
    }
    os << "\n" << pad << "}";
  } else {
    os << boost::json::serialize(v);
  }
}

Result<Config> load(const std::string& config_file) {
  std::string file = config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("SPORTELLO_CONFIG")) file = env;
  }
  return load_config(file);
}

int fail(const Error& e) {
  std::cerr << "sportello: " << e.code << ": " << e.detail << "\n";
  return 2;
}

void set_log_level(const Config& c) {
  spdlog::set_level(spdlog::level::from_str(c.log_level));
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App cli{"Sportello: online services of many public bodies from one hub"};
  cli.require_subcommand(1);
  std::string config_file;
  cli.add_option("-c,--config", config_file, "TOML configuration file (also SPORTELLO_CONFIG)");
  std::string fake_clock_file;
  if (time::fake_clock_available()) {
    cli.add_option("--fake-clock", fake_clock_file,
                   "Test builds only: read the time from FILE, one UTC instant such as 2026-03-29T00:30:00Z "
                   "(also SPORTELLO_FAKE_CLOCK_FILE); time stands still until the file changes");
  }

  auto* serve = cli.add_subcommand("serve", "Start the HTTP server");
  bool serve_demo = false;
  serve->add_flag("--demo", serve_demo, "Seed the demo hub and bodies when the database is empty");

  auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations");
  auto* demo = cli.add_subcommand("demo", "Create the database and seed the demo data (if empty)");
  std::int64_t demo_scale = 0;
  std::string demo_out;
  demo->add_option("--scale", demo_scale, "Also a synthetic population of N residents (docs/anagrafe.md)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000}));
  demo->add_option("--out", demo_out, "With --scale: write the residents as JSON Lines to FILE instead");
  std::int64_t demo_cases = 0;
  demo->add_option("--cases", demo_cases, "With --scale: also M applications and cases of those residents")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000}));

  auto* import = cli.add_subcommand("import", "Import catalog or bodies from a JSON file");
  std::string import_kind, import_file;
  import->add_option("kind", import_kind, "catalog, bodies, or body (an export's folder, docs/export.md)")
      ->required()
      ->check(CLI::IsMember({"catalog", "bodies", "body"}));
  import->add_option("file", import_file, "JSON file (see data/demo for the format), or the export's folder")
      ->required()
      ->check(CLI::ExistingPath);

  // Leaving the hub (docs/export.md): a body's complete export, and the separate leave step.
  auto* export_cmd = cli.add_subcommand("export", "Export a body's complete data (docs/export.md)");
  auto* export_body =
      export_cmd->add_subcommand("body", "Every record and file of one body, with a manifest");
  std::string export_ref, export_out;
  export_body->add_option("body", export_ref, "The body: IPA code (c_a479), slug or fiscal code")->required();
  export_body->add_option("--out", export_out, "A new (or empty) folder")->required();
  export_cmd->require_subcommand(1);
  auto* leave_cmd = cli.add_subcommand("leave", "A body leaves the hub, after its export (docs/export.md)");
  auto* leave_body = leave_cmd->add_subcommand("body", "Stop serving the body; its legal records stay");
  std::string leave_ref, leave_export, leave_reason;
  leave_body->add_option("body", leave_ref, "The body: IPA code, slug or fiscal code")->required();
  leave_body->add_option("--export", leave_export, "The id of its completed export (export body prints it)")
      ->required();
  leave_body->add_option("--reason", leave_reason, "Why (the body's act, recorded in its audit chain)");
  leave_cmd->require_subcommand(1);
  auto* privacy_cmd = cli.add_subcommand("privacy", "Data protection (docs/privacy.md)");
  auto* privacy_purge = privacy_cmd->add_subcommand("purge", "Delete what is past its retention now");
  privacy_cmd->require_subcommand(1);

  auto* bodies_cmd = cli.add_subcommand("bodies", "The hub's member bodies (docs/hub.md)");
  bodies_cmd->require_subcommand(1);
  auto* bodies_add = bodies_cmd->add_subcommand(
      "add", "Onboard one body, or many (a JSON array or {\"bodies\": [...]}), from FILE");
  std::string bodies_file;
  bodies_add->add_option("file", bodies_file, "JSON file (docs/hub.md, \"Onboarding a body\")")
      ->required()
      ->check(CLI::ExistingFile);
  auto* bodies_key = bodies_cmd->add_subcommand(
      "api-key", "Make a hub API key with the scope hub:write for POST /api/v1/hub/bodies (printed once)");
  std::string bodies_key_name = "onboarding";
  bodies_key->add_option("--name", bodies_key_name, "What the key is for");

  auto* comuni_cmd = cli.add_subcommand("comuni", "ISTAT's list of comuni (docs/hub.md)");
  comuni_cmd->require_subcommand(1);
  auto* comuni_import = comuni_cmd->add_subcommand(
      "import", "Load ISTAT's \"Elenco comuni italiani\" CSV (';', Latin-1 or UTF-8), replacing the list");
  std::string comuni_file, comuni_as_of;
  comuni_import->add_option("file", comuni_file, "ISTAT's CSV file")->required()->check(CLI::ExistingFile);
  comuni_import->add_option("--as-of", comuni_as_of, "The date the list is valid at (YYYY-MM-DD)")
      ->required();

  auto* cf = cli.add_subcommand("cf", "Check a codice fiscale (16 characters) or partita IVA (11 digits)");
  std::string cf_code, cf_lang = "it";
  cf->add_option("code", cf_code, "The code to check")->required();
  cf->add_option("--lang", cf_lang, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));

  auto* config = cli.add_subcommand("config", "Configuration");
  auto* config_check = config->add_subcommand("check", "Explain every setting and what is wrong");
  config->require_subcommand(1);

  auto* routes = cli.add_subcommand("routes", "List the HTTP routes");

  auto* audit = cli.add_subcommand("audit", "Audit log");
  auto* audit_verify = audit->add_subcommand(
      "verify", "Check every body's chain (links, HMAC, anchors) and say up to where it is vouched for");
  std::vector<std::string> anchor_files;
  audit_verify->add_option(
      "--anchor-file", anchor_files,
      "Anchor file to check against (repeatable, one per node; default audit_anchor_file)");
  auto* audit_anchor =
      audit->add_subcommand("anchor", "Append the current head of every body's chain to audit_anchor_file");
  audit->require_subcommand(1);

  auto* jobs_cmd = cli.add_subcommand("jobs", "Background jobs (docs/jobs.md)");
  auto* jobs_list = jobs_cmd->add_subcommand("list", "List jobs, newest first");
  bool jobs_dead = false;
  std::string jobs_state, jobs_kind;
  std::int64_t jobs_tenant = -1;
  int jobs_limit = 100;
  jobs_list->add_flag("--dead", jobs_dead, "Only dead jobs (failed their last attempt)");
  jobs_list->add_option("--state", jobs_state, "Only jobs in this state")
      ->check(CLI::IsMember({"queued", "running", "done", "dead"}));
  jobs_list->add_option("--kind", jobs_kind, "Only jobs of this kind (e.g. messaging.send)");
  jobs_list->add_option("--tenant", jobs_tenant, "Only jobs of this body (id; 0 = the hub)");
  jobs_list->add_option("--limit", jobs_limit, "At most this many (default 100)");
  auto* jobs_retry = jobs_cmd->add_subcommand("retry", "Queue a dead job again (attempts start over)");
  std::int64_t jobs_retry_id = 0;
  jobs_retry->add_option("id", jobs_retry_id, "The job's number (see jobs list)")->required();
  jobs_cmd->require_subcommand(1);
  auto* stats_cmd = cli.add_subcommand("statistics", "Statistics (docs/statistics.md)");
  auto* stats_rebuild = stats_cmd->add_subcommand("rebuild",
                                                  "Recompute the kept aggregates from the records (default: "
                                                  "as the nightly job, 13 closed months and this "
                                                  "month's days)");
  std::string stats_from, stats_to;
  stats_rebuild->add_option("--from", stats_from, "First month, YYYY-MM");
  stats_rebuild->add_option("--to", stats_to, "Last month, YYYY-MM (the current month is never kept)");
  stats_cmd->require_subcommand(1);

  NavCommand nav_cmd(cli);
  KeysCommands keys_cmd(cli);
  VerifyCommand verify_cmd(cli);
  InboundCommands inbound_cmd(cli);
  BackupCommand backup_cmd(cli);
  add_reconcile_command(cli);  // runs from its own callback (reconcile_cli.hpp)
  add_payments_command(cli);   // `payments import`, the same way (payments_cli.hpp)
  add_anagrafe_command(cli);   // `anagrafe import` (anagrafe_cli.hpp)

  auto* oidc_cmd = cli.add_subcommand("oidc", "SPID/CIE sign-in (docs/oidc.md)");
  auto* oidc_check = oidc_cmd->add_subcommand(
      "check", "Validate a relying party's entity configuration as the reference onboarding tool does");
  std::string oidc_entity, oidc_anchor;
  oidc_check->add_option("entity", oidc_entity, "The entity id (client_id URL), or a body's IPA code")
      ->required();
  oidc_check->add_option("--anchor", oidc_anchor,
                         "The trust anchor's entity id: verify the trust marks with its keys");
  oidc_cmd->require_subcommand(1);

  auto* sim = cli.add_subcommand("sim", "Local simulators of national systems");
  auto* sim_idp = sim->add_subcommand("idp", "SPID/CIE OpenID provider simulator");
  std::uint16_t sim_port = 8091;
  std::string sim_client_id, sim_issuer;
  sim_idp->add_option("--port", sim_port, "Port to listen on (0: a free one, printed)");
  sim_idp->add_option("--client-id", sim_client_id, "The relying party's client_id (its public URL)")
      ->required();
  sim_idp->add_option("--issuer", sim_issuer, "Issuer URL (default http://localhost:PORT, the real port)");
  SimPagopaCommands sim_pagopa_cmd(*sim);
  auto* sim_appio = sim->add_subcommand("appio", "App IO services API simulator (docs/messaging.md)");
  appio::SimulatorRun appio_run;
  std::vector<std::string> appio_services;
  sim_appio->add_option("--port", appio_run.port, "Port to listen on (0: a free one, printed)");
  sim_appio->add_option("--service", appio_services, "A service: SUBSCRIPTION_KEY=NAME (repeatable)");
  sim_appio->add_option("--throttle-every", appio_run.throttle_every,
                        "Answer every N-th call 429 (0: never)");
  sim_appio->add_option("--retry-after", appio_run.retry_after_s, "Retry-After of the 429s, seconds");
  std::vector<std::vector<std::string>> appio_remote;
  sim_appio
      ->add_option("--remote-configuration", appio_remote,
                   "A remote-content configuration: ID NAME BASE_URL SECRET (repeatable): IO calls service "
                   "NAME back at BASE_URL (the hub's {public_url}/inbound/SLUG/io) with 'Authorization: "
                   "Bearer SECRET' (sportello inbound add --system appio)")
      ->expected(4);
  auto* sim_pec =
      sim->add_subcommand("pec", "PEC provider simulator: SMTP in, signed receipts in POP3 mailboxes");
  pec::PecSimulatorRun pec_run;
  sim_pec->add_option("--smtp-port", pec_run.smtp_port, "SMTP port (0: a free one, printed)");
  sim_pec->add_option("--pop3-port", pec_run.pop3_port, "POP3 port (0: a free one, printed)");
  sim_pec->add_option("--password", pec_run.password, "Every mailbox's POP3 password");
  sim_pec->add_option("--cert-out", pec_run.cert_out, "Write the provider's certificate (PEM) here");
  auto* sim_registry = sim->add_subcommand(
      "registry", "Another administration's registry office: protocol messages by PEC, checked and answered");
  protocollo::RegistrySimulatorRun registry_run;
  registry_run.options.password = "pec-sim";
  sim_registry->add_option("--smtp", registry_run.options.smtp_url, "The PEC provider's SMTP URL (sim pec)")
      ->required();
  sim_registry->add_option("--pop3", registry_run.options.pop3_url, "The PEC provider's POP3 URL (sim pec)")
      ->required();
  sim_registry->add_option("--password", registry_run.options.password, "Its mailbox's POP3 password");
  sim_registry->add_option("--address", registry_run.options.pec_address, "Its PEC address");
  sim_registry->add_option("--pec-trusted", registry_run.pec_trusted_file,
                           "The provider's certificate (PEM, sim pec --cert-out)");
  sim_registry->add_option(
      "--trusted", registry_run.trusted_file,
      "The certificates it trusts for segnature (PEM: the hub members' xml-signing ones)");
  sim_registry->add_option("--schemas", registry_run.options.schema_dir, "AgID's schemas (../shared/agid)");
  sim_registry->add_option("--cert-out", registry_run.cert_out,
                           "Write its certificate here (for SPORTELLO_AGID_TRUSTED_CA_FILE)");
  SimAnprCommands sim_anpr_cmd(*sim);
  auto* sim_cons = sim->add_subcommand("conservazione", "Conservator simulator: POST /versamenti, receipts");
  std::uint16_t sim_cons_port = 8096;
  std::string sim_cons_token;
  sim_cons->add_option("--port", sim_cons_port, "Port (0: a free one, printed)");
  sim_cons->add_option("--token", sim_cons_token, "Bearer credential to require (default: none)");
  auto* sim_bizreg = sim->add_subcommand("registro-imprese",
                                         "Business register look-up simulator (docs/business-register.md)");
  std::uint16_t bizreg_port = 8097;
  std::string bizreg_token, bizreg_data;
  sim_bizreg->add_option("--port", bizreg_port, "Port to listen on (0: a free one, printed)");
  sim_bizreg->add_option("--token", bizreg_token, "Bearer token the callers must send (empty: none)");
  sim_bizreg->add_option("--data", bizreg_data, "Businesses (default: data/demo/business_register.json)");
  sim->require_subcommand(1);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    // `sim pagopa` promises scripts 2 for a usage error (docs/pagopa-simulator.md).
    return rc != 0 && sim_pagopa_cmd.parsed() ? 2 : rc;
  }

  if (fake_clock_file.empty()) {
    if (const char* env = std::getenv("SPORTELLO_FAKE_CLOCK_FILE")) fake_clock_file = env;
  }
  if (!fake_clock_file.empty()) {
    // Before anything reads the clock (or starts a thread that does).
    if (auto st = time::install_fake_clock(fake_clock_file); !st) return fail(st.error());
    spdlog::warn("fake clock: the time is read from {} ({})", fake_clock_file,
                 time::format_iso_utc(time::system_clock().now()));
  }

  if (cf->parsed()) {
    auto cfg = load(config_file);
    if (!cfg) return fail(cfg.error());
    I18n i18n;
    i18n.load(cfg->share_dir + "/web/locales");
    auto report = cf_code.size() == 11 && cf_code.find_first_not_of("0123456789") == std::string::npos
                      ? web::partita_iva_report(cf_code, i18n, cf_lang)
                      : web::codice_fiscale_report(cf_code, i18n, cf_lang);
    pretty(std::cout, report);
    std::cout << "\n";
    return report.at("valid").as_bool() ? 0 : 1;
  }

  if (verify_cmd.parsed()) return verify_cmd.run(std::cout, std::cerr);  // offline: no configuration

  if (nav_cmd.parsed()) {
    auto cfg = load(config_file);
    if (!cfg) return fail(cfg.error());
    I18n i18n;
    i18n.load(cfg->share_dir + "/web/locales");
    return nav_cmd.run(i18n, std::cout);
  }

  auto cfg = load(config_file);
  if (!cfg) return fail(cfg.error());
  set_log_level(*cfg);

  if (config_check->parsed()) {
    std::cout << describe_config(*cfg);
    auto problems = check_config(*cfg);
    try {
      auto db = db::open(cfg->database);
      if (!db->ping()) problems.push_back("database: not reachable, or refusing writes (read-only, full)");
      db->close();
    } catch (const std::exception& e) {
      problems.push_back(std::string("database: ") + e.what());
    }
    for (const auto& p : problems) std::cout << "problem: " << p << "\n";
    std::cout << (problems.empty() ? "configuration ok\n" : "configuration has problems\n");
    return problems.empty() ? 0 : 1;
  }

  try {
    if (audit_verify->parsed()) {
      // Exit codes: 0 all vouched for, 1 broken, 2 cannot verify, 3 entries newer than the last anchor.
      auto db = db::open(cfg->database);
      audit::VerifyOptions vo{
          cfg->audit_key_file,
          anchor_files.empty() ? std::vector<std::string>{cfg->audit_anchor_file} : anchor_files,
          cfg->keys_dir};
      // The heads the conservator accepted in a package: anchors outside the hub (docs/conservazione.md).
      for (const auto& h : conservazione::ConservazioneService::preserved_heads(*db))
        vo.preserved.push_back(
            audit::PreservedAnchor{h.tenant_id, h.seq, h.hash, h.accepted_at, h.receipt_id});
      int rc = audit::run_verify_command(*db, vo, std::cout);
      db->close();
      return rc;
    }
    if (audit_anchor->parsed()) {
      // Uses the existing key only: a new key here would not match the one the servers use.
      auto key = audit::load_chain_key(cfg->keys_dir, cfg->audit_key_file, time::system_clock().now(), false);
      if (!key) return fail(key.error());
      if (!*key) return fail(Error::make("audit.key_missing", 500, cfg->keys_dir));
      auto db = db::open(cfg->database);
      audit::Anchorer anchorer(*db, *key, cfg->audit_anchor_file);
      const int n = anchorer.anchor_now();
      db->close();
      std::cout << "anchored " << n << " chain head(s) in " << cfg->audit_anchor_file << "\n";
      return 0;
    }
    if (keys_cmd.parsed()) return keys_cmd.run(*cfg, std::cout);
    if (inbound_cmd.parsed()) return inbound_cmd.run(*cfg, std::cout);
    if (backup_cmd.parsed()) return backup_cmd.run(*cfg, std::cout, std::cerr);
    if (jobs_list->parsed()) {
      auto db = db::open(cfg->database);
      jobs::ListQuery q;
      if (jobs_dead) jobs_state = "dead";
      q.state = jobs::parse_state(jobs_state);
      q.kind = jobs_kind;
      if (jobs_tenant >= 0) q.tenant = jobs_tenant;
      q.limit = jobs_limit;
      const auto found = jobs::list(*db, q);
      db->close();
      std::cout << "id\tkind\ttenant\tkey\tstate\trun_at\tattempts\tclaimed_by\tlast_error\n";
      for (const auto& j : found) {
        std::cout << j.id << "\t" << j.kind << "\t" << j.tenant_id << "\t" << j.unique_key << "\t"
                  << jobs::to_string(j.state) << "\t" << j.run_at << "\t" << j.attempts << "\t"
                  << j.claimed_by << "\t" << j.last_error << "\n";
      }
      return 0;
    }
    if (jobs_retry->parsed()) {
      // The running servers' runners find it due at their next round (at most their poll interval).
      auto db = db::open(cfg->database);
      auto retried = jobs::retry(*db, jobs_retry_id, time::system_clock().now());
      db->close();
      if (!retried) return fail(retried.error());
      std::cout << "job " << retried->id << " (" << retried->kind << ") queued again\n";
      return 0;
    }
    if (oidc_check->parsed()) {
      const std::string client_id =
          oidc_entity.rfind("http", 0) == 0 ? oidc_entity : cfg->public_url + "/" + oidc_entity + "/";
      adapters::HttpClient http;
      auto res = http.get(oidc::trim_slash(client_id) + "/.well-known/openid-federation");
      if (!res || res->status != 200) {
        std::cerr << "FAIL ec.reachable: " << client_id << " answers no entity configuration\n";
        return 1;
      }
      std::optional<crypto::Jwks> anchor_keys;
      if (!oidc_anchor.empty()) {
        auto a = http.get(oidc::trim_slash(oidc_anchor) + "/.well-known/openid-federation");
        auto st = a && a->status == 200
                      ? oidc::verify_statement(a->body, nullptr, time::system_clock().now())
                      : Result<oidc::VerifiedStatement>(Error::make("oidc.trust_chain", 502));
        if (!st) {
          std::cerr << "FAIL anchor: " << oidc_anchor << " unreachable or invalid\n";
          return 1;
        }
        anchor_keys = st->own_keys;
      }
      bool all = true;
      std::cout << "ok   ec.reachable\n";
      auto checks = oidc::check_rp_entity_configuration(res->body, client_id, time::system_clock().now(),
                                                        anchor_keys ? &*anchor_keys : nullptr);
      // A body with an [oidc_body.<ipa>] table: what it publishes must be what is configured (a server
      // not restarted, or another configuration, shows here).
      auto federation = load_oidc_federation(*cfg);
      if (!federation) {
        std::cerr << "FAIL config: " << federation.error().detail << "\n";
        return 1;
      }
      if (auto body = federation->bodies.find(oidc_entity); body != federation->bodies.end())
        for (auto& c : oidc::check_configured_federation_data(res->body, body->second))
          checks.push_back(std::move(c));
      for (const auto& c : checks) {
        all = all && c.ok;
        std::cout << (c.ok ? "ok   " : "FAIL ") << c.id << (c.detail.empty() ? "" : ": " + c.detail) << "\n";
      }
      return all ? 0 : 1;
    }
    if (sim_idp->parsed()) {
      oidc::SimulatorOptions so;
      so.issuer =
          sim_issuer.empty() && sim_port != 0 ? "http://localhost:" + std::to_string(sim_port) : sim_issuer;
      so.client_id = sim_client_id;
      so.redirect_uri = sim_client_id + "/auth/callback";
      so.identities_file = cfg->share_dir + "/data/demo/identities.json";
      return oidc::run_simulator(so, sim_port);
    }
    if (sim_pagopa_cmd.parsed()) return sim_pagopa_cmd.run(*cfg, std::cout, std::cerr);
    if (sim_appio->parsed()) {
      appio_run.identities_file = cfg->share_dir + "/data/demo/identities.json";
      appio_run.appio_file = cfg->share_dir + "/data/demo/appio.json";
      for (const auto& s : appio_services) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
          std::cerr << "sim appio: --service KEY=NAME\n";
          return 2;
        }
        appio_run.services.emplace_back(s.substr(0, eq), s.substr(eq + 1));
      }
      for (const auto& values : appio_remote) {
        auto conf = appio::parse_remote_configuration(values);
        if (!conf) {
          std::cerr << "sim appio: --remote-configuration ID NAME BASE_URL SECRET: " << conf.error().detail
                    << "\n";
          return 2;
        }
        appio_run.remote.push_back(std::move(*conf));
      }
      return appio::run_simulator(appio_run);
    }
    if (sim_pec->parsed()) return pec::run_simulator(pec_run);
    if (sim_registry->parsed()) return protocollo::run_registry_simulator(registry_run);
    if (sim_anpr_cmd.parsed()) return sim_anpr_cmd.run(*cfg, std::cerr);
    if (sim_cons->parsed()) return conservazione_sim::run_simulator(sim_cons_token, sim_cons_port);
    if (sim_bizreg->parsed())
      return business_register::run_simulator(
          bizreg_data.empty() ? cfg->share_dir + "/data/demo/business_register.json" : bizreg_data,
          bizreg_token, bizreg_port);
    if (migrate->parsed()) {
      auto db = db::open(cfg->database);
      auto applied = db::migrate(*db, cfg->share_dir + "/migrations");
      std::cout << "applied " << applied.size() << " migration(s)\n";
      for (const auto& v : applied) std::cout << "  " << v << "\n";
      db->close();
      return 0;
    }
    if (routes->parsed()) {
      // Listing routes must not touch the configured database: build the app on a throwaway one.
      spdlog::set_level(spdlog::level::warn);
      auto dir = std::filesystem::temp_directory_path() / ("sportello-routes-" + std::to_string(::getpid()));
      std::filesystem::create_directories(dir);
      cfg->database = "sqlite:" + (dir / "routes.db").string();
      cfg->demo = false;
      {
        App app(*cfg);
        for (const auto& [method, pattern] : app.router().routes())
          std::cout << method << " " << pattern << "\n";
      }
      std::filesystem::remove_all(dir);
      return 0;
    }
    if (serve->parsed() && serve_demo) cfg->demo = true;
    if (demo->parsed()) cfg->demo = true;
    int listen_fd = -1;
    if (serve->parsed()) {
      // Bind before building the app: with port 0 the system picks one, and the public URL (links,
      // sign-in callbacks) must follow the real port.
      const auto bound = http::bind_listener(cfg->address, cfg->port);
      listen_fd = bound.fd;
      cfg->port = bound.port;
      if (cfg->sources["public_url"] == "default")
        cfg->public_url = "http://localhost:" + std::to_string(bound.port);
      if (auto at = cfg->public_url.find("{port}"); at != std::string::npos) {
        cfg->public_url.replace(at, 6, std::to_string(bound.port));  // e.g. http://127.0.0.1:{port}
      }
    }
    App app(*cfg);
    if (routes->parsed()) {
      for (const auto& [method, pattern] : app.router().routes())
        std::cout << method << " " << pattern << "\n";
      return 0;
    }
    if (import->parsed() && import_kind == "body") {
      auto done = app.body_export().import_body(import_file, body_export::Actor{});
      if (!done) return fail(done.error());
      std::int64_t rows = 0;
      for (const auto& [t, n] : done->rows) rows += n;
      std::cout << "imported " << done->body_slug << " (body " << done->body_id << "): " << rows << " rows, "
                << done->files << " files; audit chain now at seq " << done->audit_head_seq << "\n";
      if (done->chain_unchecked == 0)
        std::cout << "audit chain verified: " << done->chain_entries
                  << " entries, every link and every HMAC checked\n";
      else
        std::cout << "audit chain verified: " << done->chain_entries << " entries, every link checked; "
                  << done->chain_unchecked
                  << " entries were made with the old hub's own key and their HMAC can be checked only "
                     "there\n";
      return 0;
    }
    if (export_body->parsed()) {
      auto done = app.body_export().export_body(export_ref, export_out, body_export::Actor{});
      if (!done) return fail(done.error());
      std::int64_t rows = 0;
      for (const auto& [t, n] : done->rows) rows += n;
      std::cout << "exported " << done->body_slug << " to " << done->dir << ": " << rows << " rows in "
                << done->rows.size() << " tables, " << done->files << " files, " << done->bytes << " bytes\n"
                << "export id " << done->run_id << "\nmanifest sha256 " << done->manifest_sha256 << "\n";
      return 0;
    }
    if (leave_body->parsed()) {
      auto done = app.body_export().leave_body(leave_ref, leave_export, body_export::Actor{}, leave_reason);
      if (!done) return fail(done.error());
      std::cout << leave_ref << " left the hub at " << *done << "\n";
      return 0;
    }
    if (privacy_purge->parsed()) {
      for (const auto& [t, n] : app.purger().purge(time::system_clock().now()))
        std::cout << t << "\t" << n << "\n";
      return 0;
    }
    if (import->parsed()) {
      // App construction opened and migrated the database; reuse its services through a fresh set.
      tenants::TenantService tenants(app.database());
      catalog::CatalogService catalog(app.database());
      tenants.reload();
      auto st = import_kind == "catalog" ? import_catalog(import_file, catalog)
                                         : import_bodies(import_file, tenants, catalog);
      if (!st) return fail(st.error());
      std::cout << "imported " << import_file << "\n";
      return 0;
    }
    if (bodies_add->parsed()) return run_bodies_add(app, bodies_file, std::cout, std::cerr);
    if (bodies_key->parsed()) return run_bodies_api_key(app, bodies_key_name, std::cout, std::cerr);
    if (comuni_import->parsed())
      return run_comuni_import(app, comuni_file, comuni_as_of, std::cout, std::cerr);
    if (stats_rebuild->parsed()) {
      auto& stats = app.statistics();
      auto w = parse_statistics_window(stats, stats_from, stats_to);
      if (!w) return fail(w.error());
      const auto t0 = std::chrono::steady_clock::now();
      const int n = stats.rebuild(*w);
      // As the nightly job: also the current month's days before today.
      const int days = stats_from.empty() && stats_to.empty() ? stats.rebuild_days() : 0;
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
              .count();
      std::cout << "rebuilt " << n << " month(s) of " << w->from() << ".." << w->to() << " and " << days
                << " day(s) of this month from the records in " << ms << " ms\n";
      return 0;
    }
    if (demo->parsed()) {
      if (demo_scale > 0) {
        tenants::TenantService tenants(app.database());
        tenants.reload();
        if (int rc = run_demo_scale(*cfg, tenants, demo_out.empty() ? &app.anagrafe() : nullptr, demo_scale,
                                    demo_out, std::cerr);
            rc != 0)
          return rc;
        if (demo_cases > 0 && demo_out.empty()) {
          catalog::CatalogService catalog(app.database());
          if (int rc = run_demo_cases(app.database(), tenants, catalog, demo_scale, demo_cases, std::cerr);
              rc != 0)
            return rc;
        }
      } else if (demo_cases > 0) {
        std::cerr << "sportello: --cases needs --scale (the cases' applicants are those residents)\n";
        return 2;
      }
      std::cout << "demo database ready: " << cfg->database << "\n";
      return 0;
    }
    return app.serve(listen_fd);
  } catch (const std::exception& e) {
    std::cerr << "sportello: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace sp::app
