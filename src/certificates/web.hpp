#pragma once
// Certificate pages (service.hpp has the rules):
//   GET  /{slug}/certificati                          the form (type, about whom: the person or a member of
//                                                     their household as ANPR knows it, purpose) and the
//                                                     person's certificates at the body; 403 with the
//                                                     reason for someone not resident there
//   POST /{slug}/certificati/anteprima                ANPR's preview (or its refusal, with a clear message);
//                                                     then: pay the stamp duty, or pick an exemption
//   POST /{slug}/certificati                          the request → 303 to its page
//   GET  /{slug}/certificati/{token}                  its state: the notice to pay (the payments portal's
//                                                     own form), issued (download), refused (why)
//   GET  /{slug}/certificati/{token}/certificato.pdf  ANPR's PDF, byte for byte
//   GET  /sportello-assistito/certificati             counter operators: the comuni (the counter serves every
//                                                     member body); ?ente={slug}: the form and the list
//   POST /sportello-assistito/certificati             ente, requester, type, subject, exemption, means of
//                                                     the diritti (cash/pos): issued at once, the diritti
//                                                     recorded as collected
//   GET  /sportello-assistito/certificati/{token}/certificato.pdf?ente={slug}
//   GET  /sportello-assistito/certificati/{token}/ricevuta?ente={slug}   the diritti's receipt (printable)
//   GET  /backoffice/{slug}/certificati[?giorno=YYYY-MM-DD]  diritti, refunds due, the day's counter takings
#include "certificates/service.hpp"
#include "http/router.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::certificates {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  CertificateService& certificates;
  // pagoPA Checkout's page origins (payments' PortalDeps): the "pay" form posts to the payments portal,
  // which redirects to Checkout, and browsers apply CSP form-action to that redirect too.
  std::string checkout_origins;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::certificates
