#pragma once
// The business register's look-up for public bodies (docs/business-register.md), as this hub speaks it.
//
// Public bodies check the Registro delle imprese free of charge (art. 43 DPR 445/2000; CAD art. 50), today
// through the chambers of commerce's e-services on PDND (the national data platform: a voucher, a JWT, as
// the bearer token). Their exact wire format is published only to the bodies that subscribe to the
// e-service, so this is OUR plain JSON over HTTPS, shaped after the register's "profilo sintetico" fields
// (denominazione, codice fiscale, numero REA and CCIAA, forma giuridica, stato, sede, PEC) plus its legal
// representatives. Swapping in the e-service means a new client behind the same Company.
//
//   GET {base}/imprese/{codice_fiscale}      Authorization: Bearer <token>
//     200 {"codice_fiscale", "partita_iva", "denominazione", "forma_giuridica", "cciaa", "numero_rea",
//          "stato_attivita" ("attiva" | "inattiva" | "sospesa" | "in_liquidazione" | "cessata"),
//          "data_iscrizione" (YYYY-MM-DD), "sede_legale", "pec",
//          "rappresentanti_legali": [{"codice_fiscale", "nome", "cognome", "carica", "dal"}],
//          "estratto_il" (UTC, RFC 3339)}
//     404 {"errore": "impresa_non_trovata"}   401 {"errore": "non_autorizzato"}   5xx: unavailable
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sp::business_register {

struct Representative {
  std::string tax_code;  // codice fiscale of the person
  std::string given_name;
  std::string family_name;
  std::string role;   // "amministratore unico", "legale rappresentante", "presidente del CdA" ...
  std::string since;  // YYYY-MM-DD
};

struct Company {
  std::string tax_code;  // codice fiscale of the business (11 digits, or 16 characters for a sole trader)
  std::string vat_number;
  std::string name;
  std::string legal_form;
  std::string chamber;     // CCIAA, province code: "AT"
  std::string rea_number;  // number in the REA of that chamber
  std::string status;      // stato_attivita
  std::string registered_on;
  std::string seat;
  std::string pec;
  std::vector<Representative> representatives;
  std::string extracted_at;

  // The representative with this tax code (case-insensitive), if any.
  [[nodiscard]] const Representative* representative(std::string_view tax_code) const;
};

std::string to_json(const Company& c);
// Error business_register.answer (detail: what is wrong) for JSON that is not a Company.
Result<Company> company_from_json(std::string_view text);

// A business's codice fiscale as typed ("IT 00072360050", lower case, spaces): upper-cased, without
// spaces and a leading "IT"; nothing when it is not 11 digits or 16 letters and digits.
std::optional<std::string> normalise_tax_code(std::string_view typed);

}  // namespace sp::business_register
