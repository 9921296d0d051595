#include "body_pages/module_web.hpp"

namespace sp::body_pages {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d) {
  auto m = std::make_unique<Module>();
  m->pages = std::make_unique<BodyPagesService>(d.db, d.audit, d.clock);
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), *m->pages, d.tenants()});
  register_pages(router, *m->web);
  return m;
}

}  // namespace sp::body_pages
