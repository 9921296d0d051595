#pragma once
// Digital preservation (issue 21; docs/conservazione.md). The module makes submission packages (SIP) of
// what a body must or chooses to preserve, sends them to its preservation service (conservatore) through
// the adapter of src/adapters/conservazione, and records every answer.
//
// Rules:
// - Every daily register of protocol of every AOO gets one package (class registro_giornaliero), made by
//   the job conservazione.send as soon as the register exists (registers are made at 00:05 of the next
//   day); it is due accepted by the next working day after the register's day (core/holidays.hpp:
//   Sundays and national holidays are not working days).
// - Documents of the classes the body chose (settings; model.hpp) get a package each: the protocol's
//   documents with each day's register; decisions, the albo's relate and payment receipts from their
//   modules' records (plan_records).
// - A package is made once (UNIQUE (tenant, class, object)) with its index (sincro.hpp) stored; every
//   attempt sends the same index under the same idempotency key ("sportello-<package id>"), so the
//   conservator preserves it once however many times it arrives (a crash between sending and recording
//   the answer is reconciled by sending again: the conservator answers with its first receipt).
// - Each package's index carries the body's audit-chain head when it was made: once accepted, that head is
//   anchored outside the hub (`sportello audit verify` counts it, store::preserved_heads).
// - An answer is recorded (append-only conservazione_receipts) in the same transaction as the package's
//   new state: accepted (final), rejected or failed (sent again after a backoff: 5 min doubling to 6 h,
//   for as long as it takes; the page shows them, and a manager may send one again at once).
// - Before sending, the files are read again and checked against the digests in the index: a changed
//   register is never sent as if it were the original (the package fails with conservazione.digest).
//
// Error codes: conservazione.not_found (404, also for another body's package), conservazione.accepted
// (409: retry of an accepted package), conservazione.class (400: an unknown class), plus auth.required /
// forbidden from identity::authorize. Who: the registry's managers (Permission::annul_protocol) see the
// packages and send one again; the body's administrators (Permission::manage_staff) choose the classes.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/conservazione/client.hpp"
#include "audit/service.hpp"
#include "conservazione/model.hpp"
#include "conservazione/sincro.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "files/service.hpp"
#include "identity/model.hpp"
#include "protocollo/daily_register.hpp"
#include "protocollo/service.hpp"
#include "tenants/service.hpp"

namespace sp::conservazione {

struct RunReport {
  int planned = 0;   // packages made
  int accepted = 0;  // receipts received
  int rejected = 0;
  int failed = 0;
};

class ConservazioneService {
 public:
  ConservazioneService(db::Database& db, const time::Clock& clock,
                       protocollo::DailyRegisterService& registers, protocollo::ProtocolService& protocol,
                       tenants::TenantService& tenants, files::FileService& files, audit::AuditService& audit,
                       conservazione_wire::Client client);

  // Makes the packages that are missing (every body). Idempotent.
  int plan();
  // Sends every package due now (at most `limit`), recording each answer.
  RunReport send_due(int limit = 200);
  // What the job does: plan() then send_due().
  RunReport run();

  Result<std::vector<Package>> list(const identity::Principal* who, tenants::TenantId tenant,
                                    int limit = 200);
  Result<Package> get(const identity::Principal* who, tenants::TenantId tenant, const std::string& id);
  Result<std::vector<Receipt>> receipts(const identity::Principal* who, tenants::TenantId tenant,
                                        const std::string& id);
  // The same for a caller whose access to `tenant` is already checked (an API key of the body).
  std::vector<Package> list_for(tenants::TenantId tenant, int limit = 200);
  Status retry(const identity::Principal* who, tenants::TenantId tenant, const std::string& id);

  Result<Settings> settings(const identity::Principal* who, tenants::TenantId tenant);
  Status save_settings(const identity::Principal* who, tenants::TenantId tenant,
                       const std::vector<std::string>& classes);

  // The body's packages not accepted by their due day (the registry managers' warning on the page).
  Result<std::int64_t> overdue(const identity::Principal* who, tenants::TenantId tenant);
  // Today in Rome by the service's clock: a package due before it and not accepted is overdue.
  std::string today() const;
  // The /metrics gauge sportello_conservazione_overdue{class=…}: every body's overdue packages by class.
  static std::string overdue_metrics(db::Database& db, const std::string& today);

  // The body's registry offices' names by AOO code (the pages name a register's AOO by its name).
  std::map<std::string, std::string> aoo_names(tenants::TenantId tenant);

  static std::vector<PreservedHead> preserved_heads(db::Database& db);
  static std::chrono::seconds backoff(int attempts);

 private:
  int plan_registers(const tenants::Body& body, bool with_documents);
  int plan_records(const tenants::Body& body, const std::string& klass);
  // Makes one package (its index with the body's audit head) unless (class, object) has one; 1 if made.
  int make_package(const tenants::Body& body, const std::string& klass, const std::string& object_id,
                   const std::string& title, const std::string& volume, const std::string& description,
                   const std::string& due_day, const std::vector<IndexFile>& files);
  Result<conservazione_wire::Submission> submission(const Package& p);

  db::Database& db_;
  const time::Clock& clock_;
  protocollo::DailyRegisterService& registers_;
  protocollo::ProtocolService& protocol_;
  tenants::TenantService& tenants_;
  files::FileService& files_;
  audit::AuditService& audit_;
  conservazione_wire::Client client_;
};

}  // namespace sp::conservazione
