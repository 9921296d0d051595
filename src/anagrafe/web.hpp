#pragma once
// Pages of the register mirror (docs/anagrafe.md):
//   GET  /backoffice/{slug}/anagrafe                    the registry office: counts, imports, a person's
//                                                       versions (?cf=), the upload form (manage_register)
//   POST /backoffice/{slug}/anagrafe/importa            an upload (multipart, file + format) → the report
//   GET  /backoffice/{slug}/anagrafe/importazioni/{id}  an import's report: counts and refused rows
//   GET  /area-personale/anagrafe                       "I miei dati anagrafici": own and household data,
//                                                       with "Segnala un errore" (kErrorReportService)
#include "anagrafe/service.hpp"
#include "catalog/service.hpp"
#include "http/router.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::anagrafe {

struct WebDeps {
  web::View& view;
  AnagrafeService& register_;
  tenants::TenantService& tenants;
  catalog::CatalogService& catalog;  // whether a body takes register error reports online
};

// The catalog service through which a resident reports an error in their register data: an application
// (data/forms/rettifica-dati-anagrafici.json) that becomes a case for the body's registry office.
inline constexpr const char* kErrorReportService = "rettifica-dati-anagrafici";

inline constexpr const char* kUploadPrefix = "/backoffice/*/anagrafe/importa";

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::anagrafe
