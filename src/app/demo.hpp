#pragma once
// Loads the demo hub, bodies and catalog from data/demo/*.json (the same importer serves real
// deployments: `sportello import catalog FILE`, `sportello import bodies FILE`).
#include <string>

#include "albo/service.hpp"
#include "catalog/service.hpp"
#include "core/result.hpp"
#include "db/database.hpp"
#include "forms/definitions_service.hpp"
#include "helpdesk/service.hpp"
#include "hub/service.hpp"
#include "identity/staff_service.hpp"
#include "payments/portal_service.hpp"
#include "payments/service.hpp"
#include "protocollo/service.hpp"
#include "tenants/service.hpp"

namespace sp::app {

// Catalog: life events, areas, services. Upserts by code; errors name the entry at fault.
Status import_catalog(const std::string& path, catalog::CatalogService& catalog);
// Hub and bodies with their activations. Bodies that already exist (by slug) are left as they are.
Status import_bodies(const std::string& path, tenants::TenantService& tenants,
                     catalog::CatalogService& catalog);
// Both, from <share_dir>/data/demo, when the database has no hub yet. Returns true when it seeded.
Result<bool> seed_demo_if_empty(const std::string& share_dir, tenants::TenantService& tenants,
                                catalog::CatalogService& catalog);

// Demo staff accounts from <share_dir>/data/demo/staff.json (hub admin first, then each body's staff),
// created only when no hub administrator exists yet. Demo passwords are public: never use in production.
Status seed_demo_staff(const std::string& share_dir, tenants::TenantService& tenants,
                       identity::StaffService& staff);

// One registry office (AOO) for each body that has none: the general protocol, coded with the body's IPA
// code ("c_" + cadastral code for municipalities, as IPA does; "p_" + province for provinces; otherwise
// derived from the slug).
// A few publications on Asti's albo pretorio (and one from the union of its hills), when it has none.
Status seed_demo_albo(const std::string& share_dir, tenants::TenantService& tenants, albo::AlboService& albo);
Status seed_demo_aoos(tenants::TenantService& tenants, protocollo::ProtocolService& protocol);

// Demo bodies' own form data from <share_dir>/data/demo/forms.json: the lists the hub's definitions leave
// to the body (schools, school-bus stops) as an overlay of each form the body has not customised yet, and
// the street list of a body that has none. Plausible, but invented: never real data.
Status seed_demo_forms(const std::string& share_dir, tenants::TenantService& tenants,
                       forms::DefinitionsService& definitions);

// pagoPA demo data from <share_dir>/data/demo/payments.json: Asti as a creditor (settings), a TARI position
// (a single payment and two instalments, published) for FRRNNA78S70A479X and a traffic fine for
// CCCFBA85D03L219P notified a few days before `now`. Skipped for a body that already has creditor settings.
Status seed_demo_payments(const std::string& share_dir, tenants::TenantService& tenants,
                          payments::PaymentsService& service, time::TimePoint now);
// The spontaneous payment services of payments.json ("spontaneous": canteen top-up, school fees), added or
// updated on every start (they are settings, not records).
Status seed_demo_payment_services(const std::string& share_dir, tenants::TenantService& tenants,
                                  payments::PortalService& portal);

// A few school-canteen applications at Asti naming two of its demo schools (the parents LDRMNA90E61Z330P
// and BNCGLI92L55F205A for "rodari", on App IO; SPSGPP55P12F839I for "baussano", not on IO), so that an
// alert to a school's parents has someone to reach. Written through the case store (no protocol entry: demo
// history); skipped when they are there.
Status seed_demo_school_cases(const std::string& share_dir, tenants::TenantService& tenants,
                              db::Database& db);

// The hub's standard packages and the demo bodies' credits from <share_dir>/data/demo/packages.json, when
// the hub has no package yet. The demo bodies keep the services of bodies.json and follow the package
// packages.json names for each (recorded, not assigned: their services and credits are not replaced).
// The help desk's demo answers (data/demo/helpdesk.json), when its knowledge base is empty.
Status seed_demo_helpdesk(const std::string& share_dir, helpdesk::HelpdeskService& helpdesk);
Status seed_demo_packages(const std::string& share_dir, tenants::TenantService& tenants,
                          hub::PackagesService& packages);

}  // namespace sp::app
