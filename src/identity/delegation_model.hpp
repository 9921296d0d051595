#pragma once
// A delegation (a person acting for a minor of their family or for a business) and its event log.
#include <cstdint>
#include <optional>
#include <string>

#include "tenants/model.hpp"

namespace sp::identity {

struct Delegation {
  std::string id;
  tenants::TenantId tenant_id = 0;  // the confirming body
  std::string principal_cf;         // who acts
  std::string kind;                 // "person" | "business"
  std::string represented_id;       // codice fiscale of the minor / partita IVA
  std::string represented_name;
  std::string relation;  // parent, guardian | legale_rappresentante, titolare, amministratore, procuratore
  std::string state;     // pending | confirmed | rejected | revoked
  std::string declared_at;
  std::optional<std::string> decided_by;
  std::optional<std::string> decided_at;
  std::optional<std::string> reason;
  std::optional<std::string> revoked_at;
};

struct DelegationEvent {
  std::int64_t id = 0;
  std::string delegation_id;
  std::string at;
  std::string actor_kind;
  std::string actor_id;
  std::string channel;
  std::string event;  // declared | confirmed | rejected | revoked
  std::string state;
  std::optional<std::string> reason;
};

}  // namespace sp::identity
