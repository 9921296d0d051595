#include "statistics/store.hpp"

namespace sp::statistics {
namespace {

// Each query reads one record table over the window's range of instants (one index range: the indexes of
// migration 0057 start with the body and that instant) and puts each row in its month with a CASE over
// the months' bounds, so the months are Rome's (EXPLAIN on PostgreSQL: an index-only scan; a join to a
// VALUES list of months made the planner scan the body's rows once per month).
// {M} is the month of the row's instant, {W} the window's range on it, {T} the body filter (nothing on
// the hub's dashboard). Results are grouped by position (2: the month) in both dialects.

constexpr const char* kReceived =
    "SELECT r.tenant_id, {M}, r.service_code, r.channel, COUNT(*) FROM cases r WHERE {W}{T} "
    "GROUP BY r.tenant_id, 2, r.service_code, r.channel";

// Decisions: a case leaves the open states with decided_at set (cases/service.cpp); a withdrawal is not
// a decision. 22:00 UTC is midnight in Rome in summer (+02:00), 23:00 in winter (+01:00).
// `b` sums the seconds from submission to decision, `c` the seconds from submission to the end of the due
// date (the legal term; 23:00 UTC, Rome's midnight in winter: within an hour in summer), so the average
// days to decision and the average legal term are b / n and c / n. {S} is the dialect's seconds between
// two stored instants (seconds_between below).
constexpr const char* kDecided =
    "SELECT r.tenant_id, {M}, r.service_code, r.channel, COUNT(*), "
    "SUM(CASE WHEN r.decided_at < r.due_date || 'T22:00:00.000Z' THEN 1 ELSE 0 END), "
    "CAST(SUM({S:r.submitted_at:r.decided_at}) AS BIGINT), "
    "CAST(SUM({S:r.submitted_at:r.due_date || 'T23:00:00.000Z'}) AS BIGINT) FROM cases r "
    "WHERE {W}{T} AND r.state <> 'withdrawn' GROUP BY r.tenant_id, 2, r.service_code, r.channel";

constexpr const char* kDecidedLastHour =
    "SELECT r.tenant_id, {M}, r.service_code, r.channel || ' ' || r.due_date, COUNT(*) FROM cases r "
    "WHERE {W}{T} AND r.state <> 'withdrawn' AND r.decided_at >= r.due_date || 'T22:00:00.000Z' "
    "AND r.decided_at < r.due_date || 'T23:00:00.000Z' "
    "GROUP BY r.tenant_id, 2, r.service_code, r.channel || ' ' || r.due_date";

// A receipt is reconciled when a PSP's reporting flow reported it (same body, IUV and IUR): matched at
// the flow's import, or reported before the receipt arrived (docs/reconciliation.md, matched_late).
#define SP_STAT_REPORTED                                                                                     \
  "EXISTS (SELECT 1 FROM payment_flow_rows f WHERE f.tenant_id = r.tenant_id AND f.iuv = r.iuv AND f.iur = " \
  "r.receipt_id AND f.result IN ('matched', 'reported_no_receipt'))"
constexpr const char* kPayments =
    "SELECT r.tenant_id, {M}, '', '', COUNT(*), SUM(r.amount_cents), "
    "SUM(CASE WHEN " SP_STAT_REPORTED
    " THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN " SP_STAT_REPORTED
    " THEN r.amount_cents ELSE 0 END) FROM payment_receipts r "
    "WHERE {W}{T} AND r.outcome IN ('recorded', 'double_payment') GROUP BY r.tenant_id, 2";
#undef SP_STAT_REPORTED

constexpr const char* kCertificates =
    "SELECT r.tenant_id, {M}, r.channel, '', COUNT(*) FROM certificate_requests r "
    "WHERE {W}{T} AND r.state = 'issued' GROUP BY r.tenant_id, 2, r.channel";

constexpr const char* kAlbo =
    "SELECT r.tenant_id, {M}, r.channel, '', COUNT(*) FROM albo_publications r WHERE {W}{T} "
    "GROUP BY r.tenant_id, 2, r.channel";

constexpr const char* kMessages =
    "SELECT r.tenant_id, {M}, r.channel, '', COUNT(*), "
    "SUM(CASE WHEN r.status = 'delivered' THEN 1 ELSE 0 END) FROM outbox r WHERE {W}{T} "
    "GROUP BY r.tenant_id, 2, r.channel";

constexpr const char* kOpenServices =
    "SELECT DISTINCT service_code FROM cases WHERE tenant_id = $1 "
    "AND state NOT IN ('accepted', 'rejected', 'withdrawn', 'closed') ORDER BY service_code";

// The kept aggregates: of closed months (statistics_months, by "YYYY-MM") and of the current month's
// closed days (statistics_days, by "YYYY-MM-DD"), the same statements on either.
struct KeptSql {
  const char* remove;
  const char* insert;
  const char* remove_rebuild;
  const char* insert_rebuild;
  const char* rebuilt;
  const char* kept;
  const char* kept_of_body;
  const char* forget_before;
  const char* forget_rebuilds_before;
};
constexpr KeptSql kMonths{
    "DELETE FROM statistics_months WHERE month = $1",
    "INSERT INTO statistics_months (tenant_id, month, figure, k1, k2, n, a, b, c) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    "DELETE FROM statistics_rebuilds WHERE month = $1",
    "INSERT INTO statistics_rebuilds (month, rebuilt_at) VALUES ($1, $2)",
    "SELECT month, rebuilt_at FROM statistics_rebuilds WHERE month >= $1 AND month <= $2 ORDER BY month",
    "SELECT tenant_id, month, k1, k2, n, a, b, c FROM statistics_months WHERE figure = $1 AND month >= $2 "
    "AND month <= $3",
    "SELECT tenant_id, month, k1, k2, n, a, b, c FROM statistics_months WHERE tenant_id = $4 AND figure = $1 "
    "AND month >= $2 AND month <= $3",
    "",
    ""};
constexpr KeptSql kDays{
    "DELETE FROM statistics_days WHERE day = $1",
    "INSERT INTO statistics_days (tenant_id, day, figure, k1, k2, n, a, b, c) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    "DELETE FROM statistics_day_rebuilds WHERE day = $1",
    "INSERT INTO statistics_day_rebuilds (day, rebuilt_at) VALUES ($1, $2)",
    "SELECT day, rebuilt_at FROM statistics_day_rebuilds WHERE day >= $1 AND day <= $2 ORDER BY day",
    "SELECT tenant_id, day, k1, k2, n, a, b, c FROM statistics_days WHERE figure = $1 AND day >= $2 "
    "AND day <= $3",
    "SELECT tenant_id, day, k1, k2, n, a, b, c FROM statistics_days WHERE tenant_id = $4 AND figure = $1 "
    "AND day >= $2 AND day <= $3",
    "DELETE FROM statistics_days WHERE day < $1",
    "DELETE FROM statistics_day_rebuilds WHERE day < $1"};

const KeptSql& sql_of(Period p) {
  return p == Period::day ? kDays : kMonths;
}

// Rows of tenant, month, key, key2, count and up to three more measures (a SUM over no row is NULL: 0).
std::vector<Fact> facts_of(const std::vector<db::Row>& rows, int measures) {
  std::vector<Fact> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    Fact f;
    f.tenant = r.i64(0);
    f.month = r.text(1);
    f.key = r.text(2);
    f.key2 = r.text(3);
    f.count = r.i64(4);
    if (measures > 0) f.a = r.is_null(5) ? 0 : r.i64(5);
    if (measures > 1) f.b = r.is_null(6) ? 0 : r.i64(6);
    if (measures > 2) f.c = r.is_null(7) ? 0 : r.i64(7);
    out.push_back(std::move(f));
  }
  return out;
}

void replace(std::string& s, std::string_view what, const std::string& with) {
  const auto at = s.find(what);
  if (at != std::string::npos) s.replace(at, what.size(), with);
}

// Whole seconds from instant `a` to instant `b` (stored ISO 8601 UTC text), in the connection's dialect.
std::string seconds_between(db::Dialect d, const std::string& a, const std::string& b) {
  if (d == db::Dialect::postgres)
    return "CAST(EXTRACT(EPOCH FROM CAST(" + b + " AS TIMESTAMPTZ) - CAST(" + a +
           " AS TIMESTAMPTZ)) AS BIGINT)";
  return "CAST(ROUND((julianday(" + b + ") - julianday(" + a + ")) * 86400) AS INTEGER)";
}

// Replaces every {S:a:b} of `sql` with seconds_between(a, b).
void expand_seconds(db::Dialect d, std::string& sql) {
  for (auto at = sql.find("{S:"); at != std::string::npos; at = sql.find("{S:", at)) {
    const auto mid = sql.find(':', at + 3);
    const auto end = sql.find('}', mid);
    const auto with =
        seconds_between(d, sql.substr(at + 3, mid - at - 3), sql.substr(mid + 1, end - mid - 1));
    sql.replace(at, end + 1 - at, with);
    at += with.size();
  }
}

std::vector<Fact> run(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& months,
                      std::string_view body, const char* column, int measures) {
  if (months.empty()) return {};
  db::Params p;
  auto bind = [&p](db::Value v) {
    p.push_back(std::move(v));
    return "$" + std::to_string(p.size());
  };
  const std::string col = std::string("r.") + column;
  const std::string lo = bind(months.front().lo);
  const std::string hi = bind(months.back().hi);
  std::string month = "CASE";
  for (const auto& m : months)
    month += " WHEN " + col + " < " + bind(m.hi) + " THEN CAST(" + bind(m.month) + " AS TEXT)";
  month += " END";
  std::string sql(body);
  replace(sql, "{M}", month);
  replace(sql, "{W}", col + " >= " + lo + " AND " + col + " < " + hi);
  replace(sql, "{T}", tenant != 0 ? " AND r.tenant_id = " + bind(tenant) : std::string());
  expand_seconds(c.dialect(), sql);
  return facts_of(c.query(sql, p), measures);
}

}  // namespace

std::vector<Fact> StatisticsStore::received(db::Conn& c, std::int64_t tenant,
                                            const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kReceived, "submitted_at", 0);
}
std::vector<Fact> StatisticsStore::decided(db::Conn& c, std::int64_t tenant,
                                           const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kDecided, "decided_at", 3);
}
std::vector<Fact> StatisticsStore::decided_in_last_hour(db::Conn& c, std::int64_t tenant,
                                                        const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kDecidedLastHour, "decided_at", 0);
}
std::vector<Fact> StatisticsStore::payments(db::Conn& c, std::int64_t tenant,
                                            const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kPayments, "payment_at", 3);
}
std::vector<Fact> StatisticsStore::certificates(db::Conn& c, std::int64_t tenant,
                                                const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kCertificates, "issued_at", 0);
}
std::vector<Fact> StatisticsStore::albo(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kAlbo, "registered_at", 0);
}
std::vector<Fact> StatisticsStore::messages(db::Conn& c, std::int64_t tenant,
                                            const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kMessages, "created_at", 1);
}
std::vector<std::string> StatisticsStore::open_services(db::Conn& c, std::int64_t tenant) {
  std::vector<std::string> out;
  for (const auto& r : c.query(kOpenServices, {tenant})) out.push_back(r.text(0));
  return out;
}

void StatisticsStore::rebuild_month(db::Conn& tx, const std::string& month,
                                    const std::vector<std::pair<std::string, std::vector<Fact>>>& facts,
                                    const std::string& rebuilt_at, Period p) {
  const auto& q = sql_of(p);
  tx.exec(q.remove, {month});
  for (const auto& [figure, rows] : facts)
    for (const auto& f : rows)
      tx.exec(q.insert, {f.tenant, month, figure, f.key, f.key2, f.count, f.a, f.b, f.c});
  tx.exec(q.remove_rebuild, {month});
  tx.exec(q.insert_rebuild, {month, rebuilt_at});
}

std::vector<std::pair<std::string, std::string>> StatisticsStore::rebuilt(db::Conn& c,
                                                                          const std::string& from,
                                                                          const std::string& to, Period p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : c.query(sql_of(p).rebuilt, {from, to})) out.emplace_back(r.text(0), r.text(1));
  return out;
}

std::vector<Fact> StatisticsStore::kept(db::Conn& c, std::int64_t tenant, const std::string& figure,
                                        const std::string& from, const std::string& to, Period p) {
  const auto& q = sql_of(p);
  return facts_of(
      tenant == 0 ? c.query(q.kept, {figure, from, to}) : c.query(q.kept_of_body, {figure, from, to, tenant}),
      3);
}

void StatisticsStore::forget_days_before(db::Conn& tx, const std::string& day) {
  tx.exec(kDays.forget_before, {day});
  tx.exec(kDays.forget_rebuilds_before, {day});
}

}  // namespace sp::statistics
