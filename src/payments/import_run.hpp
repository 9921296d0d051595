#pragma once
// Importing debt positions from a file (CSV: import_csv.hpp; JSON: import_json.hpp), all or nothing
// (docs/payments.md, "Importing positions"):
//   1. the file is read as a stream and every position checked (the service's validate(), IUPDs and
//      given IUVs unique in the file and not already the body's); each gets a row in the report;
//   2. only when no position was refused, and not a dry run, the file is read again and every position
//      created in ONE transaction (PaymentsService::create in the caller's transaction, audited one by
//      one): a refusal there (a concurrent creation took an IUPD) rolls every position back.
// Memory grows with the report (a few dozen bytes a position) and the set of keys, never with the
// positions: at most one is held at a time. The IUV counter's row stays locked until the import commits
// (PostgreSQL): other creations of the same body wait for it.
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/i18n.hpp"
#include "payments/import_csv.hpp"
#include "payments/service.hpp"

namespace sp::payments {

enum class ImportFormat { csv, json };
std::optional<ImportFormat> parse_import_format(std::string_view s);

struct ImportOptions {
  ImportFormat format = ImportFormat::csv;
  bool dry_run = false;
  bool publish = false;                // GPD toPublish: VALID at once (or PUBLISHED until validityDate)
  std::size_t max_positions = 100000;  // more: import.too_many
};

// valid: checked, dry run; imported; invalid: refused (its error); not_imported: fine, but another was not.
enum class ImportOutcome { valid, imported, invalid, not_imported };
std::string_view to_string(ImportOutcome o);

struct ImportRow {
  std::size_t row = 0;  // CSV: line of the position's first row (the header is line 1); JSON: its place
  std::size_t error_row = 0;
  std::string iupd;
  std::size_t options = 0;
  ImportOutcome outcome = ImportOutcome::valid;
  std::optional<Error> error;
};

struct ImportReport {
  bool dry_run = false;
  bool imported = false;
  std::size_t positions = 0;
  std::size_t options = 0;
  Cents total = 0;
  std::size_t refused = 0;
  std::optional<Error> file_error;  // the file could not be read as a whole (header, syntax)
  std::vector<ImportRow> rows;
  double check_seconds = 0;
  double import_seconds = 0;
};

class PositionImport {
 public:
  PositionImport(db::Database& db, time::Clock& clock, PaymentsService& payments)
      : db_(db), clock_(clock), payments_(payments) {}

  // `open` gives the file from its start (called once to check, once more to import). Errors:
  // payments.creditor (the body is no creditor), forbidden; everything about the file is in the report.
  Result<ImportReport> run(const Actor& who, tenants::TenantId tenant, const ImportOptions& options,
                           const std::function<std::unique_ptr<std::istream>()>& open);

 private:
  db::Database& db_;
  time::Clock& clock_;
  PaymentsService& payments_;
};

// The report as JSON ({"dryRun", "imported", "positions", "options", "totalCents", "refused", "rows":
// [{"row", "iupd", "options", "outcome", "error", "message", "field"}]}), as CSV (row;iupd;options;outcome;
// error;field;message, ';'-separated like the input), or as text for a terminal; messages in `lang`.
boost::json::object import_report_json(const ImportReport& r, const I18n& i18n, const std::string& lang);
void write_import_report_csv(std::ostream& out, const ImportReport& r, const I18n& i18n,
                             const std::string& lang);
void write_import_report_text(std::ostream& out, const ImportReport& r, const I18n& i18n,
                              const std::string& lang);

}  // namespace sp::payments
