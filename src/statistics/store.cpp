#include "statistics/store.hpp"

namespace sp::statistics {
namespace {

// Each query joins the window's months (a VALUES list bound as parameters) to one record table on the
// record's own instant, so the months are Rome's and the range is one index range per month.
// `{T}` is replaced by the tenant filter (or nothing on the hub's dashboard).

constexpr const char* kReceived =
    "SELECT r.tenant_id, m.month, r.service_code, r.channel, COUNT(*) FROM m JOIN cases r "
    "ON r.submitted_at >= m.lo AND r.submitted_at < m.hi{T} "
    "GROUP BY r.tenant_id, m.month, r.service_code, r.channel";

// Decisions: a case leaves the open states with decided_at set (cases/service.cpp); a withdrawal is not
// a decision. 22:00 UTC is midnight in Rome in summer (+02:00), 23:00 in winter (+01:00).
constexpr const char* kDecided =
    "SELECT r.tenant_id, m.month, r.service_code, r.channel, COUNT(*), "
    "SUM(CASE WHEN r.decided_at < r.due_date || 'T22:00:00.000Z' THEN 1 ELSE 0 END) FROM m JOIN cases r "
    "ON r.decided_at >= m.lo AND r.decided_at < m.hi{T} AND r.state <> 'withdrawn' "
    "GROUP BY r.tenant_id, m.month, r.service_code, r.channel";

constexpr const char* kDecidedLastHour =
    "SELECT r.tenant_id, m.month, r.service_code, r.channel || ' ' || r.due_date, COUNT(*) FROM m JOIN cases r "
    "ON r.decided_at >= m.lo AND r.decided_at < m.hi{T} AND r.state <> 'withdrawn' "
    "AND r.decided_at >= r.due_date || 'T22:00:00.000Z' AND r.decided_at < r.due_date || 'T23:00:00.000Z' "
    "GROUP BY r.tenant_id, m.month, r.service_code, r.channel, r.due_date";

// A receipt is reconciled when a PSP's reporting flow reported it (same body, IUV and IUR): matched at
// the flow's import, or reported before the receipt arrived (docs/reconciliation.md, matched_late).
#define SP_STAT_REPORTED                                                                                  \
  "EXISTS (SELECT 1 FROM payment_flow_rows f WHERE f.tenant_id = r.tenant_id AND f.iuv = r.iuv AND f.iur = " \
  "r.receipt_id AND f.result IN ('matched', 'reported_no_receipt'))"
constexpr const char* kPayments =
    "SELECT r.tenant_id, m.month, '', '', COUNT(*), SUM(r.amount_cents), "
    "SUM(CASE WHEN " SP_STAT_REPORTED " THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN " SP_STAT_REPORTED " THEN r.amount_cents ELSE 0 END) FROM m JOIN payment_receipts r "
    "ON r.payment_at >= m.lo AND r.payment_at < m.hi{T} AND r.outcome IN ('recorded', 'double_payment') "
    "GROUP BY r.tenant_id, m.month";
#undef SP_STAT_REPORTED

constexpr const char* kCertificates =
    "SELECT r.tenant_id, m.month, r.channel, '', COUNT(*) FROM m JOIN certificate_requests r "
    "ON r.issued_at >= m.lo AND r.issued_at < m.hi{T} AND r.state = 'issued' "
    "GROUP BY r.tenant_id, m.month, r.channel";

constexpr const char* kAlbo =
    "SELECT r.tenant_id, m.month, r.channel, '', COUNT(*) FROM m JOIN albo_publications r "
    "ON r.registered_at >= m.lo AND r.registered_at < m.hi{T} "
    "GROUP BY r.tenant_id, m.month, r.channel";

constexpr const char* kMessages =
    "SELECT r.tenant_id, m.month, r.channel, '', COUNT(*), "
    "SUM(CASE WHEN r.status = 'delivered' THEN 1 ELSE 0 END) FROM m JOIN outbox r "
    "ON r.created_at >= m.lo AND r.created_at < m.hi{T} "
    "GROUP BY r.tenant_id, m.month, r.channel";

constexpr const char* kOpenServices =
    "SELECT DISTINCT service_code FROM cases WHERE tenant_id = $1 "
    "AND state NOT IN ('accepted', 'rejected', 'withdrawn', 'closed') ORDER BY service_code";

std::vector<Fact> run(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& months,
                      std::string_view body, int measures) {
  if (months.empty()) return {};
  db::Params p;
  std::string sql = "WITH m(month, lo, hi) AS (VALUES ";
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (i) sql += ", ";
    const auto n = p.size();
    sql += "(CAST($" + std::to_string(n + 1) + " AS TEXT), CAST($" + std::to_string(n + 2) + " AS TEXT), CAST($" +
           std::to_string(n + 3) + " AS TEXT))";
    p.emplace_back(months[i].month);
    p.emplace_back(months[i].lo);
    p.emplace_back(months[i].hi);
  }
  sql += ") ";
  std::string tail(body);
  const auto at = tail.find("{T}");
  std::string filter;
  if (tenant != 0) {
    p.emplace_back(tenant);
    filter = " AND r.tenant_id = $" + std::to_string(p.size());
  }
  tail.replace(at, 3, filter);
  sql += tail;
  std::vector<Fact> out;
  for (const auto& r : c.query(sql, p)) {
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

}  // namespace

std::vector<Fact> StatisticsStore::received(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kReceived, 0);
}
std::vector<Fact> StatisticsStore::decided(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kDecided, 1);
}
std::vector<Fact> StatisticsStore::decided_in_last_hour(db::Conn& c, std::int64_t tenant,
                                                        const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kDecidedLastHour, 0);
}
std::vector<Fact> StatisticsStore::payments(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kPayments, 3);
}
std::vector<Fact> StatisticsStore::certificates(db::Conn& c, std::int64_t tenant,
                                                const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kCertificates, 0);
}
std::vector<Fact> StatisticsStore::albo(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kAlbo, 0);
}
std::vector<Fact> StatisticsStore::messages(db::Conn& c, std::int64_t tenant, const std::vector<MonthBound>& m) {
  return run(c, tenant, m, kMessages, 1);
}
std::vector<std::string> StatisticsStore::open_services(db::Conn& c, std::int64_t tenant) {
  std::vector<std::string> out;
  for (const auto& r : c.query(kOpenServices, {tenant})) out.push_back(r.text(0));
  return out;
}

}  // namespace sp::statistics
