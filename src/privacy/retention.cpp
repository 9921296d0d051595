#include "privacy/retention.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "jobs/runner.hpp"
#include "privacy/store.hpp"

namespace sp::privacy {
namespace json = boost::json;
namespace {

std::string cutoff(time::TimePoint now, std::int64_t days) {
  return time::format_iso_utc_millis(now - std::chrono::hours(24 * days));
}

}  // namespace

Result<Retention> load_retention(const std::string& file) {
  Retention r;
  std::ifstream in(file);
  if (!in) return r;  // no file: the defaults
  std::stringstream ss;
  ss << in.rdbuf();
  json::value v;
  try {
    v = json::parse(ss.str());
  } catch (const std::exception&) {
    return Error::make("privacy.retention", 500, file + ": not JSON");
  }
  if (!v.is_object()) return Error::make("privacy.retention", 500, file + ": not an object");
  const std::pair<const char*, std::pair<std::int64_t*, std::int64_t>> fields[] = {
      {"drafts_days", {&r.drafts_days, 1}},
      {"sessions_days", {&r.sessions_days, 1}},
      {"messages_days", {&r.messages_days, 30}},
      {"verifications_days", {&r.verifications_days, 1}},
      {"register_history_days", {&r.register_history_days, 365}},
      {"tickets_days", {&r.tickets_days, 30}},
  };
  for (const auto& [name, target] : fields) {
    const auto* f = v.as_object().if_contains(name);
    if (!f) continue;
    if (!f->is_int64() || f->get_int64() < target.second)
      return Error::make("privacy.retention", 500,
                         std::string(name) + ": at least " + std::to_string(target.second) + " days");
    *target.first = f->get_int64();
  }
  return r;
}

std::map<std::string, std::int64_t> Purger::purge(db::Conn& tx, time::TimePoint now) {
  store::Cutoffs cut;
  cut.drafts = cutoff(now, retention_.drafts_days);
  cut.sessions = cutoff(now, retention_.sessions_days);
  cut.messages = cutoff(now, retention_.messages_days);
  cut.verifications = cutoff(now, retention_.verifications_days);
  cut.register_history = cutoff(now, retention_.register_history_days).substr(0, 10);
  auto n = store::purge(tx, cut);
  json::object details;
  std::int64_t total = 0;
  for (const auto& [t, c] : n) {
    details[t] = c;
    total += c;
  }
  if (total > 0) {
    audit::Entry e;
    e.action = "privacy.purge";
    e.actor_id = "system";
    e.details = json::serialize(details);
    audit_.record_or_throw(tx, e);
  }
  return n;
}

std::map<std::string, std::int64_t> Purger::purge(time::TimePoint now) {
  std::map<std::string, std::int64_t> n;
  db_.write([&](db::Conn& tx) { n = purge(tx, now); });
  return n;
}

void register_purge_job(jobs::Runner& runner, Purger& purger) {
  jobs::Kind k;
  k.name = "privacy.purge";
  k.retry =
      jobs::RetryPolicy{5, std::chrono::seconds(300), std::chrono::seconds(3600), std::chrono::seconds(1800)};
  k.run = [&purger](jobs::JobRun& run) -> Status {
    std::map<std::string, std::int64_t> n;
    run.commit([&](db::Conn& tx) { n = purger.purge(tx, run.now()); });
    for (const auto& [t, c] : n)
      if (c > 0) spdlog::info("privacy.purge: {} row(s) of {}", c, t);
    return Ok{};
  };
  runner.add_periodic(std::move(k),
                      jobs::Periodic{jobs::DailyAt{std::chrono::hours(4) + std::chrono::minutes(10)},
                                     jobs::CatchUp::latest_only});
}

}  // namespace sp::privacy
