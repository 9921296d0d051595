#pragma once
// Delegation pages and API:
//   GET/POST /area-personale/deleghe                 a person's delegations: declare a minor or a business,
//                                                    switch "acting for", withdraw
//   GET      /backoffice/{slug}/deleghe              the body's queue of pending declarations (staff)
//   GET/POST /backoffice/{slug}/deleghe/{id}         one declaration: history, confirm/reject/revoke
//   GET      /api/v1/backoffice/{slug}/deleghe/{id}  the same as JSON, with an API key of that body
//                                                    (scope deleghe:read); 401 without a key, 403 otherwise
// Refusals (403) are audited as "access.denied" on the chain of the delegation's body.
#include "http/router.hpp"
#include "identity/delegation_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::identity {

struct DelegationWebDeps {
  web::View& view;
  DelegationService& delegations;
  tenants::TenantService& tenants;
};

void register_delegation_pages(http::Router& router, DelegationWebDeps& deps);

}  // namespace sp::identity
