#pragma once
// SQL for hubs and bodies. The only place that knows their tables.
#include <optional>
#include <vector>

#include "db/database.hpp"
#include "tenants/model.hpp"

namespace sp::tenants {

class TenantStore {
 public:
  explicit TenantStore(db::Database& db) : db_(db) {}

  std::int64_t insert_hub(db::Conn& tx, const Hub& hub, const std::string& now_iso);
  TenantId insert_body(db::Conn& tx, const Body& body, const std::string& now_iso);

  std::vector<Hub> hubs();
  std::vector<Body> bodies();  // all bodies of all hubs, ordered by name
  std::optional<Body> body_by_slug(const std::string& slug);
  std::optional<Hub> hub_by_slug(const std::string& slug);

 private:
  db::Database& db_;
};

}  // namespace sp::tenants
