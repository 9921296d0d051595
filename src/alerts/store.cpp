#include "alerts/store.hpp"

namespace sp::alerts::store {
namespace {

constexpr const char* kAlertColumns =
    "id, tenant_id, category, title, body, segment_kind, segment_value, state, created_by, created_at, "
    "confirmed_by, confirmed_at, preview, cost_cents, cost_cap_cents, targets, cursor, slots, fanout_round, "
    "finished_at, version";

const std::string kInsertAlert = std::string("INSERT INTO alerts (") + kAlertColumns +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                                 "$15, $16, $17, $18, $19, $20, $21)";
const std::string kFindAlert =
    std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE tenant_id = $1 AND id = $2";
const std::string kListAlerts =
    std::string("SELECT ") + kAlertColumns +
    " FROM alerts WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
const std::string kPublicAlerts = std::string("SELECT ") + kAlertColumns +
                                  " FROM alerts WHERE tenant_id = $1 AND confirmed_at IS NOT NULL "
                                  "ORDER BY confirmed_at DESC, id DESC LIMIT $2";
constexpr const char* kSetState =
    "UPDATE alerts SET state = $4, version = version + 1, finished_at = CASE WHEN $4 IN ('cancelled', "
    "'done') "
    "THEN $5 ELSE finished_at END WHERE tenant_id = $1 AND id = $2 AND state = $3";
constexpr const char* kConfirm =
    "UPDATE alerts SET confirmed_by = $3, confirmed_at = $4, preview = $5, cost_cents = $6, cost_cap_cents = "
    "$7 "
    "WHERE tenant_id = $1 AND id = $2";
constexpr const char* kSetTargets = "UPDATE alerts SET targets = $3 WHERE tenant_id = $1 AND id = $2";
constexpr const char* kSetProgress =
    "UPDATE alerts SET cursor = $3, slots = $4 WHERE tenant_id = $1 AND id = $2";
constexpr const char* kNextRound =
    "UPDATE alerts SET fanout_round = fanout_round + 1 WHERE tenant_id = $1 AND id = $2 RETURNING "
    "fanout_round";
constexpr const char* kFinish =
    "UPDATE alerts SET state = 'done', finished_at = $3, version = version + 1 "
    "WHERE tenant_id = $1 AND id = $2 AND state = 'sending'";

constexpr const char* kCostCap = "SELECT cost_cap_cents FROM alert_settings WHERE tenant_id = $1";
// The SMS cost of the body's alerts confirmed since $2 (the month's spending, as shown when confirmed).
constexpr const char* kSpentSince =
    "SELECT CAST(COALESCE(SUM(cost_cents), 0) AS BIGINT) FROM alerts WHERE tenant_id = $1 "
    "AND confirmed_at IS NOT NULL "
    "AND confirmed_at >= $2";
constexpr const char* kSetCostCap =
    "INSERT INTO alert_settings (tenant_id, cost_cap_cents, updated_at, updated_by) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (tenant_id) DO UPDATE SET cost_cap_cents = excluded.cost_cap_cents, "
    "updated_at = excluded.updated_at, updated_by = excluded.updated_by";

constexpr const char* kInsertTarget =
    "INSERT INTO alert_targets (alert_id, seq, tenant_id, channel, address, person, fallbacks, lang) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
constexpr const char* kTargetsAfter =
    "SELECT seq, channel, address, person, fallbacks, lang, message_id FROM alert_targets "
    "WHERE tenant_id = $1 AND alert_id = $2 AND seq > $3 ORDER BY seq LIMIT $4";
constexpr const char* kSetMessage =
    "UPDATE alert_targets SET message_id = $4 WHERE tenant_id = $1 AND alert_id = $2 AND seq = $3";
// Per channel, the targets not handed to the outbox (no message): skipped when its seq is within the
// cursor, else still to come. What was handed is the outbox's to count (messaging::count_by_correlation).
constexpr const char* kUnhanded =
    "SELECT channel, handed, COUNT(*) FROM (SELECT channel, CASE WHEN seq <= $3 THEN 1 ELSE 0 END AS handed "
    "FROM alert_targets WHERE tenant_id = $1 AND alert_id = $2 AND message_id IS NULL) x "
    "GROUP BY channel, handed";
constexpr const char* kReceived =
    "SELECT a.id, a.tenant_id, a.category, a.title, a.body, a.confirmed_at, t.channel, t.message_id "
    "FROM alert_targets t JOIN alerts a ON a.id = t.alert_id AND a.tenant_id = t.tenant_id "
    "WHERE t.person = $1 AND t.person <> '' AND t.message_id IS NOT NULL "
    "ORDER BY a.confirmed_at DESC, a.id DESC LIMIT $2";

constexpr const char* kSubColumns =
    "id, tenant_id, channel, address, topics, streets, lang, state, code_salt, code_hash, code_expires_at, "
    "code_attempts, code_sent_at, created_at, verified_at, stopped_at";
const std::string kFindSub =
    std::string("SELECT ") + kSubColumns + " FROM alert_subscriptions WHERE tenant_id = $1 AND id = $2";
const std::string kSubByAddress =
    std::string("SELECT ") + kSubColumns +
    " FROM alert_subscriptions WHERE tenant_id = $1 AND channel = $2 AND address = $3";
const std::string kActiveSubs =
    std::string("SELECT ") + kSubColumns +
    " FROM alert_subscriptions WHERE tenant_id = $1 AND state = 'active' ORDER BY id";
constexpr const char* kUpsertSub =
    "INSERT INTO alert_subscriptions (id, tenant_id, channel, address, topics, streets, lang, state, "
    "code_salt, "
    "code_hash, code_expires_at, code_attempts, code_sent_at, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13) "
    "ON CONFLICT (tenant_id, channel, address) DO UPDATE SET topics = excluded.topics, "
    "streets = excluded.streets, lang = excluded.lang, state = CASE WHEN alert_subscriptions.state = "
    "'active' "
    "THEN 'active' ELSE 'pending' END, code_salt = excluded.code_salt, code_hash = excluded.code_hash, "
    "code_expires_at = excluded.code_expires_at, code_attempts = 0, code_sent_at = excluded.code_sent_at";
constexpr const char* kCountAttempt =
    "UPDATE alert_subscriptions SET code_attempts = code_attempts + 1 WHERE tenant_id = $1 AND id = $2";
constexpr const char* kActivate =
    "UPDATE alert_subscriptions SET state = 'active', verified_at = $3, code_hash = NULL, stopped_at = NULL "
    "WHERE tenant_id = $1 AND id = $2";
constexpr const char* kStopSub =
    "UPDATE alert_subscriptions SET state = 'stopped', stopped_at = $4 "
    "WHERE tenant_id = $1 AND channel = $2 AND address = $3 AND state <> 'stopped'";

constexpr const char* kAddStop =
    "INSERT INTO alert_stops (tenant_id, channel, address, token, created_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (tenant_id, channel, address) DO NOTHING";
constexpr const char* kStopToken =
    "SELECT token FROM alert_stops WHERE tenant_id = $1 AND channel = $2 AND address = $3";
constexpr const char* kStopByToken =
    "SELECT channel, address, stopped_at FROM alert_stops WHERE tenant_id = $1 AND token = $2";
constexpr const char* kMarkStopped =
    "UPDATE alert_stops SET stopped_at = $5, stop_how = $4 "
    "WHERE tenant_id = $1 AND channel = $2 AND address = $3 AND stopped_at IS NULL";
constexpr const char* kStopped =
    "SELECT channel, address FROM alert_stops WHERE tenant_id = $1 AND stopped_at IS NOT NULL";
// A subscription made again after a stop: the address receives alerts again.
constexpr const char* kUnstop =
    "UPDATE alert_stops SET stopped_at = NULL, stop_how = NULL WHERE tenant_id = $1 AND channel = $2 AND "
    "address = $3";
constexpr const char* kAddConsent =
    "INSERT INTO alert_consents (tenant_id, channel, address, action, what, how, at, remote_addr) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

Alert alert_from(const db::Row& r) {
  Alert a;
  a.id = r.text(0);
  a.tenant_id = r.i64(1);
  a.category = r.text(2);
  a.title = r.text(3);
  a.body = r.text(4);
  a.segment = parse_segment(r.text(5)).value_or(SegmentKind::all);
  a.segment_value = r.text(6);
  a.state = parse_state(r.text(7)).value_or(State::draft);
  a.created_by = r.text(8);
  a.created_at = r.text(9);
  a.confirmed_by = r.text(10);
  a.confirmed_at = r.text(11);
  a.preview = r.text(12);
  a.cost_cents = r.i64(13);
  a.cost_cap_cents = r.i64(14);
  a.targets = r.i64(15);
  a.cursor = r.i64(16);
  a.slots = r.text(17);
  a.fanout_round = r.i64(18);
  a.finished_at = r.text(19);
  a.version = r.i64(20);
  return a;
}

Subscription sub_from(const db::Row& r) {
  Subscription s;
  s.id = r.text(0);
  s.tenant_id = r.i64(1);
  s.channel = r.text(2);
  s.address = r.text(3);
  s.topics = split(r.text(4), ',');
  s.streets = split(r.text(5), '|');
  s.lang = r.text(6);
  s.state = r.text(7);
  s.code_salt = r.text(8);
  s.code_hash = r.text(9);
  s.code_expires_at = r.text(10);
  s.code_attempts = r.i64(11);
  s.code_sent_at = r.text(12);
  s.created_at = r.text(13);
  s.verified_at = r.text(14);
  s.stopped_at = r.text(15);
  return s;
}

}  // namespace

void insert_alert(db::Conn& tx, const Alert& a) {
  tx.exec(kInsertAlert, {a.id,
                         a.tenant_id,
                         a.category,
                         a.title,
                         a.body,
                         std::string(to_string(a.segment)),
                         a.segment_value,
                         std::string(to_string(a.state)),
                         a.created_by,
                         a.created_at,
                         db::text_or_null(a.confirmed_by),
                         db::text_or_null(a.confirmed_at),
                         a.preview,
                         a.cost_cents,
                         a.cost_cap_cents,
                         a.targets,
                         a.cursor,
                         a.slots,
                         a.fanout_round,
                         db::text_or_null(a.finished_at),
                         a.version});
}

std::optional<Alert> find_alert(db::Conn& c, std::int64_t tenant, const std::string& id) {
  auto r = c.query_one(kFindAlert, {tenant, id});
  if (!r) return std::nullopt;
  return alert_from(*r);
}

std::vector<Alert> list_alerts(db::Conn& c, std::int64_t tenant, int limit) {
  std::vector<Alert> out;
  for (const auto& r : c.query(kListAlerts, {tenant, std::int64_t{limit}})) out.push_back(alert_from(r));
  return out;
}

std::vector<Alert> public_alerts(db::Conn& c, std::int64_t tenant, int limit) {
  std::vector<Alert> out;
  for (const auto& r : c.query(kPublicAlerts, {tenant, std::int64_t{limit}})) out.push_back(alert_from(r));
  return out;
}

std::int64_t set_state(db::Conn& tx, std::int64_t tenant, const std::string& id, State from, State to,
                       const std::string& at) {
  return tx.exec(kSetState, {tenant, id, std::string(to_string(from)), std::string(to_string(to)), at});
}

void confirm(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& by,
             const std::string& at, const std::string& preview, std::int64_t cost, std::int64_t cap) {
  tx.exec(kConfirm, {tenant, id, by, at, preview, cost, cap});
}

void set_targets(db::Conn& tx, std::int64_t tenant, const std::string& id, std::int64_t n) {
  tx.exec(kSetTargets, {tenant, id, n});
}

void set_progress(db::Conn& tx, std::int64_t tenant, const std::string& id, std::int64_t cursor,
                  const std::string& slots) {
  tx.exec(kSetProgress, {tenant, id, cursor, slots});
}

std::int64_t next_round(db::Conn& tx, std::int64_t tenant, const std::string& id) {
  auto r = tx.query_one(kNextRound, {tenant, id});
  return r ? r->i64(0) : 0;
}

void finish(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& at) {
  tx.exec(kFinish, {tenant, id, at});
}

std::int64_t spent_since(db::Conn& c, std::int64_t tenant, const std::string& since) {
  auto r = c.query_one(kSpentSince, {tenant, since});
  return r ? r->i64(0) : 0;
}

std::optional<std::int64_t> cost_cap(db::Conn& c, std::int64_t tenant) {
  auto r = c.query_one(kCostCap, {tenant});
  if (!r) return std::nullopt;
  return r->i64(0);
}

void set_cost_cap(db::Conn& tx, std::int64_t tenant, std::int64_t cents, const std::string& by,
                  const std::string& at) {
  tx.exec(kSetCostCap, {tenant, cents, at, by});
}

void insert_target(db::Conn& tx, const std::string& alert_id, std::int64_t tenant, std::int64_t seq,
                   const Target& t, const std::string& fallbacks_json) {
  tx.exec(kInsertTarget, {alert_id, seq, tenant, t.channel, t.address, t.person, fallbacks_json, t.lang});
}

std::vector<TargetRow> targets_after(db::Conn& c, std::int64_t tenant, const std::string& alert_id,
                                     std::int64_t after, int limit) {
  std::vector<TargetRow> out;
  for (const auto& r : c.query(kTargetsAfter, {tenant, alert_id, after, std::int64_t{limit}})) {
    TargetRow row;
    row.seq = r.i64(0);
    row.target.channel = r.text(1);
    row.target.address = r.text(2);
    row.target.person = r.text(3);
    // fallbacks: "channel address\n..." (the store's own compact form)
    for (const auto& line : split(r.text(4), '\n')) {
      auto sp = line.find(' ');
      if (sp != std::string::npos) row.target.fallbacks.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    }
    row.target.lang = r.text(5);
    row.message_id = r.text(6);
    out.push_back(std::move(row));
  }
  return out;
}

void set_message(db::Conn& tx, std::int64_t tenant, const std::string& alert_id, std::int64_t seq,
                 const std::string& message_id) {
  tx.exec(kSetMessage, {tenant, alert_id, seq, message_id});
}

std::vector<StatRow> unhanded_rows(db::Conn& c, std::int64_t tenant, const std::string& alert_id,
                                   std::int64_t cursor) {
  std::vector<StatRow> out;
  for (const auto& r : c.query(kUnhanded, {tenant, alert_id, cursor})) {
    StatRow s;
    s.channel = r.text(0);
    s.handed = r.i64(1) != 0;
    s.n = r.i64(2);
    out.push_back(s);
  }
  return out;
}

std::vector<Received> received_by(db::Conn& c, const std::string& person, int limit) {
  std::vector<Received> out;
  for (const auto& r : c.query(kReceived, {person, std::int64_t{limit}}))
    out.push_back(
        Received{r.text(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)});
  return out;
}

std::optional<Subscription> find_subscription(db::Conn& c, std::int64_t tenant, const std::string& id) {
  auto r = c.query_one(kFindSub, {tenant, id});
  if (!r) return std::nullopt;
  return sub_from(*r);
}

std::optional<Subscription> subscription_by_address(db::Conn& c, std::int64_t tenant,
                                                    const std::string& channel, const std::string& address) {
  auto r = c.query_one(kSubByAddress, {tenant, channel, address});
  if (!r) return std::nullopt;
  return sub_from(*r);
}

void upsert_subscription(db::Conn& tx, const Subscription& s) {
  tx.exec(kUpsertSub,
          {s.id, s.tenant_id, s.channel, s.address, join(s.topics, ','), join(s.streets, '|'), s.lang,
           s.state, s.code_salt, s.code_hash, s.code_expires_at, s.code_sent_at, s.created_at});
}

void count_code_attempt(db::Conn& tx, std::int64_t tenant, const std::string& id) {
  tx.exec(kCountAttempt, {tenant, id});
}

void activate(db::Conn& tx, std::int64_t tenant, const std::string& id, const std::string& at) {
  tx.exec(kActivate, {tenant, id, at});
  if (auto s = find_subscription(tx, tenant, id)) tx.exec(kUnstop, {tenant, s->channel, s->address});
}

void stop_subscription(db::Conn& tx, std::int64_t tenant, const std::string& channel,
                       const std::string& address, const std::string& at) {
  tx.exec(kStopSub, {tenant, channel, address, at});
}

std::vector<Subscription> active_subscriptions(db::Conn& c, std::int64_t tenant) {
  std::vector<Subscription> out;
  for (const auto& r : c.query(kActiveSubs, {tenant})) out.push_back(sub_from(r));
  return out;
}

std::string stop_token(db::Conn& tx, std::int64_t tenant, const std::string& channel,
                       const std::string& address, const std::string& candidate, const std::string& at) {
  tx.exec(kAddStop, {tenant, channel, address, candidate, at});
  auto r = tx.query_one(kStopToken, {tenant, channel, address});
  return r ? r->text(0) : candidate;
}

std::optional<StopRow> stop_by_token(db::Conn& c, std::int64_t tenant, const std::string& token) {
  auto r = c.query_one(kStopByToken, {tenant, token});
  if (!r) return std::nullopt;
  return StopRow{r->text(0), r->text(1), r->text(2)};
}

std::int64_t mark_stopped(db::Conn& tx, std::int64_t tenant, const std::string& channel,
                          const std::string& address, const std::string& how, const std::string& at) {
  return tx.exec(kMarkStopped, {tenant, channel, address, how, at});
}

std::set<std::pair<std::string, std::string>> stopped(db::Conn& c, std::int64_t tenant) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& r : c.query(kStopped, {tenant})) out.emplace(r.text(0), r.text(1));
  return out;
}

void add_consent(db::Conn& tx, std::int64_t tenant, const std::string& channel, const std::string& address,
                 const std::string& action, const std::string& what, const std::string& how,
                 const std::string& at, const std::string& remote_addr) {
  tx.exec(kAddConsent, {tenant, channel, address, action, what, how, at, remote_addr});
}

}  // namespace sp::alerts::store
