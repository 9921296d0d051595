#pragma once
// SQL for sessions. Times are ISO 8601 UTC text (comparable as strings) in both databases.
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "identity/model.hpp"

namespace sp::identity {

struct SessionRow {
  std::string id;
  std::string token_hash;
  PrincipalKind kind = PrincipalKind::person;
  std::string subject;
  tenants::TenantId tenant_id = 0;
  std::string roles;  // comma-separated
  int auth_level = 0;
  std::string display_name;
  std::string csrf_token;
  std::string data = "{}";
  std::string created_at;
  std::string last_seen_at;
  std::string expires_at;
  std::optional<std::string> revoked_at;
};

class SessionStore {
 public:
  explicit SessionStore(db::Database& db) : db_(db) {}
  void insert(db::Conn& tx, const SessionRow& row);
  std::optional<SessionRow> by_token_hash(const std::string& token_hash);
  void touch(const std::string& id, const std::string& now_iso);
  void update_data(db::Conn& tx, const std::string& id, const std::string& data);
  // Changes data only when it is still `old` (a concurrent change wins); returns whether it changed.
  bool replace_data(db::Conn& tx, const std::string& id, const std::string& old, const std::string& data);
  // Marks sessions revoked; returns how many.
  std::int64_t revoke(db::Conn& tx, const std::string& id, const std::string& now_iso);
  std::int64_t revoke_subject(db::Conn& tx, PrincipalKind kind, const std::string& subject,
                              const std::string& now_iso);
  std::vector<SessionRow> active_for_subject(PrincipalKind kind, const std::string& subject,
                                             const std::string& now_iso);
  // The same inside the caller's transaction (to change those sessions in it).
  std::vector<SessionRow> active_for_subject(db::Conn& tx, PrincipalKind kind, const std::string& subject,
                                             const std::string& now_iso);
  // Deletes sessions that ended before `cutoff_iso` (housekeeping).
  std::int64_t purge_ended(const std::string& cutoff_iso);

 private:
  db::Database& db_;
};

}  // namespace sp::identity
