#pragma once
// SQL for the catalog (hub-wide tables) and body_services (tenant-scoped: every query on it is bound
// to the tenant id the caller was given by the request context).
#include <optional>
#include <utility>
#include <vector>

#include "catalog/model.hpp"
#include "db/database.hpp"

namespace sp::catalog {

class CatalogStore {
 public:
  explicit CatalogStore(db::Database& db) : db_(db) {}

  void upsert_life_event(db::Conn& tx, const LifeEvent& e);
  void upsert_area(db::Conn& tx, const Area& a);
  std::int64_t upsert_service(db::Conn& tx, const Service& s, const std::string& search_text);
  void activate(db::Conn& tx, tenants::TenantId tenant, std::int64_t service_id, const Activation& a,
                const std::string& now_iso);
  void deactivate(db::Conn& tx, tenants::TenantId tenant, std::int64_t service_id);

  std::vector<LifeEvent> life_events();
  std::vector<Area> areas();
  std::vector<Service> services();
  std::optional<Service> service_by_code(const std::string& code);
  // Services whose folded search text contains `folded_query` (all when empty).
  std::vector<Service> search(const std::string& folded_query);

  std::vector<Offering> offerings(tenants::TenantId tenant);
  std::optional<Offering> offering(tenants::TenantId tenant, const std::string& code);
  // (tenant_id, service_id) for every activation in the hub: hub-level public information.
  std::vector<std::pair<tenants::TenantId, std::int64_t>> activations();

 private:
  db::Database& db_;
};

}  // namespace sp::catalog
