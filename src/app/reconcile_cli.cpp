#include "app/reconcile_cli.hpp"

#include <stdlib.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "core/i18n.hpp"
#include "core/money.hpp"
#include "payments/reporting_reconcile.hpp"

namespace sp::app {
namespace {

namespace rep = payments::reporting;

// A private temporary folder for the staging database, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "sportello-reconcile-XXXXXX").string();
    if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

boost::json::object party_json(const rep::Party& p) {
  return {{"type", p.id_type}, {"id", p.id}, {"name", p.name}};
}

boost::json::object report_json(const rep::FlowReport& r, std::optional<rep::Revision> revision,
                                const I18n& i18n, const std::string& lang) {
  boost::json::object o;
  o["file"] = r.file;
  if (r.header_read) {
    o["flow_id"] = r.header.flow_id;
    o["flow_time"] = r.header.flow_time_text;
    o["flow_time_utc"] = time::format_iso_utc(r.header.flow_time);
    o["settlement_iur"] = r.header.settlement_iur;
    o["settlement_date"] = time::format_iso_date(r.header.settlement_date);
    o["sender"] = party_json(r.header.sender);
    o["receiver"] = party_json(r.header.receiver);
    o["header"] = {{"count", r.header.declared_count}, {"total_cents", r.header.declared_total}};
  }
  o["rows"] = {{"count", r.rows}, {"total_cents", r.rows_total}, {"revoked_cents", r.revoked_total}};
  boost::json::object outcomes;
  for (std::size_t i = 0; i < rep::kOutcomes.size(); ++i)
    outcomes[rep::to_string(rep::kOutcomes[i])] = r.per_outcome[i];
  outcomes[rep::to_string(rep::RowStatus::duplicate_row)] = r.duplicates;
  o["outcomes"] = std::move(outcomes);
  o["duplicates"] = r.duplicates;
  boost::json::array problems;
  for (auto p : r.problems) problems.emplace_back(rep::to_string(p));
  o["problems"] = std::move(problems);
  if (revision) o["revision"] = rep::to_string(*revision);
  o["verdict"] = r.verdict();
  if (!r.error_code.empty()) {
    o["error"] = {{"code", r.error_code},
                  {"line", r.error_line},
                  {"message", i18n.message(lang, Error::make(r.error_code, 422, r.error_detail))}};
  }
  return o;
}

// One line per flow; amounts in the reader's language.
void print_table_head(std::ostream& out, const I18n& i18n, const std::string& lang) {
  out << i18n.t(lang, "reconcile.col_verdict") << "\t" << i18n.t(lang, "reconcile.col_flow") << "\t"
      << i18n.t(lang, "reconcile.col_date") << "\t" << i18n.t(lang, "reconcile.col_sender") << "\t"
      << i18n.t(lang, "reconcile.col_receiver") << "\t" << i18n.t(lang, "reconcile.col_header") << "\t"
      << i18n.t(lang, "reconcile.col_rows") << "\t" << i18n.t(lang, "reconcile.col_duplicates") << "\t"
      << i18n.t(lang, "reconcile.col_outcomes") << "\t" << i18n.t(lang, "reconcile.col_file") << "\n";
}

void print_table_row(std::ostream& out, const rep::FlowReport& r, std::optional<rep::Revision> revision,
                     const std::string& lang) {
  out << r.verdict();
  if (revision && *revision != rep::Revision::new_flow) out << "," << rep::to_string(*revision);
  out << "\t" << (r.header_read ? r.header.flow_id : "-") << "\t"
      << (r.header_read ? r.header.flow_time_text : "-") << "\t" << (r.header_read ? r.header.sender.id : "-")
      << "\t" << (r.header_read ? r.header.receiver.id : "-") << "\t";
  if (r.header_read)
    out << r.header.declared_count << " / " << money::format(r.header.declared_total, lang);
  else
    out << "-";
  out << "\t" << r.rows << " / " << money::format(r.rows_total, lang) << "\t" << r.duplicates << "\t";
  for (std::size_t i = 0; i < rep::kOutcomes.size(); ++i)
    out << (i ? " " : "") << static_cast<int>(rep::kOutcomes[i]) << ":" << r.per_outcome[i];
  out << "\t" << r.file << "\n";
}

}  // namespace

int run_reconcile(const Config& config, const ReconcileArgs& args, std::ostream& out, std::ostream& err) {
  I18n i18n;
  i18n.load(config.share_dir + "/web/locales");
  const std::string lang = i18n.has(args.lang) ? args.lang : I18n::kDefault;
  const auto fail = [&](const std::string& subject, const Error& e) {
    err << "sportello: " << subject << ": " << i18n.message(lang, e) << "\n";
  };

  rep::ReconcileOptions options;
  if (!args.creditor.empty()) options.expected_receiver = args.creditor;
  auto policy = rep::parse_revoked_policy(args.revoked_total);
  if (!policy) {
    fail("--revoked-total", Error::make("fdr.revoked_policy", 400, args.revoked_total));
    return 2;
  }
  options.revoked = *policy;

  const std::string xsd = rep::default_schema_path(config.share_dir);
  auto schema = rep::FlowSchema::load(xsd);
  if (!schema) {
    fail(xsd, schema.error());
    return 2;
  }
  ScratchDir scratch;
  if (scratch.path().empty()) {
    fail("reconcile", Error::make("fdr.staging", 500, "temporary folder"));
    return 2;
  }
  auto staging = rep::open_sqlite_staging(scratch.path() + "/staging.db");
  if (!staging) {
    fail(scratch.path(), staging.error());
    return 2;
  }

  int status = 0;
  // The latest dataOraFlusso per sender and flow id among the files of this run (one entry per file).
  std::map<std::pair<std::string, std::string>, time::TimePoint> seen;
  if (!args.json) print_table_head(out, i18n, lang);
  for (const auto& file : args.files) {
    auto report = rep::reconcile_flow_file(file, **schema, options, **staging);
    if (!report) {
      fail(file, report.error());
      return 2;
    }
    std::optional<rep::Revision> revision;
    if (report->header_read && report->verdict() != "malformed") {
      const auto key = std::make_pair(report->header.sender.id, report->header.flow_id);
      const auto it = seen.find(key);
      revision = rep::decide_revision(it == seen.end() ? std::nullopt : std::optional(it->second),
                                      report->header.flow_time);
      if (*revision != rep::Revision::ignored) seen[key] = report->header.flow_time;
      if (*revision == rep::Revision::ignored) status = std::max(status, 1);
    }
    if (report->verdict() == "malformed") {
      fail(file, Error::make(report->error_code, 422, report->error_detail));
      status = 2;
    } else if (!report->problems.empty()) {
      status = std::max(status, 1);
    }
    if (args.json)
      out << boost::json::serialize(report_json(*report, revision, i18n, lang)) << "\n";
    else
      print_table_row(out, *report, revision, lang);
  }
  out.flush();
  return status;
}

namespace {

Config reconcile_config(CLI::App& cli) {
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
  return *cfg;
}

}  // namespace

void add_reconcile_command(CLI::App& cli) {
  auto args = std::make_shared<ReconcileArgs>();
  auto* cmd = cli.add_subcommand("reconcile",
                                 "Check pagoPA reporting flows (FdR XML) against their header, streaming; "
                                 "with --import, record them for a body");
  cmd->add_option("files", args->files, "Reporting-flow XML files");
  cmd->add_flag("--json", args->json, "One JSON object per flow (one per line)");
  cmd->add_option("--creditor", args->creditor, "Expected receiving body (its fiscal code)");
  cmd->add_option("--revoked-total", args->revoked_total,
                  "How revoked (outcome 3) rows enter the header total: gross (default) or net")
      ->check(CLI::IsMember({"gross", "net"}));
  cmd->add_option("--lang", args->lang, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));
  cmd->add_flag("--import", args->import, "Record the flows in the database for --body, matched to receipts");
  cmd->add_option("--body", args->body, "The body (slug) the flows are imported for");

  auto sargs = std::make_shared<StatementArgs>();
  auto* stmt = cmd->add_subcommand("statement", "Import the treasurer's account statement (CSV) for a body");
  stmt->add_option("--body", sargs->body, "The body (slug)")->required();
  stmt->add_option("file", sargs->file, "The statement, CSV (docs/reconciliation.md)")->required();
  stmt->callback([&cli, sargs] {
    const auto cfg = reconcile_config(cli);
    throw CLI::RuntimeError(run_reconcile_statement(cfg, *sargs, std::cout, std::cerr));
  });

  auto pargs = std::make_shared<PullArgs>();
  auto* pull =
      cmd->add_subcommand("pull", "Fetch and import the flows pagoPA's FdR API published (pagopa_fdr_url)");
  pull->add_option("--body", pargs->body, "One body (slug); every creditor body when omitted");
  pull->callback([&cli, pargs] {
    const auto cfg = reconcile_config(cli);
    throw CLI::RuntimeError(run_reconcile_pull(cfg, *pargs, std::cout, std::cerr));
  });

  cmd->callback([&cli, cmd, args] {
    if (cmd->got_subcommand("statement") || cmd->got_subcommand("pull")) return;
    if (args->files.empty()) throw CLI::RequiredError("files");
    if (args->import && args->body.empty()) throw CLI::RequiredError("--body");
    const auto cfg = reconcile_config(cli);
    if (args->import) throw CLI::RuntimeError(run_reconcile_import(cfg, *args, std::cout, std::cerr));
    throw CLI::RuntimeError(run_reconcile(cfg, *args, std::cout, std::cerr));
  });
}

}  // namespace sp::app
