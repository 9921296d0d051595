#pragma once
// The form definitions installed (web/module.hpp): data/forms loaded into the database (a changed file
// is a new version), each body's changes to them, and what the catalog pages may offer online. Their
// administration pages belong to applications (applications/forms_admin_web.hpp).
#include <memory>

#include "forms/definitions_service.hpp"
#include "web/module.hpp"

namespace sp::forms {

struct Module : web::Installed {
  std::unique_ptr<DefinitionsService> definitions;
};

// Throws when a definition under share_dir/data/forms is broken (the start stops).
std::unique_ptr<Module> install(const web::ModuleDeps& deps);

}  // namespace sp::forms
