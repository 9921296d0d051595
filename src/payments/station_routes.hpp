#pragma once
// The station's endpoint, the one the pagoPA node calls for a body (station.hpp):
//   POST /inbound/{slug}/pagopa/paForNode    SOAP 1.1 (paForNode.wsdl): paVerifyPaymentNotice,
//                                            paGetPaymentV2, paSendRTV2
// Under /inbound/ like every call from a national system (docs/architecture.md "Inbound calls"): the
// guard (identity::inbound_route, system "pagopa-node") authenticates the node's credential for that body
// and checks the identifiers the credential lists (idPA, idBrokerPA, idStazione), read here from the SOAP
// body; a refused call reaches no handler, changes nothing and is audited by the guard.
// The handler parses the envelope, calls the station once and renders its answer as text/xml.
//
// A malformed envelope answers HTTP 200 with the operation's response, outcome KO and a faultBean
// PAA_SINTASSI_EXTRAXSD, when the operation can be told (its element's name is in the body): the node
// reads the station's errors from faultBeans, not from SOAP faults, and retries or stops by faultCode.
// When not even the operation can be told (not XML, another operation), there is no typed response to
// put a faultBean in: a SOAP 1.1 Fault (faultcode soapenv:Client, faultstring PAA_SINTASSI_EXTRAXSD),
// HTTP 500 as SOAP 1.1's HTTP binding requires for faults.
#include <map>
#include <string>

#include "http/router.hpp"
#include "identity/inbound_guard.hpp"
#include "identity/inbound_service.hpp"
#include "payments/station.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::payments {

inline constexpr const char* kNodeSystem = "pagopa-node";

struct StationDeps {
  const web::View& view;
  const tenants::TenantService& tenants;
  identity::InboundService& inbound;
  identity::InboundGuardOptions inbound_options;
  StationService& station;
};

// The identifiers of a SOAP request (idPA, idBrokerPA, idStation, also as idStazione), for the guard.
std::map<std::string, std::string> station_identifiers(const http::Request& req);

void register_station(http::Router& router, StationDeps& deps);

}  // namespace sp::payments
