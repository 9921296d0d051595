#include "identity/person_store.hpp"

namespace sp::identity {
namespace {

constexpr const char* kUpsert =
    "INSERT INTO persons (fiscal_code, given_name, family_name, birth_date, birth_place, email, created_at, "
    "updated_at, preferred_language) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (fiscal_code) "
    "DO UPDATE SET "
    "given_name = excluded.given_name, family_name = excluded.family_name, birth_date = excluded.birth_date, "
    "birth_place = excluded.birth_place, email = COALESCE(persons.email, excluded.email), "
    "updated_at = excluded.updated_at";

constexpr const char* kByCf =
    "SELECT fiscal_code, given_name, family_name, birth_date, birth_place, email, email_verified_at, mobile, "
    "mobile_verified_at, preferred_channel, created_at, updated_at, preferred_language, pec, pec_verified_at "
    "FROM persons WHERE "
    "fiscal_code = $1";

constexpr const char* kUpdateContacts =
    "UPDATE persons SET email = $2, email_verified_at = $3, mobile = $4, mobile_verified_at = $5, "
    "preferred_channel = $6, updated_at = $7, preferred_language = $8, pec = $9, pec_verified_at = $10 "
    "WHERE fiscal_code = $1";

constexpr const char* kInsertPending =
    "INSERT INTO oidc_pending (state_hash, provider, nonce, code_verifier, acr_level, return_to, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

// Consuming is one UPDATE guarded on consumed_at: of two concurrent callbacks with the same state only one
// changes a row.
constexpr const char* kConsumePendingSignIn =
    "UPDATE oidc_pending SET consumed_at = $3 WHERE state_hash = $1 AND consumed_at IS NULL AND created_at "
    ">= $2";
constexpr const char* kPendingExpired =
    "SELECT 1 FROM oidc_pending WHERE state_hash = $1 AND consumed_at IS NULL AND created_at < $2";
constexpr const char* kPendingByState =
    "SELECT provider, nonce, code_verifier, acr_level, return_to, created_at FROM oidc_pending WHERE "
    "state_hash = $1";

}  // namespace

void PersonStore::upsert_from_sign_in(db::Conn& tx, const Person& p, const std::string& now_iso) {
  tx.exec(kUpsert, {p.fiscal_code, p.given_name, p.family_name, db::text_or_null(p.birth_date),
                    db::text_or_null(p.birth_place), db::text_or_null(p.email), now_iso,
                    p.preferred_language == "en" ? std::string("en") : std::string("it")});
}

std::optional<Person> PersonStore::by_fiscal_code(const std::string& cf) {
  return db::read_one(db_, kByCf, {cf}, [](const db::Row& r) {
    Person p;
    p.fiscal_code = r.text(0);
    p.given_name = r.text(1);
    p.family_name = r.text(2);
    p.birth_date = r.text(3);
    p.birth_place = r.text(4);
    p.email = r.text(5);
    p.email_verified_at = r.text(6);
    p.mobile = r.text(7);
    p.mobile_verified_at = r.text(8);
    p.preferred_channel = r.text(9);
    p.created_at = r.text(10);
    p.updated_at = r.text(11);
    p.preferred_language = r.text(12) == "en" ? "en" : "it";
    p.pec = r.text(13);
    p.pec_verified_at = r.text(14);
    return p;
  });
}

void PersonStore::update_contacts(db::Conn& tx, const Person& p, const std::string& now_iso) {
  tx.exec(kUpdateContacts,
          {p.fiscal_code, db::text_or_null(p.email), db::text_or_null(p.email_verified_at),
           db::text_or_null(p.mobile), db::text_or_null(p.mobile_verified_at), p.preferred_channel, now_iso,
           p.preferred_language, db::text_or_null(p.pec), db::text_or_null(p.pec_verified_at)});
}

void PersonStore::insert_pending(db::Conn& tx, const std::string& state_hash, const PendingSignIn& p) {
  tx.exec(kInsertPending, {state_hash, p.provider, p.nonce, p.code_verifier, std::int64_t{p.acr_level},
                           p.return_to, p.created_at});
}

std::optional<PendingSignIn> PersonStore::consume_pending(db::Conn& tx, const std::string& state_hash,
                                                          const std::string& not_before_iso,
                                                          const std::string& now_iso) {
  if (tx.exec(kConsumePendingSignIn, {state_hash, not_before_iso, now_iso}) != 1) return std::nullopt;
  auto r = tx.query_one(kPendingByState, {state_hash});
  if (!r) return std::nullopt;
  return PendingSignIn{r->text(0), r->text(1), r->text(2), static_cast<int>(r->i64(3)),
                       r->text(4), r->text(5)};
}

bool PersonStore::pending_expired(db::Conn& tx, const std::string& state_hash,
                                  const std::string& not_before_iso) {
  return tx.query_one(kPendingExpired, {state_hash, not_before_iso}).has_value();
}

}  // namespace sp::identity
