#pragma once
// Reconciliation against the database (issue 13; docs/reconciliation.md).
//
// Rules:
//  - A flow is imported for the body whose fiscal code is its istitutoRicevente; another body's flow is
//    refused (wrong_receiver), and so is a malformed one, one whose header count or total is wrong, or
//    one with duplicate rows: a report, nothing recorded.
//  - A flow is kept with its original XML, header and rows (append-only). A later dataOraFlusso of the
//    same flow id (same PSP) is a new revision superseding the one recorded; an equal or earlier one is
//    ignored; the very same document again is unchanged. Nothing is recorded in either case.
//  - Rows are staged and matched in one statement against receipts, their transfers and the positions'
//    transfers (RowResult); the result is stored with the row.
//  - A bank statement (CSV, bank_statement_csv.hpp) is kept as uploaded with its movements; the same file
//    again is refused (bank_statement.duplicate), a movement already imported is skipped.
//  - Staff need Permission::backoffice on the body; programs (the CLI, the FdR pull) act as SystemActor.
// Errors: payments.creditor (the body is no pagoPA creditor), fdr.schema, bank_statement.*, forbidden.
#include <memory>
#include <optional>
#include <string>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "db/database.hpp"
#include "payments/reconciliation_model.hpp"
#include "payments/reporting_reader.hpp"
#include "payments/service.hpp"

namespace sp::payments::recon {

struct StatementImport {
  std::int64_t statement_id = 0;
  std::int64_t movements = 0;  // recorded
  std::int64_t skipped = 0;    // already imported from another statement (same bank reference)
  std::int64_t pagopa = 0;     // recorded credits whose remittance names a flow id
  std::int64_t matched = 0;    // of which a flow of the body has that id
};

class ReconciliationService {
 public:
  // `xsd_path`: the flow schema (reporting::default_schema_path), loaded at the first import.
  ReconciliationService(db::Database& db, const time::Clock& clock, PaymentsService& payments,
                        std::string xsd_path);

  Result<FlowImport> import_flow(const Actor& who, tenants::TenantId tenant, const std::string& xml,
                                 FlowSource source);
  Result<StatementImport> import_statement(const Actor& who, tenants::TenantId tenant,
                                           const std::string& file_name, const std::string& csv);
  // Ok when `who` may import flows and statements for the body (manage_payments, or a system actor).
  Status may_import(const Actor& who, tenants::TenantId tenant);
  // The body's creditor fiscal code: the organisation id the FdR API knows it by.
  Result<std::string> creditor_fiscal_code(tenants::TenantId tenant);
  // The day's view; no day: the latest settlement date with a flow (or today, in Rome).
  Result<DayView> day(const Actor& who, tenants::TenantId tenant, std::optional<time::Date> day,
                      const std::string& psp, std::int64_t row_limit = 2000);

 private:
  Result<std::shared_ptr<const reporting::FlowSchema>> schema();

  db::Database& db_;
  const time::Clock& clock_;
  PaymentsService& payments_;
  audit::AuditService audit_;
  std::string xsd_path_;
  std::shared_ptr<const reporting::FlowSchema> schema_;
};

}  // namespace sp::payments::recon
