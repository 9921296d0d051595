#pragma once
// POST /api/v1/backoffice/{slug}/pagopa/debt-positions/import   payments:write
// The file is the raw request body (as every call of this API reads its body): CSV (Content-Type
// text/csv, or ?format=csv) or JSON (application/json, or ?format=json), import_run.hpp. Query:
// dryRun=true checks only; toPublish=true publishes what it creates; report=json (default) or csv.
// 200 imported (or a dry run passed), 422 nothing imported, with the per-position report; another
// body's key 403.
#include "http/router.hpp"
#include "payments/import_run.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::payments {

struct ImportDeps {
  web::View& view;
  tenants::TenantService& tenants;
  PositionImport& import;
};

void register_import_api(http::Router& router, ImportDeps& deps);

}  // namespace sp::payments
