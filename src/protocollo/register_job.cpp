#include "protocollo/register_job.hpp"

#include <spdlog/spdlog.h>

namespace sp::protocollo {

void register_daily_register_job(jobs::Runner& runner, DailyRegisterService& registers) {
  jobs::Kind k;
  k.name = kDailyRegisterKind;
  // Rendering the PDFs of many AOOs after a long downtime takes a while: a longer lease than a message's.
  k.retry =
      jobs::RetryPolicy{8, std::chrono::seconds(60), std::chrono::seconds(3600), std::chrono::seconds(900)};
  k.run = [&registers](jobs::JobRun& run) -> Status {
    auto period = time::parse_iso_date(run.job().unique_key);
    if (!period) return Error::make("protocollo_registro.day", 400, run.job().unique_key);
    auto report = registers.catch_up(time::add_calendar_days(*period, -1));
    if (report.produced > 0) spdlog::info("daily register: produced {} register(s)", report.produced);
    if (report.errors.empty()) return Ok{};
    std::string detail;
    for (const auto& e : report.errors) detail += (detail.empty() ? "" : "; ") + e;
    return Error::make("protocollo_registro.catch_up", 500, detail);
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::DailyAt{std::chrono::minutes(5)}, jobs::CatchUp::every_period});
}

}  // namespace sp::protocollo
