#pragma once
// SQL for application drafts and parked posts (migrations/*/0012_application_drafts.sql). Every query
// filters on the tenant; a draft is further looked up only together with its owner by the service.
#include <optional>
#include <string>
#include <vector>

#include "applications/model.hpp"
#include "db/database.hpp"

namespace sp::applications {

class DraftStore {
 public:
  // Inserts a new open draft. Throws db::DbError{unique_violation} when the person already has an open
  // draft for this body, service and represented party (the caller then reads that one).
  static void insert(db::Conn& tx, const Draft& d);
  static std::optional<Draft> find(db::Conn& c, tenants::TenantId tenant, const std::string& id);
  // The open draft of a person for a body's service, acting for `on_behalf_of` ("" for themselves).
  static std::optional<Draft> find_open(db::Conn& c, tenants::TenantId tenant, const std::string& owner_cf,
                                        const std::string& on_behalf_of, const std::string& service_code);
  // Saves answers, step and definition versions of an open draft and bumps its revision. Returns rows changed
  // (0: the draft is not open any more).
  static std::int64_t save(db::Conn& tx, const Draft& d, const std::string& now_iso);
  // Marks an open draft submitted with the case's data and the definition versions it was sent with.
  // Returns rows changed (0: already submitted).
  static std::int64_t mark_submitted(db::Conn& tx, const Draft& d, const std::string& now_iso);
  // A person's drafts at every body, newest first.
  static std::vector<Draft> by_owner(db::Conn& c, const std::string& owner_cf, int cap);

  // One parked post per draft: a new one replaces the previous.
  static void park(db::Conn& tx, const ParkedPost& p, const std::string& token_hash);
  // The parked post of a draft if it was made with the token of `token_hash`.
  static std::optional<ParkedPost> parked(db::Conn& c, tenants::TenantId tenant, const std::string& draft_id,
                                          const std::string& token_hash);
  static void unpark(db::Conn& tx, tenants::TenantId tenant, const std::string& draft_id);
};

}  // namespace sp::applications
