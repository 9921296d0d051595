#include "stamp/module_web.hpp"

namespace sp::stamp {

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& d) {
  auto m = std::make_unique<Module>();
  m->stamps = std::make_unique<StampService>(d.db, d.audit, d.clock, d.i18n, d.tenants(),
                                             StampOptions{d.config.keys_dir, d.config.public_url});
  m->web = std::make_unique<WebDeps>(d.view(), *m->stamps, d.tenants(), d.db);
  register_pages(router, *m->web);
  m->upload_prefixes = {"/verifica"};  // a PDF to check may be larger than an ordinary request
  return m;
}

}  // namespace sp::stamp
