#pragma once
// The help desk installed (web/module.hpp, docs/helpdesk.md): its service, the retention job and the
// pages of the bodies' staff (/backoffice/{slug}/assistenza) and of the hub's agents (/hub/assistenza).
#include <memory>

#include "helpdesk/service.hpp"
#include "helpdesk/web.hpp"
#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "web/module.hpp"

namespace sp::helpdesk {

struct Module : web::Installed {
  std::unique_ptr<HelpdeskService> helpdesk;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity);

}  // namespace sp::helpdesk
