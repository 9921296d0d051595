#pragma once
// Payments installed (web/module.hpp): the debt positions' service and its JSON API, the station the
// pagoPA node calls (station_routes.hpp), behind identity's inbound guard, and the citizen's payments area
// with its Checkout cart and the staff pages of positions (portal_web.hpp).
#include <memory>

#include "adapters/pagopa/checkout_client.hpp"
#include "adapters/pagopa/fdr_org.hpp"
#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "payments/import_api.hpp"
#include "payments/import_run.hpp"
#include "payments/portal_service.hpp"
#include "payments/portal_web.hpp"
#include "payments/reconciliation_web.hpp"
#include "payments/service.hpp"
#include "payments/station.hpp"
#include "payments/station_routes.hpp"
#include "payments/web.hpp"
#include "web/module.hpp"

namespace sp::payments {

struct Module : web::Installed {
  std::unique_ptr<PaymentsService> payments;
  std::unique_ptr<WebDeps> web;
  std::unique_ptr<StationService> station;
  std::unique_ptr<StationDeps> station_web;
  std::unique_ptr<recon::ReconciliationService> recon;
  std::unique_ptr<recon::ReconWebDeps> recon_web;
  std::unique_ptr<pagopa::fdr::Client> fdr_client;  // when pagopa_fdr_url is set: the hourly flow pull
  std::unique_ptr<pagopa::CheckoutClient> checkout;
  std::unique_ptr<PortalService> portal;
  std::unique_ptr<PortalDeps> portal_web;
  std::unique_ptr<PositionImport> import;  // CSV/JSON files of positions (import_run.hpp)
  std::unique_ptr<ImportDeps> import_web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                identity::Module& identity);

}  // namespace sp::payments
