#pragma once
// What the business register says about who represents a business, for delegations
// (delegation_service.hpp). The identity module owns this interface; the application implements it with
// the business register's client (adapters/business_register, docs/business-register.md).
#include <string>

namespace sp::identity {

class BusinessRepresentatives {
 public:
  virtual ~BusinessRepresentatives() = default;
  // True when the register shows the business with this partita IVA as active and `person_cf` among its
  // legal representatives; false when it does not, or cannot say (unknown business, no answer).
  virtual bool confirms_representative(const std::string& partita_iva, const std::string& person_cf) = 0;
};

}  // namespace sp::identity
