#pragma once
// Pulling the flows PSPs published for the hub's creditor bodies from pagoPA's FdR organization API
// (adapters/pagopa/fdr_org.hpp): each flow's header and payments are fetched, rendered as the
// FlussoRiversamento XML the node would have sent, and imported like a file (reconciliation_service.hpp),
// so the original document is kept and every check applies. A flow whose latest revision is already
// recorded (same PSP, id and dataOraFlusso) is not fetched again.
//
// Runs from the periodic job "payments.fdr_pull" (hourly, when pagopa_fdr_url is set) and from
// `sportello reconcile pull`.
#include <string>
#include <vector>

#include "adapters/pagopa/fdr_org.hpp"
#include "jobs/runner.hpp"
#include "payments/reconciliation_service.hpp"

namespace sp::payments::recon {

inline constexpr const char* kFdrPullKind = "payments.fdr_pull";

struct PullReport {
  std::int64_t listed = 0;
  std::int64_t skipped = 0;  // latest revision already recorded
  std::int64_t recorded = 0;
  std::int64_t replaced = 0;
  std::int64_t unchanged = 0;
  std::int64_t ignored = 0;
  std::int64_t refused = 0;
  std::vector<std::string> errors;  // "<body>: <code> <detail>" per failure; the other flows still go on
};

// One body (its fiscal code is the organisation id); the flows are imported as `who` (the job's system
// actor, or the staff member who asked from the reconciliation page).
PullReport pull_flows(ReconciliationService& recon, db::Database& db, const pagopa::fdr::Client& client,
                      tenants::TenantId tenant, const std::string& fiscal_code,
                      const Actor& who = SystemActor{"pagopa-fdr"});
// A staff member's "download the flows now": refused (nothing fetched) unless `who` may import for the
// body; otherwise pull_flows for the body's creditor fiscal code.
Result<PullReport> pull_flows_as(ReconciliationService& recon, db::Database& db,
                                 const pagopa::fdr::Client& client, const Actor& who,
                                 tenants::TenantId tenant);
// Every creditor body of the hub.
PullReport pull_all(ReconciliationService& recon, db::Database& db, const pagopa::fdr::Client& client);

// Registers the hourly job; `recon` and `client` must outlive the runner's use of them.
void register_fdr_pull_job(jobs::Runner& runner, ReconciliationService& recon, db::Database& db,
                           const pagopa::fdr::Client& client);

}  // namespace sp::payments::recon
