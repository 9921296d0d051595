#include "adapters/anpr/population.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace sp::anpr::sim {
namespace {

namespace json = boost::json;

Error population_error(std::string detail) {
  return Error::make("anpr_sim.population", 400, std::move(detail));
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// RFC 4180 records of a whole CSV text (quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> csv_records(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      if (!(row.size() == 1 && row[0].empty())) out.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    out.push_back(std::move(row));
  }
  return out;
}

int relation_rank(const Resident* r) {
  const auto& v = r->get("relazione_parentela");
  return v.empty() ? 99 : std::atoi(v.c_str());
}

}  // namespace

const std::string& Resident::get(const std::string& key) const {
  static const std::string empty;
  auto it = fields.find(key);
  return it == fields.end() ? empty : it->second;
}

void Population::add(Resident r) {
  const std::string cf = upper(r.get("codice_fiscale"));
  if (cf.empty()) return;
  r.fields["codice_fiscale"] = cf;
  auto& list = versions_[cf];
  // The same line loaded twice is one version.
  for (const auto& v : list)
    if (v.fields == r.fields) return;
  list.push_back(std::move(r));
  std::stable_sort(list.begin(), list.end(), [](const Resident& a, const Resident& b) {
    return a.get("data_variazione") < b.get("data_variazione");
  });
  const auto& born = list.back();
  const auto& istat = born.get("comune_nascita_istat");
  if (!istat.empty() && !born.get("luogo_nascita").empty() && !comuni_.contains(istat))
    comuni_[istat] = Comune{born.get("luogo_nascita"), province_of(istat)};
}

Status Population::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return population_error(path + ": cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const bool is_csv = path.size() > 4 && path.substr(path.size() - 4) == ".csv";
  if (is_csv) {
    auto records = csv_records(text);
    if (records.empty()) return Ok{};
    const auto& header = records.front();
    if (std::find(header.begin(), header.end(), "codice_fiscale") == header.end())
      return population_error(path + ": no codice_fiscale column");
    for (std::size_t i = 1; i < records.size(); ++i) {
      Resident r;
      for (std::size_t k = 0; k < header.size() && k < records[i].size(); ++k)
        r.fields[header[k]] = records[i][k];
      add(std::move(r));
    }
    return Ok{};
  }
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (ec || !v.is_object())
      return population_error(path + ":" + std::to_string(number) + ": not a JSON object");
    Resident r;
    for (const auto& [k, val] : v.as_object())
      if (val.is_string()) r.fields[std::string(k)] = std::string(val.as_string());
    add(std::move(r));
  }
  return Ok{};
}

Status Population::load_comuni(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return population_error(path + ": cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(buf.str(), ec);
  if (ec || !v.is_object()) return population_error(path + ": not a JSON object");
  const auto* bodies = v.as_object().if_contains("bodies");
  if (!bodies || !bodies->is_array()) return Ok{};
  for (const auto& b : bodies->as_array()) {
    if (!b.is_object()) continue;
    const auto& o = b.as_object();
    const auto* istat = o.if_contains("istat_code");
    const auto* name = o.if_contains("name");
    const auto* kind = o.if_contains("kind");
    if (!istat || !istat->is_string() || istat->as_string().size() != 6 || !name || !name->is_string())
      continue;
    if (kind && kind->is_string() && kind->as_string() != "comune") continue;
    std::string n(name->as_string());
    if (n.rfind("Comune di ", 0) == 0) n = n.substr(10);
    const auto* prov = o.if_contains("province");
    comuni_[std::string(istat->as_string())] =
        Comune{upper(n), prov && prov->is_string() ? std::string(prov->as_string())
                                                   : province_of(std::string(istat->as_string()))};
  }
  return Ok{};
}

const Resident* Population::find(const std::string& codice_fiscale, const std::string& day) const {
  auto it = versions_.find(upper(codice_fiscale));
  if (it == versions_.end()) return nullptr;
  const Resident* found = nullptr;
  for (const auto& v : it->second)
    if (v.get("data_variazione") <= day) found = &v;
  return found;
}

std::vector<const Resident*> Population::household(const std::string& istat, const std::string& id,
                                                   const std::string& day) const {
  std::vector<const Resident*> out;
  if (id.empty()) return out;
  for (const auto& [cf, list] : versions_) {
    const Resident* r = find(cf, day);
    if (r && r->get("comune_istat") == istat && r->get("id_famiglia") == id &&
        r->get("data_cancellazione").empty())
      out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const Resident* a, const Resident* b) {
    if (relation_rank(a) != relation_rank(b)) return relation_rank(a) < relation_rank(b);
    return a->get("data_nascita") < b->get("data_nascita");
  });
  return out;
}

Comune Population::comune(const std::string& istat) const {
  auto it = comuni_.find(istat);
  if (it != comuni_.end()) return it->second;
  return Comune{"COMUNE " + istat, province_of(istat)};
}

Person Population::person(const Resident& r) const {
  Person p;
  p.codice_fiscale = r.get("codice_fiscale");
  p.surname = r.get("cognome");
  p.name = r.get("nome");
  p.sex = r.get("sesso");
  p.birth_date = r.get("data_nascita");
  p.birth_comune_istat = r.get("comune_nascita_istat");
  p.birth_place = r.get("luogo_nascita");
  if (!p.birth_comune_istat.empty()) {
    p.birth_province = province_of(p.birth_comune_istat);
  } else {
    p.birth_state = r.get("stato_nascita");
  }
  p.civil_status = r.get("stato_civile");
  if (!r.get("cittadinanza").empty()) p.citizenships.push_back(r.get("cittadinanza"));
  p.relation = r.get("relazione_parentela");
  p.household_id = r.get("id_famiglia");
  const auto c = comune(r.get("comune_istat"));
  p.residence.comune_istat = r.get("comune_istat");
  p.residence.comune_name = c.name;
  p.residence.province = c.province;
  p.residence.cap = r.get("cap");
  p.residence.street_type = r.get("specie_via");
  p.residence.street_name = r.get("denominazione_via");
  p.residence.number = r.get("civico");
  p.residence.number_suffix = r.get("esponente");
  p.residence.flat = r.get("interno");
  p.residence.since = r.get("data_iscrizione");
  p.death_date = r.get("data_decesso");
  p.cancellation_date = r.get("data_cancellazione");
  const auto& why = r.get("motivo_cancellazione");
  // motivoCancellazione: the simulator's codes (ANPR's table of reasons is not in the published files).
  p.cancellation_reason = why == "decesso"          ? "1"
                          : why == "emigrazione"    ? "2"
                          : why == "irreperibilita" ? "3"
                                                    : "";
  return p;
}

std::string province_of(const std::string& istat) {
  // ISTAT province codes (the first three digits of a comune's code) and their sigle.
  static const std::map<std::string, std::string> kProvinces = {
      {"001", "TO"}, {"002", "VC"}, {"003", "NO"}, {"004", "CN"}, {"005", "AT"}, {"006", "AL"}, {"007", "AO"},
      {"008", "IM"}, {"009", "SV"}, {"010", "GE"}, {"011", "SP"}, {"012", "VA"}, {"013", "CO"}, {"014", "SO"},
      {"015", "MI"}, {"016", "BG"}, {"017", "BS"}, {"018", "PV"}, {"019", "CR"}, {"020", "MN"}, {"021", "BZ"},
      {"022", "TN"}, {"023", "VR"}, {"024", "VI"}, {"025", "BL"}, {"026", "TV"}, {"027", "VE"}, {"028", "PD"},
      {"029", "RO"}, {"030", "UD"}, {"031", "GO"}, {"032", "TS"}, {"033", "PC"}, {"034", "PR"}, {"035", "RE"},
      {"036", "MO"}, {"037", "BO"}, {"038", "FE"}, {"039", "RA"}, {"040", "FC"}, {"041", "PU"}, {"042", "AN"},
      {"043", "MC"}, {"044", "AP"}, {"045", "MS"}, {"046", "LU"}, {"047", "PT"}, {"048", "FI"}, {"049", "LI"},
      {"050", "PI"}, {"051", "AR"}, {"052", "SI"}, {"053", "GR"}, {"054", "PG"}, {"055", "TR"}, {"056", "VT"},
      {"057", "RI"}, {"058", "RM"}, {"059", "LT"}, {"060", "FR"}, {"061", "CE"}, {"062", "BN"}, {"063", "NA"},
      {"064", "AV"}, {"065", "SA"}, {"066", "AQ"}, {"067", "TE"}, {"068", "PE"}, {"069", "CH"}, {"070", "CB"},
      {"071", "FG"}, {"072", "BA"}, {"073", "TA"}, {"074", "BR"}, {"075", "LE"}, {"076", "PZ"}, {"077", "MT"},
      {"078", "CS"}, {"079", "CZ"}, {"080", "RC"}, {"081", "TP"}, {"082", "PA"}, {"083", "ME"}, {"084", "AG"},
      {"085", "CL"}, {"086", "EN"}, {"087", "CT"}, {"088", "RG"}, {"089", "SR"}, {"090", "SS"}, {"091", "NU"},
      {"092", "CA"}, {"093", "PN"}, {"094", "IS"}, {"095", "OR"}, {"096", "BI"}, {"097", "LC"}, {"098", "LO"},
      {"099", "RN"}, {"100", "PO"}, {"101", "KR"}, {"102", "VV"}, {"103", "VB"}, {"108", "MB"}, {"109", "FM"},
      {"110", "BT"}, {"111", "SU"}};
  if (istat.size() < 3) return {};
  auto it = kProvinces.find(istat.substr(0, 3));
  return it == kProvinces.end() ? std::string() : it->second;
}

}  // namespace sp::anpr::sim
