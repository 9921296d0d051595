#pragma once
// The register mirror as the applications' source of person.* prefill facts (applications/
// register_facts.hpp): the applicant's current data, address, household and minor children.
#include "anagrafe/service.hpp"
#include "applications/register_facts.hpp"
#include "tenants/service.hpp"

namespace sp::anagrafe {

class RegisterPrefill final : public applications::RegisterFacts {
 public:
  RegisterPrefill(AnagrafeService& register_, const tenants::TenantService& tenants)
      : register_(register_), tenants_(tenants) {}
  void add_person_facts(tenants::TenantId tenant, const std::string& cf, forms::Facts& facts) override;

 private:
  AnagrafeService& register_;
  const tenants::TenantService& tenants_;
};

// Whether someone born on `birth_date` (YYYY-MM-DD) is under 18 on `today` (YYYY-MM-DD): of age on the
// 18th birthday (born on 29 February: on 1 March in non-leap years).
bool minor_on(const std::string& birth_date, const std::string& today);

}  // namespace sp::anagrafe
