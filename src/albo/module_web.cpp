#include "albo/module_web.hpp"

#include "albo/tick_job.hpp"

namespace sp::albo {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity, protocollo::Module& protocollo) {
  auto m = std::make_unique<Module>();
  m->albo = std::make_unique<AlboService>(d.db, d.clock, d.files, *protocollo.protocol, d.i18n);
  register_tick_job(d.jobs, *m->albo);
  std::string url = d.config.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  m->web =
      std::make_unique<WebDeps>(WebDeps{d.view(), *m->albo, d.tenants(), url, identity.actor_names.get()});
  register_pages(router, *m->web);
  register_api(router, *m->web);
  m->upload_prefixes = {"/backoffice/*/albo/nuova", "/api/v1/backoffice/*/albo/pubblicazioni"};
  return m;
}

}  // namespace sp::albo
