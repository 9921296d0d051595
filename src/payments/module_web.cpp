#include "payments/module_web.hpp"

#include "payments/reconciliation_pull.hpp"
#include "payments/service_jobs.hpp"

namespace sp::payments {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d, identity::Module& identity) {
  auto m = std::make_unique<Module>();
  m->payments = std::make_unique<PaymentsService>(d.db, d.clock);
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), d.tenants(), *m->payments});
  register_api(router, *m->web);
  register_payment_jobs(d.jobs, *m->payments);  // validity dates and fines' expiry (service_jobs.hpp)
  m->import = std::make_unique<PositionImport>(d.db, d.clock, *m->payments);
  m->import_web = std::make_unique<ImportDeps>(ImportDeps{d.view(), d.tenants(), *m->import});
  register_import_api(router, *m->import_web);  // CSV/JSON files of positions (import_run.hpp)
  m->station = std::make_unique<StationService>(d.db, d.clock, *m->payments);
  m->station_web = std::make_unique<StationDeps>(
      StationDeps{d.view(), d.tenants(), *identity.inbound, identity.inbound_options, *m->station});
  register_station(router, *m->station_web);
  m->recon = std::make_unique<recon::ReconciliationService>(
      d.db, d.clock, *m->payments, reporting::default_schema_path(d.config.share_dir));
  if (!d.config.pagopa_fdr_url.empty()) {
    m->fdr_client = std::make_unique<pagopa::fdr::Client>(
        adapters::HttpClient{},
        pagopa::fdr::ClientOptions{d.config.pagopa_fdr_url, d.config.pagopa_subscription_key, 1000, ""});
    recon::register_fdr_pull_job(d.jobs, *m->recon, d.db, *m->fdr_client);
  }
  m->recon_web = std::make_unique<recon::ReconWebDeps>(
      recon::ReconWebDeps{d.view(), d.tenants(), *m->recon, &d.db, m->fdr_client.get()});
  recon::register_reconciliation_pages(router, *m->recon_web);
  m->checkout = std::make_unique<pagopa::CheckoutClient>(d.config.pagopa_checkout_url,
                                                         d.config.pagopa_subscription_key);
  m->portal = std::make_unique<PortalService>(d.db, d.clock, *m->payments, *m->station, *m->checkout,
                                              d.config.public_url);
  std::string origins;
  for (const auto& o : m->checkout->page_origins()) origins += " " + o;
  m->portal_web = std::make_unique<PortalDeps>(
      PortalDeps{d.view(), d.tenants(), *m->payments, *m->portal, origins, identity.actor_names.get()});
  register_portal_pages(router, *m->portal_web);
  register_staff_pages(router, *m->portal_web);
  // A bulk request of 1,000 positions is larger than the default body limit.
  // Reporting flows and bank statements uploaded from the reconciliation page are files too.
  m->upload_prefixes = {"/api/v1/backoffice/*/pagopa/debt-positions/bulk",
                        "/backoffice/*/pagamenti/riconciliazione/flusso",
                        "/backoffice/*/pagamenti/riconciliazione/estratto-conto",
                        "/api/v1/backoffice/*/pagopa/debt-positions/import"};
  return m;
}

}  // namespace sp::payments
