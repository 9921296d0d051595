#pragma once
// The protocol registry in the back office and in the JSON API.
//
// Pages (staff of the body, Permission::backoffice; the AOO page for its administrators):
//   GET      /backoffice/{slug}/protocollo                         search (year, number, dates, subject,
//                                                                  correspondent, classification) and list
//   GET/POST /backoffice/{slug}/protocollo/nuovo                   register a document (multipart upload)
//   GET      /backoffice/{slug}/protocollo/{id}                    entry, documents, segnatura, history
//   POST     /backoffice/{slug}/protocollo/{id}/annulla            annul (reason + authorising act)
//   POST     /backoffice/{slug}/protocollo/{id}/classificazione    classification, fascicolo, office
//   GET      /backoffice/{slug}/protocollo/{id}/segnatura.xml      the segnatura XML, signed (XAdES)
//   and the exchange with other registry offices: protocollo/interop_web.hpp
//   GET      /backoffice/{slug}/protocollo/{id}/documenti/{n}      a registered document's bytes
//   GET      /backoffice/{slug}/protocollo/registro-giornaliero    daily registers, with downloads:
//   GET      /backoffice/{slug}/protocollo/registro-giornaliero/{rid}/{format}   (format: pdf | json)
//   GET/POST /backoffice/{slug}/protocollo/aoo                     registry offices (body administrators)
//
// API (an API key of the body: protocollo:read to read, protocollo:write to register, annul, classify;
// described in docs/openapi.yaml):
//   GET/POST /api/v1/backoffice/{slug}/protocollo/registrazioni
//   GET      /api/v1/backoffice/{slug}/protocollo/registrazioni/{id}
//   POST     /api/v1/backoffice/{slug}/protocollo/registrazioni/{id}/annullamento
//   POST     /api/v1/backoffice/{slug}/protocollo/registrazioni/{id}/classificazione
//   GET      /api/v1/backoffice/{slug}/protocollo/registrazioni/{id}/segnatura
//   GET      /api/v1/backoffice/{slug}/protocollo/registri-giornalieri
//   GET      /api/v1/backoffice/{slug}/protocollo/registri-giornalieri/{rid}/{format}
//   GET      /api/v1/backoffice/{slug}/protocollo/aoo
#include "files/service.hpp"
#include "http/router.hpp"
#include "identity/actor_names.hpp"
#include "protocollo/daily_register.hpp"
#include "protocollo/interop.hpp"
#include "protocollo/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::protocollo {

struct WebDeps {
  web::View& view;
  ProtocolService& protocol;
  DailyRegisterService& registers;
  files::FileService& files;
  tenants::TenantService& tenants;
  identity::ActorNames* actor_names = nullptr;  // names, not ids, for who registered, annulled, changed
  InteropService* interop = nullptr;  // the signed segnatura and the exchange with other registry offices
};

void register_pages(http::Router& router, WebDeps& deps);
void register_api(http::Router& router, WebDeps& deps);

}  // namespace sp::protocollo
