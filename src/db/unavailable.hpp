#pragma once
// A database that refuses writes for now: read-only (a PostgreSQL hot standby after a failover, a database
// set default_transaction_read_only, a read-only SQLite file) or full (SQLITE_FULL, also from PRAGMA
// max_page_count; PostgreSQL's disk_full and the other "insufficient resources" states). A DbError of
// Kind::connection, like an unreachable server: the application answers both with 503 and a page that says
// the request was probably not recorded, /readyz fails (Database::ping()), HAProxy takes the node out of
// rotation, and the node comes back by itself once the database accepts writes again (see
// docs/deployment.md).
#include <string>

#include "db/database.hpp"

namespace sp::db {

struct Unavailable : DbError {
  explicit Unavailable(const std::string& msg) : DbError(Kind::connection, msg) {}
};

// True for the failures a node waits out rather than reports as a bug: unreachable or refusing writes.
inline bool is_unavailable(const std::exception& e) {
  const auto* db = dynamic_cast<const DbError*>(&e);
  return db && db->kind == DbError::Kind::connection;
}

}  // namespace sp::db
