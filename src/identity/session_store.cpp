#include "identity/session_store.hpp"

namespace sp::identity {
namespace {

constexpr const char* kColumns =
    "id, token_hash, kind, subject, tenant_id, roles, auth_level, display_name, csrf_token, data, "
    "created_at, "
    "last_seen_at, expires_at, revoked_at";

constexpr const char* kInsertSession =
    "INSERT INTO sessions (id, token_hash, kind, subject, tenant_id, roles, auth_level, display_name, "
    "csrf_token, "
    "data, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
    "$13)";

constexpr const char* kTouchSession =
    "UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND revoked_at IS NULL";
constexpr const char* kUpdateData = "UPDATE sessions SET data = $2 WHERE id = $1";
constexpr const char* kReplaceData = "UPDATE sessions SET data = $2 WHERE id = $1 AND data = $3";
constexpr const char* kRevokeSession =
    "UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
constexpr const char* kRevokeSubject =
    "UPDATE sessions SET revoked_at = $3 WHERE kind = $1 AND subject = $2 AND revoked_at IS NULL";
constexpr const char* kActiveForSubject =
    " FROM sessions WHERE kind = $1 AND subject = $2 AND revoked_at IS NULL AND expires_at > $3 "
    "ORDER BY created_at DESC";
constexpr const char* kPurge = "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1";

const char* kind_text(PrincipalKind k) {
  return k == PrincipalKind::staff ? "staff" : "person";
}

SessionRow session_from(const db::Row& r) {
  SessionRow s;
  s.id = r.text(0);
  s.token_hash = r.text(1);
  s.kind = r.text(2) == "staff" ? PrincipalKind::staff : PrincipalKind::person;
  s.subject = r.text(3);
  s.tenant_id = r.i64(4);
  s.roles = r.text(5);
  s.auth_level = static_cast<int>(r.i64(6));
  s.display_name = r.text(7);
  s.csrf_token = r.text(8);
  s.data = r.text(9);
  s.created_at = r.text(10);
  s.last_seen_at = r.text(11);
  s.expires_at = r.text(12);
  s.revoked_at = r.opt_text(13);
  return s;
}

}  // namespace

void SessionStore::insert(db::Conn& tx, const SessionRow& s) {
  tx.exec(kInsertSession, {s.id, s.token_hash, std::string(kind_text(s.kind)), s.subject, s.tenant_id,
                           s.roles, std::int64_t{s.auth_level}, s.display_name, s.csrf_token, s.data,
                           s.created_at, s.last_seen_at, s.expires_at});
}

std::optional<SessionRow> SessionStore::by_token_hash(const std::string& token_hash) {
  return db::read_one(db_, std::string("SELECT ") + kColumns + " FROM sessions WHERE token_hash = $1",
                      {token_hash}, session_from);
}

void SessionStore::touch(const std::string& id, const std::string& now_iso) {
  db_.write([&](db::Conn& tx) { tx.exec(kTouchSession, {id, now_iso}); });
}

void SessionStore::update_data(db::Conn& tx, const std::string& id, const std::string& data) {
  tx.exec(kUpdateData, {id, data});
}

bool SessionStore::replace_data(db::Conn& tx, const std::string& id, const std::string& old,
                                const std::string& data) {
  return tx.exec(kReplaceData, {id, data, old}) == 1;
}

std::int64_t SessionStore::revoke(db::Conn& tx, const std::string& id, const std::string& now_iso) {
  return tx.exec(kRevokeSession, {id, now_iso});
}

std::int64_t SessionStore::revoke_subject(db::Conn& tx, PrincipalKind kind, const std::string& subject,
                                          const std::string& now_iso) {
  return tx.exec(kRevokeSubject, {std::string(kind_text(kind)), subject, now_iso});
}

std::vector<SessionRow> SessionStore::active_for_subject(PrincipalKind kind, const std::string& subject,
                                                         const std::string& now_iso) {
  return db::read_all(db_, std::string("SELECT ") + kColumns + kActiveForSubject,
                      {std::string(kind_text(kind)), subject, now_iso}, session_from);
}

std::vector<SessionRow> SessionStore::active_for_subject(db::Conn& tx, PrincipalKind kind,
                                                         const std::string& subject,
                                                         const std::string& now_iso) {
  std::vector<SessionRow> out;
  for (const auto& r : tx.query(std::string("SELECT ") + kColumns + kActiveForSubject,
                                {std::string(kind_text(kind)), subject, now_iso}))
    out.push_back(session_from(r));
  return out;
}

std::int64_t SessionStore::purge_ended(const std::string& cutoff_iso) {
  std::int64_t n = 0;
  db_.write([&](db::Conn& tx) { n = tx.exec(kPurge, {cutoff_iso}); });
  return n;
}

}  // namespace sp::identity
