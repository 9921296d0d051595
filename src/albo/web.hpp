#pragma once
// The albo pretorio online on the web, in feeds and in the JSON API.
//
// Public (no sign-in; every answer carries X-Robots-Tag: noindex, nofollow, noarchive and the pages the
// robots meta tag):
//   GET  /albo                                     the hub's board: every body's publications, with search
//   GET  /albo/feed.rss  /albo/feed.atom           the hub's feeds (?tipo= for one act type)
//   GET  /{slug}/albo                              a body's board with search (tipo, ufficio, dal, al, testo)
//   GET  /{slug}/albo/feed.rss  /{slug}/albo/feed.atom   AlboPOP RSS and Atom (?tipo=)
//   GET  /{slug}/albo/{year}/{number}              a publication (410 "period ended" page once ended)
//   GET  /{slug}/albo/{year}/{number}/documenti/{n}      a document (410 page once the period ended)
//
// Back office (staff of the body: Permission::publish_albo; annulment, outages, relate confirmation,
// first number and opening a forgotten record: Permission::manage_albo):
//   GET      /backoffice/{slug}/albo                         archive with search
//   GET/POST /backoffice/{slug}/albo/nuova                   publish (multipart; personal-data warning)
//   GET      /backoffice/{slug}/albo/relate                  relate waiting for confirmation (and confirmed)
//   GET/POST /backoffice/{slug}/albo/interruzioni            outages of the board; POST records one
//   POST     /backoffice/{slug}/albo/numerazione             the year's first repertory number (the form
//                                                            shows only while the year has no publication)
//   GET/POST /backoffice/{slug}/albo/tipi                    the body's act types (administrators:
//                                                            Permission::customise_forms)
//   GET      /backoffice/{slug}/albo/{id}                    a publication, its relata, annulment form
//   POST     /backoffice/{slug}/albo/{id}/annulla
//   POST     /backoffice/{slug}/albo/{id}/relata/conferma
//   GET      /backoffice/{slug}/albo/{id}/relata.pdf
//   GET      /backoffice/{slug}/albo/{id}/avviso.pdf        notice of the start of publication
//   POST     /backoffice/{slug}/albo/{id}/apri               open a forgotten record (reason, audited)
//   GET      /backoffice/{slug}/albo/{id}/documenti/{n}
//
// API (an API key of the body: albo:read, albo:write; docs/openapi.yaml):
//   GET/POST /api/v1/backoffice/{slug}/albo/pubblicazioni       (POST takes an Idempotency-Key)
//   GET      /api/v1/backoffice/{slug}/albo/pubblicazioni/{id}
//   POST     /api/v1/backoffice/{slug}/albo/pubblicazioni/{id}/annullamento
#include <string>

#include "albo/service.hpp"
#include "http/router.hpp"
#include "identity/actor_names.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::albo {

struct WebDeps {
  web::View& view;
  AlboService& albo;
  tenants::TenantService& tenants;
  std::string public_url;  // absolute links in the feeds
  identity::ActorNames* actor_names = nullptr;
};

inline constexpr const char* kRobots = "noindex, nofollow, noarchive";

void register_pages(http::Router& router, WebDeps& deps);
void register_api(http::Router& router, WebDeps& deps);

}  // namespace sp::albo
