// `sportello reconcile --import` and `sportello reconcile statement` (reconcile_cli.hpp): the flows and
// statements recorded in the hub's database through the reconciliation service, as a program ("cli").
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "app/reconcile_cli.hpp"
#include "audit/key.hpp"
#include "core/i18n.hpp"
#include "db/database.hpp"
#include "payments/reconciliation_pull.hpp"
#include "payments/reconciliation_service.hpp"
#include "tenants/service.hpp"

namespace sp::app {
namespace {

namespace rec = payments::recon;

std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

boost::json::object import_json(const std::string& file, const rec::FlowImport& imp) {
  boost::json::object o;
  o["file"] = file;
  o["outcome"] = rec::to_string(imp.outcome);
  const auto& r = imp.report;
  if (r.header_read) {
    o["flow_id"] = r.header.flow_id;
    o["psp_id"] = r.header.sender.id;
    o["flow_time"] = r.header.flow_time_text;
    o["settlement_date"] = time::format_iso_date(r.header.settlement_date);
    o["header"] = {{"count", r.header.declared_count}, {"total_cents", r.header.declared_total}};
  }
  o["verdict"] = r.verdict();
  boost::json::array problems;
  for (auto p : r.problems) problems.emplace_back(payments::reporting::to_string(p));
  o["problems"] = std::move(problems);
  if (!r.error_code.empty())
    o["error"] = {{"code", r.error_code}, {"line", r.error_line}, {"detail", r.error_detail}};
  if (imp.flow_pk) o["flow_pk"] = imp.flow_pk;
  if (imp.supersedes_pk) o["supersedes_pk"] = *imp.supersedes_pk;
  boost::json::object results;
  for (const auto& c : imp.results)
    results[rec::to_string(c.result)] = {{"rows", c.rows}, {"cents", c.cents}};
  o["results"] = std::move(results);
  return o;
}

struct CliDatabase {
  std::unique_ptr<db::Database> db;
  audit::KeyBinding key;  // the hub's audit key, as serve uses it: the imports are audited
  std::unique_ptr<tenants::TenantService> tenants;
  std::shared_ptr<const tenants::Body> body;
};

std::optional<CliDatabase> open_for_body(const Config& config, const std::string& slug, std::ostream& err) {
  CliDatabase out;
  out.db = db::open(config.database);
  // The servers' key ring, never a new key (a CLI run must not fork the chain's keys); none: unkeyed.
  auto key = audit::load_chain_key(config.keys_dir, config.audit_key_file, time::system_clock().now(), false);
  if (!key) {
    err << "sportello: " << key.error().code << ": " << key.error().detail << "\n";
    return std::nullopt;
  }
  if (*key) out.key = audit::KeyBinding(*out.db, *key);
  out.tenants = std::make_unique<tenants::TenantService>(*out.db);
  out.tenants->reload();
  if (slug.empty()) return out;  // every body (reconcile pull)
  out.body = out.tenants->by_slug(slug);
  if (!out.body) {
    err << "sportello: --body " << slug << ": no such body\n";
    return std::nullopt;
  }
  return out;
}

}  // namespace

int run_reconcile_import(const Config& config, const ReconcileArgs& args, std::ostream& out,
                         std::ostream& err) {
  I18n i18n;
  i18n.load(config.share_dir + "/web/locales");
  const std::string lang = i18n.has(args.lang) ? args.lang : I18n::kDefault;
  auto opened = open_for_body(config, args.body, err);
  if (!opened) return 2;
  payments::PaymentsService payments(*opened->db, time::system_clock());
  rec::ReconciliationService service(*opened->db, time::system_clock(), payments,
                                     payments::reporting::default_schema_path(config.share_dir));
  int status = 0;
  for (const auto& file : args.files) {
    auto xml = read_whole(file);
    if (!xml) {
      err << "sportello: " << file << ": " << i18n.message(lang, Error::make("fdr.io", 422, "0: " + file))
          << "\n";
      status = 2;
      continue;
    }
    auto imp =
        service.import_flow(payments::SystemActor{"cli"}, opened->body->id, *xml, rec::FlowSource::file);
    if (!imp) {
      err << "sportello: " << file << ": " << i18n.message(lang, imp.error()) << "\n";
      status = 2;
      continue;
    }
    if (imp->report.verdict() == "malformed") {
      err << "sportello: " << file << ": "
          << i18n.message(lang, Error::make(imp->report.error_code, 422, imp->report.error_detail)) << "\n";
      status = 2;
    } else if (imp->outcome == rec::ImportOutcome::refused || imp->outcome == rec::ImportOutcome::ignored) {
      status = std::max(status, 1);
    }
    for (const auto& c : imp->results)
      if (rec::is_anomaly(c.result)) status = std::max(status, 1);
    if (args.json) {
      out << boost::json::serialize(import_json(file, *imp)) << "\n";
    } else {
      out << rec::to_string(imp->outcome) << "\t" << imp->report.verdict() << "\t"
          << (imp->report.header_read ? imp->report.header.flow_id : "-") << "\t";
      for (std::size_t i = 0; i < imp->results.size(); ++i)
        out << (i ? " " : "") << rec::to_string(imp->results[i].result) << ":" << imp->results[i].rows;
      out << "\t" << file << "\n";
    }
  }
  out.flush();
  opened->db->close();
  return status;
}

int run_reconcile_statement(const Config& config, const StatementArgs& args, std::ostream& out,
                            std::ostream& err) {
  I18n i18n;
  i18n.load(config.share_dir + "/web/locales");
  auto opened = open_for_body(config, args.body, err);
  if (!opened) return 2;
  auto csv = read_whole(args.file);
  if (!csv) {
    err << "sportello: " << args.file << ": cannot be read\n";
    return 2;
  }
  payments::PaymentsService payments(*opened->db, time::system_clock());
  rec::ReconciliationService service(*opened->db, time::system_clock(), payments,
                                     payments::reporting::default_schema_path(config.share_dir));
  auto imp = service.import_statement(payments::SystemActor{"cli"}, opened->body->id, args.file, *csv);
  opened->db->close();
  if (!imp) {
    err << "sportello: " << args.file << ": " << i18n.message(I18n::kDefault, imp.error()) << "\n";
    return imp.error().code == "bank_statement.duplicate" ? 1 : 2;
  }
  boost::json::object o{{"file", args.file},           {"statement_id", imp->statement_id},
                        {"movements", imp->movements}, {"skipped", imp->skipped},
                        {"pagopa", imp->pagopa},       {"matched", imp->matched}};
  out << boost::json::serialize(o) << "\n";
  return 0;
}

int run_reconcile_pull(const Config& config, const PullArgs& args, std::ostream& out, std::ostream& err) {
  if (config.pagopa_fdr_url.empty()) {
    err << "sportello: pagopa_fdr_url is not set (SPORTELLO_PAGOPA_FDR_URL)\n";
    return 2;
  }
  auto opened = open_for_body(config, args.body.empty() ? std::string() : args.body, err);
  if (!opened) return 2;
  payments::PaymentsService payments(*opened->db, time::system_clock());
  rec::ReconciliationService service(*opened->db, time::system_clock(), payments,
                                     payments::reporting::default_schema_path(config.share_dir));
  const pagopa::fdr::Client client(adapters::HttpClient{},
                                   {config.pagopa_fdr_url, config.pagopa_subscription_key, 1000, ""});
  rec::PullReport r;
  if (args.body.empty()) {
    r = rec::pull_all(service, *opened->db, client);
  } else {
    auto creditor = payments.creditor(opened->body->id);
    if (!creditor) {
      err << "sportello: --body " << args.body << ": " << creditor.error().code << "\n";
      opened->db->close();
      return 2;
    }
    r = rec::pull_flows(service, *opened->db, client, opened->body->id, creditor->fiscal_code);
  }
  opened->db->close();
  boost::json::array errors;
  for (const auto& e : r.errors) {
    errors.emplace_back(e);
    err << "sportello: " << e << "\n";
  }
  out << boost::json::serialize(boost::json::object{{"listed", r.listed},
                                                    {"skipped", r.skipped},
                                                    {"recorded", r.recorded},
                                                    {"replaced", r.replaced},
                                                    {"unchanged", r.unchanged},
                                                    {"ignored", r.ignored},
                                                    {"refused", r.refused},
                                                    {"errors", std::move(errors)}})
      << "\n";
  return r.errors.empty() ? 0 : 1;
}

}  // namespace sp::app
