// Demo mode: the local pagoPA simulator (adapters/pagopa/simulator.hpp) next to the hub, in a thread on
// sim_pagopa_port, with a station directory built from the creditors table.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "app/app.hpp"

namespace sp::app {
namespace {

// The node's credential on every creditor body's station is this station's (one per body, replaced at
// each start: its secret lives only in this process's memory, and is never printed).
constexpr const char* kSimNodeStation = "simulatore-pagopa";

}  // namespace

void App::point_at_pagopa_simulator(const std::string& url) {
  if (config_.pagopa_checkout_url.empty()) config_.pagopa_checkout_url = url + "/checkout/ec/v1";
  if (config_.pagopa_fdr_url.empty()) config_.pagopa_fdr_url = url + "/fdr-org/service/v1";
}

void App::start_pagopa_simulator() {
  if (!config_.demo || !config_.sim_pagopa) return;
  pagopa::sim::SimulatorOptions so;
  so.share_dir = config_.share_dir;
  so.static_dir = config_.static_dir;
  try {
    pagopa_sim_ = pagopa::sim::start_simulator_thread(so, config_.sim_pagopa_port, pagopa_sim_fd_);
    pagopa_sim_fd_ = -1;  // the simulator's server owns it now
  } catch (const std::exception& e) {
    // The hub serves without it (another demo may hold the port): say so, do not stop.
    spdlog::error("pagoPA simulator not started on port {}: {}", config_.sim_pagopa_port, e.what());
    return;
  }
  point_at_pagopa_simulator(pagopa_sim_->url());  // a fixed port taken now: the URL is the same

  // The stations: every body that is a pagoPA creditor, reached on this node's own port.
  const std::string host = config_.address.empty() || config_.address == "0.0.0.0" || config_.address == "::"
                               ? "127.0.0.1"
                               : config_.address;
  const std::string base = "http://" + host + ":" + std::to_string(config_.port);
  auto& inbound = *identity_->inbound;
  pagopa::sim::StationDirectory stations;
  for (const auto& body : tenants_->snapshot()->bodies) {
    auto creditor = payments_->payments->creditor(body->id);
    if (!creditor || creditor->broker_id.empty() || creditor->station_id.empty()) continue;
    bool exists = false;
    for (const auto& c : inbound.list(body->id))
      exists = exists || (c.system == payments::kNodeSystem && c.station == kSimNodeStation);
    const auto ids = boost::json::serialize(boost::json::object{{"idPA", creditor->fiscal_code},
                                                                {"idBrokerPA", creditor->broker_id},
                                                                {"idStazione", creditor->station_id}});
    auto issued = exists ? inbound.rotate(body->id, payments::kNodeSystem, kSimNodeStation)
                         : inbound.add(body->id, payments::kNodeSystem, kSimNodeStation, ids, "", false);
    if (!issued) {
      spdlog::error("pagoPA simulator: no node credential for {}: {}", body->slug, issued.error().code);
      continue;
    }
    stations[creditor->fiscal_code] = pagopa::sim::StationEntry{
        creditor->fiscal_code, base + "/inbound/" + body->slug + "/pagopa/paForNode", issued->secret,
        creditor->broker_id, creditor->station_id};
  }
  const auto count = stations.size();
  pagopa_sim_->simulator().set_stations(std::move(stations));
  spdlog::info(
      "pagoPA simulator at {}/ (node, PSP, Checkout; {} creditor station(s)); pay a notice with "
      "`sportello sim pagopa pay NAV --sim {}`",
      pagopa_sim_->url(), count, pagopa_sim_->url());
}

}  // namespace sp::app
