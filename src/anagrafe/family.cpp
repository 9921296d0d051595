#include "anagrafe/family.hpp"

#include "anagrafe/prefill.hpp"

namespace sp::anagrafe {

bool RegisterFamily::confirms_minor_child(tenants::TenantId tenant, const std::string& parent_cf,
                                          const std::string& child_cf) {
  auto parent = register_.current(tenant, parent_cf);
  auto child = register_.current(tenant, child_cf);
  if (!parent || !child || parent->cancelled() || child->cancelled()) return false;
  const auto& rel = (*parent)[F::relazione_parentela];
  return (*parent)[F::id_famiglia] == (*child)[F::id_famiglia] && (rel == kHead || rel == "2") &&
         (*child)[F::relazione_parentela] == kChild && minor_on((*child)[F::data_nascita], register_.today());
}

std::string RegisterFamily::birth_date(const std::string& cf) {
  for (const auto& r : register_.residences(cf)) return r.person[F::data_nascita];
  return {};
}

}  // namespace sp::anagrafe
