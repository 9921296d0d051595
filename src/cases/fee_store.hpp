#pragma once
// SQL for cases' fees (case_fees, migration 0028; model.hpp CaseFee). Every query names the tenant;
// writes take the caller's transaction. Append-only apart from awaiting → paid (database triggers).
#include <optional>
#include <string>

#include "cases/model.hpp"
#include "db/database.hpp"

namespace sp::cases {

class CaseFeeStore {
 public:
  static void insert(db::Conn& tx, tenants::TenantId tenant, const CaseFee& f);
  static std::optional<CaseFee> of_case(db::Conn& c, tenants::TenantId tenant, const std::string& case_id);
  static std::optional<CaseFee> by_iupd(db::Conn& c, tenants::TenantId tenant, const std::string& iupd);
  // awaiting → paid; false when it was not awaiting (already paid: a second listener call changes nothing).
  static bool mark_paid(db::Conn& tx, tenants::TenantId tenant, const std::string& case_id,
                        const std::string& at);
};

}  // namespace sp::cases
