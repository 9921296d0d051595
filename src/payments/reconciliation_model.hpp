#pragma once
// Reconciliation against the database (issue 13; docs/reconciliation.md): what importing a reporting
// flow decides, what matching its rows against receipts and positions found, and the day's view with the
// bank-statement leg. The per-flow checks and the flow's own vocabulary are in reporting_model.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/time.hpp"
#include "payments/reporting_model.hpp"

namespace sp::payments::recon {

// What matching one reported row (IUV + IUR + transfer index) found. Stored with the row at import.
enum class RowResult : std::uint8_t {
  matched,              // a counted receipt with that IUV + IUR, its transfer of that index, same amount
  amount_differs,       // the receipt is there, the transfer's amount is not the reported one (or absent)
  reported_no_receipt,  // a position of ours has the IUV, but no receipt with that IUR was recorded
  unknown_iuv,          // neither a position nor a receipt of this body has the IUV
  revoked,              // outcome 3: reported as revoked (see the sign policy in the docs)
  accepted_without_receipt,  // outcome 4, 8 or 9 (stand-in, without RPT) of a position's transfer of the
                             // same amount, with no receipt: the node took the payment, accepted
  matched_late,  // shown, never stored: reported_no_receipt at the import, and the receipt (same IUV, IUR,
                 // transfer and amount) was recorded since — the node resent it after the flow
};
std::string_view to_string(RowResult r);
std::optional<RowResult> parse_row_result(std::string_view s);
// Needs an operator's look.
bool is_anomaly(RowResult r);

// The bank leg of a flow: the treasurer's movement whose remittance reads
// /PUR/LGPE-RIVERSAMENTO/URI/<flow id>.
enum class BankStatus : std::uint8_t {
  cashed,          // one or more credit movements, their sum is the flow's importoTotalePagamenti
  amount_differs,  // movements found, another sum
  missing,         // none, and the settlement date (dataRegolamento) is past
  pending,         // none yet, the settlement date is today or later
};
std::string_view to_string(BankStatus s);
bool is_anomaly(BankStatus s);

// What importing one flow did.
enum class ImportOutcome : std::uint8_t {
  recorded,   // a new flow id (for this PSP)
  replaced,   // a later dataOraFlusso of a flow already recorded: a new revision superseding it
  unchanged,  // the very same document again: nothing recorded
  ignored,    // the same flow id with an equal or earlier dataOraFlusso and other content: nothing recorded
  refused,    // malformed, another body's flow, or a header/duplicate problem: nothing recorded
};
std::string_view to_string(ImportOutcome o);

enum class FlowSource : std::uint8_t { file, upload, fdr_api };
std::string_view to_string(FlowSource s);

struct ResultCount {
  RowResult result = RowResult::matched;
  std::int64_t rows = 0;
  money::Cents cents = 0;
};

struct FlowImport {
  ImportOutcome outcome = ImportOutcome::refused;
  reporting::FlowReport report;               // the per-flow checks (problems, error when malformed)
  std::int64_t flow_pk = 0;                   // the recorded (or already recorded) flow, 0 when refused
  std::optional<std::int64_t> supersedes_pk;  // replaced: the revision it supersedes
  std::vector<ResultCount> results;           // recorded/replaced/unchanged: the rows' results
};

// One flow of a day, its rows' results and its bank leg.
struct FlowSummary {
  std::int64_t pk = 0;
  std::string flow_id;
  std::string psp_id;
  std::string psp_name;
  std::string settlement_date;  // YYYY-MM-DD
  std::string flow_time;        // UTC ISO
  std::int64_t declared_count = 0;
  money::Cents declared_total = 0;
  money::Cents revoked = 0;
  bool is_revision = false;  // supersedes an earlier dataOraFlusso
  std::vector<ResultCount> results;
  std::int64_t anomalies = 0;  // rows whose result is an anomaly
  money::Cents reported = 0;   // rows not revoked
  money::Cents cashed = 0;     // the matched movements' sum
  std::string cashed_on;       // the first movement's value date
  BankStatus bank = BankStatus::pending;
};

struct RowView {
  std::string flow_id;
  std::string psp_id;
  std::int64_t ordinal = 0;
  std::string iuv;
  std::string iur;
  int transfer_index = 1;
  money::Cents amount = 0;
  std::optional<money::Cents> expected;
  reporting::Outcome outcome = reporting::Outcome::executed;
  std::string outcome_date;
  RowResult result = RowResult::matched;
  bool has_receipt = false;
  BankStatus bank = BankStatus::pending;
};

// A receipt's transfer (not a digital stamp) that no current flow reports.
struct UnreportedPayment {
  std::string iuv;
  std::string iur;
  std::string psp_id;
  std::string payment_at;  // UTC ISO
  int transfer_index = 1;
  money::Cents amount = 0;
};

struct MovementView {
  std::int64_t id = 0;
  std::string booking_date;
  std::string value_date;
  money::Cents amount = 0;
  std::string description;
  std::string bank_reference;
  std::string flow_id;  // "" when the remittance names none
};

// The day's reconciliation for one body: flows settled that day (optionally one PSP's), their rows,
// receipts paid that day that no flow reports, and pagoPA credit movements matching no flow.
struct DayView {
  time::Date day{};
  std::string psp;                 // "" for every PSP
  std::vector<FlowSummary> flows;  // anomalies first
  std::vector<RowView> rows;       // anomalies first
  std::vector<UnreportedPayment> unreported;
  std::vector<MovementView> unmatched_movements;
  std::vector<std::string> psps;    // PSPs with flows or receipts that day, for the filter
  money::Cents receipts_total = 0;  // receipts' transfers paid that day (no stamps), counted receipts
  money::Cents reported_total = 0;  // the day's flows, rows not revoked
  money::Cents cashed_total = 0;    // movements matched to the day's flows
  std::int64_t anomalies = 0;
};

}  // namespace sp::payments::recon
