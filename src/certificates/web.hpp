#pragma once
// Certificate pages (service.hpp has the rules):
//   GET  /{slug}/certificati                          the form (type, about whom: the person or a member of
//                                                     their household as ANPR knows it, purpose) and the
//                                                     person's certificates at the body
//   POST /{slug}/certificati/anteprima                ANPR's preview (or its refusal, with a clear message);
//                                                     then: pay the stamp duty, or pick an exemption
//   POST /{slug}/certificati                          the request → 303 to its page
//   GET  /{slug}/certificati/{token}                  its state: the notice to pay (the payments portal's
//                                                     own form), issued (download), refused (why)
//   GET  /{slug}/certificati/{token}/certificato.pdf  ANPR's PDF, byte for byte
//   GET  /sportello-assistito/certificati/{slug}      counter operators: issue for anyone registered in ANPR
//   POST /sportello-assistito/certificati/{slug}      (requester, type, subject, exemption), the body's list
//   GET  /sportello-assistito/certificati/{slug}/{token}/certificato.pdf
#include "certificates/service.hpp"
#include "http/router.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::certificates {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  CertificateService& certificates;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::certificates
