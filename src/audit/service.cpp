#include "audit/service.hpp"

#include <date/date.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>

#include "audit/body_key.hpp"
#include "audit/chain.hpp"
#include "audit/chain_tail.hpp"
#include "core/digest.hpp"

namespace sp::audit {
namespace {

constexpr std::size_t kMaxActionLength = 100;
constexpr int kVerifyBatch = 1000;  // rows read per query while walking a chain
constexpr int kMaxPage = 500;

Error invalid(const std::string& code, const std::string& field, const std::string& detail) {
  Error e = Error::make(code, 400, detail);
  e.field = field;
  return e;
}

bool valid_action(const std::string& a) {
  if (a.empty() || a.size() > kMaxActionLength) return false;
  return std::all_of(a.begin(), a.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

std::string seq_range(std::int64_t from, std::int64_t to) {
  return from == to ? std::to_string(from) : std::to_string(from) + "-" + std::to_string(to);
}

}  // namespace

std::string AuditService::format_at(time::TimePoint tp) {
  return time::format_iso_utc_millis(tp);
}

Status AuditService::validate(const Entry& e) {
  if (e.tenant_id < 0) return invalid("audit.tenant", "tenant_id", std::to_string(e.tenant_id));
  if (e.actor_id.empty()) return invalid("audit.actor", "actor_id", "empty");
  if (!valid_action(e.action)) return invalid("audit.action", "action", e.action);
  boost::system::error_code ec;
  auto parsed = boost::json::parse(e.details, ec);
  if (ec || !parsed.is_object()) return invalid("audit.details", "details", "not a JSON object");
  return Ok{};
}

void AuditService::record_or_throw(db::Conn& tx, const Entry& e) {
  auto r = record(tx, e);
  if (!r) throw std::runtime_error("audit: " + r.error().code + " " + r.error().detail);
}

Result<Appended> AuditService::record(db::Conn& tx, const Entry& e) {
  auto r = record_all(tx, std::vector<Entry>{e});
  if (!r) return r.error();
  return r->front();
}

Result<std::vector<Appended>> AuditService::record_all(db::Conn& tx, const std::vector<Entry>& entries) {
  for (const auto& e : entries)
    if (auto st = validate(e); !st) return st.error();
  std::vector<StoredEntry> rows;
  rows.reserve(entries.size());
  std::map<tenants::TenantId, ChainKey> writers;
  for (const auto& e : entries) {
    StoredEntry s;
    s.entry = e;
    // The entry before this one: the previous of the batch for the same tenant, else the chain's head.
    const StoredEntry* before = nullptr;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
      if (it->entry.tenant_id == e.tenant_id) {
        before = &*it;
        break;
      }
    if (before) {
      s.seq = before->seq + 1;
      s.prev_hash = before->hash;
    } else if (auto head = AuditStore::lock_and_head(tx, e.tenant_id)) {
      // Lock first, then read the head (one round trip on PostgreSQL): under READ COMMITTED the read
      // after the lock sees the entry committed by whoever held the lock before us.
      // An unkeyed entry after a keyed one would break the chain (and look like a forgery): refuse it.
      if (!key_ && !head->key_id.empty()) {
        return Error::make("audit.key", 500,
                           "the chain of tenant " + std::to_string(e.tenant_id) + " is keyed (key " +
                               head->key_id + ") and this process has no audit key");
      }
      s.seq = head->seq + 1;
      s.prev_hash = head->hash;
    } else {
      s.seq = 1;
      s.prev_hash = std::string(kGenesisHash);
    }
    s.at = format_at(clock_.now());  // after the lock: `at` does not go back along the chain
    if (key_) {
      // Each body's chain has its own key (key.hpp, "Per body"): one derivation per tenant of the batch.
      auto w = writers.find(e.tenant_id);
      if (w == writers.end()) w = writers.emplace(e.tenant_id, body_writer(*key_, e.tenant_id)).first;
      s.key_id = w->second.id;
      s.hash = keyed_entry_hash(s, w->second);
    } else {
      s.hash = entry_hash(s);
    }
    rows.push_back(std::move(s));
  }
  AuditStore::insert_all(tx, rows);
  // This transaction holds the lock of every chain it appended to: their heads are now its own last
  // entries, and a second append in it needs no round trip (chain_tail.hpp).
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const bool later_one = std::any_of(
        rows.rbegin(), it, [&](const StoredEntry& x) { return x.entry.tenant_id == it->entry.tenant_id; });
    if (!later_one) detail::remember_chain_head(tx, it->entry.tenant_id, Head{it->seq, it->hash, it->key_id});
  }
  std::vector<Appended> out;
  out.reserve(rows.size());
  for (const auto& s : rows) out.push_back(Appended{s.seq, s.at, s.hash});
  return out;
}

void AuditService::record_all_or_throw(db::Conn& tx, const std::vector<Entry>& entries) {
  auto r = record_all(tx, entries);
  if (!r) throw std::runtime_error("audit: " + r.error().code + " " + r.error().detail);
}

Result<Appended> AuditService::record(const Entry& e) {
  if (auto st = validate(e); !st) return st.error();
  return db::transact(db_, [&](db::Conn& tx) { return record(tx, e); });
}

namespace {

// The walk of one chain (AuditService::verify's rules), its rows read by `chain_after`.
ChainReport walk(tenants::TenantId tenant, const std::vector<Anchor>& anchors, const ChainKey* chain_key,
                 const std::function<std::vector<ChainRow>(std::int64_t, int)>& chain_after);

}  // namespace

ChainReport AuditService::verify(tenants::TenantId tenant, const std::vector<Anchor>& anchors) {
  // The keys of this chain: the body's own (derived), the hub's (older entries), those it brought.
  std::optional<ChainKey> chain_key;
  if (key_) {
    std::string owner;
    if (tenant != 0) {
      auto slugs = db::read_all(db_, "SELECT slug FROM bodies WHERE id = $1", {tenant},
                                [](const db::Row& r) { return r.text(0); });
      if (!slugs.empty()) owner = slugs.front();
    }
    chain_key = chain_key_for(*key_, tenant, owner);
  }
  return walk(tenant, anchors, chain_key ? &*chain_key : nullptr,
              [&](std::int64_t after, int limit) { return store_.chain_after(tenant, after, limit); });
}

ChainReport verify_chain_with(db::Conn& c, std::int64_t tenant, const ChainKey& chain_key) {
  return walk(tenant, {}, &chain_key,
              [&](std::int64_t after, int limit) { return chain_after_on(c, tenant, after, limit); });
}

namespace {

ChainReport walk(tenants::TenantId tenant, const std::vector<Anchor>& anchors, const ChainKey* chain_key,
                 const std::function<std::vector<ChainRow>(std::int64_t, int)>& chain_after) {
  ChainReport report;
  report.tenant_id = tenant;
  // This tenant's anchors by seq; walked alongside the chain.
  std::multimap<std::int64_t, const Anchor*> anchored;
  for (const auto& a : anchors) {
    if (a.tenant_id == tenant && a.seq >= 1) anchored.emplace(a.seq, &a);
  }
  auto next_anchor = anchored.begin();
  auto broken = [&](std::int64_t seq, std::string problem) {
    report.intact = false;
    report.broken_seq = seq;
    report.problem = std::move(problem);
    return report;
  };

  std::int64_t last_seq = 0;
  std::string prev(kGenesisHash);
  bool keyed_seen = false;
  for (;;) {
    // Keyset paging keeps memory flat on long chains; entries appended meanwhile are simply walked too.
    auto rows = chain_after(last_seq, kVerifyBatch);
    for (const auto& row : rows) {
      const StoredEntry& s = row.entry;
      const std::int64_t expected = last_seq + 1;
      // Rows come in ascending seq order from seq > previous, so a larger seq means entries are gone.
      if (s.seq != expected) return broken(expected, "missing seq " + std::to_string(expected));
      if (!row.well_formed) return broken(expected, "malformed entry");
      if (s.key_id.empty()) {
        if (keyed_seen) {
          return broken(expected, "unkeyed entry after keyed ones (rewritten without the key)");
        }
        if (entry_hash(s) != s.hash) return broken(expected, "hash mismatch");
      } else {
        keyed_seen = true;
        if (const ChainKey* made_with = chain_key ? chain_key->find(s.key_id) : nullptr) {
          if (!digest::equal_constant_time(keyed_entry_hash(s, *made_with), s.hash)) {
            return broken(expected, "HMAC mismatch (changed, or recomputed without the key)");
          }
        } else {
          ++report.unchecked_entries;
          if (report.missing_key_id.empty()) report.missing_key_id = s.key_id;
        }
      }
      if (s.prev_hash != prev) return broken(expected, "prev_hash mismatch");
      for (; next_anchor != anchored.end() && next_anchor->first == s.seq; ++next_anchor) {
        const Anchor& a = *next_anchor->second;
        if (a.hash != s.hash) {
          return broken(expected, "differs from the anchor written at " + a.anchored_at +
                                      " (an entry up to here was changed and the chain recomputed)");
        }
        report.anchored_seq = s.seq;
        report.anchored_entry_at = s.at;
        report.anchor_written_at = a.anchored_at;
      }
      if (report.first_seq == 0) {
        report.first_seq = s.seq;
        report.first_at = s.at;
      }
      report.last_seq = s.seq;
      report.last_at = s.at;
      if (s.key_id.empty()) ++report.unkeyed_entries;
      ++report.entries;
      last_seq = s.seq;
      prev = s.hash;
    }
    if (rows.size() < static_cast<std::size_t>(kVerifyBatch)) break;
  }
  // Anchors beyond the end: anchored entries that are no longer there.
  if (next_anchor != anchored.end()) {
    const Anchor& newest = *anchored.rbegin()->second;
    const std::string missing =
        "missing seq " + seq_range(last_seq + 1, newest.seq) + ", anchored at " + newest.anchored_at;
    return broken(last_seq + 1, missing + (last_seq == 0 ? " (the whole chain was deleted)"
                                                         : " (entries cut from the end)"));
  }
  return report;
}

}  // namespace

std::vector<ChainReport> AuditService::verify_all(const std::vector<Anchor>& anchors) {
  std::map<tenants::TenantId, std::vector<Anchor>> by_tenant;
  for (auto tenant : store_.tenants_with_entries()) by_tenant[tenant];
  for (const auto& a : anchors) by_tenant[a.tenant_id].push_back(a);
  std::vector<ChainReport> out;
  for (const auto& [tenant, mine] : by_tenant) out.push_back(verify(tenant, mine));
  return out;
}

Page AuditService::entries(tenants::TenantId tenant, const Query& q) {
  const int limit = std::clamp(q.limit, 1, kMaxPage);
  Page page;
  // One more than asked tells whether an older page exists without a COUNT.
  page.entries = store_.entries(tenant, q, limit + 1);
  if (page.entries.size() > static_cast<std::size_t>(limit)) {
    page.entries.resize(static_cast<std::size_t>(limit));
    page.next_before_seq = page.entries.back().seq;
  }
  return page;
}

std::vector<StoredEntry> AuditService::accesses_to_person(const std::string& fiscal_code, int limit) {
  if (fiscal_code.empty()) return {};
  return store_.accesses_to_person(fiscal_code, std::clamp(limit, 1, 1000));
}

std::vector<StoredEntry> AuditService::counter_actions(const std::string& staff_id,
                                                       const std::string& citizen_cf, const std::string& from,
                                                       const std::string& until) {
  return store_.counter_actions(staff_id, citizen_cf, from, until);
}

std::optional<StoredEntry> AuditService::first_on_record(tenants::TenantId tenant, const std::string& action,
                                                         const std::string& record_type,
                                                         const std::string& record_id) {
  return store_.first_on_record(tenant, action, record_type, record_id);
}

Head AuditService::head(db::Conn& c, tenants::TenantId tenant) {
  return AuditStore::head(c, tenant).value_or(Head{0, std::string(kGenesisHash), {}});
}

std::optional<StoredEntry> AuditService::entry_at(tenants::TenantId tenant, std::int64_t seq) {
  if (seq < 1) return std::nullopt;
  auto rows = store_.chain_after(tenant, seq - 1, 1);
  if (rows.empty() || rows.front().entry.seq != seq) return std::nullopt;
  return rows.front().entry;
}

}  // namespace sp::audit
