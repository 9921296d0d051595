#pragma once
// Stored files: uploads (attachments of applications, documents registered in the protocol) kept per
// tenant, with the type read from the content, a SHA-256, and an id nobody can guess. Rows are never
// changed or deleted: a document may be a legal record.
#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace sp::files {

using TenantId = std::int64_t;  // the same as tenants::TenantId; files sits below the tenants module

struct StoredFile {
  std::string id;  // 32 random bytes, URL-safe base64 (43 characters): safe to show in a link
  TenantId tenant_id = 0;
  std::string file_name;  // as the user named it, sanitised (no folders, no control characters)
  std::string mime_type;  // detected from the content (libmagic), not what the client declared
  std::int64_t size = 0;  // bytes
  std::string sha256;     // lower-case hex of the content
  time::TimePoint created_at;
};

// What a caller accepts for one upload (a form field, an API operation).
struct Limits {
  std::int64_t max_size = 20 * 1024 * 1024;  // bytes
  // Detected types accepted: exact ("application/pdf"), "image/*", or "*/*" for anything (the default:
  // a registry takes whatever arrives; forms list what each field accepts). An empty list accepts nothing.
  std::vector<std::string> allowed_types = {"*/*"};
  // Content a browser could run (HTML, SVG, XHTML, scripts: files::is_active_media_type) is refused
  // unless the caller says it must keep it. A registry must register what arrives, so protocollo sets
  // this (and such documents are only ever served as inert attachments); citizens upload PDFs and images,
  // and an "image/*" field must not let an SVG with a script in.
  bool keep_active_content = false;
};

// Where a file's bytes live: in its row, or in the storage directory (content-addressed by SHA-256).
enum class Storage { database, directory };

}  // namespace sp::files
