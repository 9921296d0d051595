#pragma once
// Rules for the body pages: anyone reads a body's fields (they are public); its administrators
// (manage_staff) save new versions, checked field by field, audited in the same transaction.
//
// Errors: auth.required (401), forbidden (403), body_pages.too_long, body_pages.email,
// body_pages.phone, body_pages.url, body_pages.text (a control character), body_pages.conflict (409:
// someone saved meanwhile). Field errors name the field (Error::field).
#include <map>
#include <string>

#include "audit/service.hpp"
#include "body_pages/model.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"

namespace sp::body_pages {

using Fields = std::map<std::string, std::string, std::less<>>;

class BodyPagesService {
 public:
  BodyPagesService(db::Database& db, audit::AuditService& audit, const time::Clock& clock)
      : db_(db), audit_(audit), clock_(clock) {}

  // The newest saved fields, or empty ones (version 0) when the body never saved any.
  BodyInfo info(tenants::TenantId tenant);
  // Saves `fields` (unknown names ignored, values trimmed) as the body's next version.
  Result<BodyInfo> save(const identity::Principal* who, tenants::TenantId tenant, const Fields& fields);

  // The checks of save(), on their own; returns the cleaned fields.
  static Result<Fields> clean(const Fields& fields);

 private:
  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
};

}  // namespace sp::body_pages
