#pragma once
// The alerts module installed (web/module.hpp): the service, its fan-out job kind and its pages.
#include <memory>

#include "alerts/service.hpp"
#include "alerts/web.hpp"
#include "anagrafe/module_web.hpp"
#include "cases/module_web.hpp"
#include "forms/module_web.hpp"
#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "web/module.hpp"

namespace sp::alerts {

struct Module : web::Installed {
  std::unique_ptr<AlertService> alerts;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity, const anagrafe::Module& anagrafe,
                                const cases::Module& cases, const forms::Module& forms);

}  // namespace sp::alerts
