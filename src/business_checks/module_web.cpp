#include "business_checks/module_web.hpp"

namespace sp::business_checks {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity, cases::Module& cases,
                                business_register::ClientOptions client) {
  auto m = std::make_unique<Module>();
  m->client = std::make_unique<business_register::Client>(std::move(client));
  m->checks =
      std::make_unique<BusinessCheckService>(d.db, d.audit, d.clock, *m->client, *cases.cases, d.i18n);
  m->web = std::make_unique<WebDeps>(
      WebDeps{d.view(), *m->checks, *cases.cases, d.tenants(), identity.actor_names.get()});
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::business_checks
