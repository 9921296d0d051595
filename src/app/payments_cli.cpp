#include "app/payments_cli.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "audit/key.hpp"
#include "db/database.hpp"
#include "payments/import_run.hpp"
#include "payments/notice_report.hpp"
#include "tenants/service.hpp"

namespace sp::app {

NavCommand::NavCommand(CLI::App& cli) {
  nav_ = cli.add_subcommand("nav",
                            "Check a pagoPA notice number (18 digits, spaces allowed; exit 1 when invalid)");
  nav_->add_option("number", number_, "The notice number, e.g. \"3020 3200 2700 0002 51\"")->required();
  nav_->add_option("--lang", lang_, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));
}

bool NavCommand::parsed() const {
  return nav_->parsed();
}

int NavCommand::run(const I18n& i18n, std::ostream& out) const {
  const auto report = payments::notice_number_report(number_, i18n, lang_);
  out << boost::json::serialize(report) << "\n";
  return report.at("valid").as_bool() ? 0 : 1;
}

int run_payments_import(const Config& config, const PaymentsImportArgs& args, std::ostream& out,
                        std::ostream& err) {
  I18n i18n;
  i18n.load(config.share_dir + "/web/locales");
  const std::string lang = i18n.has(args.lang) ? args.lang : I18n::kDefault;
  const auto fail = [&](const Error& e) {
    err << "sportello: " << i18n.message(lang, e) << " (" << e.code
        << (e.detail.empty() ? "" : " " + e.detail) << ")\n";
    return 2;
  };
  std::string format = args.format;
  if (format.empty()) format = args.file.size() >= 5 && args.file.ends_with(".json") ? "json" : "csv";
  auto f = payments::parse_import_format(format);
  if (!f) return fail(Error::make("import.format", 400, format));
  if (!std::ifstream(args.file, std::ios::binary)) return fail(Error::not_found(args.file));
  auto db = db::open(config.database);
  db::migrate(*db, config.share_dir + "/migrations");
  tenants::TenantService tenants(*db);
  tenants.reload();
  auto body = tenants.by_slug(args.body);
  if (!body) return fail(Error::not_found("body " + args.body));
  // Every position created is audited on the body's chain: with the servers' key (never a new one).
  auto key = audit::load_chain_key(config.keys_dir, config.audit_key_file, time::system_clock().now(), false);
  if (!key) return fail(key.error());
  audit::KeyBinding binding;
  if (*key) binding = audit::KeyBinding(*db, *key);
  payments::PaymentsService service(*db, time::system_clock());
  payments::PositionImport import(*db, time::system_clock(), service);
  payments::ImportOptions o;
  o.format = *f;
  o.dry_run = args.dry_run;
  o.publish = args.publish;
  const std::string path = args.file;
  auto report = import.run(payments::SystemActor{"cli-import"}, body->id, o,
                           [path] { return std::make_unique<std::ifstream>(path, std::ios::binary); });
  if (!report) return fail(report.error());
  if (args.report == "json") {
    out << boost::json::serialize(payments::import_report_json(*report, i18n, lang)) << "\n";
  } else if (args.report == "csv") {
    payments::write_import_report_csv(out, *report, i18n, lang);
  } else {
    payments::write_import_report_text(out, *report, i18n, lang);
  }
  const auto rate = [](std::size_t n, double s) { return s > 0 ? static_cast<long long>(n / s) : 0LL; };
  err << "checked " << report->positions << " positions in " << report->check_seconds << " s ("
      << rate(report->positions, report->check_seconds) << "/s)";
  if (report->imported)
    err << ", imported in " << report->import_seconds << " s ("
        << rate(report->positions, report->import_seconds) << "/s)";
  err << "\n";
  db->close();
  const bool ok = report->imported || (report->dry_run && report->refused == 0 && !report->file_error);
  return ok ? 0 : 1;
}

void add_payments_command(CLI::App& cli) {
  auto args = std::make_shared<PaymentsImportArgs>();
  auto* payments = cli.add_subcommand("payments", "pagoPA debt positions (docs/payments.md)");
  auto* cmd =
      payments->add_subcommand("import", "Import a CSV or JSON file of debt positions, all or nothing");
  cmd->add_option("--body", args->body, "The body's slug")->required();
  cmd->add_option("file", args->file, "The file (.csv or .json)")->required();
  cmd->add_option("--format", args->format, "csv or json (default: by the file's extension)")
      ->check(CLI::IsMember({"csv", "json"}));
  cmd->add_flag("--dry-run", args->dry_run, "Check only: record nothing");
  cmd->add_flag("--publish", args->publish, "Publish what is created (GPD toPublish)");
  cmd->add_option("--report", args->report, "text (default), json or csv")
      ->check(CLI::IsMember({"text", "json", "csv"}));
  cmd->add_option("--lang", args->lang, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));
  payments->require_subcommand(1);
  cmd->callback([&cli, args] {
    std::string file;
    if (auto* opt = cli.get_option_no_throw("--config"); opt != nullptr && opt->count() > 0)
      file = opt->as<std::string>();
    if (file.empty()) {
      if (const char* env = std::getenv("SPORTELLO_CONFIG")) file = env;
    }
    auto cfg = load_config(file);
    if (!cfg) {
      std::cerr << "sportello: " << cfg.error().code << ": " << cfg.error().detail << "\n";
      throw CLI::RuntimeError(2);
    }
    throw CLI::RuntimeError(run_payments_import(*cfg, *args, std::cout, std::cerr));
  });
}

}  // namespace sp::app
