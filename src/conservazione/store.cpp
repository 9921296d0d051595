#include "conservazione/store.hpp"

namespace sp::conservazione::store {
namespace {

constexpr const char* kInsert =
    "INSERT INTO conservazione_packages (id, tenant_id, class, object_id, title, idempotency_key, index_xml, "
    "index_sha256, audit_head_seq, audit_head_hash, due_day, state, attempts, next_attempt_at, created_at, "
    "hub_head_seq, hub_head_hash) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', 0, $12, $13, $14, $15) "
    "ON CONFLICT (tenant_id, class, object_id) DO NOTHING";
constexpr const char* kPackaged =
    "SELECT object_id FROM conservazione_packages WHERE tenant_id = $1 AND class = $2";
constexpr const char* kColumns =
    "SELECT id, tenant_id, class, object_id, title, idempotency_key, index_xml, index_sha256, "
    "audit_head_seq, "
    "audit_head_hash, due_day, state, attempts, next_attempt_at, last_error, created_at, "
    "COALESCE(accepted_at, ''), receipt_id, hub_head_seq, hub_head_hash FROM conservazione_packages ";
constexpr const char* kRecordReceipt =
    "INSERT INTO conservazione_receipts (package_id, tenant_id, attempt, outcome, receipt_id, detail, body, "
    "received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kUpdatePackage =
    "UPDATE conservazione_packages SET state = $3, attempts = $4, next_attempt_at = $5, last_error = $6, "
    "accepted_at = CASE WHEN $3 = 'accepted' THEN $7 ELSE accepted_at END, "
    "receipt_id = CASE WHEN $3 = 'accepted' THEN $8 ELSE receipt_id END "
    "WHERE id = $1 AND tenant_id = $2 AND state <> 'accepted'";
constexpr const char* kRetryNow =
    "UPDATE conservazione_packages SET next_attempt_at = $3 WHERE id = $1 AND tenant_id = $2 "
    "AND state <> 'accepted'";
constexpr const char* kReceipts =
    "SELECT id, package_id, attempt, outcome, receipt_id, detail, body, received_at FROM "
    "conservazione_receipts "
    "WHERE tenant_id = $1 AND package_id = $2 ORDER BY id";
constexpr const char* kSettings =
    "SELECT classes, updated_by, updated_at FROM conservazione_settings WHERE tenant_id = $1";
constexpr const char* kDeleteSettings = "DELETE FROM conservazione_settings WHERE tenant_id = $1";
constexpr const char* kInsertSettings =
    "INSERT INTO conservazione_settings (tenant_id, classes, updated_by, updated_at) VALUES ($1, $2, $3, $4)";
constexpr const char* kWithClass = "SELECT tenant_id, classes FROM conservazione_settings";
constexpr const char* kPreservedHeads =
    "SELECT p.tenant_id, p.audit_head_seq, p.audit_head_hash, p.accepted_at, p.receipt_id, p.id "
    "FROM conservazione_packages p WHERE p.state = 'accepted' AND p.audit_head_seq = "
    "(SELECT MAX(q.audit_head_seq) FROM conservazione_packages q WHERE q.tenant_id = p.tenant_id "
    "AND q.state = 'accepted') ORDER BY p.tenant_id, p.accepted_at";
// The hub's chain (tenant 0): the highest hub head any accepted package of any body carries.
constexpr const char* kPreservedHubHead =
    "SELECT hub_head_seq, hub_head_hash, accepted_at, receipt_id, id FROM conservazione_packages "
    "WHERE state = 'accepted' AND hub_head_seq > 0 ORDER BY hub_head_seq DESC, accepted_at LIMIT 1";

Package from_row(const db::Row& r) {
  Package p;
  p.id = r.text(0);
  p.tenant_id = r.i64(1);
  p.klass = r.text(2);
  p.object_id = r.text(3);
  p.title = r.text(4);
  p.idempotency_key = r.text(5);
  p.index_xml = r.text(6);
  p.index_sha256 = r.text(7);
  p.audit_head_seq = r.i64(8);
  p.audit_head_hash = r.text(9);
  p.due_day = r.text(10);
  p.state = parse_state(r.text(11)).value_or(State::pending);
  p.attempts = static_cast<int>(r.i64(12));
  p.next_attempt_at = r.text(13);
  p.last_error = r.text(14);
  p.created_at = r.text(15);
  p.accepted_at = r.text(16);
  p.receipt_id = r.text(17);
  p.hub_head_seq = r.i64(18);
  p.hub_head_hash = r.text(19);
  return p;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

bool insert_package(db::Conn& c, const Package& p) {
  return c.exec(kInsert, {p.id, p.tenant_id, p.klass, p.object_id, p.title, p.idempotency_key, p.index_xml,
                          p.index_sha256, p.audit_head_seq, p.audit_head_hash, p.due_day, p.next_attempt_at,
                          p.created_at, p.hub_head_seq, p.hub_head_hash}) > 0;
}

std::set<std::string> packaged_objects(db::Conn& c, tenants::TenantId tenant, const std::string& klass) {
  std::set<std::string> out;
  for (const auto& r : c.query(kPackaged, {tenant, klass})) out.insert(r.text(0));
  return out;
}

std::optional<Package> package(db::Conn& c, tenants::TenantId tenant, const std::string& id) {
  auto r = c.query_one(std::string(kColumns) + "WHERE tenant_id = $1 AND id = $2", {tenant, id});
  if (!r) return std::nullopt;
  return from_row(*r);
}

std::vector<Package> packages(db::Conn& c, tenants::TenantId tenant, int limit) {
  std::vector<Package> out;
  for (const auto& r :
       c.query(std::string(kColumns) + "WHERE tenant_id = $1 ORDER BY created_at DESC, due_day DESC, id DESC "
                                       "LIMIT $2",
               {tenant, static_cast<std::int64_t>(limit)}))
    out.push_back(from_row(r));
  return out;
}

std::vector<Package> due(db::Conn& c, const std::string& now, int limit) {
  std::vector<Package> out;
  for (const auto& r : c.query(std::string(kColumns) + "WHERE state <> 'accepted' AND next_attempt_at <= $1 "
                                                       "ORDER BY next_attempt_at, id LIMIT $2",
                               {now, static_cast<std::int64_t>(limit)}))
    out.push_back(from_row(r));
  return out;
}

void record_attempt(db::Conn& c, const Package& p, const Receipt& r, State next, const std::string& next_at) {
  c.exec(kRecordReceipt, {p.id, p.tenant_id, static_cast<std::int64_t>(r.attempt), r.outcome, r.receipt_id,
                          r.detail, r.body, r.received_at});
  c.exec(kUpdatePackage,
         {p.id, p.tenant_id, std::string(state_name(next)), static_cast<std::int64_t>(r.attempt), next_at,
          r.outcome == "accepted" ? std::string() : r.detail, r.received_at, r.receipt_id});
}

bool retry_now(db::Conn& c, tenants::TenantId tenant, const std::string& id, const std::string& now) {
  return c.exec(kRetryNow, {id, tenant, now}) > 0;
}

std::vector<Receipt> receipts(db::Conn& c, tenants::TenantId tenant, const std::string& package_id) {
  std::vector<Receipt> out;
  for (const auto& r : c.query(kReceipts, {tenant, package_id})) {
    Receipt x;
    x.id = r.i64(0);
    x.package_id = r.text(1);
    x.attempt = static_cast<int>(r.i64(2));
    x.outcome = r.text(3);
    x.receipt_id = r.text(4);
    x.detail = r.text(5);
    x.body = r.text(6);
    x.received_at = r.text(7);
    out.push_back(std::move(x));
  }
  return out;
}

std::optional<Settings> settings(db::Conn& c, tenants::TenantId tenant) {
  auto r = c.query_one(kSettings, {tenant});
  if (!r) return std::nullopt;
  return Settings{split(r->text(0)), r->text(1), r->text(2)};
}

void save_settings(db::Conn& c, tenants::TenantId tenant, const Settings& s) {
  std::string joined;
  for (const auto& k : s.classes) joined += (joined.empty() ? "" : ",") + k;
  c.exec(kDeleteSettings, {tenant});
  c.exec(kInsertSettings, {tenant, joined, s.updated_by, s.updated_at});
}

std::vector<tenants::TenantId> tenants_with_class(db::Conn& c, const std::string& klass) {
  std::vector<tenants::TenantId> out;
  for (const auto& r : c.query(kWithClass)) {
    for (const auto& k : split(r.text(1)))
      if (k == klass) out.push_back(r.i64(0));
  }
  return out;
}

std::vector<PreservedHead> preserved_heads(db::Conn& c) {
  std::vector<PreservedHead> out;
  if (auto h = c.query_one(kPreservedHubHead))
    out.push_back(PreservedHead{0, h->i64(0), h->text(1), h->text(2), h->text(3), h->text(4)});
  for (const auto& r : c.query(kPreservedHeads)) {
    if (!out.empty() && out.back().tenant_id == r.i64(0)) continue;  // one per body
    out.push_back(PreservedHead{r.i64(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.text(5)});
  }
  return out;
}

std::int64_t overdue_count(db::Conn& c, tenants::TenantId tenant, const std::string& today) {
  auto r = c.query_one(
      "SELECT count(*) FROM conservazione_packages WHERE tenant_id = $1 AND state <> 'accepted' AND due_day "
      "< $2",
      {tenant, today});
  return r ? r->i64(0) : 0;
}

std::vector<std::pair<std::string, std::int64_t>> overdue_by_class(db::Conn& c, const std::string& today) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r : c.query("SELECT class, count(*) FROM conservazione_packages WHERE state <> 'accepted' "
                               "AND due_day < $1 GROUP BY class ORDER BY class",
                               {today}))
    out.emplace_back(r.text(0), r.i64(1));
  return out;
}

}  // namespace sp::conservazione::store
