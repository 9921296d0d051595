#include "identity/api_keys.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "identity/audit_entry.hpp"
#include "identity/permissions.hpp"

namespace sp::identity {
namespace {

constexpr auto kTouchEvery = std::chrono::seconds(60);

bool valid_scope(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 40) return false;
  auto area = s.substr(0, colon);
  auto access = s.substr(colon + 1);
  return std::all_of(area.begin(), area.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }) &&
         (access == "read" || access == "write");
}

}  // namespace

std::vector<std::string> ApiKeyService::parse_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto item = text::trim(text.substr(start, end - start));
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

std::string ApiKeyService::bearer_from_header(std::string_view h) {
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.size() < 7 || text::to_lower_ascii(h.substr(0, 7)) != "bearer ") return {};
  return text::trim(h.substr(7));
}

ApiKey ApiKeyService::to_key(const ApiKeyRow& row) const {
  ApiKey k;
  k.id = row.id;
  k.tenant_id = row.tenant_id;
  k.name = row.name;
  k.prefix = row.prefix;
  k.scopes = parse_scopes(row.scopes);
  k.created_by = row.created_by;
  k.created_at = row.created_at;
  k.revoked_at = row.revoked_at;
  k.last_used_at = row.last_used_at;
  return k;
}

Result<CreatedApiKey> ApiKeyService::create(const Principal* caller, tenants::TenantId tenant,
                                            const std::string& name_in,
                                            const std::vector<std::string>& scopes) {
  if (auto st = authorize(caller, Permission::manage_api_keys, tenant); !st) return st.error();
  const auto name = text::trim(name_in);
  if (name.empty() || name.size() > 100) {
    auto e = Error::make("api.name");
    e.field = "name";
    return e;
  }
  std::vector<std::string> clean;
  for (const auto& s : scopes) {
    auto t = text::trim(s);
    if (!valid_scope(t)) {
      auto e = Error::make("api.scope", 400, t);
      e.field = "scopes";
      return e;
    }
    if (std::find(clean.begin(), clean.end(), t) == clean.end()) clean.push_back(t);
  }
  if (clean.empty()) {
    auto e = Error::make("api.scope");
    e.field = "scopes";
    return e;
  }
  CreatedApiKey created;
  created.secret = std::string(kPrefix) + ids::random_token(32);
  ApiKeyRow row;
  row.id = ids::random_token(12);
  row.tenant_id = tenant;
  row.name = name;
  row.prefix = created.secret.substr(0, kShownChars);
  row.key_hash = digest::sha256_hex(created.secret);
  row.scopes = text::join(clean, ",");
  row.created_by = caller->subject;
  row.created_at = time::format_iso_utc(clock_.now());
  db_.write([&](db::Conn& tx) {
    store_.insert(tx, row);
    boost::json::object d{{"name", row.name}, {"prefix", row.prefix}, {"scopes", row.scopes}};
    audit_change(tx, caller, tenant, "api_key.created", row.id, boost::json::serialize(d));
  });
  created.key = to_key(row);
  return created;
}

Result<std::vector<ApiKey>> ApiKeyService::list(const Principal* caller, tenants::TenantId tenant) {
  if (auto st = authorize(caller, Permission::manage_api_keys, tenant); !st) return st.error();
  std::vector<ApiKey> out;
  for (const auto& row : store_.by_tenant(tenant)) out.push_back(to_key(row));
  return out;
}

Status ApiKeyService::revoke(const Principal* caller, tenants::TenantId tenant, const std::string& key_id) {
  if (auto st = authorize(caller, Permission::manage_api_keys, tenant); !st) return st.error();
  std::int64_t n = 0;
  db_.write([&](db::Conn& tx) {
    n = store_.revoke(tx, tenant, key_id, time::format_iso_utc(clock_.now()));
    if (n > 0) audit_change(tx, caller, tenant, "api_key.revoked", key_id, "{}");
  });
  if (n == 0) return Error::not_found("api_key");
  return Ok{};
}

void ApiKeyService::audit_change(db::Conn& tx, const Principal* caller, tenants::TenantId tenant,
                                 const std::string& action, const std::string& key_id,
                                 const std::string& details) {
  if (audit_ == nullptr) return;
  audit_->record_or_throw(tx, entry_by(*caller, tenant, action, "api_key", key_id, details));
}

void ApiKeyService::note_invalid(tenants::TenantId target, const std::string& remote_addr,
                                 const std::string& path) {
  if (audit_ == nullptr) return;
  auto suppressed = invalid_keys_.admit(std::to_string(target) + "|" + remote_addr, clock_.now());
  if (!suppressed) return;
  audit::Entry e;
  e.tenant_id = target;
  e.actor_id = "anonymous";
  e.channel = audit::Channel::api;
  e.action = "api_key.invalid";
  e.record_type = "route";
  e.record_id = path.substr(0, 512);
  e.remote_addr = remote_addr;
  e.details = boost::json::serialize(boost::json::object{{"suppressed", *suppressed}});
  if (auto st = audit_->record(e); !st) spdlog::error("audit of an invalid API key: {}", st.error().code);
}

Result<ApiPrincipal> ApiKeyService::authenticate(std::string_view bearer_token) {
  std::string token(bearer_token);
  if (auto b = bearer_from_header(token); !b.empty()) token = b;
  const auto invalid = Error::make("api.key_invalid", 401);
  if (token.size() != kPrefix.size() + 43 || token.compare(0, kPrefix.size(), kPrefix) != 0) return invalid;
  auto row = store_.by_hash(digest::sha256_hex(token));
  if (!row || row->revoked_at) return invalid;
  const auto now = clock_.now();
  bool stale = true;
  if (row->last_used_at) {
    auto last = time::parse_iso_utc(*row->last_used_at);
    stale = !last || now - *last >= kTouchEvery;
  }
  if (stale) store_.touch(row->id, time::format_iso_utc(now));
  ApiPrincipal p;
  p.tenant_id = row->tenant_id;
  p.key_id = row->id;
  for (auto& s : parse_scopes(row->scopes)) p.scopes.insert(std::move(s));
  return p;
}

}  // namespace sp::identity
