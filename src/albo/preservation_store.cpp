// SQL of albo/preservation.hpp.
#include <algorithm>

#include "albo/preservation.hpp"

namespace sp::albo {

std::vector<ConfirmedRelata> confirmed_relate(db::Conn& c, tenants::TenantId tenant,
                                              const std::string& after_at,
                                              const std::string& after_publication, int limit) {
  std::vector<ConfirmedRelata> out;
  for (const auto& r :
       c.query("SELECT r.publication_id, r.file_id, r.sha256, r.confirmed_at, a.year, a.number FROM "
               "albo_relate r "
               "JOIN albo_publications a ON a.id = r.publication_id AND a.tenant_id = r.tenant_id "
               "WHERE r.tenant_id = $1 AND r.status = 'confirmed' AND r.file_id IS NOT NULL "
               "AND r.sha256 IS NOT NULL AND (r.confirmed_at > $2 OR (r.confirmed_at = $2 AND "
               "r.publication_id > $3)) ORDER BY r.confirmed_at, r.publication_id LIMIT $4",
               {tenant, after_at, after_publication, static_cast<std::int64_t>(std::clamp(limit, 1, 1000))}))
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), static_cast<int>(r.i64(4)), r.i64(5)});
  return out;
}

}  // namespace sp::albo
