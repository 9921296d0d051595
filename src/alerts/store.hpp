#pragma once
// SQL of the alerts module (migrations/*/0051_alerts.sql). Every query names the tenant. The statistics
// and the cancel read the outbox's state of the alert's own messages (read-only: the outbox stays the
// only writer of its rows, through its API).
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alerts/model.hpp"
#include "db/database.hpp"

namespace sp::alerts::store {

void insert_alert(db::Conn& tx, const Alert& a);
std::optional<Alert> find_alert(db::Conn& c, std::int64_t tenant, const std::string& id);
std::vector<Alert> list_alerts(db::Conn& c, std::int64_t tenant, int limit);
// Sent alerts (not drafts, not cancelled before any message), newest first: the public page.
std::vector<Alert> public_alerts(db::Conn& c, std::int64_t tenant, int limit);
// Compare-and-set of the state: rows changed (0 when the state was not `from`).
std::int64_t set_state(db::Conn& tx, std::int64_t tenant, const std::string& id, State from, State to,
                       const std::string& at);
void confirm(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& by,
             const std::string& at, const std::string& preview, std::int64_t cost, std::int64_t cap);
void set_targets(db::Conn& tx, std::int64_t tenant, const std::string& id, std::int64_t n);
void set_progress(db::Conn& tx, std::int64_t tenant, const std::string& id, std::int64_t cursor,
                  const std::string& slots);
std::int64_t next_round(db::Conn& tx, std::int64_t tenant, const std::string& id);
void finish(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& at);

std::optional<std::int64_t> cost_cap(db::Conn& c, std::int64_t tenant);
// The SMS cost of the body's alerts confirmed at or after `since` (ISO 8601 UTC).
std::int64_t spent_since(db::Conn& c, std::int64_t tenant, const std::string& since);
void set_cost_cap(db::Conn& tx, std::int64_t tenant, std::int64_t cents, const std::string& by,
                  const std::string& at);

// Targets: written once (ON CONFLICT DO NOTHING), read in order from a cursor.
void insert_target(db::Conn& tx, const std::string& alert_id, std::int64_t tenant, std::int64_t seq,
                   const Target& t, const std::string& fallbacks_json);
struct TargetRow {
  std::int64_t seq = 0;
  Target target;
  std::string message_id;
};
std::vector<TargetRow> targets_after(db::Conn& c, std::int64_t tenant, const std::string& alert_id,
                                     std::int64_t after, int limit);
void set_message(db::Conn& tx, std::int64_t tenant, const std::string& alert_id, std::int64_t seq,
                 const std::string& message_id);
// (channel, outbox status or "" when not handed, has a fallback, count).
struct StatRow {
  std::string channel, status;
  bool fallback = false;
  std::int64_t n = 0;
  bool handed = false;
};
// The targets not handed to the outbox, per channel (status empty; handed: skipped within the cursor).
std::vector<StatRow> unhanded_rows(db::Conn& c, std::int64_t tenant, const std::string& alert_id,
                                   std::int64_t cursor);
std::vector<Received> received_by(db::Conn& c, const std::string& person, int limit);

// Subscriptions.
std::optional<Subscription> find_subscription(db::Conn& c, std::int64_t tenant, const std::string& id);
std::optional<Subscription> subscription_by_address(db::Conn& c, std::int64_t tenant,
                                                    const std::string& channel, const std::string& address);
void upsert_subscription(db::Conn& tx, const Subscription& s);
void count_code_attempt(db::Conn& tx, std::int64_t tenant, const std::string& id);
void activate(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& at);
void stop_subscription(db::Conn& tx, std::int64_t tenant, const std::string& channel,
                       const std::string& address, const std::string& at);
std::vector<Subscription> active_subscriptions(db::Conn& c, std::int64_t tenant);

// Stops and their tokens.
// The address's token, made with `candidate` when it has none yet.
std::string stop_token(db::Conn& tx, std::int64_t tenant, const std::string& channel,
                       const std::string& address, const std::string& candidate, const std::string& at);
struct StopRow {
  std::string channel, address, stopped_at;
};
std::optional<StopRow> stop_by_token(db::Conn& c, std::int64_t tenant, const std::string& token);
// Rows changed (0: already stopped).
std::int64_t mark_stopped(db::Conn& tx, std::int64_t tenant, const std::string& channel,
                          const std::string& address, const std::string& how, const std::string& at);
std::set<std::pair<std::string, std::string>> stopped(db::Conn& c, std::int64_t tenant);

void add_consent(db::Conn& tx, std::int64_t tenant, const std::string& channel, const std::string& address,
                 const std::string& action, const std::string& what, const std::string& how,
                 const std::string& at, const std::string& remote_addr);

}  // namespace sp::alerts::store
