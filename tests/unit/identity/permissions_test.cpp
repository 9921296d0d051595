// Every role against every permission, on its own body and on another body.
#include "identity/permissions.hpp"

#include <gtest/gtest.h>

namespace {

using namespace sp::identity;

Principal staff(Role r, sp::tenants::TenantId body) {
  Principal p;
  p.kind = PrincipalKind::staff;
  p.subject = "staff-1";
  p.tenant_id = body;
  p.roles = {r};
  return p;
}

constexpr sp::tenants::TenantId kAsti = 1, kNovara = 2, kHub = 0;

TEST(Permissions, AnonymousNeedsToSignIn) {
  auto st = authorize(nullptr, Permission::personal_area, kHub);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().http_status, 401);
}

TEST(Permissions, MatrixOfRolesAgainstOwnAndOtherBody) {
  struct Case {
    Role role;
    sp::tenants::TenantId home;
    Permission what;
    sp::tenants::TenantId target;
    bool allowed;
  };
  const Case cases[] = {
      {Role::operator_, kAsti, Permission::backoffice, kAsti, true},
      {Role::operator_, kAsti, Permission::backoffice, kNovara, false},  // tenants are walls
      {Role::operator_, kAsti, Permission::manage_staff, kAsti, false},
      {Role::operator_, kAsti, Permission::confirm_delegation, kAsti, true},
      {Role::operator_, kAsti, Permission::read_audit, kAsti, false},
      {Role::office_manager, kAsti, Permission::read_audit, kAsti, true},
      {Role::office_manager, kAsti, Permission::read_audit, kNovara, false},
      {Role::operator_, kAsti, Permission::manage_payments, kAsti, false},  // operators see positions only
      {Role::office_manager, kAsti, Permission::manage_payments, kAsti, true},
      {Role::body_admin, kAsti, Permission::manage_payments, kAsti, true},
      {Role::body_admin, kAsti, Permission::manage_payments, kNovara, false},
      {Role::counter_operator, kAsti, Permission::manage_payments, kAsti, false},
      {Role::operator_, kAsti, Permission::manage_register, kAsti, false},  // the registry office only
      {Role::office_manager, kAsti, Permission::manage_register, kAsti, true},
      {Role::body_admin, kAsti, Permission::manage_register, kAsti, true},
      {Role::body_admin, kAsti, Permission::manage_register, kNovara, false},
      {Role::body_admin, kAsti, Permission::manage_staff, kAsti, true},
      {Role::body_admin, kAsti, Permission::manage_staff, kNovara, false},
      {Role::body_admin, kAsti, Permission::manage_api_keys, kAsti, true},
      {Role::body_admin, kAsti, Permission::manage_api_keys, kHub, false},  // the hub's keys are the hub's
      {Role::hub_admin, kHub, Permission::manage_api_keys, kHub, true},     // onboarding by API (docs/hub.md)
      {Role::hub_admin, kHub, Permission::manage_api_keys, kAsti, false},
      {Role::body_admin, kAsti, Permission::manage_hub, kHub, false},
      {Role::hub_admin, kHub, Permission::manage_hub, kHub, true},
      {Role::hub_admin, kHub, Permission::backoffice, kAsti,
       false},  // the hub manages bodies, not their cases
      {Role::helpdesk, kHub, Permission::helpdesk, kHub, true},
      {Role::helpdesk, kHub, Permission::backoffice, kAsti, false},  // never citizens' cases
      {Role::helpdesk, kHub, Permission::personal_area, kHub, false},
      {Role::tourism_editor, kHub, Permission::review_tourism, kHub, true},
      {Role::hub_admin, kHub, Permission::review_tourism, kHub, false},  // a role of its own
      {Role::body_admin, kAsti, Permission::review_tourism, kHub, false},
      {Role::tourism_editor, kHub, Permission::backoffice, kAsti, false},
      {Role::tourism_editor, kHub, Permission::manage_hub, kHub, false},
      {Role::counter_operator, kAsti, Permission::counter, kNovara, true},  // assisted channel crosses bodies
      {Role::counter_operator, kAsti, Permission::backoffice, kNovara, false},
      {Role::counter_operator, kAsti, Permission::backoffice, kAsti, false},
  };
  for (const auto& c : cases) {
    auto p = staff(c.role, c.home);
    auto st = authorize(&p, c.what, c.target);
    EXPECT_EQ(st.ok(), c.allowed) << to_string(c.role) << " " << to_string(c.what) << " on " << c.target;
    if (!st.ok()) {
      EXPECT_EQ(st.error().http_status, 403);
    }
  }
}

TEST(Permissions, PeopleHaveTheirAreaAndNothingOfStaff) {
  Principal citizen;
  citizen.kind = PrincipalKind::person;
  citizen.subject = "CCCFBA85D03L219P";
  citizen.roles = {Role::citizen};
  EXPECT_TRUE(authorize(&citizen, Permission::personal_area, kHub).ok());
  for (auto what : {Permission::backoffice, Permission::manage_staff, Permission::manage_hub,
                    Permission::helpdesk, Permission::counter, Permission::read_audit}) {
    EXPECT_FALSE(authorize(&citizen, what, kAsti).ok()) << to_string(what);
  }
  // A person cannot become staff by carrying a staff role in a forged principal: staff checks need kind
  // staff.
  citizen.roles.insert(Role::body_admin);
  citizen.tenant_id = kAsti;
  EXPECT_FALSE(authorize(&citizen, Permission::manage_staff, kAsti).ok());
}

}  // namespace
