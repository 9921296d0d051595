#pragma once
// Pages of the hub's members (docs/hub.md):
//   /backoffice/enti                      the hub's administrators: every body's package, credits and
//                                         high-interactivity services; onboarding drafts; packages; rules
//   POST /backoffice/enti/nuovo           starts an onboarding draft
//   /backoffice/enti/bozze/{id}           the guided onboarding, one step at a time (?passo=N), resumable
//   POST /backoffice/enti/{slug}/crediti  credits given to a body
//   /backoffice/pacchetti/{code}          a standard package ("nuovo": a new one); POST /backoffice/pacchetti
//   POST /backoffice/pacchetti/regole     the credit rules
//   /backoffice/{slug}/pacchetto          a body's administrators: its package, balance, and the catalog
//                                         with add / raise / lower / remove and their cost
//   POST /api/v1/hub/bodies               onboarding by program (hub API key with scope hub:write)
#include "http/router.hpp"
#include "hub/logo.hpp"
#include "hub/onboarding.hpp"
#include "hub/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::hub {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  PackagesService& packages;
  OnboardingService& onboarding;
  std::string public_url;
  LogoService& logos;
};

void register_pages(http::Router& router, WebDeps& deps);
void register_api(http::Router& router, WebDeps& deps);

}  // namespace sp::hub
