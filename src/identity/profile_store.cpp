#include "identity/profile_store.hpp"

namespace sp::identity::profile_store {
namespace {

constexpr const char* kPersonSqlite =
    "SELECT fiscal_code, given_name, family_name, birth_date, birth_place, email, email_verified_at, mobile, "
    "mobile_verified_at, preferred_channel, created_at, updated_at, preferred_language, pec, pec_verified_at "
    "FROM persons WHERE "
    "fiscal_code = $1";
constexpr const char* kPersonPostgres =
    "SELECT fiscal_code, given_name, family_name, birth_date, birth_place, email, email_verified_at, mobile, "
    "mobile_verified_at, preferred_channel, created_at, updated_at, preferred_language, pec, pec_verified_at "
    "FROM persons WHERE "
    "fiscal_code = $1 FOR UPDATE";

constexpr const char* kPut =
    "INSERT INTO contact_verifications (fiscal_code, channel, address, code_salt, code_hash, created_at, "
    "expires_at, attempts, consumed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL) "
    "ON CONFLICT (fiscal_code, channel) DO UPDATE SET address = excluded.address, code_salt = "
    "excluded.code_salt, code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = "
    "excluded.expires_at, attempts = 0, consumed_at = NULL";

constexpr const char* kCols =
    "fiscal_code, channel, address, code_salt, code_hash, created_at, expires_at, attempts, consumed_at";

const std::string kGet =
    std::string("SELECT ") + kCols + " FROM contact_verifications WHERE fiscal_code = $1 AND channel = $2";
const std::string kList =
    std::string("SELECT ") + kCols + " FROM contact_verifications WHERE fiscal_code = $1 ORDER BY channel";

constexpr const char* kAttempt =
    "UPDATE contact_verifications SET attempts = attempts + 1 WHERE fiscal_code = $1 AND channel = $2 AND "
    "consumed_at IS NULL AND attempts < $3";
constexpr const char* kConsumeVerification =
    "UPDATE contact_verifications SET consumed_at = $3 WHERE fiscal_code = $1 AND channel = $2 AND "
    "consumed_at IS NULL";
constexpr const char* kRemove = "DELETE FROM contact_verifications WHERE fiscal_code = $1 AND channel = $2";

Verification from_row(const db::Row& r) {
  return Verification{r.text(0), r.text(1), r.text(2), r.text(3),
                      r.text(4), r.text(5), r.text(6), static_cast<int>(r.i64(7)),
                      r.text(8)};
}

}  // namespace

std::optional<Person> person_for_update(db::Conn& tx, const std::string& fiscal_code) {
  auto r =
      tx.query_one(tx.dialect() == db::Dialect::postgres ? kPersonPostgres : kPersonSqlite, {fiscal_code});
  if (!r) return std::nullopt;
  Person p;
  p.fiscal_code = r->text(0);
  p.given_name = r->text(1);
  p.family_name = r->text(2);
  p.birth_date = r->text(3);
  p.birth_place = r->text(4);
  p.email = r->text(5);
  p.email_verified_at = r->text(6);
  p.mobile = r->text(7);
  p.mobile_verified_at = r->text(8);
  p.preferred_channel = r->text(9);
  p.created_at = r->text(10);
  p.updated_at = r->text(11);
  p.preferred_language = r->text(12) == "en" ? "en" : "it";
  p.pec = r->text(13);
  p.pec_verified_at = r->text(14);
  return p;
}

void put(db::Conn& tx, const Verification& v) {
  tx.exec(kPut, {v.fiscal_code, v.channel, v.address, v.code_salt, v.code_hash, v.created_at, v.expires_at});
}

std::optional<Verification> get(db::Conn& tx, const std::string& fiscal_code, const std::string& channel) {
  auto r = tx.query_one(kGet, {fiscal_code, channel});
  if (!r) return std::nullopt;
  return from_row(*r);
}

std::vector<Verification> list(db::Database& db, const std::string& fiscal_code) {
  return db::read_all(db, kList, {fiscal_code}, from_row);
}

bool count_attempt(db::Conn& tx, const std::string& fiscal_code, const std::string& channel,
                   int max_attempts) {
  return tx.exec(kAttempt, {fiscal_code, channel, std::int64_t{max_attempts}}) == 1;
}

void consume(db::Conn& tx, const std::string& fiscal_code, const std::string& channel,
             const std::string& now) {
  tx.exec(kConsumeVerification, {fiscal_code, channel, now});
}

void remove(db::Conn& tx, const std::string& fiscal_code, const std::string& channel) {
  tx.exec(kRemove, {fiscal_code, channel});
}

}  // namespace sp::identity::profile_store
