#include "app/sim_pagopa_cli.hpp"

#include <boost/json.hpp>

#include "adapters/http_client.hpp"
#include "adapters/pagopa/simulator.hpp"
#include "core/money.hpp"

namespace sp::app {
namespace {

namespace json = boost::json;

std::string cli_str(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return {};
}

// POSTs JSON to the running simulator; the answer's object, or an error for the caller to print.
Result<json::object> cli_post(const std::string& url, const json::object& body) {
  adapters::HttpClient http(adapters::HttpClientOptions{std::chrono::seconds(120), std::chrono::seconds(5)});
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = json::serialize(body);
  auto r = http.send(req);
  if (!r) return r.error();
  boost::system::error_code ec;
  auto doc = json::parse(r->body, ec);
  if (ec || !doc.is_object())
    return Error::make("pagopa_sim.answer", 502, "HTTP " + std::to_string(r->status));
  if (r->status != 200)
    return Error::make("pagopa_sim.answer", r->status, cli_str(doc.as_object(), "detail"));
  return doc.as_object();
}

}  // namespace

SimPagopaCommands::SimPagopaCommands(CLI::App& sim) {
  pagopa_ = sim.add_subcommand("pagopa", "pagoPA simulator: the node, a PSP and Checkout");
  pagopa_->require_subcommand(1);

  serve_ = pagopa_->add_subcommand("serve", "Run the simulator alone, without the hub");
  serve_->add_option("--port", port_, "Port to listen on (0: a free one, printed)");
  serve_->add_option("--config", config_file_, "Stations and PSPs (JSON, see docs/pagopa-simulator.md)")
      ->required()
      ->check(CLI::ExistingFile);
  serve_->add_option("--state", state_file_, "Keep the ledger in this JSON file across restarts");
  serve_->add_option("--url", base_url_, "The simulator's public URL (default http://localhost:PORT)");

  pay_ = pagopa_->add_subcommand("pay", "Pay a notice at the simulated PSP, as at a tobacconist");
  pay_->add_option("nav", nav_, "The notice number (18 digits)")->required();
  pay_->add_option("--amount", amount_, "The amount the payer expects, in cents (the station's is paid)");
  pay_->add_option("--fiscal-code", fiscal_code_, "The creditor body's fiscal code (11 digits)");
  pay_->add_option("--psp", psp_, "The PSP's id (default: the first one)");
  auto* dup = pay_->add_flag("--duplicate", duplicate_, "Send the receipt twice");
  auto* late = pay_->add_flag("--late", late_, "Hold the receipt back and deliver it late");
  auto* wrong = pay_->add_option("--wrong-amount", wrong_amount_, "Collect this amount (cents) instead");
  dup->excludes(late)->excludes(wrong);
  late->excludes(wrong);
  pay_->add_option("--sim", sim_url_, "The running simulator (default http://localhost:8092)");
  pay_->add_flag("--json", json_, "Print the outcome as JSON");
  pay_->add_option("--lang", lang_, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));

  resend_ = pagopa_->add_subcommand("resend", "Send again the receipts the station has not answered");
  resend_->add_flag("--all", all_, "Every receipt, also those the station answered");
  resend_->add_option("--sim", sim_url_, "The running simulator (default http://localhost:8092)");
  resend_->add_option("--lang", lang_, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));
}

bool SimPagopaCommands::parsed() const {
  return pagopa_->parsed();
}

int SimPagopaCommands::run(const Config& cfg, std::ostream& out, std::ostream& err) const {
  if (serve_->parsed()) return serve(cfg, err);
  I18n i18n;
  i18n.load(cfg.share_dir + "/web/locales");
  if (pay_->parsed()) return pay(i18n, out, err);
  return resend(i18n, out, err);
}

int SimPagopaCommands::serve(const Config& cfg, std::ostream& err) const {
  auto file = pagopa::sim::load_config_file(config_file_);
  if (!file) {
    err << "sportello: " << file.error().code << ": " << file.error().detail << "\n";
    return 2;
  }
  pagopa::sim::SimulatorOptions o;
  o.base_url = base_url_.empty() && port_ != 0 ? "http://localhost:" + std::to_string(port_) : base_url_;
  o.stations = std::move(file->stations);
  o.psps = std::move(file->psps);
  o.state_file = state_file_;
  o.share_dir = cfg.share_dir;
  o.static_dir = cfg.static_dir;
  return pagopa::sim::run_simulator(std::move(o), port_);
}

int SimPagopaCommands::pay(const I18n& i18n, std::ostream& out, std::ostream& err) const {
  json::object body{{"notice_number", nav_}, {"fiscal_code", fiscal_code_}, {"psp", psp_}};
  if (amount_ >= 0) body["amount"] = amount_;
  if (duplicate_) body["scenario"] = "duplicate";
  if (late_) body["scenario"] = "late";
  if (wrong_amount_ >= 0) {
    body["scenario"] = "wrong_amount";
    body["wrong_amount"] = wrong_amount_;
  }
  auto answer = cli_post(sim_url_ + "/sim/psp/payments", body);
  if (!answer) {
    err << i18n.format(lang_, "sim_pagopa.cli.unreachable",
                       {{"url", sim_url_}, {"detail", answer.error().code + " " + answer.error().detail}})
        << "\n";
    return 2;
  }
  const auto& a = *answer;
  const std::string outcome = cli_str(a, "outcome");
  if (json_) {
    out << json::serialize(a) << "\n";
  } else if (outcome == "paid") {
    const auto& p = a.at("payment").as_object();
    const auto amount = p.at("amount_cents").as_int64();
    out << i18n.format(
               lang_, "sim_pagopa.cli.paid",
               {{"nav", cli_str(p, "notice_number")},
                {"creditor", cli_str(p, "fiscal_code")},
                {"psp", cli_str(p, "psp")},
                {"amount", money::format(amount, lang_)},
                {"fee", money::format(p.at("fee_cents").as_int64(), lang_)},
                {"receipt", cli_str(p, "receipt_id")},
                {"iuv", cli_str(p, "iuv")},
                {"delivery", i18n.t(lang_, "sim_pagopa.cli.delivery." + cli_str(p, "delivery"))},
                {"answer", cli_str(p, "station_answer").empty() ? "-" : cli_str(p, "station_answer")}})
        << "\n";
    if (amount_ >= 0 && a.contains("station_amount_cents") &&
        a.at("station_amount_cents").as_int64() != amount_)
      out << i18n.format(lang_, "sim_pagopa.cli.amount_differs",
                         {{"station", money::format(a.at("station_amount_cents").as_int64(), lang_)},
                          {"expected", money::format(amount_, lang_)}})
          << "\n";
    if (a.contains("second_answer"))
      out << i18n.format(lang_, "sim_pagopa.cli.second_copy", {{"answer", cli_str(a, "second_answer")}})
          << "\n";
  } else {
    out << i18n.format(lang_, outcome == "refused" ? "sim_pagopa.cli.refused" : "sim_pagopa.cli.error",
                       {{"step", cli_str(a, "step")},
                        {"fault", cli_str(a, "fault_code")},
                        {"detail", cli_str(a, "detail")}})
        << "\n";
  }
  return outcome == "paid" ? 0 : outcome == "refused" ? 1 : 2;
}

int SimPagopaCommands::resend(const I18n& i18n, std::ostream& out, std::ostream& err) const {
  auto answer = cli_post(sim_url_ + "/sim/psp/receipts/resend", json::object{{"all", all_}});
  if (!answer) {
    err << i18n.format(lang_, "sim_pagopa.cli.unreachable",
                       {{"url", sim_url_}, {"detail", answer.error().code + " " + answer.error().detail}})
        << "\n";
    return 2;
  }
  out << i18n.format(lang_, "sim_pagopa.cli.resent",
                     {{"sent", cli_str(*answer, "sent")}, {"undelivered", cli_str(*answer, "undelivered")}})
      << "\n";
  return 0;
}

}  // namespace sp::app
