#include "db/revisions.hpp"

#include <string>

namespace sp::db {

std::int64_t revision(Database& db, std::string_view name) {
  auto r = read_one(db, "SELECT revision FROM directory_revisions WHERE name = $1", {std::string(name)},
                    [](const Row& row) { return row.i64(0); });
  return r.value_or(0);
}

}  // namespace sp::db
