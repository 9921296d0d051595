#include "payments/reconciliation_model.hpp"

#include <array>
#include <utility>

namespace sp::payments::recon {
namespace {

constexpr std::array<std::pair<RowResult, std::string_view>, 7> kReconRowResults{{
    {RowResult::matched, "matched"},
    {RowResult::amount_differs, "amount_differs"},
    {RowResult::reported_no_receipt, "reported_no_receipt"},
    {RowResult::unknown_iuv, "unknown_iuv"},
    {RowResult::revoked, "revoked"},
    {RowResult::accepted_without_receipt, "accepted_without_receipt"},
    {RowResult::matched_late, "matched_late"},
}};

}  // namespace

std::string_view to_string(RowResult r) {
  for (const auto& [k, s] : kReconRowResults)
    if (k == r) return s;
  return "matched";
}

std::optional<RowResult> parse_row_result(std::string_view s) {
  for (const auto& [k, name] : kReconRowResults)
    if (name == s) return k;
  return std::nullopt;
}

bool is_anomaly(RowResult r) {
  return r == RowResult::amount_differs || r == RowResult::reported_no_receipt || r == RowResult::unknown_iuv;
}

std::string_view to_string(BankStatus s) {
  switch (s) {
    case BankStatus::cashed:
      return "cashed";
    case BankStatus::amount_differs:
      return "amount_differs";
    case BankStatus::missing:
      return "missing";
    case BankStatus::pending:
      return "pending";
  }
  return "pending";
}

bool is_anomaly(BankStatus s) {
  return s == BankStatus::amount_differs || s == BankStatus::missing;
}

std::string_view to_string(ImportOutcome o) {
  switch (o) {
    case ImportOutcome::recorded:
      return "recorded";
    case ImportOutcome::replaced:
      return "replaced";
    case ImportOutcome::unchanged:
      return "unchanged";
    case ImportOutcome::ignored:
      return "ignored";
    case ImportOutcome::refused:
      return "refused";
  }
  return "refused";
}

std::string_view to_string(FlowSource s) {
  switch (s) {
    case FlowSource::file:
      return "file";
    case FlowSource::upload:
      return "upload";
    case FlowSource::fdr_api:
      return "fdr_api";
  }
  return "file";
}

}  // namespace sp::payments::recon
