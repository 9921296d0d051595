#pragma once
// ISTAT's list of comuni as dated data (docs/hub.md, "ISTAT's list of comuni"): `sportello comuni import
// FILE --as-of YYYY-MM-DD` loads ISTAT's published CSV, "Elenco comuni italiani"
// (https://www.istat.it/classificazione/codici-dei-comuni-delle-province-e-delle-regioni/): ';' separated,
// Latin-1 or UTF-8, a header line, one comune a line. The columns are found by their header, so ISTAT's
// other columns and their order do not matter: "Codice Comune formato alfanumerico" (the 6-digit ISTAT
// code), "Codice Catastale del comune" (the cadastral code), "Denominazione in italiano" (or, in older
// files, "Denominazione (Italiana e straniera)") and "Sigla automobilistica". Onboarding checks a comune's
// codes against the list when one is loaded (OnboardingService::validate); with none, their form only.
//
// Errors: hub.comuni_file (400; detail: the line and why, or the column missing), hub.comuni_date (400).
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "hub/model.hpp"
#include "hub/store.hpp"

namespace sp::hub {

Result<std::vector<Comune>> parse_comuni_csv(std::string_view bytes);

class ComuniList {
 public:
  ComuniList(db::Database& db, time::Clock& clock) : db_(db), clock_(clock), store_(db) {}
  // Replaces the list with FILE's bytes, valid at `as_of`; the number of comuni loaded.
  Result<std::size_t> import(std::string_view bytes, const std::string& as_of);

 private:
  db::Database& db_;
  time::Clock& clock_;
  HubStore store_;
};

}  // namespace sp::hub
