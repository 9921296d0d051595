#pragma once
// The hub's members installed (web/module.hpp, docs/hub.md): packages and credits, onboarding a body,
// their pages and API. Installed after the modules that deliver services (forms, certificates,
// self-declarations say what the hub takes online; payments which bodies are pagoPA creditors).
#include <memory>

#include "http/router.hpp"
#include "hub/logo.hpp"
#include "hub/onboarding.hpp"
#include "hub/service.hpp"
#include "hub/web.hpp"
#include "identity/module_web.hpp"
#include "payments/module_web.hpp"
#include "protocollo/module_web.hpp"
#include "web/module.hpp"

namespace sp::hub {

struct Module : web::Installed {
  std::unique_ptr<PackagesService> packages;
  std::unique_ptr<OnboardingService> onboarding;
  std::unique_ptr<LogoService> logos;
  std::unique_ptr<WebDeps> web;
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity, const protocollo::Module& protocollo,
                                const payments::Module& payments);

}  // namespace sp::hub
