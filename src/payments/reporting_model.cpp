#include "payments/reporting_model.hpp"

namespace sp::payments::reporting {

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::executed:
      return "executed";
    case Outcome::revoked:
      return "revoked";
    case Outcome::stand_in:
      return "stand_in";
    case Outcome::stand_in_without_rpt:
      return "stand_in_without_rpt";
    case Outcome::without_rpt:
      return "without_rpt";
  }
  return "executed";
}

std::optional<Outcome> parse_outcome_code(std::string_view code) {
  if (code.size() != 1) return std::nullopt;
  switch (code[0]) {
    case '0':
      return Outcome::executed;
    case '3':
      return Outcome::revoked;
    case '4':
      return Outcome::stand_in;
    case '8':
      return Outcome::stand_in_without_rpt;
    case '9':
      return Outcome::without_rpt;
    default:
      return std::nullopt;
  }
}

std::size_t outcome_slot(Outcome o) {
  for (std::size_t i = 0; i < kOutcomes.size(); ++i)
    if (kOutcomes[i] == o) return i;
  return 0;
}

std::string_view to_string(FlowProblem p) {
  switch (p) {
    case FlowProblem::malformed:
      return "malformed";
    case FlowProblem::wrong_receiver:
      return "wrong_receiver";
    case FlowProblem::header_count_wrong:
      return "header_count_wrong";
    case FlowProblem::header_total_wrong:
      return "header_total_wrong";
    case FlowProblem::duplicate_rows:
      return "duplicate_rows";
  }
  return "malformed";
}

std::string_view to_string(RowStatus s) {
  switch (s) {
    case RowStatus::executed:
      return "executed";
    case RowStatus::revoked:
      return "revoked";
    case RowStatus::stand_in:
      return "stand_in";
    case RowStatus::stand_in_without_rpt:
      return "stand_in_without_rpt";
    case RowStatus::without_rpt:
      return "without_rpt";
    case RowStatus::duplicate_row:
      return "duplicate_row";
  }
  return "executed";
}

RowStatus row_status(Outcome o) {
  switch (o) {
    case Outcome::executed:
      return RowStatus::executed;
    case Outcome::revoked:
      return RowStatus::revoked;
    case Outcome::stand_in:
      return RowStatus::stand_in;
    case Outcome::stand_in_without_rpt:
      return RowStatus::stand_in_without_rpt;
    case Outcome::without_rpt:
      return RowStatus::without_rpt;
  }
  return RowStatus::executed;
}

std::optional<RevokedPolicy> parse_revoked_policy(std::string_view s) {
  if (s == "gross") return RevokedPolicy::gross;
  if (s == "net") return RevokedPolicy::net;
  return std::nullopt;
}

std::string_view FlowReport::verdict() const {
  return problems.empty() ? std::string_view("ok") : to_string(problems.front());
}

std::string_view to_string(Revision r) {
  switch (r) {
    case Revision::new_flow:
      return "new";
    case Revision::replaces:
      return "replaces";
    case Revision::ignored:
      return "ignored";
  }
  return "new";
}

Revision decide_revision(std::optional<time::TimePoint> known, time::TimePoint incoming) {
  if (!known) return Revision::new_flow;
  return incoming > *known ? Revision::replaces : Revision::ignored;
}

}  // namespace sp::payments::reporting
