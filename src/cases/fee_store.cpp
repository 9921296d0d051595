#include "cases/fee_store.hpp"

#include "db/time_values.hpp"

namespace sp::cases {
namespace {

constexpr const char* kFeeInsert =
    "INSERT INTO case_fees (tenant_id, case_id, amount_cents, iupd, iuv, nav, status, created_at, paid_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)";
#define FEE_COLUMNS "case_id, amount_cents, iupd, iuv, nav, status, created_at, paid_at"
constexpr const char* kFeeOfCase =
    "SELECT " FEE_COLUMNS " FROM case_fees WHERE tenant_id = $1 AND case_id = $2";
constexpr const char* kFeeByIupd = "SELECT " FEE_COLUMNS " FROM case_fees WHERE tenant_id = $1 AND iupd = $2";
constexpr const char* kFeePaid =
    "UPDATE case_fees SET status = 'paid', paid_at = $3 WHERE tenant_id = $1 AND case_id = $2 "
    "AND status = 'awaiting'";

CaseFee fee_store_row(const db::Row& r) {
  CaseFee f;
  f.case_id = r.text(0);
  f.amount_cents = r.i64(1);
  f.iupd = r.text(2);
  f.iuv = r.text(3);
  f.nav = r.text(4);
  f.status = parse_fee_status(r.text(5)).value_or(FeeStatus::awaiting);
  f.created_at = db::instant(r, 6);
  f.paid_at = db::opt_instant(r, 7);
  return f;
}

}  // namespace

void CaseFeeStore::insert(db::Conn& tx, tenants::TenantId tenant, const CaseFee& f) {
  tx.exec(kFeeInsert, {tenant, f.case_id, f.amount_cents, db::text_or_null(f.iupd), db::text_or_null(f.iuv),
                       db::text_or_null(f.nav), std::string(to_string(f.status)),
                       time::format_iso_utc_millis(f.created_at)});
}

std::optional<CaseFee> CaseFeeStore::of_case(db::Conn& c, tenants::TenantId tenant,
                                             const std::string& case_id) {
  auto r = c.query_one(kFeeOfCase, {tenant, case_id});
  if (!r) return std::nullopt;
  return fee_store_row(*r);
}

std::optional<CaseFee> CaseFeeStore::by_iupd(db::Conn& c, tenants::TenantId tenant, const std::string& iupd) {
  auto r = c.query_one(kFeeByIupd, {tenant, iupd});
  if (!r) return std::nullopt;
  return fee_store_row(*r);
}

bool CaseFeeStore::mark_paid(db::Conn& tx, tenants::TenantId tenant, const std::string& case_id,
                             const std::string& at) {
  return tx.exec(kFeePaid, {tenant, case_id, at}) == 1;
}

}  // namespace sp::cases
