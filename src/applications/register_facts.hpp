#pragma once
// What the population register knows about an applicant, for prefill (forms/prefill.hpp: the person.*
// keys). The applications module owns this interface and the register mirror (src/anagrafe) implements
// it, so the dependency points from anagrafe to applications and never back.
#include <string>

#include "forms/context.hpp"
#include "tenants/model.hpp"

namespace sp::applications {

class RegisterFacts {
 public:
  virtual ~RegisterFacts() = default;
  // Adds the person.* facts of `cf` as the register holds them today: the record of `tenant` (the body
  // the application goes to) when it has one, else the person's record in another member body. Adds
  // nothing for a person the register does not know.
  virtual void add_person_facts(tenants::TenantId tenant, const std::string& cf, forms::Facts& facts) = 0;
};

}  // namespace sp::applications
