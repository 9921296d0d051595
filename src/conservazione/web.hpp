#pragma once
// Pages and API of preservation (docs/conservazione.md):
//   GET  /backoffice/{slug}/conservazione                   the body's packages: class, object, state,
//                                                           attempts, due day, receipt (registry managers:
//                                                           Permission::annul_protocol)
//   GET  /backoffice/{slug}/conservazione/{id}              one package: its index and every answer
//   POST /backoffice/{slug}/conservazione/{id}/riprova      send a rejected/failed package again now
//   GET  /backoffice/{slug}/conservazione/impostazioni      the classes the body preserves (administrators:
//   POST /backoffice/{slug}/conservazione/impostazioni      Permission::manage_staff)
//   GET  /api/v1/backoffice/{slug}/conservazione/pacchetti  the packages as JSON (API key, protocollo:read)
#include "conservazione/service.hpp"
#include "http/router.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::jobs {
class Runner;
}

namespace sp::conservazione {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  ConservazioneService& service;
  jobs::Runner& runner;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::conservazione
