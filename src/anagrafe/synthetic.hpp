#pragma once
// A deterministic synthetic population (`sportello demo --scale N`, docs/anagrafe.md): N residents spread
// over the given comuni, in households (a head, often a spouse, children, sometimes a parent of the
// head), on each comune's streets, with valid codici fiscali (omocodia when two people would share one),
// and history as later versions: children born after the household was registered appear from their
// birth, some households move to another street, some elderly people die. The same seed and comuni always
// give the same lines, in the format of docs/population-format.md (JSON Lines).
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace sp::anagrafe {

struct SyntheticComune {
  std::string istat;        // 6 digits
  std::string belfiore;     // cadastral code, for the codici fiscali of people born there
  std::string name;         // upper case, e.g. "ASTI"
  std::string cap;          // postcode
  std::int64_t weight = 1;  // share of the residents (its population)
};

class SyntheticPopulation {
 public:
  SyntheticPopulation(std::vector<SyntheticComune> comuni, std::int64_t residents, std::uint64_t seed = 15);
  // The next line (without its newline); false when every resident has been written.
  bool next(std::string& line);
  [[nodiscard]] std::int64_t people_written() const { return people_; }
  [[nodiscard]] std::int64_t lines_written() const { return lines_; }

 private:
  void make_household();
  std::uint64_t rnd();
  std::uint64_t below(std::uint64_t n) { return rnd() % n; }
  std::string unique_cf(const std::string& surname, const std::string& name, bool female, int y, unsigned m,
                        unsigned d, const std::string& belfiore);

  std::vector<SyntheticComune> comuni_;
  std::vector<std::int64_t> quota_;  // residents still to write per comune
  std::size_t comune_ = 0;
  std::int64_t residents_;
  std::int64_t people_ = 0;
  std::int64_t lines_ = 0;
  std::int64_t household_seq_ = 0;
  std::uint64_t state_;
  std::vector<std::string> pending_;  // lines of the household being written
  std::size_t pending_at_ = 0;
  std::unordered_set<std::uint64_t> used_cf_;
};

}  // namespace sp::anagrafe
