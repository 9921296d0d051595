#include "privacy/retention.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <tuple>

#include "core/text.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"
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
      {"drafts_days", {&r.drafts_days, kMinDraftsDays}},
      {"sessions_days", {&r.sessions_days, 1}},
      {"messages_days", {&r.messages_days, kMinMessagesDays}},
      {"verifications_days", {&r.verifications_days, 1}},
      {"register_history_days", {&r.register_history_days, kMinRegisterHistoryDays}},
      {"tickets_days", {&r.tickets_days, 30}},
      {"drafts_days_max", {&r.drafts_max_days, kMinDraftsDays}},
      {"messages_days_max", {&r.messages_max_days, kMinMessagesDays}},
      {"register_history_days_max", {&r.register_history_max_days, kMinRegisterHistoryDays}},
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
  // Each body's own periods, for its own rows (the statements above left them out).
  for (const auto& b : store::body_retentions(tx)) {
    store::BodyCutoffs own;
    own.tenant = b.tenant;
    if (b.drafts_days) own.drafts = cutoff(now, *b.drafts_days);
    if (b.messages_days) own.messages = cutoff(now, *b.messages_days);
    if (b.register_history_days) own.register_history = cutoff(now, *b.register_history_days).substr(0, 10);
    for (const auto& [t, c] : store::purge_body(tx, own)) n[t] += c;
  }
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

BodyRetention BodyRetentionService::get(std::int64_t tenant) {
  BodyRetention out;
  db_.read([&](db::Conn& c) {
    for (const auto& b : store::body_retentions(c))
      if (b.tenant == tenant) {
        out.drafts_days = b.drafts_days;
        out.messages_days = b.messages_days;
        out.register_history_days = b.register_history_days;
        out.updated_at = b.updated_at;
        out.updated_by = b.updated_by;
      }
  });
  return out;
}

Status BodyRetentionService::save(const identity::Principal* who, std::int64_t tenant,
                                  const std::map<std::string, std::string>& typed) {
  if (auto st = identity::authorize(who, identity::Permission::manage_staff, tenant); !st) return st;
  store::BodyRetentionRow row;
  row.tenant = tenant;
  const std::tuple<const char*, std::optional<std::int64_t>*, std::int64_t, std::int64_t> fields[] = {
      {"drafts_days", &row.drafts_days, kMinDraftsDays, hub_.drafts_max_days},
      {"messages_days", &row.messages_days, kMinMessagesDays, hub_.messages_max_days},
      {"register_history_days", &row.register_history_days, kMinRegisterHistoryDays,
       hub_.register_history_max_days},
  };
  for (const auto& [name, target, min, max] : fields) {
    auto it = typed.find(name);
    const std::string v = it == typed.end() ? std::string() : text::trim(it->second);
    if (v.empty()) continue;  // the hub's period
    auto n = text::parse_decimal(v);
    if (!n || *n < min || *n > max) {
      Error e = Error::for_field("privacy.retention_days", name, 400,
                                 std::to_string(min) + "–" + std::to_string(max));
      return e;
    }
    *target = *n;
  }
  row.updated_at = time::format_iso_utc_millis(clock_.now());
  row.updated_by = "staff:" + who->subject;
  const auto before = get(tenant);
  auto period = [](const std::optional<std::int64_t>& d) -> json::value {
    if (d) return *d;
    return nullptr;
  };
  db_.write([&](db::Conn& tx) {
    store::save_body_retention(tx, row);
    json::object details{
        {"drafts_days", period(row.drafts_days)},
        {"messages_days", period(row.messages_days)},
        {"register_history_days", period(row.register_history_days)},
        {"before", json::object{{"drafts_days", period(before.drafts_days)},
                                {"messages_days", period(before.messages_days)},
                                {"register_history_days", period(before.register_history_days)}}}};
    audit::Entry e = identity::entry_by(*who, tenant, "privacy.retention_set", "body_retention",
                                        std::to_string(tenant), json::serialize(details));
    audit_.record_or_throw(tx, e);
  });
  return Ok{};
}

}  // namespace sp::privacy
