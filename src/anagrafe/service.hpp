#pragma once
// The register mirror's rules (docs/anagrafe.md).
//
// - Imports (docs/population-format.md) are read as a stream and written in batches of `batch_size`
//   rows, one transaction each, through the database's single writer: the hub keeps serving, and a
//   process killed halfway leaves every version whole or absent. A version already kept is never
//   changed: loading it again is `unchanged`, a different one with the same codice fiscale and
//   data_variazione is a row error (anagrafe.row.conflict). A row of another comune is a row error
//   (anagrafe.row.other_comune): the tenant is the body importing, whose istat_code must match.
// - Who: the body's registry office (Permission::manage_register: office managers and administrators),
//   or a system actor (the command line, the demo). Each run is audited (anagrafe.import) on the body's
//   chain with its counts.
// - Reading: a person's version in force today (Europe/Rome), the history, the household, a person's
//   own records across member bodies (the citizen's area: their own data and their household's only).
//
// Errors: auth.required (401), forbidden (403), anagrafe.no_istat (the body has no ISTAT code),
// anagrafe.file.* (the whole file), not_found.
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "anagrafe/model.hpp"
#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"
#include "tenants/service.hpp"

namespace sp::anagrafe {

struct ImportOptions {
  std::size_t batch_size = 2000;  // rows per transaction
};

// Who runs an import: a staff member (checked against manage_register) or a named system actor.
struct ImportActor {
  const identity::Principal* who = nullptr;
  std::string system;  // "cli-import", "demo": used when `who` is null
};

// A person's own record in one body: the version in force and the household's current members
// (themselves included), the head first.
struct OwnRecord {
  std::int64_t tenant_id = 0;
  PersonVersion person;
  std::vector<PersonVersion> household;
};

class AnagrafeService {
 public:
  AnagrafeService(db::Database& db, audit::AuditService& audit, const tenants::TenantService& tenants,
                  const time::Clock& clock)
      : db_(db), audit_(audit), tenants_(tenants), clock_(clock) {}

  // Ok when `who` may import into and read the register of `tenant` (manage_register).
  static Status may_manage(const identity::Principal* who, tenants::TenantId tenant);

  Result<ImportReport> import(const ImportActor& actor, tenants::TenantId tenant, Format format,
                              const std::string& file_name, std::istream& in,
                              const ImportOptions& options = {});

  // ANPR's change notifications of the period [from, to] (local times; anpr_sync.hpp fetches them): each
  // is a new version of the person, through the import (actor system "anpr-4005": checked, append-only,
  // in the body's audit chain). The same notification twice changes nothing (skipped by ANPR's id; and a
  // version already kept is `unchanged`); one about another comune's resident is refused
  // (anagrafe.row.other_comune), as is one whose content is not a population line
  // (anagrafe.notification.format). The poll is recorded, so the next starts at `to`.
  Result<SyncReport> apply_notifications(tenants::TenantId tenant, const std::string& from,
                                         const std::string& to, const std::vector<AnprNotification>& list);
  // Where the next poll starts: the end of the latest one, nullopt before the first.
  std::optional<std::string> last_poll_end(tenants::TenantId tenant);

  // Today in Europe/Rome, as YYYY-MM-DD: the day "current" means.
  [[nodiscard]] std::string today() const;

  std::optional<PersonVersion> current(tenants::TenantId tenant, const std::string& cf);
  std::vector<PersonVersion> history(tenants::TenantId tenant, const std::string& cf);
  // The household's members today (cancelled people and those who moved to another household left out).
  std::vector<PersonVersion> household(tenants::TenantId tenant, const std::string& id_famiglia);
  // The records of a codice fiscale in every member body where it is a resident today.
  std::vector<OwnRecord> records_of(const std::string& cf);
  // The current versions of a codice fiscale in every body (cancelled ones too), without households.
  std::vector<Residence> residences(const std::string& cf);
  // The signed-in person's own records (personal_area): their codice fiscale is the session's subject.
  Result<std::vector<OwnRecord>> own_records(const identity::Principal* who);

  std::vector<Street> streets(tenants::TenantId tenant);
  // The codici fiscali of the body's residents today, in code order (alerts to the population); only
  // those living on one of `streets` ("VIA ROMA") when it is not empty.
  std::vector<std::string> residents(tenants::TenantId tenant, const std::vector<std::string>& streets);
  RegisterCounts counts(tenants::TenantId tenant);
  std::vector<ImportRun> imports(tenants::TenantId tenant, int limit = 20);
  Result<std::pair<ImportRun, std::vector<RowError>>> import_detail(const identity::Principal* who,
                                                                    tenants::TenantId tenant,
                                                                    std::int64_t import_id);
  // True when no body has any version yet (the demo seeds its residents then).
  bool empty();

 private:
  db::Database& db_;
  audit::AuditService& audit_;
  const tenants::TenantService& tenants_;
  const time::Clock& clock_;
};

}  // namespace sp::anagrafe
