#pragma once
// The albo installed (web/module.hpp): its service, the "albo.tick" job, the public board and feeds, the
// back-office pages and the JSON API.
#include <memory>

#include "albo/service.hpp"
#include "albo/web.hpp"
#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "protocollo/module_web.hpp"
#include "web/module.hpp"

namespace sp::albo {

struct Module : web::Installed {
  std::unique_ptr<AlboService> albo;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity, protocollo::Module& protocollo);

}  // namespace sp::albo
