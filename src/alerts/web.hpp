#pragma once
// Pages of the alerts module (issue 17; docs/alerts.md):
//   /backoffice/{slug}/avvisi                        the body's alerts, the cost cap (backoffice; the cap's
//                                                    form for administrators: customise_forms)
//   /backoffice/{slug}/avvisi/nuovo                  a new alert: category, title, text, segment
//   /backoffice/{slug}/avvisi/{id}                   a draft: recipients per channel, SMS cost and cap,
//                                                    confirm; afterwards: progress (refreshes itself while
//                                                    sending), pause, resume, cancel, statistics
//   POST .../{id}/conferma|pausa|riprendi|annulla, POST /backoffice/{slug}/avvisi/tetto
//   /{slug}/avvisi                                   the body's alerts and the subscription form (public)
//   /{slug}/avvisi/iscrizione/{id}                   the code sent to the address; POST confirms it
//   /{slug}/avvisi/stop?t=TOKEN                      stop receiving (GET asks, POST stops)
//   POST /inbound/{slug}/sms/ricevuti                an SMS received by the body's number (the gateway's
//                                                    callback, behind the inbound credential "sms-inbound"):
//                                                    "STOP" stops that number
//   /area-personale/avvisi                           the alerts the signed-in person received
// Works without JavaScript; texts in web/locales/{it,en}/alerts.json.
#include "alerts/service.hpp"
#include "http/router.hpp"
#include "identity/inbound_guard.hpp"
#include "identity/inbound_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::alerts {

struct WebDeps {
  web::View& view;
  AlertService& alerts;
  tenants::TenantService& tenants;
  identity::InboundService& inbound;
  identity::InboundGuardOptions inbound_options;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::alerts
