#pragma once
// Who acts on the platform: citizens and businesses signed in with SPID/CIE, and staff of the member
// bodies and of the hub. A Principal is what the session layer puts in each request's context.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "tenants/model.hpp"

namespace sp::identity {

enum class Role {
  citizen,           // a person signed in with SPID/CIE (acting for themselves or someone they represent)
  operator_,         // handles cases of their offices
  office_manager,    // manages an office's queue and its operators
  body_admin,        // administers one member body: staff, API keys, catalog variants
  hub_admin,         // manages the bodies and the catalog of the whole hub
  helpdesk,          // hub staff: reads help-desk tickets, never citizens' cases
  counter_operator,  // assisted channel: serves citizens at a counter on behalf of any body
  tourism_editor,    // hub staff: reviews the bodies' tourist information before it is published
};
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

enum class PrincipalKind { person, staff };

// Someone a signed-in person acts for: a minor of their family or a business they represent.
struct Represented {
  std::string kind;  // "person" or "business"
  std::string id;    // codice fiscale / partita IVA
  std::string name;
};

// A counter operator serving a citizen (assisted channel): who is served, identified how.
struct AssistedCitizen {
  std::string fiscal_code;
  std::string name;
  std::string document_type;  // e.g. "carta_identita"
  std::string document_number;
};

struct Principal {
  PrincipalKind kind = PrincipalKind::person;
  std::string subject;  // codice fiscale for people, staff account id for staff
  std::string display_name;
  tenants::TenantId tenant_id = 0;  // staff: their body (0 for hub staff); people: 0
  std::set<Role> roles;
  int auth_level = 0;      // SPID level 1..3 of the current sign-in (people); 0 for staff
  std::string session_id;  // the session's public id (not the cookie token)
  std::string csrf_token;
  std::optional<Represented> acting_for;
  std::optional<AssistedCitizen> assisting;

  [[nodiscard]] bool has(Role r) const { return roles.count(r) > 0; }
  [[nodiscard]] bool is_staff() const { return kind == PrincipalKind::staff; }
};

}  // namespace sp::identity
