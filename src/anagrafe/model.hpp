#pragma once
// The population register mirror (issue 15; docs/anagrafe.md): each member comune's residents as the
// hub needs them for prefill, the counter and the citizen's own area. One row of the import format
// (docs/population-format.md) is one *version* of one person; versions are appended, never changed
// (migration 0033 refuses UPDATE and DELETE). A person's current state on a day is the version with the
// latest `data_variazione` not after that day.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sp::anagrafe {

// The keys of the format, in the order the store's columns use.
enum class F : std::size_t {
  codice_fiscale,
  cognome,
  nome,
  sesso,
  data_nascita,
  comune_nascita_istat,
  luogo_nascita,
  stato_nascita,
  cittadinanza,
  comune_istat,
  id_famiglia,
  relazione_parentela,
  specie_via,
  denominazione_via,
  civico,
  esponente,
  interno,
  cap,
  stato_civile,
  data_iscrizione,
  data_cancellazione,
  motivo_cancellazione,
  data_decesso,
  certificabilita,
  data_variazione,
};
inline constexpr std::size_t kFieldCount = 25;
inline constexpr std::array<std::string_view, kFieldCount> kKeys = {
    "codice_fiscale",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "comune_nascita_istat",
    "luogo_nascita",
    "stato_nascita",
    "cittadinanza",
    "comune_istat",
    "id_famiglia",
    "relazione_parentela",
    "specie_via",
    "denominazione_via",
    "civico",
    "esponente",
    "interno",
    "cap",
    "stato_civile",
    "data_iscrizione",
    "data_cancellazione",
    "motivo_cancellazione",
    "data_decesso",
    "certificabilita",
    "data_variazione",
};

// One version of one person, every value as text ("" = absent), as the format carries it.
struct PersonVersion {
  std::array<std::string, kFieldCount> f;

  [[nodiscard]] const std::string& operator[](F k) const { return f[static_cast<std::size_t>(k)]; }
  std::string& operator[](F k) { return f[static_cast<std::size_t>(k)]; }

  // Deceased, emigrated or untraceable on the version's date: no longer a resident.
  [[nodiscard]] bool cancelled() const { return !(*this)[F::data_cancellazione].empty(); }
  [[nodiscard]] bool deceased() const { return !(*this)[F::data_decesso].empty(); }
  // "VIA ROMA 8/A int. 2" style, without the postcode.
  [[nodiscard]] std::string street_line() const;
  // A digest of every value (hex SHA-256): the same line loaded twice is recognised as such.
  [[nodiscard]] std::string content_hash() const;
};

// ANPR table 5 codes a household member's relation to the head.
inline constexpr std::string_view kHead = "1";
inline constexpr std::string_view kChild = "3";

// A person's current version with the body it belongs to.
struct Residence {
  std::int64_t tenant_id = 0;
  PersonVersion person;
};

// One street of a body's street list (stradario), as the import found it.
struct Street {
  std::string specie;         // VIA, CORSO, PIAZZA ...
  std::string denominazione;  // ROMA
};

// A row the import refused: its line in the file (the first line of a CSV record), the person when the
// code could be read, and the error (its code names the localised reason: error.<code>).
struct RowError {
  std::size_t line = 0;
  std::string codice_fiscale;
  std::string code;    // anagrafe.row.*
  std::string detail;  // the key at fault, or the value
};

enum class Format { csv, jsonl };

// A change notification from ANPR (service 4005, adapters/anpr/wire.hpp), as the mirror receives it: the
// person's version after the change, as one line of the population format (format "JSON").
struct AnprNotification {
  std::string anpr_operation_id;  // unique in ANPR: the same notification twice is skipped
  std::string operation;          // the ANPR service that made the change (e.g. 5005, 1002)
  std::string format;             // "JSON"; anything else is refused (anagrafe.notification.format)
  std::string content;
};

// One notification's fate in a poll.
struct NotificationOutcome {
  std::string anpr_operation_id;
  std::string codice_fiscale;
  std::string outcome;  // applied, refused, known (received before: skipped)
  std::string reason;   // refused: anagrafe.row.* or anagrafe.notification.*
};

// What one poll did.
struct SyncReport {
  std::int64_t poll_id = 0;
  std::int64_t import_id = 0;  // 0 when nothing new was imported
  std::string period_from, period_to;
  std::size_t received = 0;
  std::size_t applied = 0;  // new versions
  std::size_t known = 0;    // skipped (same ANPR id before) or the same version already kept
  std::size_t refused = 0;
  std::vector<NotificationOutcome> outcomes;
};

// What an import did. `inserted` versions are new; `unchanged` ones were already there (a file loaded
// twice inserts nothing the second time); `errors` lists the refused rows (at most kMaxReportedErrors,
// `error_count` counts all of them).
struct ImportReport {
  std::int64_t import_id = 0;
  std::size_t rows = 0;
  std::size_t inserted = 0;
  std::size_t unchanged = 0;
  std::size_t error_count = 0;
  std::size_t streets_added = 0;
  std::size_t batches = 0;
  std::vector<RowError> errors;
  std::string file_error;  // a problem with the whole file (e.g. no header): code, nothing imported
  double seconds = 0;
};
inline constexpr std::size_t kMaxReportedErrors = 1000;

// A past import, for the registry office's page.
struct ImportRun {
  std::int64_t id = 0;
  std::string file_name;
  std::string format;
  std::string started_at;
  std::string finished_at;  // empty while running (or when the process died halfway)
  std::int64_t rows = 0;
  std::int64_t inserted = 0;
  std::int64_t unchanged = 0;
  std::int64_t errors = 0;
  std::string actor;
};

struct RegisterCounts {
  std::int64_t people = 0;    // distinct codici fiscali
  std::int64_t versions = 0;  // rows kept
  std::int64_t streets = 0;
};

}  // namespace sp::anagrafe
