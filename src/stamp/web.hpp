#pragma once
// Pages of the digital stamp (docs/stamp.md):
//   GET  /verifica                 the public verification page: free, no sign-in, not indexed; with
//                                  ?id=TOKEN (typed, or an unstamped copy's short code) or the full text
//                                  of a scanned code (?v=1&id=...&s=...) it answers at once
//   POST /verifica                 an uploaded PDF (multipart, field "file"), checked and forgotten
//   GET  /backoffice/{slug}/contrassegni               the body's latest stamped documents (staff)
//   POST /backoffice/{slug}/contrassegni/{token}/revoca revocation with a reason (office managers and
//                                  administrators; the service checks and audits)
// The public page shows only what the document prints (title, body, date, protocol number, identifier)
// and the verdict; it is rate-limited per address (audit::WindowLimit: stamp.rate_limited, 429).
#include <memory>

#include "audit/throttle.hpp"
#include "http/router.hpp"
#include "stamp/service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::stamp {

struct WebDeps {
  web::View& view;
  StampService& stamps;
  tenants::TenantService& tenants;
  db::Database& db;
  audit::WindowLimit limit{30, std::chrono::seconds(60)};  // checks per address and minute
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::stamp
