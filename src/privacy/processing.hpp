#pragma once
// The records of processing activities a body keeps as controller (GDPR art. 30; docs/privacy.md): the
// hub's text per activity and service kind (data/privacy/processing.json), and each body's own changes,
// saved as versions (privacy_processing_records; the newest in force, audited). Exportable as CSV and
// JSON from the body's back office.
//
// Error codes: privacy.activity (404: no such activity), privacy.field_too_long (400; field: the field).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::privacy {

struct Activity {
  std::string code;
  std::map<std::string, std::string> text;  // "name_it", "service_kind_it", "purpose_en" ... as in force
  std::int64_t version = 0;                 // the body's version in force; 0: the hub's text
  std::string saved_at;
};

class ProcessingRecords {
 public:
  ProcessingRecords(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                    const std::string& file);
  // The editable fields ("purpose" ...); each has an _it and an _en text.
  [[nodiscard]] const std::vector<std::string>& fields() const { return fields_; }
  std::vector<Activity> for_body(std::int64_t tenant);
  // Saves the body's text of one activity (only what differs from the hub's is kept), as a new version.
  Status save(std::int64_t tenant, const std::string& staff_id, const std::string& activity,
              const std::map<std::string, std::string>& values);
  // The register as CSV (semicolons, UTF-8 with BOM) or JSON, in `lang`'s names.
  std::string csv(std::int64_t tenant, const std::string& lang);
  std::string json(std::int64_t tenant);

 private:
  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  std::vector<std::string> fields_;
  std::vector<Activity> hub_;
};

}  // namespace sp::privacy
