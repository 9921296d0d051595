#pragma once
// The pagoPA reporting flow (Flusso di Rendicontazione, FdR) as the reader hands it over: a header, then
// one row per reported payment transfer. Names follow the XML (SPEC §4, ../shared/pagopa/README.md);
// amounts are integer cents, dates civil dates, the flow's instant a UTC time point.
// The vocabulary of reconciliation results lives here too (docs/reconciliation.md).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/time.hpp"

namespace sp::payments::reporting {

// codiceEsitoSingoloPagamento. 4 and 8 exist since SANP 3.8 (stand-in: the node took the payment while
// the creditor's station was unreachable).
enum class Outcome : std::uint8_t {
  executed = 0,              // 0: pagamento eseguito
  revoked = 3,               // 3: pagamento revocato
  stand_in = 4,              // 4: eseguito in stand-in
  stand_in_without_rpt = 8,  // 8: eseguito in stand-in senza RPT
  without_rpt = 9,           // 9: eseguito in assenza di RPT
};
inline constexpr std::array<Outcome, 5> kOutcomes = {Outcome::executed, Outcome::revoked, Outcome::stand_in,
                                                     Outcome::stand_in_without_rpt, Outcome::without_rpt};
// "executed", "revoked", "stand_in", "stand_in_without_rpt", "without_rpt".
std::string_view to_string(Outcome o);
// From the XML code ("0", "3", "4", "8", "9"); nullopt for anything else.
std::optional<Outcome> parse_outcome_code(std::string_view code);
// Position of `o` in kOutcomes (for per-outcome counters).
std::size_t outcome_slot(Outcome o);

struct Party {
  std::string id_type;  // tipoIdentificativoUnivoco: G (fiscal code), A (ABI), B (BIC); the receiver is G
  std::string id;       // codiceIdentificativoUnivoco
  std::string name;     // denominazione (optional in the XML)
};

struct FlowHeader {
  std::string version;              // versioneOggetto
  std::string flow_id;              // identificativoFlusso
  std::string flow_time_text;       // dataOraFlusso as written
  time::TimePoint flow_time{};      // the same instant (a time without zone is Rome's wall clock)
  std::string settlement_iur;       // identificativoUnivocoRegolamento (the settling transfer's IUR)
  time::Date settlement_date{};     // dataRegolamento
  Party sender;                     // istitutoMittente (the PSP)
  std::string settlement_bic;       // codiceBicBancaDiRiversamento (optional)
  Party receiver;                   // istitutoRicevente (the creditor body)
  std::int64_t declared_count = 0;  // numeroTotalePagamenti
  money::Cents declared_total = 0;  // importoTotalePagamenti
};

struct FlowRow {
  std::int64_t ordinal = 0;  // 1-based position in the flow
  std::string iuv;           // identificativoUnivocoVersamento
  std::string iur;           // identificativoUnivocoRiscossione
  int index = 1;             // indiceDatiSingoloPagamento 1..5 (absent: 1, the XSD makes it optional)
  money::Cents amount = 0;   // singoloImportoPagato, as written (never negative: see docs)
  Outcome outcome = Outcome::executed;
  time::Date outcome_date{};  // dataEsitoSingoloPagamento
};

// Per-flow verdicts, most serious first: a flow carries every problem found, and its verdict is the
// first of them (or ok).
enum class FlowProblem : std::uint8_t {
  malformed,           // not well-formed XML, or not valid against the schema: nothing else is trusted
  wrong_receiver,      // istitutoRicevente is not the expected creditor body
  header_count_wrong,  // numeroTotalePagamenti differs from the rows counted
  header_total_wrong,  // importoTotalePagamenti differs from the rows' sum (exact cents)
  duplicate_rows,      // the same IUV + IUR + index appears more than once
};
std::string_view to_string(FlowProblem p);

// Per-row status: the row's outcome, or duplicate_row for the second and later copies of an IUV + IUR +
// index (duplicates are neither counted in the totals twice nor per outcome).
enum class RowStatus : std::uint8_t {
  executed,
  revoked,
  stand_in,
  stand_in_without_rpt,
  without_rpt,
  duplicate_row
};
std::string_view to_string(RowStatus s);
RowStatus row_status(Outcome o);

// How revoked (outcome 3) rows enter the comparison with importoTotalePagamenti. The reporting spec says
// a revoked amount is negative, the XSD pattern forbids a minus sign, so every row carries a positive
// amount. gross (default): the header total is the sum of every row as written (what the XSD allows and
// what the reference implementations compute); net: revoked rows are subtracted. *(check)*
enum class RevokedPolicy : std::uint8_t { gross, net };
std::optional<RevokedPolicy> parse_revoked_policy(std::string_view s);

// What reconciling one flow found. The header is checked against every row as written (the document's
// own consistency: numeroTotalePagamenti counts datiSingoliPagamenti); duplicates are a problem of their
// own, and the per-outcome counts count each IUV + IUR + index once.
struct FlowReport {
  std::string file;
  FlowHeader header;
  bool header_read = false;        // false when the file failed before the header was complete
  std::int64_t rows = 0;           // rows read, duplicates included
  money::Cents rows_total = 0;     // their sum, per RevokedPolicy
  money::Cents revoked_total = 0;  // sum of the revoked rows as written
  std::int64_t duplicates = 0;     // rows repeating an earlier IUV + IUR + index of the same flow
  std::array<std::int64_t, kOutcomes.size()> per_outcome{};  // distinct rows by outcome (kOutcomes order)
  std::vector<FlowProblem> problems;                         // in FlowProblem order
  std::string error_code;    // when malformed: fdr.malformed, fdr.invalid or fdr.io
  std::string error_detail;  // when malformed: "N: what" (N the line)
  std::int64_t error_line = 0;

  // The first problem, or "ok".
  [[nodiscard]] std::string_view verdict() const;
};

// A flow id seen again: SPEC §4 — a later dataOraFlusso with the same flow id replaces the earlier flow,
// an equal or earlier one is ignored.
enum class Revision : std::uint8_t { new_flow, replaces, ignored };
std::string_view to_string(Revision r);
// Pure: `known` is the dataOraFlusso of the flow kept so far under this id (nullopt: none).
Revision decide_revision(std::optional<time::TimePoint> known, time::TimePoint incoming);

}  // namespace sp::payments::reporting
