#pragma once
// The audit entry of something a signed-in principal (or a system actor standing in for one) did to
// a record of `tenant`'s, on the web channel: what staff and API-key administration record.
#include <string>

#include "audit/model.hpp"
#include "identity/model.hpp"

namespace sp::identity {

inline audit::Entry entry_by(const Principal& caller, tenants::TenantId tenant, std::string action,
                             std::string record_type, std::string record_id, std::string details = "{}") {
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = caller.is_staff() ? audit::ActorKind::staff : audit::ActorKind::system;
  e.actor_id = caller.subject;
  e.channel = audit::Channel::web;
  e.action = std::move(action);
  e.record_type = std::move(record_type);
  e.record_id = std::move(record_id);
  e.details = std::move(details);
  return e;
}

}  // namespace sp::identity
