#pragma once
// The simulator's HTTP side (internal to adapters/pagopa):
//   POST /checkout/ec/v1/carts          Checkout's cart API (checkout_v1.json): 302 to the cart page,
//                                       400 ProblemJson on bad input
//   GET  /checkout/carts/{id}           the cart page (Italian first; /lang/en switches, as in the hub)
//   POST /checkout/carts/{id}           action=pay | fail | cancel → 303 to the cart's return URL
//   GET  /lang/{lang}                   the language cookie, as the hub's switch sets it
//   POST /sim/psp/payments              {"notice_number","fiscal_code","amount","psp","scenario",
//                                       "wrong_amount"}: pays at the PSP (`sportello sim pagopa pay`)
//   GET  /sim/psp/payments              the ledger
//   POST /sim/psp/receipts/resend       {"all": bool}: sends receipts again
//   POST /sim/control/faults            {"endpoint":"checkout"|"fdr","status":500,"delay_ms":0}
// The control routes have no authentication: the simulator listens on loopback only.
#include <boost/json.hpp>
#include <memory>
#include <optional>

#include "adapters/pagopa/simulator.hpp"
#include "http/router.hpp"

namespace sp::pagopa::sim {

// Mounts the routes; the returned object (texts, templates, carts) must outlive the router's use.
std::shared_ptr<void> register_simulator_routes(http::Router& router, Simulator& simulator);

// The misbehaviour asked for an endpoint (Checkout, FdR): waits `delay`, then, when `status` is set, the
// ProblemJson response to send instead of the real one.
std::optional<http::Response> endpoint_fault(const EndpointFaults& f);

// A payment's outcome as the PSP route answers it (and `sim pagopa pay --json` prints it).
boost::json::object outcome_json(const PayOutcome& o);

}  // namespace sp::pagopa::sim
