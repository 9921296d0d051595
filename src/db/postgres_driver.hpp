#pragma once
// The PostgreSQL driver: a lazily filled pool of libpq connections shared by read() and write().
// Obtained through db::open("postgresql://...").
#include <memory>
#include <string>

#include "db/database.hpp"

namespace sp::db {

std::unique_ptr<Database> open_postgres(const std::string& url, const Options& options);

}  // namespace sp::db
