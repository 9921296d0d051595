#pragma once
// The population register mirror, installed (web/module.hpp): its service and pages.
#include <memory>

#include "anagrafe/anpr_sync.hpp"
#include "anagrafe/family.hpp"
#include "anagrafe/prefill.hpp"
#include "anagrafe/service.hpp"
#include "anagrafe/web.hpp"
#include "http/router.hpp"
#include "web/module.hpp"

namespace sp::anagrafe {

struct Module : web::Installed {
  std::unique_ptr<AnagrafeService> register_;
  std::unique_ptr<WebDeps> web;
  std::unique_ptr<RegisterPrefill> prefill;  // App gives it to the applications (person.* facts)
  std::unique_ptr<RegisterFamily> family;    // and to the delegations (family relations confirmed)
  std::unique_ptr<AnprSync> anpr_sync;       // ANPR's notifications (job anagrafe.anpr_sync)
};

std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps);

}  // namespace sp::anagrafe
