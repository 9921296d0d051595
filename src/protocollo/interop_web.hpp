#pragma once
// The exchange of protocol messages between registry offices in the back office (protocollo/interop.hpp).
//
// Pages (staff of the body, Permission::backoffice):
//   POST     /backoffice/{slug}/protocollo/{id}/invia                  send an outgoing entry to the hub's
//                                                                      registry offices it is addressed to
//   GET      /backoffice/{slug}/protocollo/in-arrivo                   received messages (the operator's
//   queue) GET      /backoffice/{slug}/protocollo/in-arrivo/{mid}             a message: checks, documents,
//   and the
//                                                                      registration prefilled from its
//                                                                      segnatura
//   POST     /backoffice/{slug}/protocollo/in-arrivo/{mid}/registra    register it (ConfermaRicezione
//   follows) POST     /backoffice/{slug}/protocollo/in-arrivo/{mid}/rifiuta     refuse it (NotificaEccezione)
//   GET      /backoffice/{slug}/protocollo/in-arrivo/{mid}/documenti/{n}   a received file
// The entry page shows the exchange of the entry (sent, confirmed, exception, annulled) through
// exchange_view().
#include <string_view>

#include "http/router.hpp"
#include "protocollo/web.hpp"
#include "protocollo/web_support.hpp"
#include "web/view.hpp"

namespace sp::protocollo {

// The entry's exchange for its page: {exchange: [...], has_exchange, can_send, send_action, send_targets}.
void add_exchange_view(WebDeps& d, std::string_view lang, const tenants::Body& body, const Entry& e,
                       const identity::Principal* who, web::Data& page_data);
// The hub's other registry offices, for the registration form's recipient choice.
web::Data hub_office_options(WebDeps& d, const tenants::Body& body, const std::string& selected);

// The registry offices outside the hub the body trusts to call its SOAP interfaces, for the registry
// offices' page (body administrators): {soap_peers, has_soap_peers, soap_gateway, soap_endpoints,
// peer_action, f_peer_*: what was typed when adding one was refused}.
void add_soap_peers_view(WebDeps& d, std::string_view lang, const tenants::Body& body,
                         const identity::Principal* who, const Fields* form, web::Data& data);

void register_interop_pages(http::Router& router, WebDeps& d);

}  // namespace sp::protocollo
