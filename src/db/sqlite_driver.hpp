#pragma once
// The SQLite driver: a pool of read-only connections for read(), the single writer for write(), and the
// background checkpointer. Obtained through db::open("sqlite:PATH").
#include <memory>
#include <string>

#include "db/database.hpp"

namespace sp::db {

std::unique_ptr<Database> open_sqlite(const std::string& path, const Options& options);

}  // namespace sp::db
