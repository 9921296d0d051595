#include "payments/reconciliation_store.hpp"

#include <chrono>

namespace sp::payments::recon {
namespace {

// A flow no later revision supersedes.
#define RECON_CURRENT "NOT EXISTS (SELECT 1 FROM payment_flows n WHERE n.supersedes_id = f.id)"

constexpr const char* kReconCurrent =
    "SELECT f.id, f.flow_time, f.xml_sha256 FROM payment_flows f WHERE f.tenant_id = $1 AND f.psp_id = $2 "
    "AND f.flow_id = $3 AND " RECON_CURRENT;
constexpr const char* kReconWithDigest =
    "SELECT id FROM payment_flows WHERE tenant_id = $1 AND psp_id = $2 AND flow_id = $3 AND xml_sha256 = $4 "
    "ORDER BY id LIMIT 1";
constexpr const char* kReconInsertFlow =
    "INSERT INTO payment_flows (tenant_id, flow_id, psp_id, psp_name, flow_time, flow_time_text, "
    "settlement_iur, settlement_date, settlement_bic, receiver_id, declared_count, declared_total_cents, "
    "revoked_cents, supersedes_id, source, xml, xml_sha256, imported_by, imported_at) VALUES ($1, $2, $3, "
    "$4, "
    "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id";
constexpr const char* kReconStageHead =
    "INSERT INTO payment_flow_staging (flow_pk, tenant_id, ordinal, iuv, iur, transfer_index, amount_cents, "
    "outcome, outcome_date) VALUES ";
constexpr int kReconStageColumns = 9;
constexpr std::size_t kReconStageBatch = 100;  // rows per statement: 900 parameters, under both limits

// The matching, in one statement. A row's receipt is a counted one (recorded or double payment) of the
// same body with the same IUV and IUR; its transfer is the one of the same index. Without a receipt, the
// position's option with that IUV tells a known notice (reported_no_receipt, or accepted for the
// stand-in and without-RPT outcomes when the position's transfer has that amount) from an unknown one.
constexpr const char* kReconMatch =
    "INSERT INTO payment_flow_rows (flow_pk, tenant_id, ordinal, iuv, iur, transfer_index, amount_cents, "
    "outcome, outcome_date, result, receipt_pk, expected_cents) "
    "SELECT s.flow_pk, s.tenant_id, s.ordinal, s.iuv, s.iur, s.transfer_index, s.amount_cents, s.outcome, "
    "s.outcome_date, CASE"
    " WHEN s.outcome = 3 THEN 'revoked'"
    " WHEN r.id IS NOT NULL AND rt.amount_cents = s.amount_cents THEN 'matched'"
    " WHEN r.id IS NOT NULL THEN 'amount_differs'"
    " WHEN o.id IS NULL THEN 'unknown_iuv'"
    " WHEN s.outcome IN (4, 8, 9) AND pt.amount_cents = s.amount_cents THEN 'accepted_without_receipt'"
    " ELSE 'reported_no_receipt' END,"
    " r.id, COALESCE(rt.amount_cents, pt.amount_cents) "
    "FROM payment_flow_staging s "
    "LEFT JOIN payment_receipts r ON r.tenant_id = s.tenant_id AND r.iuv = s.iuv AND r.receipt_id = s.iur"
    " AND r.outcome IN ('recorded', 'double_payment') "
    "LEFT JOIN payment_receipt_transfers rt ON rt.receipt_id = r.id AND rt.transfer_index = s.transfer_index "
    "LEFT JOIN payment_options o ON o.tenant_id = s.tenant_id AND o.iuv = s.iuv "
    "LEFT JOIN payment_transfers pt ON pt.option_id = o.id AND pt.transfer_index = s.transfer_index "
    "WHERE s.flow_pk = $1 AND s.tenant_id = $2";
// GPD's last state: a paid transfer the flow reported (a matched row) is REPORTED; an option is once all its
// transfers but digital stamps (which flows never carry) are; a PAID position once no option is left only
// paid. The 0024 triggers allow exactly paid → reported. Set-based, like the matching.
#define RECON_MATCHED_OPTIONS                                                                     \
  "SELECT r.option_id FROM payment_flow_rows fr JOIN payment_receipts r ON r.id = fr.receipt_pk " \
  "WHERE fr.flow_pk = $1 AND fr.tenant_id = $2 AND fr.result = 'matched' AND r.option_id IS NOT NULL"
constexpr const char* kReconReportTransfers =
    "UPDATE payment_transfers SET status = 'reported' WHERE status = 'paid' AND EXISTS ("
    "SELECT 1 FROM payment_flow_rows fr JOIN payment_receipts r ON r.id = fr.receipt_pk "
    "WHERE fr.flow_pk = $1 AND fr.tenant_id = $2 AND fr.result = 'matched' "
    "AND r.option_id = payment_transfers.option_id AND fr.transfer_index = payment_transfers.transfer_index)";
constexpr const char* kReconReportOptions =
    "UPDATE payment_options SET status = 'reported' WHERE tenant_id = $2 AND status = 'paid' "
    "AND id IN (" RECON_MATCHED_OPTIONS
    ") AND NOT EXISTS (SELECT 1 FROM payment_transfers t "
    "WHERE t.option_id = payment_options.id AND t.status <> 'reported' AND t.stamp_type IS NULL)";
constexpr const char* kReconReportPositions =
    "UPDATE payment_positions SET status = 'REPORTED', version = version + 1, updated_at = $3 "
    "WHERE tenant_id = $2 AND status = 'PAID' AND id IN (SELECT o.position_id FROM payment_options o "
    "WHERE o.id IN (" RECON_MATCHED_OPTIONS
    ")) AND NOT EXISTS (SELECT 1 FROM payment_options o2 "
    "WHERE o2.position_id = payment_positions.id AND o2.status = 'paid')";
// A receipt recorded after the flow that reported it (the row stays reported_no_receipt, read as
// matched_late): its transfers, option and position move to REPORTED in the receipt's own transaction,
// as the import would have done had the receipt come first. $1 the receipt's row, $2 the tenant.
constexpr const char* kReconLateTransfers =
    "UPDATE payment_transfers SET status = 'reported' WHERE status = 'paid' AND EXISTS ("
    "SELECT 1 FROM payment_receipts r JOIN payment_receipt_transfers rt ON rt.receipt_id = r.id "
    "JOIN payment_flow_rows fr ON fr.tenant_id = r.tenant_id AND fr.iuv = r.iuv AND fr.iur = r.receipt_id "
    "AND fr.transfer_index = rt.transfer_index AND fr.amount_cents = rt.amount_cents "
    "AND fr.result = 'reported_no_receipt' "
    "JOIN payment_flows f ON f.id = fr.flow_pk AND " RECON_CURRENT
    " WHERE r.id = $1 AND r.tenant_id = $2 AND r.option_id = payment_transfers.option_id "
    "AND rt.transfer_index = payment_transfers.transfer_index)";
constexpr const char* kReconLateOptions =
    "UPDATE payment_options SET status = 'reported' WHERE tenant_id = $2 AND status = 'paid' "
    "AND id = (SELECT r.option_id FROM payment_receipts r WHERE r.id = $1 AND r.tenant_id = $2) "
    "AND EXISTS (SELECT 1 FROM payment_transfers t WHERE t.option_id = payment_options.id "
    "AND t.status = 'reported') "
    "AND NOT EXISTS (SELECT 1 FROM payment_transfers t "
    "WHERE t.option_id = payment_options.id AND t.status <> 'reported' AND t.stamp_type IS NULL)";
constexpr const char* kReconLatePosition =
    "UPDATE payment_positions SET status = 'REPORTED', version = version + 1, updated_at = $3 "
    "WHERE tenant_id = $2 AND status = 'PAID' AND id = (SELECT o.position_id FROM payment_options o "
    "JOIN payment_receipts r ON r.option_id = o.id WHERE r.id = $1 AND r.tenant_id = $2 "
    "AND o.status = 'reported') AND NOT EXISTS (SELECT 1 FROM payment_options o2 "
    "WHERE o2.position_id = payment_positions.id AND o2.status = 'paid')";
constexpr const char* kReconClearStaged =
    "DELETE FROM payment_flow_staging WHERE flow_pk = $1 AND tenant_id = $2";
constexpr const char* kReconResults =
    "SELECT result, COUNT(*), COALESCE(SUM(amount_cents), 0) FROM payment_flow_rows WHERE tenant_id = $1 "
    "AND flow_pk = $2 GROUP BY result ORDER BY result";

// Movements of a flow: credits whose remittance named its id.
#define RECON_MOVEMENTS                                                                                      \
  "FROM payment_bank_movements m WHERE m.tenant_id = f.tenant_id AND m.flow_id = f.flow_id AND m.direction " \
  "= 'C'"
constexpr const char* kReconDayFlows =
    "SELECT f.id, f.flow_id, f.psp_id, f.psp_name, f.settlement_date, f.flow_time, f.declared_count, "
    "f.declared_total_cents, f.revoked_cents, f.supersedes_id, "
    "(SELECT COUNT(*) " RECON_MOVEMENTS "), (SELECT COALESCE(SUM(m.amount_cents), 0) " RECON_MOVEMENTS
    "), (SELECT MIN(m.value_date) " RECON_MOVEMENTS
    ") FROM payment_flows f WHERE f.tenant_id = $1 AND f.settlement_date = $2 AND ($3 = '' OR f.psp_id = $3) "
    "AND " RECON_CURRENT " ORDER BY f.psp_id, f.flow_id";
// A row's result is decided once, at the import, and rows are append-only. A receipt the node resent after
// the flow was imported (a reported_no_receipt row whose counted receipt, transfer and amount now exist)
// reads as matched_late wherever the day is shown: the anomaly is gone without rewriting the record.
#define RECON_LATE_RECEIPT                                                                          \
  "(SELECT r.id FROM payment_receipts r JOIN payment_receipt_transfers rt ON rt.receipt_id = r.id " \
  "WHERE r.tenant_id = fr.tenant_id AND r.iuv = fr.iuv AND r.receipt_id = fr.iur "                  \
  "AND r.outcome IN ('recorded', 'double_payment') AND rt.transfer_index = fr.transfer_index "      \
  "AND rt.amount_cents = fr.amount_cents ORDER BY r.id LIMIT 1)"
#define RECON_EFFECTIVE_RESULT                                           \
  "(CASE WHEN fr.result = 'reported_no_receipt' AND " RECON_LATE_RECEIPT \
  " IS NOT NULL "                                                        \
  "THEN 'matched_late' ELSE fr.result END)"
constexpr const char* kReconDayResults =
    "SELECT fr.flow_pk, " RECON_EFFECTIVE_RESULT
    ", COUNT(*), COALESCE(SUM(fr.amount_cents), 0) "
    "FROM payment_flow_rows fr "
    "JOIN payment_flows f ON f.id = fr.flow_pk WHERE f.tenant_id = $1 AND f.settlement_date = $2 "
    "AND ($3 = '' OR f.psp_id = $3) AND " RECON_CURRENT " GROUP BY fr.flow_pk, 2";
constexpr const char* kReconDayRows =
    "SELECT f.flow_id, f.psp_id, fr.ordinal, fr.iuv, fr.iur, fr.transfer_index, fr.amount_cents, "
    "fr.expected_cents, fr.outcome, fr.outcome_date, " RECON_EFFECTIVE_RESULT
    ", "
    "COALESCE(fr.receipt_pk, CASE WHEN fr.result = 'reported_no_receipt' THEN " RECON_LATE_RECEIPT
    " END), "
    "f.id FROM payment_flow_rows fr "
    "JOIN payment_flows f ON f.id = fr.flow_pk WHERE f.tenant_id = $1 AND f.settlement_date = $2 "
    "AND ($3 = '' OR f.psp_id = $3) AND " RECON_CURRENT " ORDER BY CASE WHEN " RECON_EFFECTIVE_RESULT
    " IN ('amount_differs', 'reported_no_receipt', 'unknown_iuv') THEN 0 ELSE 1 "
    "END, f.psp_id, f.flow_id, fr.ordinal LIMIT $4";
constexpr const char* kReconUnreported =
    "SELECT r.iuv, r.receipt_id, r.psp_id, r.payment_at, rt.transfer_index, rt.amount_cents "
    "FROM payment_receipts r JOIN payment_receipt_transfers rt ON rt.receipt_id = r.id "
    "WHERE r.tenant_id = $1 AND r.outcome IN ('recorded', 'double_payment') AND rt.stamp_hash IS NULL "
    "AND r.payment_at >= $2 AND r.payment_at < $3 AND ($4 = '' OR r.psp_id = $4) AND NOT EXISTS ("
    "SELECT 1 FROM payment_flow_rows fr JOIN payment_flows f ON f.id = fr.flow_pk WHERE fr.tenant_id = "
    "r.tenant_id "
    "AND fr.iuv = r.iuv AND fr.iur = r.receipt_id AND fr.transfer_index = rt.transfer_index "
    "AND " RECON_CURRENT ") ORDER BY r.payment_at, r.iuv, rt.transfer_index";
constexpr const char* kReconReceiptsTotal =
    "SELECT COALESCE(SUM(rt.amount_cents), 0) FROM payment_receipts r JOIN payment_receipt_transfers rt "
    "ON rt.receipt_id = r.id WHERE r.tenant_id = $1 AND r.outcome IN ('recorded', 'double_payment') "
    "AND rt.stamp_hash IS NULL AND r.payment_at >= $2 AND r.payment_at < $3 AND ($4 = '' OR r.psp_id = $4)";
constexpr const char* kReconUnmatchedMovements =
    "SELECT m.id, m.booking_date, m.value_date, m.amount_cents, m.description, m.bank_reference, m.flow_id "
    "FROM payment_bank_movements m WHERE m.tenant_id = $1 AND m.value_date = $2 AND m.direction = 'C' "
    "AND m.flow_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM payment_flows f WHERE f.tenant_id = m.tenant_id "
    "AND f.flow_id = m.flow_id) ORDER BY m.id";
constexpr const char* kReconPsps =
    "SELECT psp_id FROM payment_flows WHERE tenant_id = $1 AND settlement_date = $2 UNION "
    "SELECT psp_id FROM payment_receipts WHERE tenant_id = $1 AND payment_at >= $3 AND payment_at < $4 "
    "AND outcome IN ('recorded', 'double_payment') ORDER BY 1";
constexpr const char* kReconLatestDay = "SELECT MAX(settlement_date) FROM payment_flows WHERE tenant_id = $1";
constexpr const char* kReconCreditors =
    "SELECT tenant_id, fiscal_code FROM payment_creditors ORDER BY tenant_id";
constexpr const char* kReconFlowXml = "SELECT xml FROM payment_flows WHERE tenant_id = $1 AND id = $2";

std::string recon_stage_sql(std::size_t rows) {
  std::string sql = kReconStageHead;
  int n = 1;
  for (std::size_t i = 0; i < rows; ++i) {
    sql += i ? ",(" : "(";
    for (int k = 0; k < kReconStageColumns; ++k) {
      if (k) sql += ",";
      sql += "$" + std::to_string(n++);
    }
    sql += ")";
  }
  return sql;
}

std::vector<ResultCount> recon_read_results(const std::vector<db::Row>& rows, std::size_t first) {
  std::vector<ResultCount> out;
  for (const auto& r : rows) {
    auto res = parse_row_result(r.text(first));
    if (!res) continue;
    out.push_back({*res, r.i64(first + 1), r.i64(first + 2)});
  }
  return out;
}

}  // namespace

std::optional<KnownFlow> ReconciliationStore::current(db::Conn& c, tenants::TenantId tenant,
                                                      const std::string& psp_id, const std::string& flow_id) {
  auto r = c.query_one(kReconCurrent, {tenant, psp_id, flow_id});
  if (!r) return std::nullopt;
  return KnownFlow{r->i64(0), r->text(1), r->text(2)};
}

std::optional<std::int64_t> ReconciliationStore::with_digest(db::Conn& c, tenants::TenantId tenant,
                                                             const std::string& psp_id,
                                                             const std::string& flow_id,
                                                             const std::string& sha256) {
  auto r = c.query_one(kReconWithDigest, {tenant, psp_id, flow_id, sha256});
  if (!r) return std::nullopt;
  return r->i64(0);
}

std::int64_t ReconciliationStore::insert_flow(db::Conn& tx, const FlowRecord& f) {
  const auto& h = f.header;
  db::Value supersedes = nullptr;
  if (f.supersedes) supersedes = *f.supersedes;
  db::Value bic = nullptr;
  if (!h.settlement_bic.empty()) bic = h.settlement_bic;
  auto r = tx.query_one(
      kReconInsertFlow,
      {f.tenant_id, h.flow_id, h.sender.id, h.sender.name, time::format_iso_utc(h.flow_time),
       h.flow_time_text, h.settlement_iur, time::format_iso_date(h.settlement_date), bic, h.receiver.id,
       h.declared_count, h.declared_total, f.revoked, supersedes, std::string(to_string(f.source)),
       std::string(f.xml), f.xml_sha256, f.imported_by, f.imported_at});
  return r->i64(0);
}

void ReconciliationStore::stage(db::Conn& tx, std::int64_t flow_pk, tenants::TenantId tenant,
                                const std::vector<reporting::FlowRow>& rows) {
  for (std::size_t at = 0; at < rows.size(); at += kReconStageBatch) {
    const std::size_t n = std::min(kReconStageBatch, rows.size() - at);
    db::Params p;
    p.reserve(n * kReconStageColumns);
    for (std::size_t i = at; i < at + n; ++i) {
      const auto& r = rows[i];
      p.insert(p.end(), {flow_pk, tenant, r.ordinal, r.iuv, r.iur, std::int64_t{r.index}, r.amount,
                         std::int64_t{static_cast<int>(r.outcome)}, time::format_iso_date(r.outcome_date)});
    }
    tx.exec(recon_stage_sql(n), p);
  }
}

void ReconciliationStore::match_staged(db::Conn& tx, std::int64_t flow_pk, tenants::TenantId tenant) {
  tx.exec(kReconMatch, {flow_pk, tenant});
  tx.exec(kReconClearStaged, {flow_pk, tenant});
}

std::int64_t ReconciliationStore::mark_reported(db::Conn& tx, std::int64_t flow_pk, tenants::TenantId tenant,
                                                const std::string& now) {
  tx.exec(kReconReportTransfers, {flow_pk, tenant});
  tx.exec(kReconReportOptions, {flow_pk, tenant});
  return tx.exec(kReconReportPositions, {flow_pk, tenant, now});
}

bool ReconciliationStore::mark_reported_late(db::Conn& tx, std::int64_t receipt_pk, tenants::TenantId tenant,
                                             const std::string& now) {
  if (tx.exec(kReconLateTransfers, {receipt_pk, tenant}) == 0) return false;
  tx.exec(kReconLateOptions, {receipt_pk, tenant});
  return tx.exec(kReconLatePosition, {receipt_pk, tenant, now}) > 0;
}

std::vector<ResultCount> ReconciliationStore::results(db::Conn& c, tenants::TenantId tenant,
                                                      std::int64_t flow_pk) {
  return recon_read_results(c.query(kReconResults, {tenant, flow_pk}), 0);
}

std::vector<FlowSummary> ReconciliationStore::day_flows(db::Conn& c, tenants::TenantId tenant,
                                                        const std::string& day, const std::string& psp) {
  std::vector<FlowSummary> out;
  for (const auto& r : c.query(kReconDayFlows, {tenant, day, psp})) {
    FlowSummary f;
    f.pk = r.i64(0);
    f.flow_id = r.text(1);
    f.psp_id = r.text(2);
    f.psp_name = r.text(3);
    f.settlement_date = r.text(4);
    f.flow_time = r.text(5);
    f.declared_count = r.i64(6);
    f.declared_total = r.i64(7);
    f.revoked = r.i64(8);
    f.is_revision = !r.is_null(9);
    const auto movements = r.i64(10);
    f.cashed = r.i64(11);
    f.cashed_on = r.text(12);
    if (movements > 0)
      f.bank = f.cashed == f.declared_total ? BankStatus::cashed : BankStatus::amount_differs;
    else
      f.bank = BankStatus::pending;  // the service tells missing from pending (it knows today)
    out.push_back(std::move(f));
  }
  for (const auto& r : c.query(kReconDayResults, {tenant, day, psp})) {
    const auto pk = r.i64(0);
    for (auto& f : out) {
      if (f.pk != pk) continue;
      auto res = recon_read_results({r}, 1);
      f.results.insert(f.results.end(), res.begin(), res.end());
    }
  }
  return out;
}

std::vector<RowView> ReconciliationStore::day_rows(db::Conn& c, tenants::TenantId tenant,
                                                   const std::string& day, const std::string& psp,
                                                   std::int64_t row_limit) {
  std::vector<RowView> out;
  for (const auto& r : c.query(kReconDayRows, {tenant, day, psp, row_limit})) {
    RowView v;
    v.flow_id = r.text(0);
    v.psp_id = r.text(1);
    v.ordinal = r.i64(2);
    v.iuv = r.text(3);
    v.iur = r.text(4);
    v.transfer_index = static_cast<int>(r.i64(5));
    v.amount = r.i64(6);
    v.expected = r.opt_i64(7);
    v.outcome =
        reporting::parse_outcome_code(std::to_string(r.i64(8))).value_or(reporting::Outcome::executed);
    v.outcome_date = r.text(9);
    v.result = parse_row_result(r.text(10)).value_or(RowResult::matched);
    v.has_receipt = !r.is_null(11);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<UnreportedPayment> ReconciliationStore::unreported(db::Conn& c, tenants::TenantId tenant,
                                                               const std::string& from, const std::string& to,
                                                               const std::string& psp) {
  std::vector<UnreportedPayment> out;
  for (const auto& r : c.query(kReconUnreported, {tenant, from, to, psp}))
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), static_cast<int>(r.i64(4)), r.i64(5)});
  return out;
}

money::Cents ReconciliationStore::receipts_total(db::Conn& c, tenants::TenantId tenant,
                                                 const std::string& from, const std::string& to,
                                                 const std::string& psp) {
  return c.query_one(kReconReceiptsTotal, {tenant, from, to, psp})->i64(0);
}

std::vector<MovementView> ReconciliationStore::unmatched_movements(db::Conn& c, tenants::TenantId tenant,
                                                                   const std::string& day) {
  std::vector<MovementView> out;
  for (const auto& r : c.query(kReconUnmatchedMovements, {tenant, day}))
    out.push_back({r.i64(0), r.text(1), r.text(2), r.i64(3), r.text(4), r.text(5), r.text(6)});
  return out;
}

std::vector<std::string> ReconciliationStore::psps_of_day(db::Conn& c, tenants::TenantId tenant,
                                                          const std::string& day, const std::string& from,
                                                          const std::string& to) {
  std::vector<std::string> out;
  for (const auto& r : c.query(kReconPsps, {tenant, day, from, to})) out.push_back(r.text(0));
  return out;
}

std::optional<std::string> ReconciliationStore::latest_day(db::Conn& c, tenants::TenantId tenant) {
  auto r = c.query_one(kReconLatestDay, {tenant});
  if (!r || r->is_null(0)) return std::nullopt;
  return r->text(0);
}

std::vector<std::pair<tenants::TenantId, std::string>> ReconciliationStore::creditors(db::Conn& c) {
  std::vector<std::pair<tenants::TenantId, std::string>> out;
  for (const auto& r : c.query(kReconCreditors)) out.emplace_back(r.i64(0), r.text(1));
  return out;
}

std::optional<std::string> ReconciliationStore::flow_xml(db::Conn& c, tenants::TenantId tenant,
                                                         std::int64_t pk) {
  auto r = c.query_one(kReconFlowXml, {tenant, pk});
  if (!r) return std::nullopt;
  return r->text(0);
}

}  // namespace sp::payments::recon
