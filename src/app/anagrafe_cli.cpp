#include "app/anagrafe_cli.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <streambuf>

#include "adapters/anpr/client.hpp"
#include "anagrafe/anpr_sync.hpp"
#include "anagrafe/import_reader.hpp"
#include "anagrafe/synthetic.hpp"
#include "audit/key.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "db/database.hpp"

namespace sp::app {
namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

// The generator as an input stream, one line at a time: the import reads it like a file, in bounded memory.
class GeneratedLines : public std::streambuf {
 public:
  explicit GeneratedLines(anagrafe::SyntheticPopulation& g) : g_(g) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!g_.next(line_)) return traits_type::eof();
    line_ += '\n';
    setg(line_.data(), line_.data(), line_.data() + line_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  anagrafe::SyntheticPopulation& g_;
  std::string line_;
};

// The hub's comuni that can have residents: an ISTAT and a cadastral code (for the codici fiscali).
std::vector<std::pair<tenants::TenantId, anagrafe::SyntheticComune>> synthetic_comuni(
    const tenants::TenantService& tenants) {
  std::vector<std::pair<tenants::TenantId, anagrafe::SyntheticComune>> out;
  for (const auto& b : tenants.search("")) {
    if (b->kind != tenants::BodyKind::comune || b->istat_code.size() != 6 || b->belfiore_code.size() != 4)
      continue;
    std::string name = b->name;
    for (std::string_view prefix : {"Comune di ", "Città di "})
      if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
    for (auto& ch : name)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    out.push_back({b->id, anagrafe::SyntheticComune{b->istat_code, b->belfiore_code, name, "",
                                                    std::max<std::int64_t>(1, b->population)}});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.second.istat < b.second.istat; });
  return out;
}

// A body by its slug, its id, or a comune's IPA code: "c_" and its cadastral code ("c_a479" is Asti).
std::shared_ptr<const tenants::Body> find_body(const tenants::TenantService& tenants,
                                               const std::string& arg) {
  auto body = tenants.by_slug(arg);
  if (!body) {
    if (auto id = text::parse_decimal(arg)) body = tenants.by_id(*id);
  }
  if (!body) {
    for (const auto& b : tenants.search(""))
      if (!b->belfiore_code.empty() &&
          "c_" + text::to_lower_ascii(b->belfiore_code) == text::to_lower_ascii(arg))
        body = b;
  }
  return body;
}

Result<Config> cli_config(CLI::App& cli) {
  std::string file;
  if (auto* opt = cli.get_option_no_throw("--config"); opt != nullptr && opt->count() > 0)
    file = opt->as<std::string>();
  if (file.empty()) {
    if (const char* env = std::getenv("SPORTELLO_CONFIG")) file = env;
  }
  return load_config(file);
}

}  // namespace

std::vector<DemoComune> demo_comuni(const tenants::TenantService& tenants, std::int64_t residents) {
  const auto comuni = synthetic_comuni(tenants);
  std::int64_t weight = 0;
  for (const auto& [_, c] : comuni) weight += c.weight;
  std::vector<DemoComune> out;
  std::int64_t given = 0;
  for (std::size_t i = 0; i < comuni.size(); ++i) {
    const auto& [tenant, c] = comuni[i];
    const std::int64_t share = i + 1 == comuni.size() ? residents - given : residents * c.weight / weight;
    given += share;
    out.push_back(DemoComune{tenant, c, share, 15 + i});
  }
  return out;
}

int run_anagrafe_sync(const Config& config, const std::string& body_arg, std::ostream& out,
                      std::ostream& err) {
  auto db = db::open(config.database);
  db::migrate(*db, config.share_dir + "/migrations");
  tenants::TenantService tenants(*db);
  tenants.reload();
  auto body = find_body(tenants, body_arg);
  if (!body) {
    err << "sportello: no body " << body_arg << "\n";
    return 2;
  }
  auto key = audit::load_chain_key(config.keys_dir, config.audit_key_file, time::system_clock().now(), false);
  if (!key) {
    err << "sportello: " << key.error().code << " " << key.error().detail << "\n";
    return 2;
  }
  audit::KeyBinding binding;
  if (*key) binding = audit::KeyBinding(*db, *key);
  audit::AuditService audit(*db, time::system_clock());
  anagrafe::AnagrafeService service(*db, audit, tenants, time::system_clock());
  anagrafe::AnprSyncOptions o;
  o.anpr_url = config.anpr_url;
  o.credentials = anpr::parse_credentials(config.anpr_credentials);
  o.tls = {config.anpr_client_cert, config.anpr_client_key, config.anpr_ca_file};
  anagrafe::AnprSync sync(service, tenants, time::system_clock(), std::move(o));
  auto r = sync.sync(body->id);
  db->close();
  if (!r) {
    err << "sportello: " << r.error().code << " " << r.error().detail << "\n";
    return 2;
  }
  for (const auto& n : r->outcomes)
    out << n.anpr_operation_id << " " << (n.codice_fiscale.empty() ? "-" : n.codice_fiscale) << " "
        << n.outcome << (n.reason.empty() ? "" : " " + n.reason) << "\n";
  err << r->period_from << " .. " << r->period_to << ": " << r->received << " notification(s), " << r->applied
      << " new version(s), " << r->known << " known, " << r->refused << " refused\n";
  return r->refused == 0 ? 0 : 1;
}

int run_anagrafe_import(const Config& config, const AnagrafeImportArgs& args, std::ostream& out,
                        std::ostream& err) {
  I18n i18n;
  i18n.load(config.share_dir + "/web/locales");
  const std::string lang = i18n.has(args.lang) ? args.lang : I18n::kDefault;
  const auto fail = [&](const Error& e) {
    err << "sportello: " << i18n.message(lang, e) << " (" << e.code
        << (e.detail.empty() ? "" : " " + e.detail) << ")\n";
    return 2;
  };
  std::string format_name = args.format;
  if (format_name.empty()) format_name = args.file.ends_with(".csv") ? "csv" : "jsonl";
  auto format = anagrafe::parse_format(format_name);
  if (!format) return fail(Error::make("anagrafe.file.format", 400, format_name));
  std::ifstream in(args.file, std::ios::binary);
  if (!in) return fail(Error::not_found(args.file));
  auto db = db::open(config.database);
  db::migrate(*db, config.share_dir + "/migrations");
  tenants::TenantService tenants(*db);
  tenants.reload();
  auto body = find_body(tenants, args.body);
  if (!body) return fail(Error::not_found("body " + args.body));
  // Each run is audited on the body's chain: with the servers' key (never a new one).
  auto key = audit::load_chain_key(config.keys_dir, config.audit_key_file, time::system_clock().now(), false);
  if (!key) return fail(key.error());
  audit::KeyBinding binding;
  if (*key) binding = audit::KeyBinding(*db, *key);
  audit::AuditService audit(*db, time::system_clock());
  anagrafe::AnagrafeService service(*db, audit, tenants, time::system_clock());
  anagrafe::ImportOptions options;
  options.batch_size = args.batch;
  const auto slash = args.file.find_last_of('/');
  const std::string name = slash == std::string::npos ? args.file : args.file.substr(slash + 1);
  auto report =
      service.import(anagrafe::ImportActor{nullptr, "cli-import"}, body->id, *format, name, in, options);
  if (!report) {
    db->close();
    return fail(report.error());
  }
  for (const auto& e : report->errors) {
    out << i18n.format(lang, "ui.anag_cli_row",
                       {{"line", std::to_string(e.line)},
                        {"cf", e.codice_fiscale.empty() ? "-" : e.codice_fiscale},
                        {"reason", i18n.message(lang, Error::make(e.code, 400, e.detail))}})
        << "\n";
  }
  const auto rate = report->seconds > 0 ? static_cast<long long>(report->rows / report->seconds) : 0LL;
  err << i18n.format(lang, "ui.anag_cli_summary",
                     {{"id", std::to_string(report->import_id)},
                      {"rows", std::to_string(report->rows)},
                      {"inserted", std::to_string(report->inserted)},
                      {"unchanged", std::to_string(report->unchanged)},
                      {"errors", std::to_string(report->error_count)},
                      {"seconds", seconds_text(report->seconds)},
                      {"rate", std::to_string(rate)}})
      << "\n";
  db->close();
  return report->error_count == 0 ? 0 : 1;
}

void add_anagrafe_command(CLI::App& cli) {
  auto args = std::make_shared<AnagrafeImportArgs>();
  auto* anagrafe = cli.add_subcommand("anagrafe", "Population register mirror (docs/anagrafe.md)");
  auto* cmd = anagrafe->add_subcommand("import", "Import a CSV or JSON Lines file of residents into a body");
  cmd->add_option("--body", args->body, "The body: slug, id or IPA code (c_ + cadastral code)")->required();
  cmd->add_option("file", args->file, "The file (.csv or .jsonl)")->required();
  cmd->add_option("--format", args->format, "csv or jsonl (default: by the file's extension)")
      ->check(CLI::IsMember({"csv", "jsonl", "json"}));
  cmd->add_option("--batch", args->batch, "Rows per transaction (default 2000)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--lang", args->lang, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));
  anagrafe->require_subcommand(1);
  cmd->callback([&cli, args] {
    auto cfg = cli_config(cli);
    if (!cfg) {
      std::cerr << "sportello: " << cfg.error().code << ": " << cfg.error().detail << "\n";
      throw CLI::RuntimeError(2);
    }
    throw CLI::RuntimeError(run_anagrafe_import(*cfg, *args, std::cout, std::cerr));
  });
  auto* sync = anagrafe->add_subcommand("sync", "Fetch the body's ANPR change notifications (4005) now");
  sync->add_option("--body", args->body, "The body: slug, id or IPA code (c_ + cadastral code)")->required();
  sync->callback([&cli, args] {
    auto cfg = cli_config(cli);
    if (!cfg) {
      std::cerr << "sportello: " << cfg.error().code << ": " << cfg.error().detail << "\n";
      throw CLI::RuntimeError(2);
    }
    throw CLI::RuntimeError(run_anagrafe_sync(*cfg, args->body, std::cout, std::cerr));
  });
}

int run_demo_scale(const Config& config, tenants::TenantService& tenants,
                   anagrafe::AnagrafeService* register_, std::int64_t residents, const std::string& out_file,
                   std::ostream& err) {
  (void)config;
  const auto comuni = demo_comuni(tenants, residents);
  if (comuni.empty()) {
    err << "sportello: no comune with an ISTAT and a cadastral code\n";
    return 2;
  }
  std::ofstream file;
  if (!out_file.empty()) {
    file.open(out_file, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "sportello: cannot write " << out_file << "\n";
      return 2;
    }
  }
  // Each comune its share, from its own generator (seeded by its place): the same N gives the same people.
  std::int64_t people = 0, lines = 0;
  for (const auto& [tenant, c, share, seed] : comuni) {
    if (share <= 0) continue;
    anagrafe::SyntheticPopulation g({c}, share, seed);
    if (file.is_open()) {
      std::string line;
      while (g.next(line)) file << line << '\n';
    } else if (register_ != nullptr) {
      GeneratedLines buf(g);
      std::istream in(&buf);
      anagrafe::ImportOptions o;
      auto report = register_->import(anagrafe::ImportActor{nullptr, "demo"}, tenant, anagrafe::Format::jsonl,
                                      "demo-scale", in, o);
      if (!report) {
        err << "sportello: " << report.error().code << " " << report.error().detail << "\n";
        return 2;
      }
      err << c.name << ": " << report->inserted << " new versions, " << report->unchanged
          << " already there, " << report->error_count << " refused\n";
    }
    people += g.people_written();
    lines += g.lines_written();
  }
  err << people << " residents, " << lines << " versions" << (out_file.empty() ? "" : " in " + out_file)
      << "\n";
  return 0;
}

Status seed_demo_population(const std::string& share_dir, tenants::TenantService& tenants,
                            anagrafe::AnagrafeService& register_) {
  if (!register_.empty()) return Ok{};
  const std::string path = share_dir + "/data/demo/population.jsonl";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Ok{};  // a share dir without the demo's residents
  // The file mixes comuni: each body imports its own rows.
  std::map<std::string, std::string> by_istat;
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    const auto* istat = v.as_object().if_contains("comune_istat");
    if (istat && istat->is_string()) by_istat[std::string(istat->as_string())] += line + "\n";
  }
  for (const auto& b : tenants.search("")) {
    auto it = by_istat.find(b->istat_code);
    if (b->istat_code.empty() || it == by_istat.end()) continue;
    std::istringstream rows(it->second);
    auto report = register_.import(anagrafe::ImportActor{nullptr, "demo"}, b->id, anagrafe::Format::jsonl,
                                   "population.jsonl", rows);
    if (!report) return report.error();
    if (report->error_count > 0 && !report->errors.empty())
      return Error::make("anagrafe.demo", 500,
                         b->slug + " line " + std::to_string(report->errors.front().line) + ": " +
                             report->errors.front().code);
  }
  return Ok{};
}

}  // namespace sp::app
