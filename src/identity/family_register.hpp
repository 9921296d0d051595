#pragma once
// What the population register says about a family, for delegations (delegation_service.hpp). The
// identity module owns this interface and the register mirror (src/anagrafe) implements it, so the
// dependency points from anagrafe to identity and never back.
#include <string>

#include "tenants/model.hpp"

namespace sp::identity {

class FamilyRegister {
 public:
  virtual ~FamilyRegister() = default;
  // True when the register of `tenant` shows today `parent_cf` as the head of a household, or the head's
  // spouse, and `child_cf` as a child in the same household who is a minor.
  virtual bool confirms_minor_child(tenants::TenantId tenant, const std::string& parent_cf,
                                    const std::string& child_cf) = 0;
  // The birth date (YYYY-MM-DD) the register of any member body holds for `cf`; empty when unknown.
  virtual std::string birth_date(const std::string& cf) = 0;
};

}  // namespace sp::identity
