#pragma once
// The citizen's payments area and the body's staff pages of debt positions (issue 13).
//
// Personal area (a person signed in; everything else about them is decided by PortalService):
//   GET  /area-personale/pagamenti                           open positions of every body, grouped by body;
//                                                             history with receipts; spontaneous services
//                                                             (?scelti=slug:nav,... ticks those notices)
//   POST /area-personale/pagamenti                           "Paga con pagoPA": the ticked notices (1-5)
//                                                             → 303 to Checkout, or the page again with them
//   GET  /area-personale/pagamenti/carrello/{id}             the cart's outcome, from the station's receipts
//                                                             (?esito= only says whether to give up)
//   POST /area-personale/pagamenti/carrello/{id}             pay the same notices again (a new cart)
//   GET  /area-personale/pagamenti/{slug}/{iuv}/avviso.pdf   notice of an open position of the person's
//   GET  /area-personale/pagamenti/{slug}/{iuv}/ricevuta.pdf receipt of a paid option of the person's
//   GET/POST /area-personale/pagamenti/spontanei/{slug}/{code} a spontaneous payment: amount (and pupil)
//                                                             → the position, then the area with it ticked
// Another person's notice, receipt or cart answers 404, as a missing one.
//
// Back office (staff of the body with Permission::backoffice, which PaymentsService checks again):
//   GET  /backoffice/{slug}/pagamenti                        positions: ?stato, cf, avviso (IUV or notice
//                                                             number), testo, pagina
//   GET  /backoffice/{slug}/pagamenti/servizi-spontanei     the body's spontaneous-payment services
//   POST /backoffice/{slug}/pagamenti/servizi-spontanei     add one or change the one of the same code
//                                                             (office managers and administrators)
//   GET  /backoffice/{slug}/pagamenti/{id}                 a position: options, transfers, receipts
//   POST /backoffice/{slug}/pagamenti/{id}                 invalidate (asks for confirmation first)
//   GET  /backoffice/{slug}/pagamenti/{id}/avviso.pdf
//   GET  /backoffice/{slug}/pagamenti/{id}/ricevuta/{iuv}  the receipt PDF of a paid option
// Another body's staff get 404 (the guard's 403 page is not shown, so that a body's positions are not
// even confirmed to exist).
#include "http/router.hpp"
#include "identity/actor_names.hpp"
#include "payments/portal_service.hpp"
#include "payments/service.hpp"
#include "stamp/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::payments {

struct PortalDeps {
  web::View& view;
  tenants::TenantService& tenants;
  PaymentsService& payments;
  PortalService& portal;
  // Checkout's page origins (CheckoutClient::page_origins), space-separated, for CSP form-action.
  std::string checkout_origins;
  // Who did what in a position's history, by name (null: the stored ids).
  identity::ActorNames* actor_names = nullptr;
  // The digital stamp on notices and receipts (docs/stamp.md); null: unstamped.
  stamp::StampService* stamps = nullptr;
};

// A notice's or receipt's PDF with the body's digital stamp: `render` is called with the stamp's block
// (or null when there is no stamp service, or the body has no stamp key yet: then the document goes out
// unstamped and a warning is logged). Each download is a copy of its own, with its own identifier.
std::string stamped_pdf(PortalDeps& d, const http::Request& req, tenants::TenantId tenant,
                        const std::string& kind, const std::string& title, const std::string& issued_by,
                        const std::function<std::string(const stamp::Block*)>& render);

void register_portal_pages(http::Router& router, PortalDeps& deps);
void register_staff_pages(http::Router& router, PortalDeps& deps);

}  // namespace sp::payments
