#pragma once
// Business-register checks made from a case (issue 19; docs/business-register.md).
//
// A body's staff (Permission::backoffice), or a counter operator serving the applicant at the assisted
// counter (Permission::counter, on a case of the citizen served, at any body), confirm from a case that
// a business is in the
// Registro delle imprese, in which state, and whether a person (by default the applicant) is one of its
// legal representatives. Public bodies check free of charge: no fee, no debt position. Every look-up is
// recorded, answered or not (business_register_checks, append-only: who, when, what was asked, what the
// register answered as received) with an audit entry, in one transaction; an answer (found or not found)
// also becomes an internal note on the case, so the case's history shows it.
//
// Errors: auth.required, forbidden, not_found (a case of another body, or none), business_register.tax_code
// (400, field tax_code), business_register.representative (400, field representative),
// business_register.not_found (404: the register knows no such business; recorded),
// business_register.unavailable / .refused / .answer / .not_configured (502/503: no usable answer;
// recorded as unavailable). Audit: business_register.check.
#include <optional>
#include <string>
#include <vector>

#include "adapters/business_register/client.hpp"
#include "audit/service.hpp"
#include "cases/service.hpp"
#include "core/i18n.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "identity/model.hpp"

namespace sp::business_checks {

struct Check {
  std::string id;
  std::int64_t tenant_id = 0;
  std::string case_id;
  std::string tax_code;
  std::string representative;
  std::string outcome;  // found | not_found | unavailable
  std::string company_name;
  std::string company_status;
  bool is_representative = false;
  std::string answer;  // JSON as received
  std::string error_detail;
  std::string checked_by;
  std::string checked_at;
  std::optional<business_register::Company> company;  // parsed from `answer` when found
};

class BusinessCheckService {
 public:
  BusinessCheckService(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                       const business_register::Client& client, cases::CaseService& cases, const I18n& i18n)
      : db_(db), audit_(audit), clock_(clock), client_(client), cases_(cases), i18n_(i18n) {}

  // Looks the business up and records the check. On a register's "not found" or no usable answer, the
  // check is recorded and the error returned.
  Result<Check> check(const identity::Principal* who, std::int64_t tenant, const std::string& case_id,
                      const std::string& tax_code, const std::string& representative);
  // The checks made on a case, newest first.
  Result<std::vector<Check>> checks(const identity::Principal* who, std::int64_t tenant,
                                    const std::string& case_id);

 private:
  // The body's desk staff, or a counter operator serving a citizen (whose case it must be: CaseService).
  Status allowed(const identity::Principal* who, std::int64_t tenant) const;

  db::Database& db_;
  audit::AuditService& audit_;
  const time::Clock& clock_;
  const business_register::Client& client_;
  cases::CaseService& cases_;
  const I18n& i18n_;
};

}  // namespace sp::business_checks
