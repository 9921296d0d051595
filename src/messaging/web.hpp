#pragma once
// Pages of the messaging module (issue 17):
//   /area-personale/messaggi                     the person's messages at every body, each with its state,
//                                                and their channel per message type (form)
//   /area-personale/messaggi/{id}                one message and each delivery attempt
//   POST /area-personale/messaggi/preferenze     saves the channel choices
//   /backoffice/{slug}/messaggi[?stato=]         the body's messages (backoffice permission)
//   /backoffice/{slug}/messaggi/{id}             one message, its attempts; POST .../riprova, .../annulla
//   /backoffice/{slug}/modelli-messaggi          the body's texts per type and language (its
//                                                administrators: customise_forms); POST saves one,
//                                                POST .../ripristina goes back to the hub's text
// Works without JavaScript; texts in web/locales/{it,en}/messaging.json.
#include "http/router.hpp"
#include "messaging/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::messaging {

struct WebDeps {
  web::View& view;
  MessagingService& messaging;
  tenants::TenantService& tenants;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::messaging
