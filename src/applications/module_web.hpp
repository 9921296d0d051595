#pragma once
// Online applications installed (web/module.hpp): drafts, steps, summary and receipt with each body's
// form definitions in force, and the pages where a body changes its forms and its street list.
#include <memory>

#include "applications/forms_admin_web.hpp"
#include "applications/service.hpp"
#include "applications/web.hpp"
#include "cases/module_web.hpp"
#include "forms/module_web.hpp"
#include "http/router.hpp"
#include "identity/module_web.hpp"
#include "web/module.hpp"

namespace sp::applications {

struct Module : web::Installed {
  std::unique_ptr<ApplicationService> applications;
  std::unique_ptr<WebDeps> web;
  std::unique_ptr<FormsAdminDeps> forms_admin_web;
};

// `identity`: the assisted counter files for the citizen served, the profile prefills the forms; `cases`:
// what a sent application becomes; `forms`: the definitions in force.
std::unique_ptr<Module> install(http::Router& router, const web::ModuleDeps& deps,
                                const identity::Module& identity, const cases::Module& cases,
                                const forms::Module& forms);

}  // namespace sp::applications
