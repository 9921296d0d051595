#pragma once
// The simulated node's calls to a station (internal to adapters/pagopa): one SOAP POST, and what its
// answer means for the node.
#include <string>

#include "adapters/http_client.hpp"
#include "adapters/pagopa/simulator.hpp"

namespace sp::pagopa::sim {

// What came back from one call, as the node reads it.
struct StationCall {
  enum class Kind {
    answered,   // HTTP 200 with the operation's response (OK or a faultBean): `body`
    refused,    // the station's endpoint refused the node itself (401, 403): not worth retrying
    retryable,  // no answer, a timeout or HTTP 5xx/429: the node may send it again
  } kind = Kind::retryable;
  int status = 0;
  std::string body;
  std::string error;  // "connect", "timeout", "http 500", "http 401" ...
};

// POSTs `envelope` to the station with the node's credential and the operation's SOAPAction.
StationCall call_station(const adapters::HttpClient& http, const StationEntry& station,
                         std::string_view operation, const std::string& envelope);

}  // namespace sp::pagopa::sim
