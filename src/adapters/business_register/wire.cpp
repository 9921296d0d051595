#include "adapters/business_register/wire.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

namespace sp::business_register {
namespace {

namespace json = boost::json;

std::string str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const Representative* Company::representative(std::string_view tax_code) const {
  const auto want = upper(tax_code);
  for (const auto& r : representatives)
    if (upper(r.tax_code) == want) return &r;
  return nullptr;
}

std::string to_json(const Company& c) {
  json::array reps;
  for (const auto& r : c.representatives)
    reps.push_back(json::object{{"codice_fiscale", r.tax_code},
                                {"nome", r.given_name},
                                {"cognome", r.family_name},
                                {"carica", r.role},
                                {"dal", r.since}});
  json::object o{{"codice_fiscale", c.tax_code},
                 {"partita_iva", c.vat_number},
                 {"denominazione", c.name},
                 {"forma_giuridica", c.legal_form},
                 {"cciaa", c.chamber},
                 {"numero_rea", c.rea_number},
                 {"stato_attivita", c.status},
                 {"data_iscrizione", c.registered_on},
                 {"sede_legale", c.seat},
                 {"pec", c.pec},
                 {"rappresentanti_legali", reps},
                 {"estratto_il", c.extracted_at}};
  return json::serialize(o);
}

Result<Company> company_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::make("business_register.answer", 502, "not a JSON object");
  const auto& o = v.as_object();
  Company c;
  c.tax_code = str(o, "codice_fiscale");
  c.vat_number = str(o, "partita_iva");
  c.name = str(o, "denominazione");
  c.legal_form = str(o, "forma_giuridica");
  c.chamber = str(o, "cciaa");
  c.rea_number = str(o, "numero_rea");
  c.status = str(o, "stato_attivita");
  c.registered_on = str(o, "data_iscrizione");
  c.seat = str(o, "sede_legale");
  c.pec = str(o, "pec");
  c.extracted_at = str(o, "estratto_il");
  if (c.tax_code.empty() || c.name.empty() || c.status.empty())
    return Error::make("business_register.answer", 502,
                       "codice_fiscale, denominazione or stato_attivita missing");
  if (auto it = o.find("rappresentanti_legali"); it != o.end()) {
    if (!it->value().is_array())
      return Error::make("business_register.answer", 502, "rappresentanti_legali is not an array");
    for (const auto& r : it->value().as_array()) {
      if (!r.is_object())
        return Error::make("business_register.answer", 502, "a representative is not an object");
      const auto& ro = r.as_object();
      c.representatives.push_back({str(ro, "codice_fiscale"), str(ro, "nome"), str(ro, "cognome"),
                                   str(ro, "carica"), str(ro, "dal")});
    }
  }
  return c;
}

std::optional<std::string> normalise_tax_code(std::string_view typed) {
  std::string s;
  for (char c : typed)
    if (!std::isspace(static_cast<unsigned char>(c)))
      s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (s.size() == 13 && s.rfind("IT", 0) == 0) s = s.substr(2);
  const bool digits11 =
      s.size() == 11 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  const bool person16 = s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) != 0;
                        });
  if (!digits11 && !person16) return std::nullopt;
  return s;
}

}  // namespace sp::business_register
