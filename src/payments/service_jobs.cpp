#include "payments/service_jobs.hpp"

#include <spdlog/spdlog.h>

namespace sp::payments {

void register_payment_jobs(jobs::Runner& runner, PaymentsService& payments) {
  jobs::Kind activate;
  activate.name = kActivateDueKind;
  activate.run = [&payments](jobs::JobRun&) -> Status {
    const int n = payments.activate_due_all(SystemActor{"payments-jobs"});
    if (n > 0) spdlog::info("payments: {} published position(s) became valid", n);
    return Ok{};
  };
  runner.add_periodic(std::move(activate),
                      jobs::Periodic{jobs::Every{std::chrono::minutes(5)}, jobs::CatchUp::latest_only});
  jobs::Kind expire;
  expire.name = kExpireKind;
  expire.run = [&payments](jobs::JobRun&) -> Status {
    const int n = payments.expire_due_all(SystemActor{"payments-jobs"});
    if (n > 0) spdlog::info("payments: {} fine(s) past their last due date expired", n);
    return Ok{};
  };
  runner.add_periodic(std::move(expire),
                      jobs::Periodic{jobs::DailyAt{std::chrono::minutes(10)}, jobs::CatchUp::latest_only});
}

}  // namespace sp::payments
