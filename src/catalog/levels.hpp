#pragma once
// A body's offered services changed inside the caller's write transaction: the hub's packages and credits
// (src/hub, docs/hub.md) record each change in the same commit as the change itself. body_services stays
// the one truth of what a body offers; the catalog's rule holds here too (never above the level the hub
// built for the service). The caller makes cached pages follow once it committed (their keys carry the
// tenant directory's version: TenantService::reload()).
#include <map>
#include <string>

#include "core/result.hpp"
#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::catalog {

// Offers `code` at `level`, keeping the body's own fee, office and notes when it offered it already.
// Errors: not_found (no such service), catalog.activation_level (not 1..the catalog's level).
Status set_level(db::Conn& tx, tenants::TenantId tenant, const std::string& code, int level);
// Stops offering `code` (nothing when it did not). Errors: not_found.
Status withdraw(db::Conn& tx, tenants::TenantId tenant, const std::string& code);
// The body's offered services (code -> recorded level) read in the caller's write transaction, after
// taking the body's lock: its `bodies` row FOR UPDATE on PostgreSQL (SQLite's single writer already
// serialises), so two concurrent changes to one body count on each other's result.
std::map<std::string, int> levels_for_update(db::Conn& tx, tenants::TenantId tenant);

}  // namespace sp::catalog
