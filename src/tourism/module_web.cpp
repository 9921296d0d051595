#include "tourism/module_web.hpp"

namespace sp::tourism {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d,
                                const identity::Module& identity) {
  auto m = std::make_unique<Module>();
  m->tourism = std::make_unique<TourismService>(d.db, d.audit, d.clock, &d.files);
  std::string url = d.config.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  m->web =
      std::make_unique<WebDeps>(WebDeps{d.view(), *m->tourism, d.tenants(), url, identity.actor_names.get()});
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::tourism
