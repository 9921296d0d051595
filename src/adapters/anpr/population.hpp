#pragma once
// The people the ANPR simulator answers for, read from the population format of
// docs/population-format.md (JSON Lines, or CSV with a header line; the same keys). One line is one
// version of one person; the version in force at a date is the latest with data_variazione <= that date.
// Several files may be loaded (the demo's data/demo/population.jsonl, plus --population FILE): a later
// file's versions are added to the earlier ones.
//
// Also the names of the comuni of residence, which the format does not carry: from a bodies file
// (data/demo/bodies.json: bodies[].istat_code, name, province) or, failing that, from a person born there.
//
// Errors: anpr_sim.population (file unreadable, a line that is not a JSON object, CSV without the
// codice_fiscale column; the detail names the file and line).
#include <map>
#include <string>
#include <vector>

#include "adapters/anpr/wire.hpp"
#include "core/result.hpp"

namespace sp::anpr::sim {

// One version of one person, with the format's keys.
struct Resident {
  std::map<std::string, std::string> fields;
  [[nodiscard]] const std::string& get(const std::string& key) const;
};

struct Comune {
  std::string name;      // "CASALE MONFERRATO"
  std::string province;  // "AL"
};

class Population {
 public:
  Status load_file(const std::string& path);
  // Adds one version (tests); ignores one without a codice fiscale.
  void add(Resident r);
  // bodies.json: {"bodies":[{"istat_code","name","province"}]} ("Comune di " is dropped from names).
  Status load_comuni(const std::string& bodies_json_path);

  // The version of this person in force on `day` (YYYY-MM-DD), or nullptr.
  [[nodiscard]] const Resident* find(const std::string& codice_fiscale, const std::string& day) const;
  // The people whose version in force on `day` is in household `id` of comune `istat`, not cancelled,
  // the head first, then by relation code and birth date.
  [[nodiscard]] std::vector<const Resident*> household(const std::string& istat, const std::string& id,
                                                       const std::string& day) const;
  [[nodiscard]] Comune comune(const std::string& istat) const;
  [[nodiscard]] std::size_t size() const { return versions_.size(); }

  // The wire's Person for a version (residence with the comune's name and province).
  [[nodiscard]] Person person(const Resident& r) const;

 private:
  std::map<std::string, std::vector<Resident>> versions_;  // by codice fiscale, by data_variazione
  std::map<std::string, Comune> comuni_;                   // by ISTAT code
};

// The sigla of the province of an ISTAT comune code (its first three digits), "" when unknown.
std::string province_of(const std::string& istat);

}  // namespace sp::anpr::sim
