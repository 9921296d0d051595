#pragma once
// The self-declarations installed (web/module.hpp): the service (register mirror, digital stamp, files),
// the pages (web.hpp), and the catalog's autocertificazione service leading to them.
#include <memory>

#include "anagrafe/module_web.hpp"
#include "http/router.hpp"
#include "selfdecl/service.hpp"
#include "selfdecl/web.hpp"
#include "stamp/module_web.hpp"
#include "web/module.hpp"

namespace sp::selfdecl {

struct Module : web::Installed {
  std::unique_ptr<SelfDeclService> declarations;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                anagrafe::Module& register_, stamp::Module& stamps);

}  // namespace sp::selfdecl
