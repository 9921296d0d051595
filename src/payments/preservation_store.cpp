// SQL of payments/preservation.hpp.
#include <algorithm>

#include "payments/preservation.hpp"

namespace sp::payments {

std::vector<CountedReceipt> counted_receipts(db::Conn& c, tenants::TenantId tenant, std::int64_t after_id,
                                             int limit) {
  std::vector<CountedReceipt> out;
  for (const auto& r :
       c.query("SELECT id, receipt_id, received_at, iuv FROM payment_receipts WHERE tenant_id = $1 "
               "AND outcome IN ('recorded', 'double_payment') AND id > $2 ORDER BY id LIMIT $3",
               {tenant, after_id, static_cast<std::int64_t>(std::clamp(limit, 1, 1000))}))
    out.push_back({r.i64(0), r.text(1), r.text(2), r.text(3)});
  return out;
}

std::string counted_receipt_payload(db::Conn& c, tenants::TenantId tenant, std::int64_t id) {
  auto rows = c.query(
      "SELECT raw_payload FROM payment_receipts WHERE tenant_id = $1 AND id = $2 "
      "AND outcome IN ('recorded', 'double_payment')",
      {tenant, id});
  return rows.empty() ? std::string() : rows.front().text(0);
}

}  // namespace sp::payments
