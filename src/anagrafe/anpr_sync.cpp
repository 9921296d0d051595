#include "anagrafe/anpr_sync.hpp"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include "adapters/anpr/client.hpp"

namespace sp::anagrafe {

Result<SyncReport> AnprSync::sync(tenants::TenantId tenant) {
  auto body = tenants_.by_id(tenant);
  if (!body) return Error::not_found("body");
  if (body->istat_code.size() != 6) return Error::make("anagrafe.no_istat", 409, body->slug);
  anpr::ClientConfig cfg;
  cfg.base_url = options_.anpr_url;
  cfg.sender = body->istat_code;
  cfg.send_type = options_.send_type;
  cfg.tls = options_.tls;
  if (auto it = options_.credentials.find(body->istat_code); it != options_.credentials.end())
    cfg.secret = it->second;
  anpr::Client client(std::move(cfg), clock_);
  const auto now = clock_.now();
  const std::string to = date::format("%Y-%m-%dT%H:%M:%S", time::to_rome_local(now));
  std::string from;
  if (auto last = mirror_.last_poll_end(tenant)) {
    from = *last;
  } else {
    from = date::format("%Y-%m-%dT%H:%M:%S", time::to_rome_local(now - options_.first_window));
  }
  auto got = client.notifications(from, to);
  if (!got) return got.error();
  std::vector<AnprNotification> list;
  list.reserve(got->size());
  for (auto& n : *got)
    list.push_back(AnprNotification{std::move(n.anpr_operation_id), std::move(n.operation),
                                    std::move(n.format), std::move(n.content)});
  return mirror_.apply_notifications(tenant, from, to, list);
}

std::size_t AnprSync::sync_all() {
  std::size_t ok = 0;
  if (options_.anpr_url.empty()) return ok;
  for (const auto& body : tenants_.snapshot()->bodies) {
    if (body->istat_code.size() != 6 || !options_.credentials.contains(body->istat_code)) continue;
    auto r = sync(body->id);
    if (!r) {
      spdlog::warn("anagrafe: ANPR notifications for {} not fetched: {} {}", body->slug, r.error().code,
                   r.error().detail);
      continue;
    }
    ++ok;
    if (r->received > 0)
      spdlog::info("anagrafe: {} ANPR notification(s) for {}: {} new version(s), {} known, {} refused",
                   r->received, body->slug, r->applied, r->known, r->refused);
  }
  return ok;
}

void AnprSync::attach(jobs::Runner& runner) {
  if (options_.anpr_url.empty() || options_.credentials.empty()) return;
  jobs::Kind k;
  k.name = kSyncKind;
  k.retry =
      jobs::RetryPolicy{3, std::chrono::seconds(30), std::chrono::seconds(300), std::chrono::seconds(300)};
  k.run = [this](jobs::JobRun& run) -> Status {
    sync_all();
    run.nothing_done();  // the polls are their own record (anagrafe_anpr_polls)
    return Ok{};
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::Every{options_.interval}, jobs::CatchUp::latest_only});
}

}  // namespace sp::anagrafe
