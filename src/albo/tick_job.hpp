#pragma once
// The albo's job kind "albo.tick": every minute (once across the nodes; after a downtime only the latest
// minute), AlboService::tick — the heartbeat, the extensions, the ends of periods and their relate.
#include "albo/service.hpp"
#include "jobs/runner.hpp"

namespace sp::albo {

void register_tick_job(jobs::Runner& runner, AlboService& albo);

}  // namespace sp::albo
