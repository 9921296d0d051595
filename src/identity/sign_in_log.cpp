#include "identity/sign_in_log.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/crypto/encoding.hpp"
#include "core/crypto/hmac.hpp"
#include "core/digest.hpp"

namespace sp::identity {
namespace {

constexpr std::string_view kLogGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// Postgres: one appender at a time (the same advisory lock scheme as the audit chain, another key).
constexpr const char* kLogLock = "SELECT pg_advisory_xact_lock(20261205, 14)";
constexpr const char* kLogHead = "SELECT seq, hash FROM oidc_message_log ORDER BY seq DESC LIMIT 1";
constexpr const char* kLogInsert =
    "INSERT INTO oidc_message_log (seq, at, sign_in_id, client_id, provider, kind, key_id, sealed, "
    "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
#define OIDC_LOG_COLUMNS "seq, at, sign_in_id, client_id, provider, kind, key_id, sealed, prev_hash, hash"
constexpr const char* kLogBySignIn =
    "SELECT " OIDC_LOG_COLUMNS " FROM oidc_message_log WHERE sign_in_id = $1 ORDER BY seq";
constexpr const char* kLogChain =
    "SELECT " OIDC_LOG_COLUMNS " FROM oidc_message_log WHERE seq > $1 ORDER BY seq LIMIT 500";
constexpr const char* kLogPurge = "DELETE FROM oidc_message_log WHERE at < $1";

constexpr const char* kTokenInsert =
    "INSERT INTO oidc_provider_tokens (session_id, provider, client_id, sign_in_id, key_id, sealed, "
    "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
#define OIDC_TOKEN_COLUMNS "t.session_id, t.provider, t.client_id, t.sign_in_id, t.key_id, t.sealed"
constexpr const char* kTokenOfSession = "SELECT " OIDC_TOKEN_COLUMNS
                                        " FROM oidc_provider_tokens t WHERE t.session_id = $1 AND "
                                        "t.revoked_at IS NULL AND t.expires_at > $2";
// A session has ended when it was signed out, reached its absolute limit, went idle, or was deleted.
constexpr const char* kTokensOfEnded =
    "SELECT " OIDC_TOKEN_COLUMNS
    " FROM oidc_provider_tokens t LEFT JOIN sessions s ON s.id = t.session_id"
    " WHERE t.revoked_at IS NULL AND t.expires_at > $1 AND t.attempts < 10"
    " AND (s.id IS NULL OR s.revoked_at IS NOT NULL OR s.expires_at <= $1 OR s.last_seen_at <= $2)"
    " ORDER BY t.expires_at LIMIT $3";
constexpr const char* kTokenRevoked =
    "UPDATE oidc_provider_tokens SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL";
constexpr const char* kTokenFailed =
    "UPDATE oidc_provider_tokens SET attempts = attempts + 1, last_error = $2 WHERE session_id = $1";

// The keys under one ring key: one for the seal, one for the chain's MAC.
std::string subkey(const keys::Key& k, std::string_view label) {
  return crypto::hmac(crypto::HashAlgorithm::sha256, k.secret, label);
}

std::string chain_hash(const keys::Key& k, const std::string& prev, std::int64_t seq, const std::string& at,
                       const std::string& sign_in_id, const std::string& client_id,
                       const std::string& provider, const std::string& kind, const std::string& sealed) {
  std::string input = prev + "\n" + std::to_string(seq) + "\n" + at + "\n" + sign_in_id + "\n" + client_id +
                      "\n" + provider + "\n" + kind + "\n" + k.id + "\n" + sealed;
  return crypto::hex_encode(
      crypto::hmac(crypto::HashAlgorithm::sha256, subkey(k, "sportello-oidc-log-mac"), input));
}

std::string log_aad(const std::string& sign_in_id, const std::string& client_id, const std::string& provider,
                    const std::string& kind) {
  return sign_in_id + "\n" + client_id + "\n" + provider + "\n" + kind;
}

}  // namespace

SignInLog::SignInLog(db::Database& db, const time::Clock& clock, keys::KeyRing ring)
    : db_(db), clock_(clock), ring_(std::move(ring)) {
  if (ring_.signing(clock_.now()) == nullptr)
    throw std::invalid_argument("oidc-log: no key seals now in " + ring_.owner());
}

SignInLog::Sealed SignInLog::seal(std::string_view plain, std::string_view aad) const {
  const keys::Key* k = ring_.signing(clock_.now());
  if (k == nullptr) throw std::runtime_error("oidc-log: no key seals now");
  const std::string key = subkey(*k, "sportello-oidc-log-seal");
  std::string out(
      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES,
      '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &len,
                                             reinterpret_cast<const unsigned char*>(plain.data()),
                                             plain.size(), reinterpret_cast<const unsigned char*>(aad.data()),
                                             aad.size(), nullptr, o,
                                             reinterpret_cast<const unsigned char*>(key.data()));
  out.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + len);
  return Sealed{k->id, crypto::base64url_encode(out)};
}

std::optional<std::string> SignInLog::open(const std::string& key_id, const std::string& sealed,
                                           std::string_view aad) const {
  const keys::Key* k = ring_.find(key_id);
  const auto bytes = crypto::base64url_decode(sealed);
  constexpr auto kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (k == nullptr || !bytes || bytes->size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return std::nullopt;
  const std::string key = subkey(*k, "sportello-oidc-log-seal");
  std::string out(bytes->size() - kNonce, '\0');
  unsigned long long len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(bytes->data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr, in + kNonce, bytes->size() - kNonce,
          reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), in,
          reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

void SignInLog::append(db::Conn& tx, const std::string& sign_in_id, const std::string& client_id,
                       const std::string& provider, const std::vector<OidcMessage>& messages) {
  if (messages.empty()) return;
  // Lock first, then read the head (see AuditService::record).
  if (tx.dialect() == db::Dialect::postgres) tx.query(kLogLock);
  std::int64_t seq = 0;
  std::string prev(kLogGenesis);
  if (auto head = tx.query_one(kLogHead)) {
    seq = head->i64(0);
    prev = head->text(1);
  }
  const std::string at = time::format_iso_utc_millis(clock_.now());
  const keys::Key* k = ring_.signing(clock_.now());
  if (k == nullptr) throw std::runtime_error("oidc-log: no key seals now");
  for (const auto& m : messages) {
    ++seq;
    auto sealed = seal(m.content, log_aad(sign_in_id, client_id, provider, m.kind));
    const std::string hash =
        chain_hash(*k, prev, seq, at, sign_in_id, client_id, provider, m.kind, sealed.sealed);
    tx.exec(kLogInsert,
            {seq, at, sign_in_id, client_id, provider, m.kind, sealed.key_id, sealed.sealed, prev, hash});
    prev = hash;
  }
}

void SignInLog::append(const std::string& sign_in_id, const std::string& client_id,
                       const std::string& provider, const std::vector<OidcMessage>& messages) {
  db_.write([&](db::Conn& tx) { append(tx, sign_in_id, client_id, provider, messages); });
}

Result<std::vector<LoggedMessage>> SignInLog::read(const std::string& sign_in_id) {
  std::vector<db::Row> rows;
  db_.read([&](db::Conn& c) { rows = c.query(kLogBySignIn, {sign_in_id}); });
  std::vector<LoggedMessage> out;
  for (const auto& r : rows) {
    LoggedMessage m{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), {}};
    auto content = open(r.text(6), r.text(7), log_aad(m.sign_in_id, m.client_id, m.provider, m.kind));
    if (!content)
      return Error::make("identity.log_integrity", 500,
                         "message " + std::to_string(m.seq) + " does not open");
    m.content = std::move(*content);
    out.push_back(std::move(m));
  }
  return out;
}

LogChainReport SignInLog::verify() {
  LogChainReport report;
  std::int64_t after = 0;
  std::string prev;
  for (;;) {
    std::vector<db::Row> rows;
    db_.read([&](db::Conn& c) { rows = c.query(kLogChain, {after}); });
    if (rows.empty()) break;
    for (const auto& r : rows) {
      const std::int64_t seq = r.i64(0);
      const std::string key_id = r.text(6), sealed = r.text(7), row_prev = r.text(8), hash = r.text(9);
      if (report.entries == 0) {
        report.first_seq = seq;
        prev = row_prev;  // the oldest row kept: its predecessor may have been purged
      }
      ++report.entries;
      auto fail = [&](std::string why) {
        report.broken_at = seq;
        report.problem = std::move(why);
      };
      const keys::Key* k = ring_.find(key_id);
      if (seq != report.first_seq + report.entries - 1) {
        fail("a row is missing before this one");
      } else if (k == nullptr) {
        fail("key " + key_id + " is not in the ring");
      } else if (row_prev != prev) {
        fail("prev_hash is not the previous row's hash");
      } else if (chain_hash(*k, prev, seq, r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), sealed) !=
                 hash) {
        fail("the row was changed");
      } else if (!open(key_id, sealed, log_aad(r.text(2), r.text(3), r.text(4), r.text(5)))) {
        fail("the seal does not open");
      }
      if (report.broken_at != 0) return report;
      prev = hash;
      after = seq;
    }
  }
  return report;
}

std::int64_t SignInLog::purge() {
  const std::string cutoff = time::format_iso_utc_millis(clock_.now() - kRetention);
  std::int64_t n = 0;
  db_.write([&](db::Conn& tx) { n = tx.exec(kLogPurge, {cutoff}); });
  return n;
}

void SignInLog::keep_token(db::Conn& tx, const std::string& session_id, const std::string& provider,
                           const std::string& client_id, const std::string& sign_in_id,
                           const std::string& access_token, time::TimePoint expires_at) {
  auto sealed = seal(access_token, "token\n" + session_id);
  tx.exec(kTokenInsert, {session_id, provider, client_id, sign_in_id, sealed.key_id, sealed.sealed,
                         time::format_iso_utc(expires_at)});
}

std::optional<OpenProviderToken> SignInLog::token_from(const db::Row& r) const {
  auto token = open(r.text(4), r.text(5), "token\n" + r.text(0));
  if (!token) return std::nullopt;
  return OpenProviderToken{r.text(0), r.text(1), r.text(2), r.text(3), std::move(*token)};
}

std::optional<OpenProviderToken> SignInLog::token_of_session(const std::string& session_id) {
  std::optional<db::Row> row;
  const std::string now = time::format_iso_utc(clock_.now());
  db_.read([&](db::Conn& c) { row = c.query_one(kTokenOfSession, {session_id, now}); });
  if (!row) return std::nullopt;
  return token_from(*row);
}

std::vector<OpenProviderToken> SignInLog::tokens_of_ended_sessions(std::chrono::seconds idle, int limit) {
  const auto now = clock_.now();
  std::vector<db::Row> rows;
  db_.read([&](db::Conn& c) {
    rows = c.query(kTokensOfEnded,
                   {time::format_iso_utc(now), time::format_iso_utc(now - idle), std::int64_t{limit}});
  });
  std::vector<OpenProviderToken> out;
  for (const auto& r : rows) {
    if (auto t = token_from(r)) out.push_back(std::move(*t));
  }
  return out;
}

void SignInLog::token_revoked(const std::string& session_id, const std::string& error) {
  db_.write([&](db::Conn& tx) {
    if (error.empty())
      tx.exec(kTokenRevoked, {session_id, time::format_iso_utc(clock_.now())});
    else
      tx.exec(kTokenFailed, {session_id, error.substr(0, 500)});
  });
}

}  // namespace sp::identity
