#pragma once
// Pages of tourist information (docs/tourism.md).
//   Public:  /turismo and /{slug}/turismo (filters: ente, categoria, tipo, dal, al), /{slug}/turismo/{id};
//            the feeds /turismo/feed.json|feed.atom and /{slug}/turismo/feed.json|feed.atom (JSON Feed 1.1
//            and Atom, RFC 4287, with the same filters); the widget /{slug}/turismo/widget (a page to
//            frame: frame-ancestors lists only the body's own origins) and /{slug}/turismo/widget.html
//            (the same list as an HTML fragment, for a server-side include).
//   Body staff: /backoffice/{slug}/turismo (list), .../turismo/nuovo, .../turismo/{id} (edit, history),
//            .../turismo/{id}/invia (submit); its administrators: /backoffice/{slug}/turismo-widget.
//   Hub editors: /backoffice/revisione-turismo and /backoffice/revisione-turismo/{slug}/{id}.
#include <string>

#include "http/router.hpp"
#include "identity/actor_names.hpp"
#include "tenants/service.hpp"
#include "tourism/service.hpp"
#include "web/view.hpp"

namespace sp::tourism {

struct WebDeps {
  web::View& view;
  TourismService& tourism;
  tenants::TenantService& tenants;
  std::string public_url;                 // absolute links in the feeds and the widget
  identity::ActorNames* names = nullptr;  // who did each step, by name (null: the ids)
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::tourism
