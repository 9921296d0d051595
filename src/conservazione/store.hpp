#pragma once
// SQL of the preservation module (migrations/*/0045_conservazione.sql). Every statement names the tenant
// except the job's scan for due packages, which works for every body and scopes each package by its row.
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "conservazione/model.hpp"
#include "db/database.hpp"

namespace sp::conservazione::store {

// False when (tenant, class, object) already has a package.
bool insert_package(db::Conn& c, const Package& p);
std::set<std::string> packaged_objects(db::Conn& c, tenants::TenantId tenant, const std::string& klass);
std::optional<Package> package(db::Conn& c, tenants::TenantId tenant, const std::string& id);
std::vector<Package> packages(db::Conn& c, tenants::TenantId tenant, int limit);
// Packages not accepted whose next attempt is due at `now`, oldest first (every tenant).
std::vector<Package> due(db::Conn& c, const std::string& now, int limit);

// Records one answer and the package's new state, in the caller's transaction.
void record_attempt(db::Conn& c, const Package& p, const Receipt& r, State next, const std::string& next_at);
// A manager's "send again now": the next attempt is due at once (not for an accepted package).
bool retry_now(db::Conn& c, tenants::TenantId tenant, const std::string& id, const std::string& now);
std::vector<Receipt> receipts(db::Conn& c, tenants::TenantId tenant, const std::string& package_id);

std::optional<Settings> settings(db::Conn& c, tenants::TenantId tenant);
void save_settings(db::Conn& c, tenants::TenantId tenant, const Settings& s);
std::vector<tenants::TenantId> tenants_with_class(db::Conn& c, const std::string& klass);

// Packages not accepted whose due day is before `today` (a Rome day): of one body, and of every body by
// class (the /metrics gauge).
std::int64_t overdue_count(db::Conn& c, tenants::TenantId tenant, const std::string& today);
std::vector<std::pair<std::string, std::int64_t>> overdue_by_class(db::Conn& c, const std::string& today);

// The newest accepted package's audit head of every body, and first the hub's own (tenant 0: the highest
// hub head an accepted package carries), when there is one.
std::vector<PreservedHead> preserved_heads(db::Conn& c);

}  // namespace sp::conservazione::store
