#include "payments/reporting_reconcile.hpp"

namespace sp::payments::reporting {

Status FlowChecker::header(const FlowHeader& header) {
  report_.header = header;
  report_.header_read = true;
  return staging_.begin_flow();
}

Result<RowStatus> FlowChecker::row(const FlowRow& row) {
  auto fresh = staging_.add(row);
  if (!fresh) return fresh.error();
  ++report_.rows;
  const bool subtract = row.outcome == Outcome::revoked && options_.revoked == RevokedPolicy::net;
  report_.rows_total += subtract ? -row.amount : row.amount;
  if (!*fresh) {
    ++report_.duplicates;
    return RowStatus::duplicate_row;
  }
  if (row.outcome == Outcome::revoked) report_.revoked_total += row.amount;
  ++report_.per_outcome[outcome_slot(row.outcome)];
  return row_status(row.outcome);
}

Result<FlowReport> FlowChecker::finish() {
  if (auto st = staging_.end_flow(); !st) return st.error();
  auto& p = report_.problems;
  p.clear();
  if (options_.expected_receiver && report_.header.receiver.id != *options_.expected_receiver)
    p.push_back(FlowProblem::wrong_receiver);
  if (report_.header.declared_count != report_.rows) p.push_back(FlowProblem::header_count_wrong);
  if (report_.header.declared_total != report_.rows_total) p.push_back(FlowProblem::header_total_wrong);
  if (report_.duplicates > 0) p.push_back(FlowProblem::duplicate_rows);
  return report_;
}

FlowReport FlowChecker::fail(const Error& error, std::int64_t line) {
  (void)staging_.end_flow();  // scratch space: what was staged is thrown away with the next flow
  report_.problems = {FlowProblem::malformed};
  report_.error_code = error.code;
  report_.error_detail = error.detail;
  report_.error_line = line;
  return report_;
}

Result<FlowReport> reconcile_flow_file(const std::string& path, const FlowSchema& schema,
                                       const ReconcileOptions& options, RowStaging& staging,
                                       const std::function<void(const FlowRow&, RowStatus)>& on_row) {
  FlowChecker checker(options, staging);
  std::optional<Error> staging_failure;
  FlowCallbacks callbacks;
  callbacks.on_header = [&](const FlowHeader& h) -> Status {
    if (auto st = checker.header(h); !st) {
      staging_failure = st.error();
      return st;
    }
    return Ok{};
  };
  callbacks.on_row = [&](const FlowRow& r) -> Status {
    auto status = checker.row(r);
    if (!status) {
      staging_failure = status.error();
      return status.error();
    }
    if (on_row) on_row(r, *status);
    return Ok{};
  };
  ReadFailure where;
  const Status read = read_flow_file(path, schema, callbacks, &where);
  if (staging_failure) return *staging_failure;
  Result<FlowReport> report =
      read ? checker.finish() : Result<FlowReport>(checker.fail(read.error(), where.line));
  if (report) report->file = path;
  return report;
}

}  // namespace sp::payments::reporting
