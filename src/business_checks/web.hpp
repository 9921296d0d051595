#pragma once
// The business-register check of a case (docs/business-register.md):
//   GET/POST /backoffice/{slug}/pratiche/{id}/registro-imprese   the form, the answer, the checks made.
#include "business_checks/service.hpp"
#include "cases/service.hpp"
#include "http/router.hpp"
#include "identity/actor_names.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::business_checks {

struct WebDeps {
  web::View& view;
  BusinessCheckService& checks;
  cases::CaseService& cases;
  tenants::TenantService& tenants;
  identity::ActorNames* names = nullptr;  // who checked, by name (null: the ids)
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::business_checks
