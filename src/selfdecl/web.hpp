#pragma once
// Self-declaration pages (service.hpp has the rules):
//   GET  /{slug}/autocertificazioni                          the kinds to choose from and the person's
//                                                            declarations at the body
//   GET  /{slug}/autocertificazioni/compila?tipo=KIND        the review form, prefilled from the register
//   POST /{slug}/autocertificazioni                          issue → 303 to its page (errors: the form again,
//                                                            values kept, the message)
//   GET  /{slug}/autocertificazioni/{token}                  the declaration: download, stamp identifier
//   GET  /{slug}/autocertificazioni/{token}/autocertificazione.pdf   the stamped PDF as stored
//   GET  /area-personale/autocertificazioni                  the person's declarations at every body
//   GET  /backoffice/{slug}/autocertificazioni               the body's declarations (its staff)
//   GET  /{slug}/servizi/autocertificazione-precompilata/domanda   → 303 /{slug}/autocertificazioni
#include "http/router.hpp"
#include "selfdecl/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::selfdecl {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  SelfDeclService& declarations;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::selfdecl
