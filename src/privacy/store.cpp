#include "privacy/store.hpp"

namespace sp::privacy::store {
namespace {

// The hub's periods, for every body without its own for that kind of data.
constexpr const char* kHubOnlyDrafts =
    " AND tenant_id NOT IN (SELECT tenant_id FROM body_retention WHERE drafts_days IS NOT NULL)";
constexpr const char* kHubOnlyMessages =
    " AND tenant_id NOT IN (SELECT tenant_id FROM body_retention WHERE messages_days IS NOT NULL)";
constexpr const char* kHubOnlyRegister =
    " AND anagrafe_versions.tenant_id NOT IN (SELECT tenant_id FROM body_retention WHERE "
    "register_history_days IS NOT NULL)";
constexpr const char* kParkedPosts =
    "DELETE FROM application_parked_posts WHERE draft_id IN (SELECT id FROM application_drafts WHERE "
    "status = 'open' AND updated_at < $1";
constexpr const char* kDrafts = "DELETE FROM application_drafts WHERE status = 'open' AND updated_at < $1";
constexpr const char* kSessions =
    "DELETE FROM sessions WHERE expires_at < $1 OR (revoked_at IS NOT NULL AND revoked_at < $1)";
constexpr const char* kPending = "DELETE FROM oidc_pending WHERE created_at < $1";
constexpr const char* kAttempts =
    "DELETE FROM outbox_attempts WHERE message_id IN (SELECT id FROM outbox WHERE status IN ('delivered', "
    "'cancelled', 'permanent_failure', 'dead') AND created_at < $1";
constexpr const char* kMessages =
    "DELETE FROM outbox WHERE status IN ('delivered', 'cancelled', 'permanent_failure', 'dead') AND "
    "created_at < $1";
constexpr const char* kVerifications = "DELETE FROM contact_verifications WHERE expires_at < $1";
// Superseded versions only: the version in force has no later one (and the trigger of migration 0048
// refuses to delete it anyway).
constexpr const char* kRegisterHistory =
    "DELETE FROM anagrafe_versions WHERE EXISTS (SELECT 1 FROM anagrafe_versions n WHERE "
    "n.tenant_id = anagrafe_versions.tenant_id AND n.codice_fiscale = anagrafe_versions.codice_fiscale AND "
    "n.data_variazione > anagrafe_versions.data_variazione AND n.data_variazione < $1)";
constexpr const char* kOneBody = " AND tenant_id = $2";
constexpr const char* kOneBodyRegister = " AND anagrafe_versions.tenant_id = $2";

constexpr const char* kBodyRetentions =
    "SELECT tenant_id, drafts_days, messages_days, register_history_days, updated_at, updated_by FROM "
    "body_retention ORDER BY tenant_id";
constexpr const char* kSaveBodyRetention =
    "INSERT INTO body_retention (tenant_id, drafts_days, messages_days, register_history_days, updated_at, "
    "updated_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id) DO UPDATE SET drafts_days = "
    "excluded.drafts_days, messages_days = excluded.messages_days, register_history_days = "
    "excluded.register_history_days, updated_at = excluded.updated_at, updated_by = excluded.updated_by";

constexpr const char* kLatest =
    "SELECT p.activity, p.version, p.fields, p.saved_at FROM privacy_processing_records p WHERE p.tenant_id "
    "= $1 "
    "AND p.version = (SELECT MAX(q.version) FROM privacy_processing_records q WHERE q.tenant_id = "
    "p.tenant_id "
    "AND q.activity = p.activity)";
constexpr const char* kNextVersion =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM privacy_processing_records WHERE tenant_id = $1 AND activity "
    "= $2";
constexpr const char* kInsert =
    "INSERT INTO privacy_processing_records (tenant_id, activity, version, fields, saved_by, saved_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

}  // namespace

std::map<std::string, std::int64_t> purge(db::Conn& tx, const Cutoffs& cut) {
  const std::string hub_drafts = kHubOnlyDrafts;
  const std::string hub_messages = kHubOnlyMessages;
  std::map<std::string, std::int64_t> n;
  n["application_parked_posts"] = tx.exec(std::string(kParkedPosts) + hub_drafts + ")", {cut.drafts});
  n["application_drafts"] = tx.exec(kDrafts + hub_drafts, {cut.drafts});
  n["sessions"] = tx.exec(kSessions, {cut.sessions});
  n["oidc_pending"] = tx.exec(kPending, {cut.sessions});
  n["outbox_attempts"] = tx.exec(std::string(kAttempts) + hub_messages + ")", {cut.messages});
  n["outbox"] = tx.exec(kMessages + hub_messages, {cut.messages});
  n["contact_verifications"] = tx.exec(kVerifications, {cut.verifications});
  n["anagrafe_versions"] = tx.exec(std::string(kRegisterHistory) + kHubOnlyRegister, {cut.register_history});
  return n;
}

std::map<std::string, std::int64_t> purge_body(db::Conn& tx, const BodyCutoffs& cut) {
  std::map<std::string, std::int64_t> n;
  const std::string one = kOneBody;
  if (!cut.drafts.empty()) {
    n["application_parked_posts"] = tx.exec(std::string(kParkedPosts) + one + ")", {cut.drafts, cut.tenant});
    n["application_drafts"] = tx.exec(kDrafts + one, {cut.drafts, cut.tenant});
  }
  if (!cut.messages.empty()) {
    n["outbox_attempts"] = tx.exec(std::string(kAttempts) + one + ")", {cut.messages, cut.tenant});
    n["outbox"] = tx.exec(kMessages + one, {cut.messages, cut.tenant});
  }
  if (!cut.register_history.empty())
    n["anagrafe_versions"] =
        tx.exec(std::string(kRegisterHistory) + kOneBodyRegister, {cut.register_history, cut.tenant});
  return n;
}

std::vector<BodyRetentionRow> body_retentions(db::Conn& c) {
  std::vector<BodyRetentionRow> out;
  auto opt = [](const db::Row& r, std::size_t i) -> std::optional<std::int64_t> {
    if (r.is_null(i)) return std::nullopt;
    return r.i64(i);
  };
  for (const auto& r : c.query(kBodyRetentions))
    out.push_back({r.i64(0), opt(r, 1), opt(r, 2), opt(r, 3), r.text(4), r.text(5)});
  return out;
}

void save_body_retention(db::Conn& tx, const BodyRetentionRow& r) {
  auto val = [](const std::optional<std::int64_t>& d) -> db::Value {
    if (d) return *d;
    return nullptr;
  };
  tx.exec(kSaveBodyRetention, {r.tenant, val(r.drafts_days), val(r.messages_days),
                               val(r.register_history_days), r.updated_at, r.updated_by});
}

std::vector<RecordRow> latest_records(db::Conn& c, std::int64_t tenant) {
  std::vector<RecordRow> out;
  for (const auto& r : c.query(kLatest, {tenant})) out.push_back({r.text(0), r.i64(1), r.text(2), r.text(3)});
  return out;
}

std::int64_t next_record_version(db::Conn& tx, std::int64_t tenant, const std::string& activity) {
  return tx.query_one(kNextVersion, {tenant, activity})->i64(0);
}

void insert_record(db::Conn& tx, std::int64_t tenant, const std::string& activity, std::int64_t version,
                   const std::string& fields, const std::string& saved_by, const std::string& saved_at) {
  tx.exec(kInsert, {tenant, activity, version, fields, saved_by, saved_at});
}

// Every source names the person's own column ($1: their fiscal code). Order: what people look for first.
const std::vector<PersonSource>& person_sources() {
  static const std::vector<PersonSource> s = {
      {"profile", "persons", "fiscal_code = $1", {}},
      {"message_preferences", "message_preferences", "fiscal_code = $1", {}},
      {"delegations", "delegations", "principal_cf = $1", {}},
      {"drafts", "application_drafts", "owner_cf = $1", {}},
      {"cases", "cases", "applicant_cf = $1", {}},
      {"case_messages", "case_messages", "case_id IN (SELECT id FROM cases WHERE applicant_cf = $1)", {}},
      {"case_documents", "case_documents", "case_id IN (SELECT id FROM cases WHERE applicant_cf = $1)", {}},
      {"messages", "outbox", "person = $1", {}},
      {"alerts", "alert_targets", "person = $1", {}},
      {"payment_positions", "payment_positions", "debtor_fiscal_code = $1", {}},
      {"payment_receipts", "payment_receipts", "payer_fiscal_code = $1", {"raw_payload"}},
      {"payment_carts", "payment_carts", "fiscal_code = $1", {}},
      {"certificates", "certificate_requests", "requester_cf = $1", {"anpr_operation_id"}},
      {"self_declarations", "self_declarations", "declarant_cf = $1", {}},
      {"register", "anagrafe_versions", "codice_fiscale = $1", {"content_hash", "import_id"}},
      {"counter_visits", "assisted_sessions", "citizen_cf = $1", {"staff_session_id"}},
      {"sessions", "sessions", "kind = 'person' AND subject = $1", {"token_hash", "csrf_token", "data"}},
      {"accesses",
       "audit_log",
       "on_behalf_of = $1 OR (actor_kind = 'person' AND actor_id = $1)",
       {"prev_hash", "hash", "key_id", "remote_addr"}},
  };
  return s;
}

}  // namespace sp::privacy::store
