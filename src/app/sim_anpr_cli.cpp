#include "app/sim_anpr_cli.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>

#include "adapters/anpr/simulator.hpp"
#include "adapters/http_client.hpp"

namespace sp::app {
namespace {

// "006039=secret" → (secret, istat); false when malformed.
bool anpr_credential(const std::string& pair, anpr::sim::SimulatorOptions& o) {
  const auto eq = pair.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) return false;
  o.credentials[pair.substr(eq + 1)] = pair.substr(0, eq);
  return true;
}

}  // namespace

SimAnprCommands::SimAnprCommands(CLI::App& sim) {
  anpr_ = sim.add_subcommand("anpr", "ANPR simulator: consultation (3000) and certificates (6001)");
  anpr_->require_subcommand(1);
  serve_ = anpr_->add_subcommand("serve", "Run the simulator alone, without the hub");
  serve_->add_option("--port", port_, "Port to listen on (0: a free one, printed)");
  serve_
      ->add_option("--population", population_files_,
                   "More people (JSON Lines or CSV, docs/population-format.md); repeatable")
      ->check(CLI::ExistingFile);
  serve_->add_option("--credential", credentials_, "A comune's credential, ISTAT=SECRET; repeatable");
  serve_->add_option("--url", base_url_, "The simulator's public URL (default http://localhost:PORT)");
  move_ = anpr_->add_subcommand("move", "Move a person in the running simulator (makes 4005 notifications)");
  move_->add_option("codice_fiscale", cf_, "Who moves")->required();
  move_->add_option("--via", via_, "Street name of the new address (e.g. \"ROMA\")")->required();
  move_->add_option("--civico", civico_, "House number")->required();
  move_->add_option("--specie", specie_, "Street type (default VIA)");
  move_->add_option("--cap", cap_, "Postcode (default: unchanged within the comune)");
  move_->add_option("--comune", comune_, "ISTAT code of another comune (default: the same)");
  move_->add_option("--famiglia", famiglia_, "Household joined (default: the same, or a new one elsewhere)");
  move_->add_option("--date", date_, "Day the change takes effect (default today)");
  move_->add_option("--sim", sim_url_, "The running simulator (default http://localhost:8093)");
}

int SimAnprCommands::move(std::ostream& out, std::ostream& err) const {
  namespace json = boost::json;
  adapters::HttpClient http(adapters::HttpClientOptions{std::chrono::seconds(30), std::chrono::seconds(5)});
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = sim_url_ + "/sim/anpr/move";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = json::serialize(json::object{{"codice_fiscale", cf_},
                                          {"comune_istat", comune_},
                                          {"specie_via", specie_},
                                          {"denominazione_via", via_},
                                          {"civico", civico_},
                                          {"cap", cap_},
                                          {"id_famiglia", famiglia_},
                                          {"data_variazione", date_}});
  auto r = http.send(req);
  if (!r) {
    err << "sportello: the ANPR simulator at " << sim_url_ << " is not reachable (" << r.error().code
        << ")\n";
    return 2;
  }
  boost::system::error_code ec;
  auto doc = json::parse(r->body, ec);
  if (ec || !doc.is_object()) {
    err << "sportello: unexpected answer from the simulator (HTTP " << r->status << ")\n";
    return 2;
  }
  const auto& o = doc.as_object();
  if (r->status != 200) {
    const auto* e = o.if_contains("error");
    err << "sportello: " << (e && e->is_string() ? std::string(e->as_string()) : "refused") << "\n";
    return 1;
  }
  if (const auto* list = o.if_contains("notifications"); list && list->is_array())
    for (const auto& n : list->as_array())
      if (n.is_object())
        out << json::value_to<std::string>(n.as_object().at("operation")) << " "
            << json::value_to<std::string>(n.as_object().at("id")) << "\n";
  return 0;
}

bool SimAnprCommands::parsed() const {
  return anpr_->parsed();
}

int SimAnprCommands::run(const Config& cfg, std::ostream& err) const {
  if (move_->parsed()) return move(std::cout, err);
  anpr::sim::SimulatorOptions o;
  o.population_files.push_back(cfg.share_dir + "/data/demo/population.jsonl");
  o.population_files.insert(o.population_files.end(), population_files_.begin(), population_files_.end());
  o.comuni_file = cfg.share_dir + "/data/demo/bodies.json";
  for (const auto& c : credentials_) {
    if (!anpr_credential(c, o)) {
      err << "sportello: --credential wants ISTAT=SECRET\n";
      return 2;
    }
  }
  if (const char* env = std::getenv("SPORTELLO_ANPR_SIM_CREDENTIALS"); env && *env) {
    std::string rest = env;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string item = rest.substr(0, comma);
      rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
      if (!item.empty() && !anpr_credential(item, o)) {
        err << "sportello: SPORTELLO_ANPR_SIM_CREDENTIALS wants ISTAT=SECRET,...\n";
        return 2;
      }
    }
  }
  o.base_url = base_url_.empty() && port_ != 0 ? "http://localhost:" + std::to_string(port_) : base_url_;
  o.share_dir = cfg.share_dir;
  o.static_dir = cfg.static_dir;
  return anpr::sim::run_simulator(std::move(o), port_);
}

}  // namespace sp::app
