#pragma once
// Assisted counter pages (sportello assistito), for staff with the counter_operator role:
//   GET  /sportello-assistito/                   identify a citizen, or the open session (with the
//                                                correction form while nothing was filed)
//   POST /sportello-assistito/avvia              open an assisted session (CSRF from the session)
//   POST /sportello-assistito/correggi           correct the identity of the open session
//   POST /sportello-assistito/chiudi             close it → its receipt
//   GET  /sportello-assistito/ricevuta/{id}      receipt: the operator who ran it or the citizen themself
//   GET  /sportello-assistito/ricevuta/{id}/pdf  the same as a PDF (signed in); 404 for anyone else
// While a session is open the operator files applications for the citizen from any body's service page
// (applications/web.cpp).
#include <functional>
#include <string>
#include <string_view>

#include "http/router.hpp"
#include "identity/counter_receipt_pdf.hpp"
#include "identity/counter_service.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::identity {

struct CounterWebDeps {
  web::View& view;
  CounterService& counter;
  tenants::TenantService& tenants;
  // The title of a body's service in a language ("Iscrizione alla scuola primaria"), for the receipt's
  // lines; "" when unknown. Unset: lines name the body only.
  std::function<std::string(tenants::TenantId, const std::string&, std::string_view)> service_title = {};
  // Lays the receipt out as a PDF. Unset: the PDF route answers 404.
  CounterReceiptRenderer render_pdf = {};
};

void register_counter_pages(http::Router& router, CounterWebDeps& deps);

}  // namespace sp::identity
