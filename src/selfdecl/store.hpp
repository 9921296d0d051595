#pragma once
// SQL of the self-declarations (migrations/*/0038_selfdecl.sql). The tenant is in every WHERE; rows are
// inserted once and never changed.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "selfdecl/model.hpp"

namespace sp::selfdecl::store {

void insert(db::Conn& tx, const Declaration& d);
std::optional<Declaration> by_token(db::Conn& c, std::int64_t tenant, const std::string& token);
// The declarant's declarations at the body, newest first.
std::vector<Declaration> of_declarant(db::Conn& c, std::int64_t tenant, const std::string& cf,
                                      int limit = 100);
// The declarant's own declarations at every body, newest first: their personal area (a person reads
// their own records across the member bodies, as the register's own-records page does).
std::vector<Declaration> of_declarant_everywhere(db::Conn& c, const std::string& cf, int limit = 100);
// The body's declarations, newest first (its staff's list).
std::vector<Declaration> of_body(db::Conn& c, std::int64_t tenant, int limit = 100);

}  // namespace sp::selfdecl::store
