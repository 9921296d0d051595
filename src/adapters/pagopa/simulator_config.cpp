// The simulator's configuration: its standalone file, the default PSPs, the scenarios' names.
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/pagopa/simulator.hpp"

namespace sp::pagopa::sim {
namespace {

namespace json = boost::json;

std::string config_str(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::vector<Psp> default_psps() {
  return {{"SIMTABIT", "Tabaccheria simulata", "00000000001", "SIMTABIT", "SIMTABIT_01", "SIMTITM1XXX", 100},
          {"SIMBANIT", "Banca simulata", "00000000002", "SIMBANIT", "SIMBANIT_01", "SIMBITM1XXX", 150}};
}

std::optional<Scenario> scenario_from(std::string_view name) {
  for (auto s : {Scenario::normal, Scenario::duplicate, Scenario::late, Scenario::wrong_amount})
    if (name == scenario_name(s)) return s;
  return std::nullopt;
}

const char* scenario_name(Scenario s) {
  switch (s) {
    case Scenario::normal:
      return "normal";
    case Scenario::duplicate:
      return "duplicate";
    case Scenario::late:
      return "late";
    case Scenario::wrong_amount:
      return "wrong_amount";
  }
  return "normal";
}

Result<FileConfig> load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::make("pagopa_sim.config", 400, path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object()) return Error::make("pagopa_sim.config", 400, path + ": not a JSON object");
  FileConfig out;
  const auto* stations = doc.as_object().if_contains("stations");
  if (!stations || !stations->is_array() || stations->as_array().empty())
    return Error::make("pagopa_sim.config", 400, path + ": \"stations\" must be a non-empty array");
  for (const auto& v : stations->as_array()) {
    if (!v.is_object()) return Error::make("pagopa_sim.config", 400, path + ": a station is not an object");
    const auto& o = v.as_object();
    StationEntry e{config_str(o, "fiscal_code"), config_str(o, "url"), config_str(o, "secret"),
                   config_str(o, "id_broker_pa"), config_str(o, "id_station")};
    // A secret can stay out of the file: the name of an environment variable holding it.
    if (e.secret.empty()) {
      if (const char* env = std::getenv(config_str(o, "secret_env").c_str())) e.secret = env;
    }
    for (const auto& [name, value] :
         {std::pair{"fiscal_code", &e.fiscal_code}, std::pair{"url", &e.url}, std::pair{"secret", &e.secret},
          std::pair{"id_broker_pa", &e.id_broker_pa}, std::pair{"id_station", &e.id_station}}) {
      if (value->empty()) return Error::make("pagopa_sim.config", 400, path + ": a station has no " + name);
    }
    out.stations[e.fiscal_code] = e;
  }
  if (const auto* psps = doc.as_object().if_contains("psps"); psps && psps->is_array()) {
    for (const auto& v : psps->as_array()) {
      const auto& o = v.as_object();
      Psp p{config_str(o, "id"),
            config_str(o, "name"),
            config_str(o, "fiscal_code"),
            config_str(o, "broker_id"),
            config_str(o, "channel_id"),
            config_str(o, "bic"),
            100};
      if (p.id.empty()) return Error::make("pagopa_sim.config", 400, path + ": a PSP has no id");
      if (p.name.empty()) p.name = p.id;
      if (p.broker_id.empty()) p.broker_id = p.id;
      if (p.channel_id.empty()) p.channel_id = p.id + "_01";
      if (const auto* fee = o.if_contains("fee"); fee && fee->is_int64()) p.fee = fee->as_int64();
      out.psps.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace sp::pagopa::sim
