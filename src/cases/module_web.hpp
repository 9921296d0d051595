#pragma once
// Cases installed (web/module.hpp): what a sent application becomes (registered in the protocol in the
// same transaction), its decisions and notices, the back-office and personal-area pages.
#include <memory>

#include "cases/service.hpp"
#include "cases/web.hpp"
#include "forms/module_web.hpp"
#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "protocollo/module_web.hpp"
#include "web/module.hpp"

namespace sp::cases {

struct Module : web::Installed {
  std::unique_ptr<CaseService> cases;
  std::unique_ptr<WebDeps> web;
};

// `identity`: the notices' language (profiles), the staff a case is assigned to, the names in histories;
// `protocollo`: where a case is registered; `forms`: the labels of the answers.
std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity, const protocollo::Module& protocollo,
                                const forms::Module& forms);

}  // namespace sp::cases
