#pragma once
// Pages (docs/privacy.md): a person's own data at /area-personale/i-miei-dati (a readable summary) and
// /area-personale/i-miei-dati.json (everything, as JSON: GDPR art. 15 and 20), only their own; a body's
// records of processing at /backoffice/{slug}/registro-trattamenti (its administrators: read, change,
// and export as .csv and .json).
#include "http/router.hpp"
#include "privacy/person_data.hpp"
#include "privacy/processing.hpp"
#include "privacy/retention.hpp"
#include "tenants/service.hpp"
#include "web/view.hpp"

namespace sp::privacy {

struct WebDeps {
  web::View& view;
  tenants::TenantService& tenants;
  PersonDataService& person;
  ProcessingRecords& records;
  audit::AuditService& audit;
  const time::Clock& clock;
  BodyRetentionService& retention;
};

void register_pages(http::Router& router, WebDeps& deps);

}  // namespace sp::privacy
