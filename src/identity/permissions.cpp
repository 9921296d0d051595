#include "identity/permissions.hpp"

namespace sp::identity {
namespace {

bool any_of(const Principal& p, std::initializer_list<Role> roles) {
  for (auto r : roles) {
    if (p.has(r)) return true;
  }
  return false;
}

bool allowed(const Principal& p, Permission what, tenants::TenantId target) {
  const bool own_body = p.is_staff() && p.tenant_id != 0 && p.tenant_id == target;
  switch (what) {
    case Permission::personal_area:
      return p.kind == PrincipalKind::person;
    case Permission::backoffice:
    case Permission::confirm_delegation:
    case Permission::publish_albo:
      return own_body && any_of(p, {Role::operator_, Role::office_manager, Role::body_admin});
    case Permission::manage_api_keys:
      // The hub's own keys (tenant 0: onboarding bodies through the API, docs/hub.md) are its
      // administrators'.
      if (target == 0) return p.is_staff() && p.tenant_id == 0 && p.has(Role::hub_admin);
      return own_body && p.has(Role::body_admin);
    case Permission::manage_staff:
    case Permission::customise_forms:
      return own_body && p.has(Role::body_admin);
    case Permission::read_audit:
    case Permission::annul_protocol:
    case Permission::manage_payments:
    case Permission::manage_albo:
    case Permission::manage_register:
      return own_body && any_of(p, {Role::body_admin, Role::office_manager});
    case Permission::manage_hub:
      return p.is_staff() && p.tenant_id == 0 && p.has(Role::hub_admin);
    case Permission::helpdesk:
      return p.is_staff() && p.tenant_id == 0 && p.has(Role::helpdesk);
    case Permission::review_tourism:
      return p.is_staff() && p.tenant_id == 0 && p.has(Role::tourism_editor);
    case Permission::counter:
      // The assisted channel crosses bodies by design: an operator at any member body serves anyone.
      return p.is_staff() && p.has(Role::counter_operator);
  }
  return false;
}

}  // namespace

std::string_view to_string(Permission p) {
  switch (p) {
    case Permission::personal_area:
      return "personal_area";
    case Permission::backoffice:
      return "backoffice";
    case Permission::confirm_delegation:
      return "confirm_delegation";
    case Permission::manage_staff:
      return "manage_staff";
    case Permission::manage_api_keys:
      return "manage_api_keys";
    case Permission::read_audit:
      return "read_audit";
    case Permission::annul_protocol:
      return "annul_protocol";
    case Permission::customise_forms:
      return "customise_forms";
    case Permission::manage_payments:
      return "manage_payments";
    case Permission::publish_albo:
      return "publish_albo";
    case Permission::manage_albo:
      return "manage_albo";
    case Permission::manage_register:
      return "manage_register";
    case Permission::manage_hub:
      return "manage_hub";
    case Permission::helpdesk:
      return "helpdesk";
    case Permission::counter:
      return "counter";
    case Permission::review_tourism:
      return "review_tourism";
  }
  return "unknown";
}

Status authorize(const Principal* who, Permission what, tenants::TenantId target) {
  if (who == nullptr) return Error::make("auth.required", 401, std::string(to_string(what)));
  if (!allowed(*who, what, target)) return Error::make("forbidden", 403, std::string(to_string(what)));
  return Ok{};
}

}  // namespace sp::identity
