#include "selfdecl/module_web.hpp"

#include "web/context.hpp"

namespace sp::selfdecl {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d, anagrafe::Module& register_,
                                stamp::Module& stamps) {
  auto m = std::make_unique<Module>();
  m->declarations = std::make_unique<SelfDeclService>(d.db, d.audit, d.clock, d.i18n, d.tenants(),
                                                      *register_.register_, *stamps.stamps, d.files);
  m->web = std::make_unique<WebDeps>(WebDeps{d.view(), d.tenants(), *m->declarations});
  register_pages(router, *m->web);
  // The catalog's service leads here: its page offers it online, and its "apply" link is this flow.
  auto previous = d.services.online_form;
  d.services.online_form = [previous](std::string_view code) {
    return code == kCatalogService || (previous && previous(code));
  };
  router.get(std::string("/{slug}/servizi/") + kCatalogService + "/domanda", [](http::Request& req) {
    return web::see_other("/" + req.param("slug") + "/autocertificazioni");
  });
  return m;
}

}  // namespace sp::selfdecl
