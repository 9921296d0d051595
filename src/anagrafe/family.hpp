#pragma once
// The register mirror as the delegations' family check (identity/family_register.hpp).
#include "anagrafe/service.hpp"
#include "identity/family_register.hpp"

namespace sp::anagrafe {

class RegisterFamily final : public identity::FamilyRegister {
 public:
  explicit RegisterFamily(AnagrafeService& register_) : register_(register_) {}
  bool confirms_minor_child(tenants::TenantId tenant, const std::string& parent_cf,
                            const std::string& child_cf) override;
  std::string birth_date(const std::string& cf) override;

 private:
  AnagrafeService& register_;
};

}  // namespace sp::anagrafe
