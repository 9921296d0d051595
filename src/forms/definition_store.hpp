#pragma once
// SQL for form definitions in the database (migrations/*/0013_form_definitions.sql): the hub's versions of
// each definition, the bodies' overlays (one row per save) and the bodies' street lists. Overlay and street
// queries always filter on the tenant. Rows of form_definitions and form_overlays are only ever inserted.
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::forms {

// One stored version of a hub definition.
struct HubVersion {
  std::string code;
  int version = 0;
  int file_version = 0;  // the "version" written in the file
  std::string json;      // the file's text
  std::string sha256;
  std::string loaded_at;
};

// One saved overlay of a body.
struct OverlayVersion {
  tenants::TenantId tenant_id = 0;
  std::string form_code;
  int version = 0;
  int base_version = 0;
  boost::json::object overlay;
  std::string saved_by;  // staff account id, "system:..." for the demo seed
  std::string saved_by_name;
  std::string saved_at;
  std::optional<int> restored_from;
};

struct Street {
  std::string code;  // the body's own code, may be empty
  std::string name;
};

struct StreetListInfo {
  std::int64_t revision = 0;  // 0: never imported
  int count = 0;
  std::string imported_by_name;
  std::string imported_at;
};

// The newest version numbers that decide what is in force for a body's form (0 when there is none).
struct InForce {
  int hub_version = 0;
  int overlay_version = 0;
  std::int64_t streets_revision = 0;
};

class DefinitionStore {
 public:
  // Hub definitions.
  static std::optional<HubVersion> newest_hub(db::Conn& c, const std::string& code);
  static std::optional<HubVersion> hub(db::Conn& c, const std::string& code, int version);
  // Throws db::DbError{unique_violation} when (code, version) exists (another node loaded it first).
  static void insert_hub(db::Conn& tx, const HubVersion& h);
  // Codes with at least one version, sorted.
  static std::vector<std::string> hub_codes(db::Conn& c);

  // One round trip: the newest hub version of `code`, the body's newest overlay version of it and the
  // body's street list revision.
  static InForce in_force(db::Conn& c, tenants::TenantId tenant, const std::string& code);

  // Overlays.
  static std::optional<OverlayVersion> overlay(db::Conn& c, tenants::TenantId tenant, const std::string& code,
                                               int version);
  // Throws db::DbError{unique_violation} when the version was taken by a simultaneous save.
  static void insert_overlay(db::Conn& tx, const OverlayVersion& o);
  // Every version, newest first.
  static std::vector<OverlayVersion> overlays(db::Conn& c, tenants::TenantId tenant, const std::string& code);
  // form code → newest overlay version, for the list page.
  static std::vector<std::pair<std::string, int>> newest_overlays(db::Conn& c, tenants::TenantId tenant);

  // Street lists. replace_streets deletes the body's list and writes the new one with revision + 1.
  static StreetListInfo street_info(db::Conn& c, tenants::TenantId tenant);
  static std::vector<Street> streets(db::Conn& c, tenants::TenantId tenant);
  static std::int64_t replace_streets(db::Conn& tx, tenants::TenantId tenant,
                                      const std::vector<Street>& streets, const std::string& by,
                                      const std::string& by_name, const std::string& now_iso);
};

}  // namespace sp::forms
