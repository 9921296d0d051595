#include "audit/service.hpp"

#include <date/date.h>

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <stdexcept>

#include "audit/chain.hpp"

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

// Checks one row against what the chain so far says it must be. Returns the problem, if any.
std::optional<std::string> check_link(const ChainRow& row, std::int64_t expected_seq,
                                      const std::string& expected_prev) {
  const StoredEntry& s = row.entry;
  if (s.seq != expected_seq) {
    // Rows come in ascending seq order from seq > previous, so a larger seq means entries are gone.
    return "missing seq " + std::to_string(expected_seq);
  }
  if (!row.well_formed) return std::string("malformed entry");
  if (entry_hash(s) != s.hash) return std::string("hash mismatch");
  if (s.prev_hash != expected_prev) return std::string("prev_hash mismatch");
  return std::nullopt;
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
  if (auto st = validate(e); !st) return st.error();
  // Lock first, then read the head: on PostgreSQL (READ COMMITTED) the SELECT after the lock sees the
  // entry committed by whoever held the lock before us.
  AuditStore::lock_chain(tx, e.tenant_id);
  StoredEntry s;
  s.entry = e;
  if (auto head = AuditStore::head(tx, e.tenant_id)) {
    s.seq = head->seq + 1;
    s.prev_hash = head->hash;
  } else {
    s.seq = 1;
    s.prev_hash = std::string(kGenesisHash);
  }
  s.at = format_at(clock_.now());
  s.hash = entry_hash(s);
  AuditStore::insert(tx, s);
  return Appended{s.seq, s.at, s.hash};
}

Result<Appended> AuditService::record(const Entry& e) {
  if (auto st = validate(e); !st) return st.error();
  std::optional<Result<Appended>> out;
  db_.write([&](db::Conn& tx) { out.emplace(record(tx, e)); });
  return std::move(*out);
}

ChainReport AuditService::verify(tenants::TenantId tenant) {
  ChainReport report;
  report.tenant_id = tenant;
  std::int64_t last_seq = 0;
  std::string prev(kGenesisHash);
  for (;;) {
    // Keyset paging keeps memory flat on long chains; entries appended meanwhile are simply walked too.
    auto rows = store_.chain_after(tenant, last_seq, kVerifyBatch);
    for (const auto& row : rows) {
      if (auto problem = check_link(row, last_seq + 1, prev)) {
        report.intact = false;
        report.broken_seq = last_seq + 1;  // the row itself, or the first missing one
        report.problem = *problem;
        return report;
      }
      ++report.entries;
      last_seq = row.entry.seq;
      prev = row.entry.hash;
    }
    if (rows.size() < static_cast<std::size_t>(kVerifyBatch)) return report;
  }
}

std::vector<ChainReport> AuditService::verify_all() {
  std::vector<ChainReport> out;
  for (auto tenant : store_.tenants_with_entries()) out.push_back(verify(tenant));
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

}  // namespace sp::audit
