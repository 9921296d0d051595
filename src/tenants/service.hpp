#pragma once
// Rules for hubs and bodies, and the directory the server consults on every request to resolve a
// tenant by slug or by host name. Bodies change rarely, so the directory is an immutable snapshot
// swapped atomically after each change: lookups take no lock and no database round trip.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "db/database.hpp"
#include "tenants/model.hpp"
#include "tenants/store.hpp"

namespace sp::tenants {

struct Snapshot {
  std::vector<Hub> hubs;
  std::vector<std::shared_ptr<const Body>> bodies;  // ordered by name
  std::map<std::string, std::shared_ptr<const Body>, std::less<>> by_slug;
  std::map<std::string, std::shared_ptr<const Body>, std::less<>> by_host;
  std::map<TenantId, std::shared_ptr<const Body>> by_id;
  std::uint64_t version = 0;
};

class TenantService {
 public:
  explicit TenantService(db::Database& db);

  // Validates and stores a hub / body; refreshes the directory. Errors: tenants.slug, tenants.fiscal_code,
  // tenants.kind, tenants.duplicate, tenants.hub_missing, tenants.name, tenants.color.
  Result<std::int64_t> create_hub(const Hub& hub);
  Result<TenantId> create_body(const Body& body);

  // Rebuilds the snapshot from the database (called after changes and at start).
  void reload();
  // Reloads when the directory's revision in the database moved (a change made by another node, a CLI
  // command, any SQL: db/revisions.hpp); a read of one row otherwise. Returns whether it reloaded.
  bool refresh();
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const { return std::atomic_load(&snapshot_); }

  [[nodiscard]] std::shared_ptr<const Body> by_slug(std::string_view slug) const;
  [[nodiscard]] std::shared_ptr<const Body> by_host(std::string_view host) const;  // port ignored
  [[nodiscard]] std::shared_ptr<const Body> by_id(TenantId id) const;
  // Bodies whose name, slug or province matches `query` (case- and accent-insensitive); all when empty.
  [[nodiscard]] std::vector<std::shared_ptr<const Body>> search(std::string_view query) const;

  // Validation on its own, for forms and imports.
  static Status validate(const Body& body);

 private:
  TenantStore store_;
  db::Database& db_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex reload_mutex_;
  std::atomic<std::int64_t> seen_revision_{-1};  // the revision the snapshot was read at
};

}  // namespace sp::tenants
