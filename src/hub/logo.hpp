#pragma once
// A body's logo (docs/hub.md, "Logo"): a PNG, JPEG or WebP picture of at most 1 MB, recognised by its
// content with the dimensions its header declares (files/picture.hpp: an SVG, which can carry scripts,
// is refused), kept in the file store under the body with a name of our own (the browser's is never kept),
// shown in the body's portal header (/{slug}/stemma) and on its letters' heading when it is a PNG (the
// PDF renderer draws PNG only).
//
// Who: the body's administrators (manage_staff on the body) and the hub's (manage_hub). Errors:
// forbidden (403), files.* (field "logo": empty, too large, not a picture, unreadable dimensions),
// hub.logo_missing (404: removing a logo the body does not have).
#include <optional>
#include <string>
#include <string_view>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/picture.hpp"
#include "files/service.hpp"
#include "hub/model.hpp"
#include "hub/store.hpp"
#include "identity/model.hpp"

namespace sp::hub {

class LogoService {
 public:
  static constexpr std::int64_t kMaxBytes = 1024 * 1024;
  static files::PictureLimits limits() { return {kMaxBytes, 4000}; }

  LogoService(db::Database& db, time::Clock& clock, files::FileService& files, audit::AuditService& audit)
      : db_(db), clock_(clock), files_(files), audit_(audit), store_(db) {}

  // The body's new logo, replacing the current one. Audited (body.logo_set: type, size, dimensions).
  Result<Logo> set(const identity::Principal* who, tenants::TenantId tenant, std::string_view bytes);
  Status remove(const identity::Principal* who, tenants::TenantId tenant);
  std::optional<Logo> current(tenants::TenantId tenant) { return store_.logo(tenant); }
  // The current logo and its bytes (checked against their SHA-256 by the file store); nullopt: none.
  Result<std::optional<std::pair<Logo, std::string>>> content(tenants::TenantId tenant);

  // The guided onboarding: a picture kept under the hub (tenant 0) for a body not made yet, checked as
  // a logo is; returns the stored file's id (the draft's logo_file_id). Hub administrators only.
  Result<std::string> keep_for_draft(const identity::Principal* who, std::string_view bytes);
  // Makes the draft's picture the new body's logo (read back from the hub's files and checked again).
  // Nothing to do when `file_id` is empty or the body already has a logo.
  Status adopt(const identity::Principal* who, tenants::TenantId tenant, const std::string& file_id);

 private:
  Status authorize(const identity::Principal* who, tenants::TenantId tenant);

  db::Database& db_;
  time::Clock& clock_;
  files::FileService& files_;
  audit::AuditService& audit_;
  HubStore store_;
};

}  // namespace sp::hub
