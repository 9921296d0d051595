#pragma once
// Per-flow checks of a pagoPA reporting flow while it streams (issue 13, "Reconciliation"), in memory
// bounded by a constant: counters and sums in integer cents here, duplicate detection in a RowStaging
// table (reporting_store.hpp). Vocabulary in reporting_model.hpp and docs/reconciliation.md.
//
// Checks:
//  - numeroTotalePagamenti against the rows read (header_count_wrong);
//  - importoTotalePagamenti against their sum, exact cents, revoked rows per RevokedPolicy
//    (header_total_wrong);
//  - a second IUV + IUR + index in the same flow (duplicate_rows; the row is duplicate_row and is not
//    counted again per outcome);
//  - istitutoRicevente's codiceIdentificativoUnivoco against the expected creditor's fiscal code, when
//    one is given (wrong_receiver);
//  - a flow that is not well-formed or not valid against the schema is malformed, and nothing else about
//    it is reported as found.
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "payments/reporting_model.hpp"
#include "payments/reporting_reader.hpp"
#include "payments/reporting_store.hpp"

namespace sp::payments::reporting {

struct ReconcileOptions {
  std::optional<std::string> expected_receiver;  // the creditor body's fiscal code
  RevokedPolicy revoked = RevokedPolicy::gross;
};

// The checks, fed by hand (tests) or by reconcile_flow_file.
class FlowChecker {
 public:
  FlowChecker(ReconcileOptions options, RowStaging& staging)
      : options_(std::move(options)), staging_(staging) {}
  Status header(const FlowHeader& header);
  Result<RowStatus> row(const FlowRow& row);
  // Ends the flow and decides its problems.
  Result<FlowReport> finish();
  // Marks the flow malformed (the reader's error) and ends it.
  FlowReport fail(const Error& error, std::int64_t line);

 private:
  ReconcileOptions options_;
  RowStaging& staging_;
  FlowReport report_;
};

// Streams `path` through the reader and the checks. A malformed or invalid file gives a report whose
// verdict is malformed (with the error and its line); only a staging failure is an error.
// `on_row`, when given, hears every row with its status (duplicate_row or its outcome).
Result<FlowReport> reconcile_flow_file(const std::string& path, const FlowSchema& schema,
                                       const ReconcileOptions& options, RowStaging& staging,
                                       const std::function<void(const FlowRow&, RowStatus)>& on_row = {});

}  // namespace sp::payments::reporting
