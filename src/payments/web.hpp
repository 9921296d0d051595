#pragma once
// Payments over HTTP (docs/openapi.yaml, tag "pagoPA"):
//   GET  /api/v1/pagopa/notice-numbers/{nav}              public: is this a well-formed notice number?
//   POST /api/v1/backoffice/{slug}/pagopa/debt-positions             payments:write  one position (GPD JSON)
//   POST /api/v1/backoffice/{slug}/pagopa/debt-positions/bulk        payments:write  up to 1,000, all or
//   nothing GET  /api/v1/backoffice/{slug}/pagopa/debt-positions             payments:read   list (?status,
//   limit, page) GET  /api/v1/backoffice/{slug}/pagopa/debt-positions/{iupd}      payments:read POST
//   /api/v1/backoffice/{slug}/pagopa/debt-positions/{iupd}/publish     payments:write POST
//   /api/v1/backoffice/{slug}/pagopa/debt-positions/{iupd}/invalidate  payments:write
// An API key of the URL's body with the scope; another body's key is refused (403, audited).
#include "http/router.hpp"
#include "payments/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::payments {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  PaymentsService& payments;
};

void register_api(http::Router& router, WebDeps& deps);

}  // namespace sp::payments
