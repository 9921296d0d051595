#pragma once
// SQL for the business-register checks (migration 0059).
#include <vector>

#include "business_checks/service.hpp"
#include "db/database.hpp"

namespace sp::business_checks::store {

void insert(db::Conn& tx, const Check& c);
std::vector<Check> for_case(db::Conn& c, std::int64_t tenant, const std::string& case_id);

}  // namespace sp::business_checks::store
