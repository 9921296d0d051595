#pragma once
// Pages (docs/export.md): /backoffice/esportazioni (hub administrators: every body, Permission::manage_hub)
// and /backoffice/{slug}/esportazione (a body's administrators: their own body, Permission::manage_staff):
// the exports made, a button that queues one (the job export.body writes it under <files_dir>/exports), and
// each finished export's manifest to download. Leaving the hub is not here: it is `sportello leave body`.
#include <string>

#include "export/service.hpp"
#include "http/router.hpp"
#include "jobs/runner.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::body_export {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  BodyExportService& exports;
  jobs::Runner& runner;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::body_export
