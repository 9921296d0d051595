#include "identity/inbound_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/digest.hpp"
#include "core/ids.hpp"

namespace sp::identity {
namespace {

bool inbound_name_ok(std::string_view s) {
  return !s.empty() && s.size() <= 100 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

std::optional<std::map<std::string, std::string>> parse_identifiers(const std::string& json) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(json.empty() ? std::string("{}") : json, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : doc.as_object()) {
    if (!v.is_string() || !inbound_name_ok(k)) return std::nullopt;
    out.emplace(std::string(k), std::string(v.as_string()));
  }
  return out;
}

std::string identifiers_text(const std::map<std::string, std::string>& ids) {
  boost::json::object o;
  for (const auto& [k, v] : ids) o[k] = v;
  return boost::json::serialize(o);
}

InboundCredential inbound_from_row(const InboundCredentialRow& r) {
  InboundCredential c;
  c.id = r.id;
  c.tenant_id = r.tenant_id;
  c.system = r.system;
  c.station = r.station;
  c.has_secret = !r.secret_hash.empty();
  c.cert_fingerprint = r.cert_fingerprint;
  c.identifiers = parse_identifiers(r.identifiers).value_or(std::map<std::string, std::string>{});
  c.created_at = r.created_at;
  c.rotated_at = r.rotated_at;
  return c;
}

std::string new_inbound_secret() {
  return std::string(InboundService::kSecretPrefix) + ids::random_token(32);
}

audit::Entry inbound_entry(tenants::TenantId tenant, const std::string& action, const std::string& system,
                           const std::string& station) {
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = audit::ActorKind::system;
  e.actor_id = "inbound:" + system + (station.empty() ? std::string() : "/" + station);
  e.channel = audit::Channel::api;
  e.action = action;
  e.record_type = "inbound_credential";
  return e;
}

}  // namespace

InboundService::InboundService(db::Database& db, audit::AuditService& audit, const time::Clock& clock,
                               InboundPolicy policy)
    : db_(db),
      audit_(audit),
      clock_(clock),
      limit_(policy.calls_per_window, policy.window),
      fresh_for_(db.dialect() == db::Dialect::postgres ? policy.credentials_fresh_for
                                                       : std::chrono::milliseconds{0}) {}

std::vector<InboundCredentialRow> InboundService::credentials(tenants::TenantId tenant,
                                                              const std::string& system, bool* cached) {
  if (fresh_for_.count() <= 0) return inbound_credentials_for(db_, tenant, system);
  const auto now = clock_.now();
  auto key = std::make_pair(tenant, system);
  std::uint64_t forgotten = 0;
  {
    std::lock_guard lock(cache_mutex_);
    forgotten = forgotten_;
    const bool fresh = checked_at_ && now >= *checked_at_ && now - *checked_at_ < fresh_for_;
    if (fresh && cached != nullptr) {
      if (auto it = cached_.find(key); it != cached_.end() && it->second.generation == generation_) {
        *cached = true;
        return it->second.rows;
      }
    }
  }
  // Stale or not there: the generation and this body's credentials, in one statement (one snapshot).
  auto read = inbound_credentials_at(db_, tenant, system);
  std::lock_guard lock(cache_mutex_);
  if (forgotten == forgotten_ && read.generation > 0 && read.generation >= generation_) {
    generation_ = read.generation;  // entries read at an older one no longer match
    checked_at_ = now;
    cached_[key] = CachedCredentials{read.generation, read.rows};
  }
  return std::move(read.rows);
}

void InboundService::forget_credentials() {
  std::lock_guard lock(cache_mutex_);
  cached_.clear();
  checked_at_.reset();
  ++forgotten_;
}

std::string InboundService::normalize_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    out.push_back(c);
  }
  return out.size() == 64 ? out : std::string();
}

Result<IssuedInbound> InboundService::add(tenants::TenantId tenant, const std::string& system,
                                          const std::string& station, const std::string& identifiers_json,
                                          const std::string& cert_fingerprint, bool certificate_only) {
  if (!inbound_name_ok(system)) return Error::make("inbound.system", 400, system);
  if (!inbound_name_ok(station)) return Error::make("inbound.station", 400, station);
  auto ids = parse_identifiers(identifiers_json);
  if (!ids)
    return Error::make("inbound.identifiers_format", 400, "a JSON object of strings: " + identifiers_json);
  std::string fingerprint;
  if (!cert_fingerprint.empty()) {
    fingerprint = normalize_fingerprint(cert_fingerprint);
    if (fingerprint.empty()) return Error::make("inbound.fingerprint", 400, "64 hex digits (SHA-256)");
  }
  if (certificate_only && fingerprint.empty()) {
    return Error::make("inbound.fingerprint", 400, "a certificate-only credential needs a fingerprint");
  }
  IssuedInbound issued;
  InboundCredentialRow row;
  row.id = ids::random_token(12);
  row.tenant_id = tenant;
  row.system = system;
  row.station = station;
  if (!certificate_only) {
    issued.secret = new_inbound_secret();
    row.secret_hash = digest::sha256_hex(issued.secret);
  }
  row.cert_fingerprint = fingerprint;
  row.identifiers = identifiers_text(*ids);
  row.created_at = time::format_iso_utc(clock_.now());
  for (const auto& existing : inbound_credentials_for(db_, tenant, system)) {
    if (existing.station == station) return Error::make("inbound.exists", 409, system + "/" + station);
  }
  auto done = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    insert_inbound_credential(tx, row);
    auto e = inbound_entry(tenant, "inbound.credential_added", system, station);
    e.actor_id = "cli";
    e.record_id = row.id;
    e.details = boost::json::serialize(boost::json::object{{"system", system},
                                                           {"station", station},
                                                           {"secret", !certificate_only},
                                                           {"certificate", !fingerprint.empty()}});
    if (auto st = audit_.record(tx, e); !st) return st.error();
    return true;
  });
  forget_credentials();
  if (!done) return done.error();
  issued.credential = inbound_from_row(row);
  return issued;
}

Result<IssuedInbound> InboundService::rotate(tenants::TenantId tenant, const std::string& system,
                                             const std::string& station) {
  IssuedInbound issued;
  issued.secret = new_inbound_secret();
  const std::string now = time::format_iso_utc(clock_.now());
  auto done = db::transact(db_, [&](db::Conn& tx) -> Result<bool> {
    if (rotate_inbound_secret(tx, tenant, system, station, digest::sha256_hex(issued.secret), now) == 0) {
      return Error::not_found(system + "/" + station);
    }
    auto e = inbound_entry(tenant, "inbound.credential_rotated", system, station);
    e.actor_id = "cli";
    e.record_id = system + "/" + station;
    if (auto st = audit_.record(tx, e); !st) return st.error();
    return true;
  });
  forget_credentials();
  if (!done) return done.error();
  for (const auto& row : inbound_credentials_for(db_, tenant, system)) {
    if (row.station == station) issued.credential = inbound_from_row(row);
  }
  return issued;
}

std::vector<InboundCredential> InboundService::list(std::optional<tenants::TenantId> tenant) {
  std::vector<InboundCredential> out;
  for (const auto& row : list_inbound_credentials(db_, tenant)) out.push_back(inbound_from_row(row));
  return out;
}

void InboundService::refuse(tenants::TenantId tenant, const std::string& system, const InboundPresented& p,
                            const std::string& reason, const std::string& station) {
  // One entry per body, system, address and reason in a window; the next carries how many were not
  // written (a refused caller must not be able to flood the body's chain).
  auto suppressed = refusals_.admit(
      std::to_string(tenant) + "|" + system + "|" + p.remote_addr + "|" + reason, clock_.now());
  if (!suppressed) return;
  auto e = inbound_entry(tenant, "inbound.refused", system, station);
  e.record_type = "route";
  e.record_id = p.path.substr(0, 512);
  e.remote_addr = p.remote_addr;
  e.details = boost::json::serialize(boost::json::object{{"reason", reason}, {"suppressed", *suppressed}});
  if (auto st = audit_.record(e); !st) spdlog::error("audit of a refused inbound call: {}", st.error().code);
}

Status InboundService::record_accepted(const audit::Entry& e) {
  if (auto st = audit_.record(e); !st) return st.error();
  return Ok{};
}

Result<InboundCaller> InboundService::authenticate(tenants::TenantId tenant, const std::string& system,
                                                   const InboundPresented& p, AcceptedAudit accepted) {
  const auto now = clock_.now();
  if (!limit_.allow(std::to_string(tenant) + "|" + system + "|" + p.remote_addr, now)) {
    refuse(tenant, system, p, "rate_limited", "");
    return Error::make("inbound.rate_limited", 429);
  }
  const std::string presented_hash = p.secret.empty() ? std::string() : digest::sha256_hex(p.secret);
  const std::string fingerprint = normalize_fingerprint(p.cert_fingerprint);
  // The credential presented, and whether its identifiers are all there and right.
  auto find = [&](const std::vector<InboundCredentialRow>& rows) {
    const InboundCredentialRow* found = nullptr;
    for (const auto& row : rows) {
      // Every row is compared (no early exit), each in constant time.
      bool ok = false;
      if (!presented_hash.empty() && !row.secret_hash.empty()) {
        ok = digest::equal_constant_time(presented_hash, row.secret_hash);
      }
      if (!fingerprint.empty() && !row.cert_fingerprint.empty()) {
        ok = digest::equal_constant_time(fingerprint, row.cert_fingerprint) || ok;
      }
      if (ok && found == nullptr) found = &row;
    }
    return found;
  };
  auto identified = [&](const InboundCredentialRow& row) {
    for (const auto& [name, expected] :
         parse_identifiers(row.identifiers).value_or(std::map<std::string, std::string>{})) {
      auto it = p.identifiers.find(name);
      if (it == p.identifiers.end() || it->second != expected) return false;
    }
    return true;
  };
  bool cached = false;
  auto rows = credentials(tenant, system, &cached);
  const InboundCredentialRow* match = find(rows);
  if (cached && (match == nullptr || !identified(*match))) {
    // Refused on what this node kept: a credential added, rotated or corrected elsewhere since would not be
    // there yet. Read them again before refusing (only a credential removed elsewhere may still be taken
    // for fresh a little longer, never a new one refused).
    rows = credentials(tenant, system, nullptr);
    match = find(rows);
  }
  if (match == nullptr) {
    refuse(tenant, system, p,
           presented_hash.empty() && fingerprint.empty() ? "no_credential" : "credential_mismatch", "");
    return Error::make("inbound.unauthenticated", 401);
  }
  for (const auto& [name, expected] :
       parse_identifiers(match->identifiers).value_or(std::map<std::string, std::string>{})) {
    auto it = p.identifiers.find(name);
    if (it == p.identifiers.end() || it->second != expected) {
      refuse(tenant, system, p, "identifiers", match->station);
      return Error::make("inbound.identifiers", 403, name);
    }
  }
  InboundCaller caller{tenant, system, match->station, match->id, std::nullopt};
  auto e = inbound_entry(tenant, "inbound.accepted", system, match->station);
  e.record_type = "route";
  e.record_id = p.path.substr(0, 512);
  e.remote_addr = p.remote_addr;
  e.details = boost::json::serialize(boost::json::object{
      {"credential", match->id}, {"by", presented_hash.empty() ? "certificate" : "secret"}});
  if (accepted == AcceptedAudit::by_handler) {
    caller.accepted_entry = std::move(e);
    return caller;
  }
  if (auto st = audit_.record(e); !st) {
    // An accepted call that leaves no trace would break the rule: refuse it instead.
    spdlog::error("audit of an inbound call: {}", st.error().code);
    return st.error();
  }
  return caller;
}

}  // namespace sp::identity
