#pragma once
// The reconciliation page of a body's back office (docs/reconciliation.md): staff of the body with
// Permission::backoffice; staff of another body get 404 (the page does not exist for them); anonymous
// callers are sent to the staff sign-in.
//   GET  /backoffice/{slug}/pagamenti/riconciliazione                 ?giorno=YYYY-MM-DD&psp=ID
//   GET  /backoffice/{slug}/pagamenti/riconciliazione/export.csv      the same view as CSV
//   POST /backoffice/{slug}/pagamenti/riconciliazione/flusso          upload a reporting flow (XML)
//   POST /backoffice/{slug}/pagamenti/riconciliazione/estratto-conto  upload a bank statement (CSV)
#include "http/router.hpp"
#include "payments/reconciliation_pull.hpp"
#include "payments/reconciliation_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::payments::recon {

struct ReconWebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  ReconciliationService& recon;
  db::Database* db = nullptr;                // for the page's "download the flows now"
  const pagopa::fdr::Client* fdr = nullptr;  // null when pagopa_fdr_url is not set: no button
};

void register_reconciliation_pages(http::Router& router, ReconWebDeps& deps);

}  // namespace sp::payments::recon
