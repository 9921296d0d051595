#pragma once
// SQL for delegations and their event log. Writes take the caller's transaction (the service puts the
// change, its event and its audit entry in one); reads open their own unless given a connection.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "identity/delegation_model.hpp"

namespace sp::identity {

class DelegationStore {
 public:
  explicit DelegationStore(db::Database& db) : db_(db) {}

  std::optional<Delegation> by_id(const std::string& id);
  // A principal's delegations, newest first.
  std::vector<Delegation> by_principal(const std::string& principal_cf);
  // A body's pending declarations, oldest first.
  std::vector<Delegation> pending(tenants::TenantId tenant);
  std::vector<DelegationEvent> events(const std::string& delegation_id);
  // Whether the principal holds a confirmed delegation for (kind, represented_id).
  bool confirmed(const std::string& principal_cf, const std::string& kind, const std::string& represented_id);

  // Whether a pending or confirmed delegation for (principal, kind, represented_id) exists.
  static bool live(db::Conn& tx, const std::string& principal_cf, const std::string& kind,
                   const std::string& represented_id);
  // A new declaration, pending.
  static void insert(db::Conn& tx, const Delegation& d);
  // Confirm or reject (state), only from `from`; false when the state had changed meanwhile.
  static bool decide(db::Conn& tx, const std::string& id, const std::string& state, const std::string& by,
                     const std::string& at, const std::string& reason, const std::string& from);
  // Revoke (by staff, with a reason) or withdraw (by the principal, reason ""), only from `from`.
  static bool revoke(db::Conn& tx, const std::string& id, const std::string& at, const std::string& reason,
                     const std::string& from);
  static void insert_event(db::Conn& tx, const DelegationEvent& e);

 private:
  db::Database& db_;
};

}  // namespace sp::identity
