#pragma once
// Catalog rules: importing the hub's catalog, a body activating services (never above the catalog's
// level), a body's catalog grouped by life event, and search across the hub ("which bodies offer X?").
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/model.hpp"
#include "catalog/store.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace sp::catalog {

struct LifeEventGroup {
  LifeEvent event;
  std::vector<Offering> offerings;
};

class CatalogService {
 public:
  explicit CatalogService(db::Database& db) : store_(db), db_(db) {}

  // Validates and stores catalog entries (upsert by code). Errors name the service code.
  Status save_life_event(const LifeEvent& e);
  Status save_area(const Area& a);
  Result<std::int64_t> save_service(const Service& s);
  // A body starts offering a service (or changes its variant). tenant comes from the request context.
  Status activate(tenants::TenantId tenant, const Activation& a);
  Status deactivate(tenants::TenantId tenant, const std::string& service_code);

  std::vector<LifeEvent> life_events() { return store_.life_events(); }
  std::vector<Area> areas() { return store_.areas(); }
  std::vector<Service> services() { return store_.services(); }

  // The body's offerings grouped by life event (events in catalog order, empty groups left out),
  // optionally only for one audience.
  std::vector<LifeEventGroup> body_catalog(tenants::TenantId tenant, std::optional<Audience> audience);
  std::vector<Offering> offerings(tenants::TenantId tenant) { return store_.offerings(tenant); }
  Result<Offering> offering(tenants::TenantId tenant, const std::string& code);

  // Number of services each body offers.
  std::map<tenants::TenantId, int> activation_counts();
  // Services matching `query` (case/accent-insensitive, every word must match) with the bodies offering them.
  std::vector<SearchHit> search(std::string_view query, std::optional<Audience> audience);

  // Bumped on every change made here and when refresh() sees the database's catalog revision move (a
  // change made by another node, a CLI command, any SQL): page caches key on it.
  [[nodiscard]] std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Compares the database's catalog revision (db/revisions.hpp) with the one last seen; when it moved,
  // bumps version() so that cached pages and the activations below are built again. Returns whether.
  bool refresh();

  static Status validate(const Service& s);

 private:
  // Who offers what, read once per catalog version: search and the hub's pages need it on every request,
  // and at 200 bodies it is some 16,000 rows.
  using Activations = std::map<std::int64_t, std::vector<tenants::TenantId>>;  // service id -> bodies
  std::shared_ptr<const Activations> activations();
  void changed() { version_.fetch_add(1, std::memory_order_acq_rel); }

  CatalogStore store_;
  db::Database& db_;
  std::atomic<std::uint64_t> version_{1};
  std::atomic<std::int64_t> seen_revision_{-1};
  std::mutex activations_mutex_;
  std::shared_ptr<const Activations> activations_;
  std::uint64_t activations_version_ = 0;
};

}  // namespace sp::catalog
