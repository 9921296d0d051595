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

// The text of the first <name>…</name> in `xml` (the station's ids are unqualified elements).
std::string element_text(const std::string& xml, const std::string& name) {
  const std::string open = "<" + name + ">";
  const auto start = xml.find(open);
  if (start == std::string::npos) return {};
  const auto from = start + open.size();
  const auto end = xml.find("</" + name + ">", from);
  if (end == std::string::npos) return {};
  return xml.substr(from, end - from);
}

// SOAP 1.1 Fault, for an envelope whose operation cannot be told.
std::string soap_fault(const std::string& detail) {
  std::string escaped;
  for (char c : detail) {
    switch (c) {
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '&':
        escaped += "&amp;";
        break;
      default:
        escaped += c;
    }
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body>"
         "<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>PAA_SINTASSI_EXTRAXSD</"
         "faultstring>"
         "<detail>" +
         escaped + "</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
}

http::Response pa_for_node(StationDeps& d, http::Request& req, const identity::InboundCall& call) {
  const auto tenant = call.body->id;
  auto parsed = pagopa::parse_request(req.body);
  if (!parsed) {
    std::string id = element_text(req.body, "idPA");
    if (id.empty()) id = call.body->fiscal_code;
    auto fault = pagopa::make_fault("PAA_SINTASSI_EXTRAXSD", id, parsed.error().detail);
    std::string operation;
    std::string xml;
    if (req.body.find("paVerifyPaymentNoticeReq") != std::string::npos) {
      operation = "paVerifyPaymentNotice";
      pagopa::VerifyResponse r;
      r.fault = fault;
      xml = pagopa::render_response(r);
    } else if (req.body.find("paGetPaymentV2Request") != std::string::npos) {
      operation = "paGetPaymentV2";
      pagopa::GetPaymentResponse r;
      r.fault = fault;
      xml = pagopa::render_response(r);
    } else if (req.body.find("paSendRTV2Request") != std::string::npos) {
      operation = "paSendRTV2";
      pagopa::SendReceiptResponse r;
      r.fault = fault;
      xml = pagopa::render_response(r);
    }
    d.station.audit_refusal(tenant, operation.empty() ? "unknown" : operation, fault,
                            element_text(req.body, "noticeNumber"), req.remote_addr);
    if (xml.empty()) return soap_xml(soap_fault(parsed.error().code + ": " + parsed.error().detail), 500);
    return soap_xml(std::move(xml));
  }
  auto answer = d.station.answer(tenant, *parsed, req.body, req.remote_addr);
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
  } else {
    for (const char* name : {"idPA", "idBrokerPA", "idStation"}) {
      auto v = element_text(req.body, name);
      if (!v.empty()) out[name] = v;
    }
  }
  if (auto it = out.find("idStation"); it != out.end()) out["idStazione"] = it->second;
  return out;
}

void register_station(http::Router& router, StationDeps& deps) {
  router.post("/inbound/{slug}/pagopa/paForNode",
              identity::inbound_route(deps, kNodeSystem, pa_for_node, station_identifiers));
}

}  // namespace sp::payments
