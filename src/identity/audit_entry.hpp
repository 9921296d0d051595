#pragma once
// The audit entry of something a signed-in principal (or a system actor standing in for one) did to
// a record of `tenant`'s, on the web channel: what staff and API-key administration record.
#include <string>
#include <variant>

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

// A program acting on a body's behalf (e.g. "cases" for applications submitted online, "api-key:<id>" for
// another system of the body calling the API, the pagoPA station). It is trusted: whoever builds one has
// checked access (for an API key: its body and scope).
struct SystemActor {
  std::string name;
};
// Who asks a module's service for a change: staff (the service checks their permission) or a trusted program.
using Actor = std::variant<const Principal*, SystemActor>;

// The audit entry of a change made by `who`: staff on the web channel; a program on the API channel when
// it is an API key ("api-key:<id>"), on the system channel otherwise.
inline audit::Entry entry_by(const Actor& who, tenants::TenantId tenant, std::string action,
                             std::string record_type, std::string record_id, std::string details = "{}") {
  if (const auto* staff = std::get_if<const Principal*>(&who)) {
    return entry_by(**staff, tenant, std::move(action), std::move(record_type), std::move(record_id),
                    std::move(details));
  }
  const auto& program = std::get<SystemActor>(who);
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = audit::ActorKind::system;
  e.actor_id = program.name;
  e.channel = program.name.rfind("api-key:", 0) == 0 ? audit::Channel::api : audit::Channel::system;
  e.action = std::move(action);
  e.record_type = std::move(record_type);
  e.record_id = std::move(record_id);
  e.details = std::move(details);
  return e;
}

}  // namespace sp::identity
