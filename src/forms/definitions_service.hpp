#pragma once
// Form definitions in force (issue 5): the hub's definitions, versioned in the database from the JSON files
// of data/forms, and each body's overlay on them (overlay.hpp), edited by the body's administrators.
//
//  - load_dir() runs at server start: a file whose bytes changed since its newest stored version becomes a
//    new version (the file's "version" when higher, else the next number); an unchanged file adds nothing.
//    The stored version is the Definition's `version` from then on (drafts and cases record it).
//  - effective() is the body's definition: the newest hub version with the body's newest overlay applied.
//    It is cached by those version numbers, which one small query reads on every call, so a save on any
//    server node is seen at once by all (and a save here drops the older entries).
//  - at() reads back the exact definition a draft or case was filled with (hub version + overlay version).
//  - An overlay save is a new version; going back to an earlier version saves it again. Overlays are
//    checked with apply_overlay; refusals are forms.overlay (400) and nothing is stored.
//  - The body's street list: imported as text (one street per line, or "code;name"), replacing the
//    previous list; suggested in every address field and enforced where the field has "check_street".
//
// Permissions: saving (overlays, streets) needs Permission::customise_forms (the body's administrators);
// reading the history and the lists needs Permission::backoffice (the body's office staff). effective()
// and at() are for the citizen's pages and take no principal.
//
// Errors: forms.schema / forms.file (loading), forms.overlay (400), forms.overlay_stale (409: someone
// saved a newer version since the page was shown), forms.unknown (404: no hub definition has this code),
// forms.streets (400: the street list text has a fault; detail = line), auth.required, forbidden.
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "forms/definition_store.hpp"
#include "forms/model.hpp"
#include "identity/model.hpp"

namespace sp::forms {

// A body's definition in force.
struct Effective {
  std::shared_ptr<const Definition> def;  // the hub's with the overlay applied; version = hub version
  std::shared_ptr<const Definition> hub;  // the hub's alone
  int hub_version = 0;
  int overlay_version = 0;         // 0: the body has no overlay (or it no longer applies, below)
  boost::json::object overlay;     // the overlay applied ({} when none)
  int stored_overlay_version = 0;  // the body's newest overlay, applied or not
  std::optional<Error> stale;      // the newest overlay does not apply to the hub version in force
  std::shared_ptr<const std::vector<std::string>> streets;  // the body's street names (never null)
};

struct LoadReport {
  int files = 0;
  std::vector<std::string> new_versions;  // "code v2" for each version stored now
};

// Who saves: a staff member (checked) or the program itself (demo seed, imports).
struct Author {
  std::string id;  // staff account id or "system:<what>"
  std::string name;
};

class DefinitionsService {
 public:
  DefinitionsService(db::Database& db, time::Clock& clock);

  // Every *.json of `dir` (a definition failing its checks stops the load: forms.schema / forms.file).
  Result<LoadReport> load_dir(const std::filesystem::path& dir);

  // The codes of the hub's definitions, sorted.
  std::vector<std::string> codes();
  // The hub's definition in force for `code`; null when none.
  std::shared_ptr<const Definition> hub(const std::string& code);

  // The body's definition in force. forms.unknown when the hub has no definition for `code`.
  Result<Effective> effective(tenants::TenantId tenant, const std::string& code);
  // A definition as it was: hub version + overlay version (0: none). Null when either is unknown or the
  // overlay does not apply.
  std::shared_ptr<const Definition> at(tenants::TenantId tenant, const std::string& code, int hub_version,
                                       int overlay_version);

  // Saves `overlay` as the body's next version. `expected` is the newest version the editor saw (0: none);
  // when another version was saved since: forms.overlay_stale. Errors also forms.overlay, forms.unknown.
  Result<OverlayVersion> save_overlay(const identity::Principal* who, tenants::TenantId tenant,
                                      const std::string& code, boost::json::object overlay, int expected);
  // The same from a whole edited definition (derive_overlay: removals and rule changes refused).
  Result<OverlayVersion> save_edited(const identity::Principal* who, tenants::TenantId tenant,
                                     const std::string& code, const boost::json::object& edited,
                                     int expected);
  // Saves an earlier version again as the newest.
  Result<OverlayVersion> restore(const identity::Principal* who, tenants::TenantId tenant,
                                 const std::string& code, int version, int expected);
  // Without a permission check: for the demo seed and importers run by the operator.
  Result<OverlayVersion> save_as(const Author& author, tenants::TenantId tenant, const std::string& code,
                                 boost::json::object overlay, int expected,
                                 std::optional<int> restored_from = {});

  // Every saved version, newest first (Permission::backoffice).
  Result<std::vector<OverlayVersion>> history(const identity::Principal* who, tenants::TenantId tenant,
                                              const std::string& code);
  // form code → newest overlay version (Permission::backoffice).
  Result<std::map<std::string, int>> overlay_versions(const identity::Principal* who,
                                                      tenants::TenantId tenant);

  // Street list.
  Result<StreetListInfo> street_info(const identity::Principal* who, tenants::TenantId tenant);
  Result<std::vector<Street>> street_list(const identity::Principal* who, tenants::TenantId tenant);
  // Replaces the list with `text` (one street per line, or "code;name"; a first line "codice;nome" or
  // "code;name" is a header and skipped). Returns the new count. An empty text empties the list.
  Result<int> import_streets(const identity::Principal* who, tenants::TenantId tenant, std::string_view text);
  Result<int> import_streets_as(const Author& author, tenants::TenantId tenant, std::string_view text);
  // Whether the body ever imported a street list (for the demo seed).
  bool has_streets(tenants::TenantId tenant);
  // Parses a street list text (forms.streets on a fault: a line too long, too many lines).
  static Result<std::vector<Street>> parse_streets(std::string_view text);

  static constexpr std::size_t kMaxStreets = 30000;

 private:
  std::shared_ptr<const Definition> hub_version(const std::string& code, int version);
  std::shared_ptr<const std::vector<std::string>> streets_at(tenants::TenantId tenant, std::int64_t revision);
  std::string now_iso() const;

  db::Database& db_;
  time::Clock& clock_;
  std::mutex mutex_;
  // Immutable entries keyed by their versions: a newer version is a new key, so nothing goes stale.
  std::map<std::pair<std::string, int>, std::shared_ptr<const Definition>> hubs_;
  std::map<std::tuple<tenants::TenantId, std::string, int, int>, Effective> effective_;
  std::map<tenants::TenantId, std::pair<std::int64_t, std::shared_ptr<const std::vector<std::string>>>>
      streets_;
};

}  // namespace sp::forms
