#include "hub/service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "catalog/levels.hpp"
#include "identity/permissions.hpp"

namespace sp::hub {
namespace {

using identity::Permission;

Error refusal(const std::string& code, int status, const std::string& detail = {},
              const std::string& field = {}) {
  auto e = Error::make(code, status, detail);
  e.field = field;
  return e;
}

std::string actor_name(const identity::Actor& who) {
  if (const auto* sys = std::get_if<identity::SystemActor>(&who)) return "system:" + sys->name;
  return "staff:" + std::get<const identity::Principal*>(who)->subject;
}

Status authorize_actor(const identity::Actor& who, Permission what, tenants::TenantId tenant) {
  if (const auto* sys = std::get_if<identity::SystemActor>(&who)) {
    if (sys->name.empty()) return Error::forbidden("system actor without a name");
    return Ok{};
  }
  return identity::authorize(std::get<const identity::Principal*>(who), what, tenant);
}

std::string details(const LedgerEntry& e) {
  boost::json::object o{{"service", e.service_code},
                        {"level_before", e.level_before},
                        {"level_after", e.level_after},
                        {"credits_before", e.credits_before},
                        {"credits_after", e.credits_after}};
  if (!e.note.empty()) o["note"] = e.note;
  return boost::json::serialize(o);
}

}  // namespace

std::string PackagesService::now_iso() const {
  return time::format_iso_utc_millis(clock_.now());
}

// The body's next ledger row after `last`: credits unchanged until the caller says otherwise.
LedgerEntry PackagesService::next_entry(const std::optional<LedgerEntry>& last, tenants::TenantId tenant,
                                        const identity::Actor& who, std::string action) const {
  LedgerEntry e;
  e.tenant_id = tenant;
  e.seq = last ? last->seq + 1 : 1;
  e.at = now_iso();
  e.actor = actor_name(who);
  e.action = std::move(action);
  e.credits_before = last ? last->credits_after : 0;
  e.credits_after = e.credits_before;
  return e;
}

Status PackagesService::authorize_body(const identity::Principal* who, tenants::TenantId tenant) {
  // A body's administrators for their own body; the hub's administrators for every body.
  if (identity::authorize(who, Permission::manage_hub, 0)) return Ok{};
  return identity::authorize(who, Permission::manage_staff, tenant);
}

Status PackagesService::save_rules(const identity::Principal* who, Rules r) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st;
  if (r.min_high < 0 || r.max_high < r.min_high || r.max_high > 200)
    return refusal("hub.rules", 400, std::to_string(r.min_high) + "-" + std::to_string(r.max_high),
                   "max_high");
  for (int l = 1; l <= 4; ++l)
    if (r.cost[l] < 0 || r.cost[l] > 1000)
      return refusal("hub.rules", 400, std::to_string(r.cost[l]), "cost");
  r.updated_at = now_iso();
  r.updated_by = "staff:" + who->subject;
  db_.write([&](db::Conn& tx) {
    store_.save_rules(tx, r);
    boost::json::object o{{"min_high", r.min_high}, {"max_high", r.max_high}};
    audit_.record_or_throw(tx, identity::entry_by(*who, 0, "package.rules_saved", "credit_rules", "1",
                                                  boost::json::serialize(o)));
  });
  return Ok{};
}

Result<std::int64_t> PackagesService::save_package(const identity::Actor& who, Package p) {
  if (auto st = authorize_actor(who, Permission::manage_hub, 0); !st) return st.error();
  auto valid_code = [](const std::string& c) {
    return !c.empty() && c.size() <= 60 && std::all_of(c.begin(), c.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    });
  };
  if (!valid_code(p.code)) return refusal("hub.package", 400, p.code, "code");
  if (p.name_it.empty() || p.name_it.size() > 200) return refusal("hub.package", 400, p.code, "name_it");
  if (p.credits < 0 || p.credits > 100000) return refusal("hub.package", 400, p.code, "credits");
  if (p.min_population < 0 || (p.max_population && *p.max_population < p.min_population))
    return refusal("hub.package", 400, p.code, "max_population");
  if (p.min_high && (*p.min_high < 0 || *p.min_high > 200))
    return refusal("hub.package", 400, p.code, "min_high");
  if (p.max_high && (*p.max_high < p.min_high.value_or(0) || *p.max_high > 200))
    return refusal("hub.package", 400, p.code, "max_high");
  std::map<std::string, catalog::Service> by_code;
  for (auto& s : catalog_.services()) by_code.emplace(s.code, s);
  std::sort(p.items.begin(), p.items.end(),
            [](const auto& a, const auto& b) { return a.service_code < b.service_code; });
  for (const auto& i : p.items) {
    auto it = by_code.find(i.service_code);
    if (it == by_code.end()) return refusal("hub.package_level", 400, i.service_code, "items");
    const bool online = can_.online && can_.online(i.service_code);
    const bool ok = i.level == 1 || (i.level == 3 && online && it->second.level >= 3) ||
                    (i.level == 4 && online && it->second.level >= 4);
    if (!ok)
      return refusal("hub.package_level", 400, i.service_code + " " + std::to_string(i.level), "items");
  }
  p.updated_at = now_iso();
  p.updated_by = actor_name(who);
  std::int64_t id = 0;
  db_.write([&](db::Conn& tx) {
    id = store_.save_package(tx, p);
    boost::json::object o{{"code", p.code}, {"credits", p.credits}, {"services", p.items.size()}};
    audit_.record_or_throw(
        tx, identity::entry_by(who, 0, "package.defined", "package", p.code, boost::json::serialize(o)));
  });
  return id;
}

namespace {
Status deliverable_with(const catalog::Service& s, int level, bool online, bool creditor) {
  if (level == 1) return Ok{};
  if (level < 1 || level > 4) return refusal("hub.level_catalog", 409, s.code);
  if (level == 2) return refusal("hub.level_no_download", 409, s.code);
  if (level > s.level) return refusal("hub.level_catalog", 409, s.code);
  if (!online) return refusal("hub.level_no_form", 409, s.code);
  if (level == 4 && !creditor) return refusal("hub.level_no_payment", 409, s.code);
  return Ok{};
}
}  // namespace

Status PackagesService::deliverable(const catalog::Service& s, tenants::TenantId tenant, int level) {
  return deliverable_with(s, level, can_.online && can_.online(s.code),
                          level == 4 && can_.creditor && can_.creditor(tenant));
}

std::vector<ServiceOption> PackagesService::options_of(tenants::TenantId tenant) {
  std::map<std::string, int> stored;
  for (const auto& o : catalog_.offerings(tenant)) stored[o.service.code] = o.service.level;
  return options_from(tenant, stored);
}

std::vector<ServiceOption> PackagesService::options_from(tenants::TenantId tenant,
                                                         const std::map<std::string, int>& stored) {
  std::vector<ServiceOption> out;
  const bool creditor = tenant != 0 && can_.creditor && can_.creditor(tenant);
  for (const auto& s : catalog_.services()) {
    ServiceOption o;
    o.code = s.code;
    o.title_it = s.title.it;
    o.title_en = s.title.en;
    o.audience = std::string(catalog::to_string(s.audience));
    o.catalog_level = s.level;
    o.has_form = can_.online && can_.online(s.code);
    for (int l = 4; l >= 1; --l)
      if (deliverable_with(s, l, o.has_form, creditor)) {
        o.deliverable = l;
        break;
      }
    if (auto it = stored.find(s.code); it != stored.end()) {
      o.stored_level = it->second;
      // As delivered: the highest deliverable level not above the one recorded.
      o.level = 1;
      for (int l = std::min(it->second, 4); l >= 1; --l)
        if (deliverable_with(s, l, o.has_form, creditor)) {
          o.level = l;
          break;
        }
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<ServiceOption>> PackagesService::options(const identity::Principal* who,
                                                            tenants::TenantId tenant) {
  if (auto st = authorize_body(who, tenant); !st) return st.error();
  return options_of(tenant);
}

Rules PackagesService::limits(tenants::TenantId tenant) {
  auto r = store_.rules();
  if (auto id = store_.body_package_id(tenant))
    if (auto p = store_.package_by_id(*id)) {
      if (p->min_high) r.min_high = *p->min_high;
      if (p->max_high) r.max_high = *p->max_high;
      r.max_high = std::max(r.max_high, r.min_high);
    }
  return r;
}

Status PackagesService::record_package(const identity::Actor& who, tenants::TenantId tenant,
                                       const std::string& package_code) {
  if (auto st = authorize_actor(who, Permission::manage_hub, 0); !st) return st;
  auto p = store_.package_by_code(package_code);
  if (!p) return refusal("hub.package_unknown", 404, package_code, "package");
  if (!tenants_.by_id(tenant)) return Error::not_found("body");
  db_.write([&](db::Conn& tx) {
    store_.set_body_package(tx, tenant, p->id, now_iso());
    audit_.record_or_throw(tx, identity::entry_by(who, tenant, "package.recorded", "package", p->code));
  });
  return Ok{};
}

std::int64_t PackagesService::balance(tenants::TenantId tenant) {
  std::int64_t out = 0;
  db_.read([&](db::Conn& c) {
    if (auto last = store_.last_entry(c, tenant)) out = last->credits_after;
  });
  return out;
}

Result<BodyPackage> PackagesService::body(const identity::Principal* who, tenants::TenantId tenant) {
  if (auto st = authorize_body(who, tenant); !st) return st.error();
  BodyPackage b;
  b.tenant_id = tenant;
  if (auto id = store_.body_package_id(tenant)) b.package = store_.package_by_id(*id);
  b.balance = balance(tenant);
  const auto lim = limits(tenant);
  b.min_high = lim.min_high;
  b.max_high = lim.max_high;
  for (const auto& o : options_of(tenant)) {
    if (o.level == 0) continue;
    ++b.services;
    if (o.level >= kHighLevel) ++b.high;
  }
  return b;
}

Result<std::vector<BodyPackage>> PackagesService::overview(const identity::Principal* who) {
  if (auto st = identity::authorize(who, Permission::manage_hub, 0); !st) return st.error();
  auto packages = store_.packages();
  std::map<tenants::TenantId, std::int64_t> package_of;
  for (const auto& [t, p] : store_.body_packages()) package_of[t] = p;
  std::map<tenants::TenantId, std::int64_t> balances;
  for (const auto& [t, c] : store_.balances()) balances[t] = c;
  const auto rules = store_.rules();
  std::vector<BodyPackage> out;
  for (const auto& body : tenants_.snapshot()->bodies) {
    BodyPackage b;
    b.tenant_id = body->id;
    if (auto it = package_of.find(body->id); it != package_of.end())
      for (const auto& p : packages)
        if (p.id == it->second) b.package = p;
    b.balance = balances[body->id];
    b.min_high = b.package && b.package->min_high ? *b.package->min_high : rules.min_high;
    b.max_high =
        std::max(b.package && b.package->max_high ? *b.package->max_high : rules.max_high, b.min_high);
    for (const auto& o : options_of(body->id)) {
      if (o.level == 0) continue;
      ++b.services;
      if (o.level >= kHighLevel) ++b.high;
    }
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::vector<LedgerEntry>> PackagesService::ledger(const identity::Principal* who,
                                                         tenants::TenantId tenant, int limit) {
  if (auto st = authorize_body(who, tenant); !st) return st.error();
  return store_.ledger(tenant, limit);
}

Status PackagesService::change(const identity::Actor& who, tenants::TenantId tenant, const std::string& code,
                               int level) {
  if (const auto* p = std::get_if<const identity::Principal*>(&who)) {
    if (auto st = identity::authorize(*p, Permission::manage_staff, tenant); !st) return st;
  } else if (auto st = authorize_actor(who, Permission::manage_staff, tenant); !st) {
    return st;
  }
  if (!tenants_.by_id(tenant)) return Error::not_found("body");
  auto services = catalog_.services();
  auto s = std::find_if(services.begin(), services.end(), [&](const auto& x) { return x.code == code; });
  if (s == services.end()) return refusal("hub.unknown_service", 400, code, "service");
  if (level < 0 || level > 4) return refusal("hub.level_catalog", 409, code);
  if (level > 0)
    if (auto st = deliverable(*s, tenant, level); !st) return st;
  const auto rules = limits(tenant);
  auto st = db::transact(db_, [&](db::Conn& tx) -> Status {
    // Counted in the transaction that writes, with the body locked: two concurrent changes cannot both
    // pass the maximum (or the minimum) on the same count.
    int high = 0, current = 0;
    for (const auto& o : options_from(tenant, catalog::levels_for_update(tx, tenant))) {
      if (o.level >= kHighLevel) ++high;
      if (o.code == code) current = o.level;
    }
    if (level == current) return refusal("hub.unchanged", 400, code);
    if (level >= kHighLevel && current < kHighLevel && high >= rules.max_high)
      return refusal("hub.max_high", 409, std::to_string(rules.max_high));
    if (current >= kHighLevel && level < kHighLevel && high <= rules.min_high)
      return refusal("hub.min_high", 409, std::to_string(rules.min_high));
    const std::int64_t delta = rules.cost_of(level) - rules.cost_of(current);
    auto last = store_.last_entry(tx, tenant);
    const std::int64_t before = last ? last->credits_after : 0;
    if (before - delta < 0) return refusal("hub.credits", 409, std::to_string(delta));
    if (level == 0) {
      if (auto r = catalog::withdraw(tx, tenant, code); !r) return r;
    } else if (auto r = catalog::set_level(tx, tenant, code, level); !r) {
      return r;
    }
    LedgerEntry e = next_entry(last, tenant, who,
                               level == 0     ? "service.removed"
                               : current == 0 ? "service.added"
                                              : "service.level");
    e.service_code = code;
    e.level_before = current;
    e.level_after = level;
    e.credits_before = before;
    e.credits_after = before - delta;
    store_.append(tx, e);
    audit_.record_or_throw(
        tx, identity::entry_by(who, tenant, "package." + e.action, "service", code, details(e)));
    return Ok{};
  });
  if (st) tenants_.reload();  // cached catalog pages are keyed on the directory's version
  return st;
}

Status PackagesService::assign(const identity::Actor& who, tenants::TenantId tenant,
                               const std::string& package_code) {
  if (auto st = authorize_actor(who, Permission::manage_hub, 0); !st) return st;
  auto p = store_.package_by_code(package_code);
  if (!p) return refusal("hub.package_unknown", 404, package_code, "package");
  if (!tenants_.by_id(tenant)) return Error::not_found("body");
  std::map<std::string, catalog::Service> by_code;
  for (auto& s : catalog_.services()) by_code.emplace(s.code, s);
  const bool creditor = can_.creditor && can_.creditor(tenant);
  auto st = db::transact(db_, [&](db::Conn& tx) -> Status {
    for (const auto& o : catalog_.offerings(tenant)) {
      if (auto r = catalog::withdraw(tx, tenant, o.service.code); !r) return r;
    }
    for (const auto& i : p->items) {
      auto s = by_code.find(i.service_code);
      if (s == by_code.end()) continue;  // a service the catalog no longer has
      int level = 1;
      const bool online = can_.online && can_.online(s->second.code);
      for (int l = i.level; l >= 1; --l)
        if (deliverable_with(s->second, l, online, creditor)) {
          level = l;
          break;
        }
      if (auto r = catalog::set_level(tx, tenant, i.service_code, level); !r) return r;
    }
    store_.set_body_package(tx, tenant, p->id, now_iso());
    auto last = store_.last_entry(tx, tenant);
    LedgerEntry e = next_entry(last, tenant, who, "package.assigned");
    e.credits_after = p->credits;
    e.note = p->code;
    store_.append(tx, e);
    audit_.record_or_throw(
        tx, identity::entry_by(who, tenant, "package.assigned", "package", p->code, details(e)));
    return Ok{};
  });
  if (st) tenants_.reload();  // cached catalog pages are keyed on the directory's version
  return st;
}

Status PackagesService::grant(const identity::Actor& who, tenants::TenantId tenant, std::int64_t credits,
                              const std::string& note) {
  if (auto st = authorize_actor(who, Permission::manage_hub, 0); !st) return st;
  if (!tenants_.by_id(tenant)) return Error::not_found("body");
  if (credits == 0 || credits > 100000 || credits < -100000 || note.size() > 500)
    return refusal("hub.grant", 400, std::to_string(credits), "credits");
  return db::transact(db_, [&](db::Conn& tx) -> Status {
    auto last = store_.last_entry(tx, tenant);
    LedgerEntry e = next_entry(last, tenant, who, "credits.granted");
    e.credits_after = e.credits_before + credits;
    e.note = note;
    if (e.credits_after < 0) return refusal("hub.credits", 409, std::to_string(-credits));
    store_.append(tx, e);
    audit_.record_or_throw(tx, identity::entry_by(who, tenant, "package.credits_granted", "credits",
                                                  std::to_string(e.seq), details(e)));
    return Ok{};
  });
}

}  // namespace sp::hub
