#include "payments/module_web.hpp"

namespace sp::payments {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d) {
  auto m = std::make_unique<Module>();
  m->payments = std::make_unique<PaymentsService>(d.db, d.clock);
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), d.tenants(), *m->payments});
  register_api(router, *m->web);
  // A bulk request of 1,000 positions is larger than the default body limit.
  m->upload_prefixes = {"/api/v1/backoffice/*/pagopa/debt-positions/bulk"};
  return m;
}

}  // namespace sp::payments
