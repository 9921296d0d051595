#pragma once
// The treasurer's account statement as CSV (docs/reconciliation.md, "Bank statements"), in the shape of
// Italian banks' "movimenti conto" exports:
//
//   Data contabile;Data valuta;Importo;Segno;Descrizione;Riferimento banca
//   05/12/2026;05/12/2026;1.234,56;C;/PUR/LGPE-RIVERSAMENTO/URI/2026-12-04BCITITMM-0001;0000123456
//
//  - semicolon-separated, UTF-8 (a leading BOM is skipped), CRLF or LF; the first line is the header and
//    must name the six columns in this order (Italian or English names, any case);
//  - dates dd/mm/yyyy (or yyyy-mm-dd); amounts with a decimal comma, optional thousands dots, at most
//    two decimals, parsed to cents exactly; a leading minus makes a debit when Segno is empty;
//  - Segno: C, A or "Avere" (credit, money in); D or "Dare" (debit, money out);
//  - fields may be quoted with "", a quote inside doubled (RFC 4180); a blank line is skipped.
// The flow id is read from a remittance containing /PUR/LGPE-RIVERSAMENTO/URI/<flow id> (up to the next
// '/' or blank, or the end).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

namespace sp::payments::recon {

struct BankMovement {
  std::int64_t line = 0;     // 1-based line in the file
  std::string booking_date;  // YYYY-MM-DD
  std::string value_date;    // YYYY-MM-DD
  money::Cents amount = 0;   // > 0
  char direction = 'C';      // 'C' credit, 'D' debit
  std::string description;
  std::string bank_reference;
  std::string flow_id;  // "" when the remittance names none
};

// Errors: bank_statement.header (detail: what the first line should be), bank_statement.line (detail
// "N: what", N the line), bank_statement.empty (no movement).
Result<std::vector<BankMovement>> parse_bank_statement(std::string_view csv);

// The flow id in a remittance, or "".
std::string flow_id_of_remittance(std::string_view remittance);

}  // namespace sp::payments::recon
