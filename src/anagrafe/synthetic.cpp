#include "anagrafe/synthetic.hpp"

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <functional>

#include "anagrafe/model.hpp"
#include "core/codice_fiscale.hpp"

namespace sp::anagrafe {
namespace {

constexpr std::array kSurnames = {
    "ROSSI",      "RUSSO",   "FERRARI",  "ESPOSITO",   "BIANCHI",  "ROMANO",     "COLOMBO",  "RICCI",
    "MARINO",     "GRECO",   "BRUNO",    "GALLO",      "CONTI",    "DE LUCA",    "MANCINI",  "COSTA",
    "GIORDANO",   "RIZZO",   "LOMBARDI", "MORETTI",    "BARBIERI", "FONTANA",    "SANTORO",  "MARIANI",
    "RINALDI",    "CARUSO",  "FERRARA",  "GALLI",      "MARTINI",  "LEONE",      "LONGO",    "GENTILE",
    "MARTINELLI", "VITALE",  "LOMBARDO", "SERRA",      "COPPOLA",  "DE SANTIS",  "D'ANGELO", "MARCHETTI",
    "PARISI",     "VILLA",   "CONTE",    "FERRO",      "FABBRI",   "BIANCO",     "MARINI",   "GRASSO",
    "VALENTINI",  "MESSINA", "SALA",     "DE ANGELIS", "GATTI",    "PELLEGRINI", "PALUMBO",  "SANNA",
    "FARINA",     "RIZZI",   "MONTI",    "CATTANEO",   "MORELLI",  "AMATO",      "SILVESTRI"};
constexpr std::array kMale = {"MARCO",    "ANDREA",   "GIUSEPPE", "LUCA",    "FRANCESCO", "ALESSANDRO",
                              "MATTEO",   "LORENZO",  "DAVIDE",   "STEFANO", "PAOLO",     "GIOVANNI",
                              "ROBERTO",  "SIMONE",   "FABIO",    "ANTONIO", "MARIO",     "RICCARDO",
                              "TOMMASO",  "GABRIELE", "EDOARDO",  "PIETRO",  "CARLO",     "ALBERTO",
                              "EMANUELE", "NICOLA",   "DANIELE",  "FILIPPO"};
constexpr std::array kFemale = {"GIULIA",  "FRANCESCA", "SARA",     "CHIARA",   "MARTINA", "ELENA",  "ANNA",
                                "ALESSIA", "VALENTINA", "FEDERICA", "SILVIA",   "LAURA",   "ELISA",  "MARIA",
                                "GIORGIA", "SOFIA",     "AURORA",   "BEATRICE", "GINEVRA", "ALICE",  "EMMA",
                                "PAOLA",   "ROSA",      "CRISTINA", "MONICA",   "BARBARA", "ILARIA", "NOEMI"};
constexpr std::array kStreetKinds = {"VIA", "VIA", "VIA", "CORSO", "PIAZZA", "VIALE", "VICOLO", "STRADA"};
constexpr std::array kStreetNames = {"ROMA",
                                     "GARIBALDI",
                                     "MAZZINI",
                                     "CAVOUR",
                                     "VERDI",
                                     "DANTE ALIGHIERI",
                                     "MATTEOTTI",
                                     "XX SETTEMBRE",
                                     "VITTORIO EMANUELE II",
                                     "MARCONI",
                                     "GRAMSCI",
                                     "DELLA REPUBBLICA",
                                     "DEI MILLE",
                                     "ALFIERI",
                                     "SAN MARTINO",
                                     "DELLE ROSE",
                                     "DEI TIGLI",
                                     "DEL MUNICIPIO",
                                     "PIAVE",
                                     "MONTE GRAPPA",
                                     "DELLA LIBERTA",
                                     "FRATELLI ROSSELLI",
                                     "CESARE BATTISTI",
                                     "NAZARIO SAURO",
                                     "GOBETTI",
                                     "DON MINZONI",
                                     "DEGLI ALPINI",
                                     "DELLA STAZIONE",
                                     "SAN GIOVANNI",
                                     "PASCOLI"};

// The earliest and latest birth years of the synthetic people, and the day "today" is for them.
constexpr int kThisYear = 2026;

std::string two(unsigned v) {
  char b[4];
  std::snprintf(b, sizeof b, "%02u", v);
  return b;
}
std::string iso(int y, unsigned m, unsigned d) {
  return std::to_string(y) + "-" + two(m) + "-" + two(d);
}

}  // namespace

SyntheticPopulation::SyntheticPopulation(std::vector<SyntheticComune> comuni, std::int64_t residents,
                                         std::uint64_t seed)
    : comuni_(std::move(comuni)), residents_(residents), state_(seed * 0x9E3779B97F4A7C15ull + 1) {
  std::int64_t total_weight = 0;
  for (const auto& c : comuni_) total_weight += std::max<std::int64_t>(1, c.weight);
  std::int64_t given = 0;
  for (const auto& c : comuni_) {
    const auto share =
        total_weight ? residents * std::max<std::int64_t>(1, c.weight) / total_weight : std::int64_t{0};
    quota_.push_back(share);
    given += share;
  }
  if (!quota_.empty()) quota_.front() += residents - given;  // the rounding's remainder
}

std::uint64_t SyntheticPopulation::rnd() {
  // splitmix64: small, fast, and the same sequence everywhere (std:: distributions are not).
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string SyntheticPopulation::unique_cf(const std::string& surname, const std::string& name, bool female,
                                           int y, unsigned m, unsigned d, const std::string& belfiore) {
  auto code = cf::compute(
      surname, name, female ? cf::Sex::female : cf::Sex::male,
      std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}},
      belfiore);
  if (!code) return {};
  // Two people with the same code: the later one gets the next omocodic variant, as the tax office does.
  for (int level = 0; level <= 7; ++level) {
    auto variant = level == 0 ? Result<std::string>(*code) : cf::omocode(*code, level);
    if (!variant) break;
    if (used_cf_.insert(std::hash<std::string>{}(*variant)).second) return *variant;
  }
  return {};
}

void SyntheticPopulation::make_household() {
  while (comune_ < comuni_.size() && quota_[comune_] <= 0) ++comune_;
  if (comune_ >= comuni_.size()) return;
  const auto& c = comuni_[comune_];
  auto& quota = quota_[comune_];
  ++household_seq_;
  const std::string family_id = c.istat + "-" + std::to_string(household_seq_);
  const std::size_t streets = 10 + static_cast<std::size_t>(std::max<std::int64_t>(1, c.weight) % 200);
  auto street = [&](std::uint64_t r) {
    const auto s = r % std::min<std::size_t>(streets, kStreetKinds.size() * kStreetNames.size());
    return std::make_pair(std::string(kStreetKinds[s % kStreetKinds.size()]),
                          std::string(kStreetNames[s / kStreetKinds.size() % kStreetNames.size()]));
  };
  const auto home = street(rnd());
  const std::string civico = std::to_string(1 + below(150));
  const std::string interno = below(3) == 0 ? std::to_string(1 + below(20)) : std::string();
  const std::string surname = kSurnames[below(kSurnames.size())];
  // Size: 1 to 5 people, never more than the comune's remaining quota.
  static constexpr std::array<int, 10> kSizes = {1, 1, 1, 2, 2, 2, 3, 3, 4, 5};
  const int size = static_cast<int>(std::min<std::int64_t>(kSizes[below(kSizes.size())], quota));
  const int head_year = kThisYear - 25 - static_cast<int>(below(60));
  const int registered_year = std::min(kThisYear - 1, head_year + 20 + static_cast<int>(below(15)));
  const bool moved = below(10) == 0;
  const int move_year = std::min(kThisYear, registered_year + 1 + static_cast<int>(below(8)));
  const auto new_home = street(rnd());

  auto person = [&](const std::string& sur, bool female, int y, const std::string& relation,
                    const std::string& civil, const std::string& from) {
    const unsigned m = 1 + static_cast<unsigned>(below(12));
    const unsigned d = 1 + static_cast<unsigned>(below(28));
    const char* name = female ? kFemale[below(kFemale.size())] : kMale[below(kMale.size())];
    PersonVersion v;
    v[F::codice_fiscale] = unique_cf(sur, name, female, y, m, d, c.belfiore);
    v[F::cognome] = sur;
    v[F::nome] = name;
    v[F::sesso] = female ? "F" : "M";
    v[F::data_nascita] = iso(y, m, d);
    v[F::comune_nascita_istat] = c.istat;
    v[F::luogo_nascita] = c.name;
    v[F::stato_nascita] = "100";
    v[F::cittadinanza] = below(12) == 0 ? "436" : "100";
    v[F::comune_istat] = c.istat;
    v[F::id_famiglia] = family_id;
    v[F::relazione_parentela] = relation;
    v[F::specie_via] = home.first;
    v[F::denominazione_via] = home.second;
    v[F::civico] = civico;
    v[F::interno] = interno;
    v[F::cap] = c.cap;
    v[F::stato_civile] = civil;
    v[F::certificabilita] = "2";
    // Registered with the household, or at birth when born later.
    const std::string born = v[F::data_nascita];
    v[F::data_iscrizione] = std::max(from, born);
    v[F::data_variazione] = v[F::data_iscrizione];
    return v;
  };
  auto emit = [&](PersonVersion v) {
    if (v[F::codice_fiscale].empty()) return;
    auto write = [&](const PersonVersion& x) {
      boost::json::object o;
      for (std::size_t i = 0; i < kFieldCount; ++i) o[kKeys[i]] = x.f[i];
      pending_.push_back(boost::json::serialize(o));
    };
    write(v);
    // A move of the whole household to another street of the comune.
    if (moved && v[F::data_variazione] < iso(move_year, 6, 1)) {
      v[F::specie_via] = new_home.first;
      v[F::denominazione_via] = new_home.second;
      v[F::civico] = std::to_string(1 + below(150));
      v[F::data_variazione] = iso(move_year, 6, 1);
      write(v);
    }
    // Some of the elderly have died: a last version cancels them.
    if (v[F::data_nascita] < "1950" && below(6) == 0) {
      const std::string died = iso(std::min(kThisYear - 1, 2020 + static_cast<int>(below(5))), 3, 1);
      if (died > v[F::data_variazione]) {
        v[F::data_cancellazione] = died;
        v[F::motivo_cancellazione] = "decesso";
        v[F::data_decesso] = died;
        v[F::data_variazione] = died;
        write(v);
      }
    }
    ++people_;
  };

  const std::string since = iso(registered_year, 1 + static_cast<unsigned>(below(12)), 1);
  const bool head_female = below(2) == 0;
  const bool couple = size >= 2 && below(10) < 8;
  emit(person(surname, head_female, head_year, "1", couple ? "2" : (below(3) ? "1" : "4"), since));
  int made = 1;
  if (couple) {
    const int y = head_year + static_cast<int>(below(7)) - 3;
    emit(person(kSurnames[below(kSurnames.size())], !head_female, std::min(y, kThisYear - 20), "2", "2",
                since));
    ++made;
  }
  while (made < size) {
    if (made == size - 1 && size >= 4 && below(4) == 0) {
      // A parent of the head, living with them.
      emit(person(surname, below(2) == 0, std::max(1920, head_year - 25 - static_cast<int>(below(10))), "6",
                  "3", since));
    } else {
      const int y = std::min(kThisYear - 1, head_year + 22 + static_cast<int>(below(20)));
      emit(person(surname, below(2) == 0, y, "3", "1", since));
    }
    ++made;
  }
  quota -= made;
}

bool SyntheticPopulation::next(std::string& line) {
  while (pending_at_ >= pending_.size()) {
    pending_.clear();
    pending_at_ = 0;
    if (people_ >= residents_) return false;
    const auto before = people_;
    make_household();
    if (pending_.empty() && people_ == before) {
      // Every comune's quota is spent (or no comune): stop.
      if (comune_ >= comuni_.size()) return false;
    }
  }
  line = std::move(pending_[pending_at_++]);
  ++lines_;
  return true;
}

}  // namespace sp::anagrafe
