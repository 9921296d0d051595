#pragma once
// A person's own data, across bodies (GDPR art. 15 and 20; docs/privacy.md): everything the hub holds
// keyed on their fiscal code — profile and contacts, message choices, delegations they declared,
// application drafts, cases with their messages and documents' descriptions, messages sent to them,
// payments (positions owed, receipts paid, carts), certificates, self-declarations, their register data,
// counter visits, sign-in sessions, and the audit entries about them ("who accessed my data"). Only rows
// whose person column is theirs: never another person's (a child's cases filed by the other parent are
// that parent's). Secrets (session token hashes, CSRF tokens) are left out.
#include <cstdint>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace sp::privacy {

struct PersonSection {
  std::string code;   // "cases": the label is ui.mydata_section_<code>
  std::string table;  // the table it comes from
  std::int64_t rows = 0;
  bool truncated = false;  // more than kPersonRowsCap rows: the JSON says so
  std::string json;        // JSON array of objects (column -> value)
};

inline constexpr int kPersonRowsCap = 5000;

class PersonDataService {
 public:
  explicit PersonDataService(db::Database& db) : db_(db) {}
  // The sections for `fiscal_code` (a signed-in person's own subject, never a parameter of the URL).
  std::vector<PersonSection> collect(const std::string& fiscal_code);
  // The whole as one JSON document: {"fiscal_code","generated_at","sections":{code:[...]}}.
  std::string to_json(const std::string& fiscal_code, const std::string& generated_at);

 private:
  db::Database& db_;
};

}  // namespace sp::privacy
