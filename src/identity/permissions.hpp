#pragma once
// Who may do what, decided in the service layer (pages and API handlers call these too, but a page
// check is never the only one). A refusal names the permission and is written to the audit log by the
// caller.
#include <string_view>

#include "core/result.hpp"
#include "identity/model.hpp"

namespace sp::identity {

enum class Permission {
  personal_area,       // a signed-in person's own area and profile
  backoffice,          // a body's back office (queues, records) — staff of that body
  confirm_delegation,  // confirm a declared family relation — staff of that body
  manage_staff,        // a body's staff accounts and roles — its administrators
  manage_api_keys,     // a body's API keys — its administrators
  read_audit,          // a body's audit log — its administrators and office managers
  manage_hub,          // bodies and catalog of the hub — hub administrators
  helpdesk,            // help-desk tickets — hub help-desk agents (never citizens' cases)
  counter,             // assisted channel — counter operators, towards any body of the hub
  review_tourism,      // publish or send back the bodies' tourist information — the hub's editors (not its
                       // administrators: a distinct role)
  annul_protocol,      // annul a protocol registration — a body's office managers and administrators
  customise_forms,     // a body's changes to the hub's forms, its street list and its albo act types — its
                       // administrators
  manage_payments,     // a body's debt positions, creditor settings and reconciliation imports — its office
                       // managers and administrators (operators see positions; a case's fee is the system's)
  publish_albo,        // publish acts on a body's albo pretorio — its staff
  manage_albo,         // annul publications, record outages, confirm relate, open forgotten records —
                       // a body's office managers and administrators
  manage_register,     // a body's population register mirror (imports, residents) — its registry office:
                       // office managers and administrators
};
std::string_view to_string(Permission p);

// Ok, or auth.required (401) for anonymous callers, or forbidden (403). `target` is the body whose data
// is at stake (0 for hub-level actions); it comes from the record or the URL, and must match the staff
// member's own body unless the permission is hub-wide by nature.
Status authorize(const Principal* who, Permission what, tenants::TenantId target);

}  // namespace sp::identity
