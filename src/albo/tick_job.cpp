#include "albo/tick_job.hpp"

#include <spdlog/spdlog.h>

namespace sp::albo {

void register_tick_job(jobs::Runner& runner, AlboService& albo) {
  jobs::Kind k;
  k.name = kTickKind;
  k.retry =
      jobs::RetryPolicy{5, std::chrono::seconds(30), std::chrono::seconds(600), std::chrono::seconds(300)};
  k.run = [&albo](jobs::JobRun& run) -> Status {
    auto r = albo.tick();
    if (r.outage_detected)
      spdlog::warn("albo: the board was out of service; {} period(s) extended", r.extended);
    if (r.ended > 0) spdlog::info("albo: {} publication(s) left the board", r.ended);
    // Every minute, and almost always only the heartbeat (kept in its own row): such a run leaves no job
    // row, so the jobs table grows by the runs that ended publications or found an outage only.
    if (!r.outage_detected && r.ended == 0) run.nothing_done();
    return Ok{};
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::Every{std::chrono::minutes(1)}, jobs::CatchUp::latest_only});
}

}  // namespace sp::albo
