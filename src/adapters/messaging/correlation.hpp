#pragma once
// Fan-outs and the outbox (docs/messaging.md, "Fan-outs read through the outbox"): a module that writes
// many messages for one thing (an alert: "alert:<id>") writes them with a correlation key, and asks the
// outbox for what became of them. No other module reads the outbox table (unit_build.layers).
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/messaging/outbox.hpp"

namespace sp::messaging {

// enqueue() with the message's correlation key (its fallbacks do not carry it). Errors: those of
// enqueue(), messaging.correlation (control characters, longer than 200).
Result<std::string> enqueue_correlated(db::Conn& tx, const Message& m, const EnqueueOptions& options,
                                       const std::string& correlation,
                                       const time::Clock& clock = time::system_clock());

// Per channel and state, how many of the body's messages written with `correlation` there are (their
// fallbacks not counted), and whether a fallback stands in for them.
struct StateCount {
  std::string channel, state;
  bool fallen_back = false;
  std::int64_t n = 0;
};
std::vector<StateCount> count_by_correlation(db::Conn& c, std::int64_t tenant_id,
                                             const std::string& correlation);

// The ids of those still waiting to be sent (queued, temporary_failure): what cancelling a fan-out cancels.
std::vector<std::string> waiting_by_correlation(db::Conn& c, std::int64_t tenant_id,
                                                const std::string& correlation);

}  // namespace sp::messaging
