#include "tenants/service.hpp"

#include <algorithm>

#include "core/partita_iva.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "db/revisions.hpp"

namespace sp::tenants {
namespace {

bool valid_slug(std::string_view s) {
  if (s.size() < 2 || s.size() > 60 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool valid_color(std::string_view s) {
  return s.size() == 7 && s[0] == '#' && std::all_of(s.begin() + 1, s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

// Slugs that would shadow hub-level routes.
bool reserved_slug(std::string_view s) {
  static const char* reserved[] = {"api",     "static",     "servizi",    "lang",
                                   "healthz", "readyz",     "metrics",    "cerca",
                                   "enti",    "accedi",     "esci",       "area-personale",
                                   "admin",   "well-known", "backoffice", "sportello-assistito",
                                   "auth",    "sim"};
  return std::any_of(std::begin(reserved), std::end(reserved), [&](const char* r) { return s == r; });
}

std::string now_iso() {
  return time::format_iso_utc(time::system_clock().now());
}

}  // namespace

TenantService::TenantService(db::Database& db)
    : store_(db), db_(db), snapshot_(std::make_shared<Snapshot>()) {}

Status TenantService::validate(const Body& b) {
  if (!valid_slug(b.slug) || reserved_slug(b.slug)) return Error::make("tenants.slug", 400, b.slug);
  if (b.name.empty() || b.name.size() > 200) return Error::make("tenants.name", 400, b.name);
  if (auto st = piva::validate(b.fiscal_code); !st) {
    auto e = Error::make("tenants.fiscal_code", 400, b.fiscal_code);
    e.field = "fiscal_code";
    return e;
  }
  if (!valid_color(b.color_primary)) return Error::make("tenants.color", 400, b.color_primary);
  return Ok{};
}

Result<std::int64_t> TenantService::create_hub(const Hub& hub) {
  if (!valid_slug(hub.slug)) return Error::make("tenants.slug", 400, hub.slug);
  if (hub.name.empty()) return Error::make("tenants.name", 400);
  std::int64_t id = 0;
  try {
    db_.write([&](db::Conn& tx) { id = store_.insert_hub(tx, hub, now_iso()); });
  } catch (const db::DbError& e) {
    if (e.kind == db::DbError::Kind::unique_violation) return Error::make("tenants.duplicate", 409, hub.slug);
    throw;
  }
  reload();
  return id;
}

Result<TenantId> TenantService::create_body(const Body& body) {
  if (auto st = validate(body); !st) return st.error();
  TenantId id = 0;
  try {
    db_.write([&](db::Conn& tx) { id = store_.insert_body(tx, body, now_iso()); });
  } catch (const db::DbError& e) {
    if (e.kind == db::DbError::Kind::unique_violation)
      return Error::make("tenants.duplicate", 409, body.slug);
    if (e.kind == db::DbError::Kind::other && body.hub_id <= 0)
      return Error::make("tenants.hub_missing", 400);
    throw;
  }
  reload();
  return id;
}

void TenantService::reload() {
  std::lock_guard lock(reload_mutex_);
  // Read before the rows: a change committed in between is in the rows and moves the revision again, so
  // the next refresh reloads once more (harmless); read after, it could be missed for good.
  seen_revision_.store(db::revision(db_, "tenants"), std::memory_order_release);
  auto next = std::make_shared<Snapshot>();
  next->hubs = store_.hubs();
  for (auto& b : store_.bodies()) {
    auto p = std::make_shared<const Body>(std::move(b));
    next->bodies.push_back(p);
    next->by_slug[p->slug] = p;
    next->by_id[p->id] = p;
    if (!p->host_name.empty()) next->by_host[text::to_lower_ascii(p->host_name)] = p;
  }
  next->version = snapshot()->version + 1;
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(next)));
}

bool TenantService::refresh() {
  if (db::revision(db_, "tenants") == seen_revision_.load(std::memory_order_acquire)) return false;
  reload();
  return true;
}

std::shared_ptr<const Body> TenantService::by_slug(std::string_view slug) const {
  auto s = snapshot();
  auto it = s->by_slug.find(slug);
  return it == s->by_slug.end() ? nullptr : it->second;
}

std::shared_ptr<const Body> TenantService::by_host(std::string_view host) const {
  if (auto colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  auto s = snapshot();
  auto it = s->by_host.find(text::to_lower_ascii(host));
  return it == s->by_host.end() ? nullptr : it->second;
}

std::shared_ptr<const Body> TenantService::by_id(TenantId id) const {
  auto s = snapshot();
  auto it = s->by_id.find(id);
  return it == s->by_id.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Body>> TenantService::search(std::string_view query) const {
  auto s = snapshot();
  std::string q = text::fold(query);
  std::vector<std::shared_ptr<const Body>> out;
  for (const auto& b : s->bodies) {
    if (!b->active) continue;
    if (q.empty() || text::fold(b->name).find(q) != std::string::npos ||
        b->slug.find(q) != std::string::npos || text::fold(b->province) == q) {
      out.push_back(b);
    }
  }
  return out;
}

}  // namespace sp::tenants
