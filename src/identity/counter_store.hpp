#pragma once
// SQL for assisted sessions. Writes take the caller's transaction (the service records the change's audit
// entry in the same one); reads open their own.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "identity/counter_model.hpp"

namespace sp::identity {

class CounterStore {
 public:
  explicit CounterStore(db::Database& db) : db_(db) {}

  std::optional<AssistedSession> by_id(const std::string& id);
  // The operator's session still open on this staff session (sign-in), newest first.
  std::optional<AssistedSession> open(const std::string& operator_id, const std::string& staff_session_id);
  // Every session that served the citizen, newest first.
  std::vector<AssistedSession> by_citizen(const std::string& citizen_cf);

  // The next readable number of the counter body in a year. Taken inside the insert's transaction: a
  // concurrent session that took the same one makes the unique index refuse, and the caller tries again.
  static std::int64_t next_number(db::Conn& tx, tenants::TenantId counter_tenant, int year);
  static void insert(db::Conn& tx, const AssistedSession& s);
  // The identity typed again while the session is open, only if it is still `was_cf`; false otherwise.
  static bool correct(db::Conn& tx, const std::string& id, const std::string& was_cf,
                      const CounterIdentity& c);
  // False when the session had already ended.
  static bool close(db::Conn& tx, const std::string& id, const std::string& at);

 private:
  db::Database& db_;
};

}  // namespace sp::identity
