#include "conservazione/send_job.hpp"

#include <spdlog/spdlog.h>

namespace sp::conservazione {

void register_send_job(jobs::Runner& runner, ConservazioneService& service) {
  jobs::Kind k;
  k.name = kSendKind;
  k.retry =
      jobs::RetryPolicy{3, std::chrono::seconds(60), std::chrono::seconds(600), std::chrono::seconds(1800)};
  k.run = [&service](jobs::JobRun& run) -> Status {
    auto r = service.run();
    if (r.planned == 0 && r.accepted == 0 && r.rejected == 0 && r.failed == 0) {
      run.nothing_done();
      return Ok{};
    }
    spdlog::info("conservazione: {} package(s) made, {} accepted, {} rejected, {} not received", r.planned,
                 r.accepted, r.rejected, r.failed);
    return Ok{};  // refusals and failures are retried per package, with their own backoff
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::Every{std::chrono::minutes(15)}, jobs::CatchUp::latest_only});
}

}  // namespace sp::conservazione
