#pragma once
// Pages and API of the help desk (docs/helpdesk.md):
//   /backoffice/{slug}/assistenza              the body's tickets and the knowledge base's search (?q=)
//   /backoffice/{slug}/assistenza/nuova        a new ticket (shows matching answers before it is sent)
//   /backoffice/{slug}/assistenza/{id}         a ticket of the body: history without notes, reply
//   /hub/assistenza                            the agents' queue, sorted by time left, breaches marked
//   /hub/assistenza/nuova                      a ticket logged from a phone call, for a body
//   /hub/assistenza/risposte                   the knowledge base: answers published, a new one
//   /hub/assistenza/{id}                       a ticket: reply, note, assign, state, priority, category,
//                                              redact
//   GET /api/v1/backoffice/{slug}/assistenza/{id}  a body's ticket for its programs (scope helpdesk:read)
#include "helpdesk/service.hpp"
#include "http/router.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::helpdesk {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  HelpdeskService& helpdesk;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::helpdesk
