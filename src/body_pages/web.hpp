#pragma once
// Pages: each body's contacts, privacy notice, accessibility statement and legal notes
// (/{slug}/contatti, /{slug}/privacy, /{slug}/accessibilita, /{slug}/note-legali), the hub's own at
// /contatti, /privacy, /accessibilita, /note-legali, linked from every footer; and the body
// administrators' editor at /backoffice/{slug}/pagine-pubbliche.
#include "body_pages/service.hpp"
#include "http/router.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::body_pages {

struct WebDeps {
  web::View& view;
  BodyPagesService& pages;
  tenants::TenantService& tenants;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::body_pages
