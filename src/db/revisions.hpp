#pragma once
// Named revisions that database triggers bump in the same transaction as a change (migration 0080:
// "tenants" for hubs and bodies, "catalog" for the catalog and the bodies' activations). A process that
// keeps such data in memory reads the revision now and then and reloads when it moved, so a change made
// by another node, a CLI command or a raw SQL statement reaches it without a restart.
#include <cstdint>
#include <string_view>

#include "db/database.hpp"

namespace sp::db {

// The revision of `name`; 0 when the row does not exist (a database not migrated that far).
std::int64_t revision(Database& db, std::string_view name);

}  // namespace sp::db
