#include "anagrafe/prefill.hpp"

#include "core/time.hpp"

namespace sp::anagrafe {

bool minor_on(const std::string& birth_date, const std::string& today) {
  auto b = time::parse_iso_date(birth_date);
  auto t = time::parse_iso_date(today);
  if (!b || !t) return false;
  const std::chrono::year_month_day adult{b->year() + std::chrono::years{18}, b->month(), b->day()};
  return *t < adult;
}

void RegisterPrefill::add_person_facts(tenants::TenantId tenant, const std::string& cf, forms::Facts& f) {
  auto records = register_.records_of(cf);
  if (records.empty()) return;
  const OwnRecord* rec = &records.front();
  for (const auto& r : records)
    if (r.tenant_id == tenant) rec = &r;
  const auto& p = rec->person;
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) f[key] = v;
  };
  put("person.fiscal_code", p[F::codice_fiscale]);
  put("person.given_name", p[F::nome]);
  put("person.family_name", p[F::cognome]);
  put("person.full_name", p[F::nome] + " " + p[F::cognome]);
  put("person.birth_date", p[F::data_nascita]);
  put("person.birth_place", p[F::luogo_nascita]);
  put("person.sex", p[F::sesso]);
  put("person.citizenship", p[F::cittadinanza]);
  if (!p[F::denominazione_via].empty()) {
    boost::json::object a;
    a["street"] = p[F::specie_via] + " " + p[F::denominazione_via];
    a["number"] = p[F::civico] + (p[F::esponente].empty() ? "" : "/" + p[F::esponente]);
    a["postcode"] = p[F::cap];
    std::string town;
    if (auto body = tenants_.by_id(rec->tenant_id)) {
      town = body->name;
      for (std::string_view prefix : {"Comune di ", "Città di "})
        if (town.rfind(prefix, 0) == 0) town = town.substr(prefix.size());
    }
    a["municipality"] = town;
    f["person.address"] = std::move(a);
  }
  boost::json::array family;
  boost::json::array children;
  const auto today = register_.today();
  // The head's and the spouse's children who are minors: the children a parent enrols at school.
  const bool parent = p[F::relazione_parentela] == kHead || p[F::relazione_parentela] == "2";
  for (const auto& m : rec->household) {
    if (m[F::codice_fiscale] == p[F::codice_fiscale]) continue;
    boost::json::object o;
    o["fiscal_code"] = m[F::codice_fiscale];
    o["given_name"] = m[F::nome];
    o["family_name"] = m[F::cognome];
    o["birth_date"] = m[F::data_nascita];
    if (parent && m[F::relazione_parentela] == kChild && minor_on(m[F::data_nascita], today))
      children.push_back(o);
    o["relation"] = m[F::relazione_parentela];
    family.push_back(std::move(o));
  }
  if (!family.empty()) f["person.family"] = std::move(family);
  if (!children.empty()) f["person.children"] = std::move(children);
}

}  // namespace sp::anagrafe
