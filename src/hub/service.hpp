#pragma once
// Packages and credits (issue 18, docs/hub.md). Rules:
//  - The hub defines standard packages (per kind of body and population band: services at levels, and
//    credits) and the rules every body follows: at least `min_high` and at most `max_high` services at a
//    high-interactivity level (3 online application, 4 online with payment), and what each level costs.
//  - A body's offered services are the catalog's body_services, nothing else: assigning a package and
//    every change made here write them (catalog/levels.hpp), in the same transaction as the ledger entry
//    and the audit entry; the catalog's cached pages follow at once (TenantService::reload(): their keys
//    carry the directory's version).
//  - A level is never above what the hub can deliver to that body: 1 always; 2 never (the hub has no
//    downloadable forms); 3 when the hub takes the service's applications online (a form, or a flow of its
//    own); 4 when, besides, the catalog built it with payment and the body is a pagoPA creditor.
//  - A body spends cost(new) - cost(old) credits for a change (removing gives cost(old) back); the balance
//    never goes below zero. Every change appends a dated ledger row (who, when, what, credits before and
//    after) that is never changed (database triggers), and a "package.*" audit entry on the body's chain.
// Permissions: a body's administrators see and change their own body (Permission::manage_staff, the
// permission of a body's administrators: no new enumerator, which every guarded page would recompile for);
// the hub's administrators see every body, define packages and rules, grant credits (Permission::manage_hub).
// Errors: hub.level_no_download, hub.level_no_form, hub.level_no_payment, hub.level_catalog (409: the level
// cannot be delivered), hub.max_high, hub.min_high, hub.credits (409), hub.unchanged, hub.unknown_service
// (400), hub.package (400: a package's fields), hub.package_level (400), hub.rules (400), hub.package_unknown
// (404), not_found, auth.required, forbidden.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "catalog/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "hub/model.hpp"
#include "hub/store.hpp"
#include "identity/audit_entry.hpp"
#include "identity/model.hpp"
#include "tenants/service.hpp"

namespace sp::hub {

// What the hub can deliver, asked of the modules that deliver it.
struct Capabilities {
  std::function<bool(std::string_view service_code)> online;  // applications taken online (forms, own flows)
  std::function<bool(tenants::TenantId)> creditor;            // the body is a pagoPA creditor
};

class PackagesService {
 public:
  PackagesService(db::Database& db, time::Clock& clock, tenants::TenantService& tenants,
                  catalog::CatalogService& catalog, audit::AuditService& audit, Capabilities can)
      : db_(db),
        clock_(clock),
        tenants_(tenants),
        catalog_(catalog),
        audit_(audit),
        can_(std::move(can)),
        store_(db) {}

  // What it was built with (onboarding builds another on one transaction from them).
  [[nodiscard]] const Capabilities& capabilities() const { return can_; }
  [[nodiscard]] catalog::CatalogService& catalog() const { return catalog_; }

  Rules rules() { return store_.rules(); }
  // The rules as they hold for one body: the limits on high-interactivity services its package sets, or
  // the hub's.
  Rules limits(tenants::TenantId tenant);
  // Records the package a body follows without changing its services or credits (bodies whose services
  // predate packages: the demo's).
  Status record_package(const identity::Actor& who, tenants::TenantId tenant,
                        const std::string& package_code);
  Status save_rules(const identity::Principal* who, Rules r);
  std::vector<Package> packages() { return store_.packages(); }
  std::optional<Package> package(const std::string& code) { return store_.package_by_code(code); }
  // Upsert by code; every item's level must be one the hub can deliver somewhere (not 2; 3 and 4 need the
  // service online; 4 needs the catalog's level 4). Bodies that received it earlier keep what they have.
  Result<std::int64_t> save_package(const identity::Actor& who, Package p);

  // Ok, or the error that says why the body cannot have the service at `level`.
  Status deliverable(const catalog::Service& s, tenants::TenantId tenant, int level);
  // Every catalog service as the body may have it.
  Result<std::vector<ServiceOption>> options(const identity::Principal* who, tenants::TenantId tenant);
  Result<BodyPackage> body(const identity::Principal* who, tenants::TenantId tenant);
  Result<std::vector<BodyPackage>> overview(const identity::Principal* who);
  Result<std::vector<LedgerEntry>> ledger(const identity::Principal* who, tenants::TenantId tenant,
                                          int limit = 50);

  // The body offers `code` at `level` (0: stops offering it), paying or getting back credits.
  Status change(const identity::Actor& who, tenants::TenantId tenant, const std::string& code, int level);
  // The body receives `package_code`: its services become the package's (each at the highest level the hub
  // can deliver up to the package's), its balance the package's credits. For onboarding and the hub.
  Status assign(const identity::Actor& who, tenants::TenantId tenant, const std::string& package_code);
  // Credits given (or, negative, taken back) by the hub.
  Status grant(const identity::Actor& who, tenants::TenantId tenant, std::int64_t credits,
               const std::string& note);

  [[nodiscard]] std::int64_t balance(tenants::TenantId tenant);

 private:
  std::vector<ServiceOption> options_of(tenants::TenantId tenant);
  // As options_of, from the recorded levels given (code -> level).
  std::vector<ServiceOption> options_from(tenants::TenantId tenant, const std::map<std::string, int>& stored);
  Status authorize_body(const identity::Principal* who, tenants::TenantId tenant);
  std::string now_iso() const;
  LedgerEntry next_entry(const std::optional<LedgerEntry>& last, tenants::TenantId tenant,
                         const identity::Actor& who, std::string action) const;

  db::Database& db_;
  time::Clock& clock_;
  tenants::TenantService& tenants_;
  catalog::CatalogService& catalog_;
  audit::AuditService& audit_;
  Capabilities can_;
  HubStore store_;
};

}  // namespace sp::hub
