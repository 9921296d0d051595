#include "identity/applicant.hpp"

#include "identity/permissions.hpp"

namespace sp::identity {

std::string applicant_cf(const Principal* who) {
  if (who == nullptr) return {};
  if (who->kind == PrincipalKind::person) return who->subject;
  if (who->assisting && !who->assisting->fiscal_code.empty() &&
      authorize(who, Permission::counter, who->tenant_id)) {
    return who->assisting->fiscal_code;
  }
  return {};
}

bool applies_at_counter(const Principal* who) {
  return who != nullptr && who->is_staff() && !applicant_cf(who).empty();
}

}  // namespace sp::identity
