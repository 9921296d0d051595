#pragma once
// SQL of reconciliation (migration 0027): reporting flows and their rows as imported, the staging table
// the rows are matched from in one INSERT ... SELECT, and the day's view. Every query names the tenant.
// Writes take the caller's transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "payments/reconciliation_model.hpp"
#include "tenants/model.hpp"

namespace sp::payments::recon {

struct FlowRecord {
  tenants::TenantId tenant_id = 0;
  reporting::FlowHeader header;
  money::Cents revoked = 0;
  std::optional<std::int64_t> supersedes;
  FlowSource source = FlowSource::file;
  std::string_view xml;  // the document as received (copied once, into the statement's parameter)
  std::string xml_sha256;
  std::string imported_by;
  std::string imported_at;
};

struct KnownFlow {
  std::int64_t pk = 0;
  std::string flow_time;  // UTC ISO
  std::string xml_sha256;
};

class ReconciliationStore {
 public:
  // The revision of (psp, flow id) no later revision supersedes.
  static std::optional<KnownFlow> current(db::Conn& c, tenants::TenantId tenant, const std::string& psp_id,
                                          const std::string& flow_id);
  // Any revision of (psp, flow id) with exactly this document.
  static std::optional<std::int64_t> with_digest(db::Conn& c, tenants::TenantId tenant,
                                                 const std::string& psp_id, const std::string& flow_id,
                                                 const std::string& sha256);
  static std::int64_t insert_flow(db::Conn& tx, const FlowRecord& f);
  // Stages rows (many per statement), then matches them all in one INSERT ... SELECT joining receipts,
  // their transfers, options and the positions' transfers, and empties the staging rows of the flow.
  static void stage(db::Conn& tx, std::int64_t flow_pk, tenants::TenantId tenant,
                    const std::vector<reporting::FlowRow>& rows);
  static void match_staged(db::Conn& tx, std::int64_t flow_pk, tenants::TenantId tenant);
  // The transfers, options and positions the flow's matched rows report move to REPORTED (GPD); returns
  // how many positions did.
  static std::int64_t mark_reported(db::Conn& tx, std::int64_t flow_pk, tenants::TenantId tenant,
                                    const std::string& now);
  // A counted receipt (row `receipt_pk`) that a current flow had reported before it arrived
  // (reported_no_receipt rows of the same IUV, IUR, transfer and amount): its transfers, its option and
  // its PAID position move to REPORTED now, in the receipt's transaction; the flow's rows stay as recorded.
  // True when the position did.
  static bool mark_reported_late(db::Conn& tx, std::int64_t receipt_pk, tenants::TenantId tenant,
                                 const std::string& now);
  static std::vector<ResultCount> results(db::Conn& c, tenants::TenantId tenant, std::int64_t flow_pk);

  // The day's view (anomaly ordering is the service's). `psp` "" for all; `row_limit` bounds the rows.
  static std::vector<FlowSummary> day_flows(db::Conn& c, tenants::TenantId tenant, const std::string& day,
                                            const std::string& psp);
  static std::vector<RowView> day_rows(db::Conn& c, tenants::TenantId tenant, const std::string& day,
                                       const std::string& psp, std::int64_t row_limit);
  // Counted receipts paid in [from, to) (UTC ISO), their non-stamp transfers no current flow reports.
  static std::vector<UnreportedPayment> unreported(db::Conn& c, tenants::TenantId tenant,
                                                   const std::string& from, const std::string& to,
                                                   const std::string& psp);
  // Sum of counted receipts' non-stamp transfers paid in [from, to).
  static money::Cents receipts_total(db::Conn& c, tenants::TenantId tenant, const std::string& from,
                                     const std::string& to, const std::string& psp);
  // Credit movements valued that day whose remittance names a flow id no flow of the body has.
  static std::vector<MovementView> unmatched_movements(db::Conn& c, tenants::TenantId tenant,
                                                       const std::string& day);
  static std::vector<std::string> psps_of_day(db::Conn& c, tenants::TenantId tenant, const std::string& day,
                                              const std::string& from, const std::string& to);
  // The latest settlement date with a flow (the page's default day).
  static std::optional<std::string> latest_day(db::Conn& c, tenants::TenantId tenant);
  // (tenant, fiscal code) of every creditor body, for the FdR pull.
  static std::vector<std::pair<tenants::TenantId, std::string>> creditors(db::Conn& c);
  static std::optional<std::string> flow_xml(db::Conn& c, tenants::TenantId tenant, std::int64_t pk);
};

}  // namespace sp::payments::recon
