#pragma once
// The citizen's application pages (Italian URLs, work without JavaScript):
//   GET  /{slug}/servizi/{code}/domanda          start or resume the draft, then its current step
//   GET  /{slug}/domande/{draft}/passo/{step}    a step (1-based), prefilled fields marked
//   POST /{slug}/domande/{draft}/passo/{step}    save the step (always), then next/back/stay
//   GET  /{slug}/domande/{draft}/riepilogo       every visible answer, with links to change them
//   POST /{slug}/domande/{draft}/invia           validate all and send (one case per draft)
//   GET  /{slug}/domande/{draft}/ricevuta[.pdf]  the receipt: protocol number and date, deadline, answers
//   GET  /area-personale/domande                 the person's drafts and sent applications
// Every page needs the draft's owner signed in at the service's SPID level; a signed-out visitor goes
// to the sign-in page and comes back to the same page. Anyone else, and any other body's URL, gets 404.
#include "applications/service.hpp"
#include "http/router.hpp"
#include "stamp/service.hpp"
#include "web/view.hpp"

namespace sp::applications {

struct WebDeps {
  web::View& view;
  ApplicationService& applications;
  tenants::TenantService& tenants;
  bool secure_cookies = false;  // the recovery cookie gets Secure when the public URL is https
  // The digital stamp on receipts (docs/stamp.md); null, or a body without a key: unstamped (logged).
  stamp::StampService* stamps = nullptr;
};

void register_pages(http::Router& router, WebDeps& deps);
// The API channel (api.cpp): POST /api/v1/backoffice/{slug}/applications and GET .../{id}, with an API
// key of the body (scopes applications:write, applications:read).
void register_api(http::Router& router, WebDeps& deps);

// The upload path patterns of the POST routes above, for http::ServerOptions::upload_prefixes.
inline constexpr const char* kUploadPrefix = "/*/domande/*/passo/";

}  // namespace sp::applications
