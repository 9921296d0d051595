#pragma once
// Business-register checks from a case, installed (web/module.hpp); the register's client is built from
// the configuration (business_register_url, business_register_token).
#include <memory>

#include "adapters/business_register/client.hpp"
#include "business_checks/service.hpp"
#include "business_checks/web.hpp"
#include "cases/module_web.hpp"
#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "web/module.hpp"

namespace sp::business_checks {

struct Module : web::Installed {
  std::unique_ptr<business_register::Client> client;
  std::unique_ptr<BusinessCheckService> checks;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity, cases::Module& cases,
                                business_register::ClientOptions client);

}  // namespace sp::business_checks
