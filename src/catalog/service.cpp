#include "catalog/service.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "core/text.hpp"
#include "core/time.hpp"
#include "db/revisions.hpp"

namespace sp::catalog {
namespace {

bool valid_code(std::string_view s) {
  if (s.empty() || s.size() > 80 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::string search_text_of(const Service& s) {
  return text::fold(s.title.it + " " + s.title.en + " " + s.summary.it + " " + s.summary.en + " " + s.code);
}

Error invalid(const std::string& code, const std::string& detail) {
  auto e = Error::make(code, 400, detail);
  return e;
}

std::vector<std::string> words(const std::string& folded) {
  std::vector<std::string> out;
  std::istringstream in(folded);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

Status CatalogService::validate(const Service& s) {
  if (!valid_code(s.code)) return invalid("catalog.code", s.code);
  if (s.title.it.empty()) return invalid("catalog.title", s.code);
  if (s.level < 1 || s.level > 4) return invalid("catalog.level", s.code);
  if (s.fee_cents && *s.fee_cents < 0) return invalid("catalog.fee", s.code);
  if (s.deadline_days && *s.deadline_days < 0) return invalid("catalog.deadline", s.code);
  if (s.spid_level < 0 || s.spid_level > 3) return invalid("catalog.spid_level", s.code);
  return Ok{};
}

Status CatalogService::save_life_event(const LifeEvent& e) {
  if (!valid_code(e.code) || e.title.it.empty()) return invalid("catalog.life_event", e.code);
  db_.write([&](db::Conn& tx) { store_.upsert_life_event(tx, e); });
  changed();
  return Ok{};
}

Status CatalogService::save_area(const Area& a) {
  if (!valid_code(a.code) || a.title.it.empty()) return invalid("catalog.area", a.code);
  db_.write([&](db::Conn& tx) { store_.upsert_area(tx, a); });
  changed();
  return Ok{};
}

Result<std::int64_t> CatalogService::save_service(const Service& s) {
  if (auto st = validate(s); !st) return st.error();
  std::int64_t id = 0;
  try {
    db_.write([&](db::Conn& tx) { id = store_.upsert_service(tx, s, search_text_of(s)); });
  } catch (const db::DbError& e) {
    // A life event or area that does not exist violates a foreign key.
    return invalid("catalog.reference", s.code + ": " + s.life_event + "/" + s.area);
  }
  changed();
  return id;
}

Status CatalogService::activate(tenants::TenantId tenant, const Activation& a) {
  auto service = store_.service_by_code(a.service_code);
  if (!service) return Error::not_found("service " + a.service_code);
  Activation effective = a;
  if (effective.level == 0) effective.level = service->level;
  // A body may offer a simpler variant (a downloadable form instead of an online application), never more
  // than the hub built.
  if (effective.level < 1 || effective.level > service->level) {
    return invalid("catalog.activation_level", a.service_code);
  }
  if (effective.fee_cents && *effective.fee_cents < 0) return invalid("catalog.fee", a.service_code);
  auto now = time::format_iso_utc(time::system_clock().now());
  db_.write([&](db::Conn& tx) { store_.activate(tx, tenant, service->id, effective, now); });
  changed();
  return Ok{};
}

Status CatalogService::deactivate(tenants::TenantId tenant, const std::string& service_code) {
  auto service = store_.service_by_code(service_code);
  if (!service) return Error::not_found("service " + service_code);
  db_.write([&](db::Conn& tx) { store_.deactivate(tx, tenant, service->id); });
  changed();
  return Ok{};
}

std::vector<LifeEventGroup> CatalogService::body_catalog(tenants::TenantId tenant,
                                                         std::optional<Audience> audience) {
  std::vector<LifeEventGroup> groups;
  std::map<std::string, std::size_t> index;
  for (auto& e : store_.life_events()) {
    index[e.code] = groups.size();
    groups.push_back(LifeEventGroup{std::move(e), {}});
  }
  for (auto& o : store_.offerings(tenant)) {
    if (audience && o.service.audience != *audience) continue;
    auto it = index.find(o.service.life_event);
    if (it != index.end()) groups[it->second].offerings.push_back(std::move(o));
  }
  groups.erase(
      std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.offerings.empty(); }),
      groups.end());
  return groups;
}

Result<Offering> CatalogService::offering(tenants::TenantId tenant, const std::string& code) {
  if (!valid_code(code)) return Error::not_found("service " + code);
  auto o = store_.offering(tenant, code);
  if (!o) return Error::not_found("service " + code);
  return std::move(*o);
}

bool CatalogService::refresh() {
  const auto revision = db::revision(db_, "catalog");
  if (seen_revision_.exchange(revision, std::memory_order_acq_rel) == revision) return false;
  changed();
  return true;
}

std::shared_ptr<const CatalogService::Activations> CatalogService::activations() {
  const auto version = this->version();
  std::lock_guard lock(activations_mutex_);
  if (activations_ && activations_version_ == version) return activations_;
  auto next = std::make_shared<Activations>();
  for (const auto& [tenant, service_id] : store_.activations()) (*next)[service_id].push_back(tenant);
  activations_ = std::move(next);
  activations_version_ = version;
  return activations_;
}

std::map<tenants::TenantId, int> CatalogService::activation_counts() {
  std::map<tenants::TenantId, int> counts;
  for (const auto& [service_id, tenants] : *activations())
    for (auto tenant : tenants) ++counts[tenant];
  return counts;
}

std::vector<SearchHit> CatalogService::search(std::string_view query, std::optional<Audience> audience) {
  auto terms = words(text::fold(query));
  // Narrow in SQL on the first word, then require every word.
  auto candidates = store_.search(terms.empty() ? std::string() : terms.front());
  const auto offered_ptr = activations();
  const auto& offered = *offered_ptr;
  std::vector<SearchHit> hits;
  for (auto& s : candidates) {
    if (audience && s.audience != *audience) continue;
    auto haystack = search_text_of(s);
    bool all = std::all_of(terms.begin(), terms.end(),
                           [&](const auto& w) { return haystack.find(w) != std::string::npos; });
    if (!all) continue;
    SearchHit hit{std::move(s), {}};
    if (auto it = offered.find(hit.service.id); it != offered.end()) hit.offered_by = it->second;
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace sp::catalog
