#include "business_checks/store.hpp"

namespace sp::business_checks::store {
namespace {

constexpr const char* kInsert =
    "INSERT INTO business_register_checks (id, tenant_id, case_id, tax_code, representative, outcome, "
    "company_name, company_status, is_representative, answer, error_detail, checked_by, checked_at) VALUES "
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
constexpr const char* kForCase =
    "SELECT id, tenant_id, case_id, tax_code, representative, outcome, company_name, company_status, "
    "is_representative, answer, error_detail, checked_by, checked_at FROM business_register_checks "
    "WHERE tenant_id = $1 AND case_id = $2 ORDER BY checked_at DESC, id DESC LIMIT 100";

}  // namespace

void insert(db::Conn& tx, const Check& c) {
  tx.exec(kInsert, {c.id, c.tenant_id, c.case_id, c.tax_code, c.representative, c.outcome, c.company_name,
                    c.company_status, static_cast<std::int64_t>(c.is_representative ? 1 : 0), c.answer,
                    c.error_detail, c.checked_by, c.checked_at});
}

std::vector<Check> for_case(db::Conn& c, std::int64_t tenant, const std::string& case_id) {
  std::vector<Check> out;
  for (const auto& r : c.query(kForCase, {tenant, case_id})) {
    Check k;
    k.id = r.text(0);
    k.tenant_id = r.i64(1);
    k.case_id = r.text(2);
    k.tax_code = r.text(3);
    k.representative = r.text(4);
    k.outcome = r.text(5);
    k.company_name = r.text(6);
    k.company_status = r.text(7);
    k.is_representative = r.i64(8) != 0;
    k.answer = r.text(9);
    k.error_detail = r.text(10);
    k.checked_by = r.text(11);
    k.checked_at = r.text(12);
    if (k.outcome == "found") {
      if (auto company = business_register::company_from_json(k.answer)) k.company = *company;
    }
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace sp::business_checks::store
