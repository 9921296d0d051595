#pragma once
// Self-declarations (dichiarazioni sostitutive, DPR 445/2000; issue 15; docs/selfdecl.md): what the hub
// offers and a declaration as issued. Nothing here talks to the database, HTTP or the PDF layer; the
// legal wording of each kind is locale text (web/locales/*/selfdecl.json: selfdecl.text.<kind> and
// selfdecl.text_minor.<kind>), never C++.
//
// A kind is art. 46 (dichiarazione sostitutiva di certificazione: the facts the certificates state) or
// art. 47 (dichiarazione sostitutiva dell'atto di notorietà: a subject and a text the person writes). Its
// fields are the values its text prints; the declarant's identity fields come first in every kind.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::selfdecl {

// The identity of whom the declaration is about (the art. 46 "generalità"), in every kind.
inline constexpr std::string_view kIdentityFields[] = {"cognome", "nome", "luogo_nascita", "data_nascita"};

struct Kind {
  std::string code;  // in URLs and forms: "residenza", "stato-famiglia" ... "atto-notorieta"
  int article = 46;
  std::vector<std::string> fields;  // what its text prints, besides the identity
};
const std::vector<Kind>& kinds();
const Kind* find_kind(std::string_view code);

// The multi-line field listing the household (one member a line).
inline constexpr std::string_view kFamilyField = "famiglia";
// The fields of art. 47 that the person writes (never prefilled).
inline constexpr std::string_view kSubjectField = "oggetto";
inline constexpr std::string_view kTextField = "testo";

// Every field a kind shows in the review form: the identity, then its own.
std::vector<std::string> form_fields(const Kind& k);

using Facts = std::map<std::string, std::string>;

// Limits of what a person may write (characters as UTF-8 bytes).
inline constexpr std::size_t kMaxField = 300;
inline constexpr std::size_t kMaxText = 4000;  // the art. 47 text and the household list

// A declaration as issued: a legal record, never changed.
struct Declaration {
  std::string id;
  std::int64_t tenant_id = 0;
  std::string token;
  int article = 46;
  std::string kind;
  std::string declarant_cf;
  std::string declarant_name;
  std::string subject_cf;
  std::string subject_name;
  std::string capacity;  // "" or "genitore"
  Facts facts;
  std::vector<std::string> changed;  // fields changed from the register's data
  bool prefilled = false;
  std::string purpose;
  std::string recipient;
  std::string lang;
  std::string stamp_token;
  std::string file_id;
  std::string sha256;
  std::string created_at;
};

// The fields of `fields` whose submitted value differs from the register's (blanks trimmed; the
// household list compared line by line). Only fields the register prefilled count.
std::vector<std::string> changed_fields(const std::vector<std::string>& fields, const Facts& register_facts,
                                        const Facts& submitted);

std::string facts_json(const Facts& f);
Facts parse_facts(std::string_view json);
std::string join(const std::vector<std::string>& v, char sep = ',');
std::vector<std::string> split(std::string_view text, char sep = ',');
// Trims blanks at both ends of each line and drops empty lines ("\r\n" → "\n").
std::string tidy(std::string_view text);

}  // namespace sp::selfdecl
