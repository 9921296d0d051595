#include "adapters/pagopa/simulator_node.hpp"

namespace sp::pagopa::sim {

StationCall call_station(const adapters::HttpClient& http, const StationEntry& station,
                         std::string_view operation, const std::string& envelope) {
  adapters::HttpRequest req;
  req.method = "POST";
  req.url = station.url;
  req.body = envelope;
  req.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                 {"SOAPAction", std::string(operation)},
                 {"Authorization", "Bearer " + station.secret}};
  StationCall out;
  auto r = http.send(req);
  if (!r) {
    out.kind = StationCall::Kind::retryable;
    out.error = r.error().code == "http_client.timeout" ? "timeout" : "connect";
    return out;
  }
  out.status = r->status;
  out.body = std::move(r->body);
  if (r->status == 200) {
    out.kind = StationCall::Kind::answered;
  } else if (r->status >= 500 || r->status == 429 || r->status == 408) {
    out.kind = StationCall::Kind::retryable;
    out.error = "http " + std::to_string(r->status);
  } else {
    out.kind = StationCall::Kind::refused;
    out.error = "http " + std::to_string(r->status);
  }
  return out;
}

}  // namespace sp::pagopa::sim
