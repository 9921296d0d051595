#pragma once
// Assisted counter pages (sportello assistito), for staff with the counter_operator role:
//   GET  /sportello-assistito/               identify a citizen, or the open session and its actions
//   POST /sportello-assistito/avvia          open an assisted session (CSRF from the session)
//   POST /sportello-assistito/chiudi         close it → its receipt
//   GET  /sportello-assistito/ricevuta/{id}  printable receipt: the operator who ran it or the citizen
//                                            themself (signed in); 404 for anyone else
#include "http/router.hpp"
#include "identity/counter_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::identity {

struct CounterWebDeps {
  web::View& view;
  CounterService& counter;
  tenants::TenantService& tenants;
};

void register_counter_pages(http::Router& router, CounterWebDeps& deps);

}  // namespace sp::identity
