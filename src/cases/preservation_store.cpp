// SQL of cases/preservation.hpp.
#include <algorithm>

#include "cases/preservation.hpp"

namespace sp::cases {

std::vector<DecisionDocument> decision_documents(db::Conn& c, tenants::TenantId tenant,
                                                 const std::string& after_at, const std::string& after_id,
                                                 int limit) {
  std::vector<DecisionDocument> out;
  for (const auto& r :
       c.query("SELECT id, file_id, file_name, sha256, at, case_id FROM case_documents "
               "WHERE tenant_id = $1 AND kind = 'decision' AND (at > $2 OR (at = $2 AND id > $3)) "
               "ORDER BY at, id LIMIT $4",
               {tenant, after_at, after_id, static_cast<std::int64_t>(std::clamp(limit, 1, 1000))}))
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)});
  return out;
}

}  // namespace sp::cases
