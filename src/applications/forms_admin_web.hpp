#pragma once
// The body administrator's pages for the hub's forms (issue 5; docs/forms.md, "A body's changes"):
//   GET      /backoffice/moduli                  → the signed-in staff member's own body's list
//   GET      /backoffice/{slug}/moduli           the hub's forms: offered online here?, hub version, the
//                                                 body's overlay version; link to the street list
//   GET/POST /backoffice/{slug}/moduli/{code}     texts of every field (Italian and English), the lists the
//                                                 hub leaves to the body, a field to add after a chosen one,
//                                                 a preview drawn by the citizen's form renderer, the history
//                                                 with "restore" (POST azione = salva | anteprima |
//                                                 ripristina)
//   GET/POST /backoffice/{slug}/stradario         the body's street list, imported as text or a file
// Reading: the body's office staff (Permission::backoffice). Saving: its administrators
// (Permission::customise_forms). Another body's staff get 403, an unknown body or form 404.
// They live here, not in src/forms, because the preview uses the application pages' view model
// (web_view_model.hpp) and templates: the forms engine stays below the applications module.
#include "catalog/service.hpp"
#include "forms/definitions_service.hpp"
#include "http/router.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::applications {

struct FormsAdminDeps {
  web::View& view;
  forms::DefinitionsService& definitions;
  tenants::TenantService& tenants;
  catalog::CatalogService& catalog;
};

void register_forms_admin_pages(http::Router& router, FormsAdminDeps& deps);

// The street list page also takes a file upload (a city's list is larger than a form's body limit).
inline constexpr const char* kStreetsUploadPrefix = "/backoffice/*/stradario";

}  // namespace sp::applications
