#include "privacy/store.hpp"

namespace sp::privacy::store {
namespace {

constexpr const char* kParkedPosts =
    "DELETE FROM application_parked_posts WHERE draft_id IN (SELECT id FROM application_drafts WHERE "
    "status = 'open' AND updated_at < $1)";
constexpr const char* kDrafts = "DELETE FROM application_drafts WHERE status = 'open' AND updated_at < $1";
constexpr const char* kSessions =
    "DELETE FROM sessions WHERE expires_at < $1 OR (revoked_at IS NOT NULL AND revoked_at < $1)";
constexpr const char* kPending = "DELETE FROM oidc_pending WHERE created_at < $1";
constexpr const char* kAttempts =
    "DELETE FROM outbox_attempts WHERE message_id IN (SELECT id FROM outbox WHERE status IN ('delivered', "
    "'cancelled', 'permanent_failure', 'dead') AND created_at < $1)";
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
  std::map<std::string, std::int64_t> n;
  n["application_parked_posts"] = tx.exec(kParkedPosts, {cut.drafts});
  n["application_drafts"] = tx.exec(kDrafts, {cut.drafts});
  n["sessions"] = tx.exec(kSessions, {cut.sessions});
  n["oidc_pending"] = tx.exec(kPending, {cut.sessions});
  n["outbox_attempts"] = tx.exec(kAttempts, {cut.messages});
  n["outbox"] = tx.exec(kMessages, {cut.messages});
  n["contact_verifications"] = tx.exec(kVerifications, {cut.verifications});
  n["anagrafe_versions"] = tx.exec(kRegisterHistory, {cut.register_history});
  return n;
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
