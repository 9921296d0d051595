#pragma once
// Pages of the statistics (issue 19; docs/statistics.md):
//   /backoffice/statistiche                the hub's dashboard across every body (hub administrators)
//   /backoffice/statistiche.csv|.json      its figures as CSV and open-data JSON
//   /backoffice/{slug}/statistiche         a body's dashboard (its administrators and office managers)
//   /backoffice/{slug}/statistiche.csv|.json
// Query: ?da=YYYY-MM&a=YYYY-MM (the window; default the last twelve months). Charts are SVG drawn on the
// server (statistics/svg_web.hpp), each in a <figure> with its data table; no JavaScript. Texts in
// web/locales/{it,en}/statistics.json, page in web/templates/statistics_dashboard.mustache.
#include "catalog/service.hpp"
#include "http/router.hpp"
#include "statistics/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::statistics {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  StatisticsService& statistics;
  catalog::CatalogService& catalog;  // the services' names
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::statistics
