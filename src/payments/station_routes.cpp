#include "payments/station_routes.hpp"

#include <array>

#include "adapters/pagopa/node_soap.hpp"

namespace sp::payments {
namespace {

http::Response soap_xml(std::string body, int status = 200) {
  http::Response r;
  r.status = status;
  r.content_type = "text/xml; charset=utf-8";
  r.body = std::move(body);
  return r;
}

http::Response pa_for_node(StationDeps& d, http::Request& req, const identity::InboundCall& call) {
  const auto tenant = call.body->id;
  // The guard left the inbound.accepted entry to us (AcceptedAudit::by_handler): the station appends it in
  // the call's own transaction.
  const audit::Entry* accepted = call.caller.accepted_entry ? &*call.caller.accepted_entry : nullptr;
  auto parsed = pagopa::parse_request(req.body);
  if (!parsed) {
    // Answer in the refused operation's own response (a KO faultBean the node reads) when the envelope
    // still says which operation it is; a SOAP Fault when it does not.
    const auto peek = pagopa::peek_request(req.body);
    std::string id = peek && !peek->ids.id_pa.empty() ? peek->ids.id_pa : call.body->fiscal_code;
    auto fault = pagopa::make_fault("PAA_SINTASSI_EXTRAXSD", id, parsed.error().detail);
    const std::string operation = peek ? peek->operation : std::string("unknown");
    d.station.audit_refusal(tenant, operation, fault, peek ? peek->notice_number : std::string(),
                            req.remote_addr, accepted);
    auto xml = pagopa::render_fault_response(operation, fault);
    if (xml.empty()) {
      return soap_xml(pagopa::render_soap_fault("PAA_SINTASSI_EXTRAXSD",
                                                parsed.error().code + ": " + parsed.error().detail),
                      500);
    }
    return soap_xml(std::move(xml));
  }
  auto answer = d.station.answer(tenant, *parsed, req.body, req.remote_addr, accepted);
  return soap_xml(std::visit([](const auto& r) { return pagopa::render_response(r); }, answer.response));
}

}  // namespace

std::map<std::string, std::string> station_identifiers(const http::Request& req) {
  std::map<std::string, std::string> out;
  if (auto parsed = pagopa::parse_request(req.body)) {
    const auto ids = std::visit([](const auto& r) { return r.ids; }, *parsed);
    out["idPA"] = ids.id_pa;
    out["idBrokerPA"] = ids.id_broker_pa;
    out["idStation"] = ids.id_station;
  } else if (auto peek = pagopa::peek_request(req.body)) {
    const std::pair<const char*, const std::string*> present[] = {{"idPA", &peek->ids.id_pa},
                                                                  {"idBrokerPA", &peek->ids.id_broker_pa},
                                                                  {"idStation", &peek->ids.id_station}};
    for (const auto& [name, value] : present) {
      if (!value->empty()) out[name] = *value;
    }
  }
  if (auto it = out.find("idStation"); it != out.end()) out["idStazione"] = it->second;
  return out;
}

void register_station(http::Router& router, StationDeps& deps) {
  router.post("/inbound/{slug}/pagopa/paForNode",
              identity::inbound_route(deps, kNodeSystem, pa_for_node, station_identifiers,
                                      identity::AcceptedAudit::by_handler));
}

}  // namespace sp::payments
