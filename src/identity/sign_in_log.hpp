#pragma once
// The full message log of SPID/CIE sign-ins (issue 14): every request and response exchanged with the
// provider (authorization request and response, token request and response with the tokens, userinfo,
// revocation), kept 24 months, encrypted and with integrity, as the rules ask ("Linee guida OpenID
// Connect in SPID", "Conservazione dei log"; SPID/CIE OIDC Federation docs, "Log").
//
// Each message is sealed with the hub's oidc-log key (core/keys; XChaCha20-Poly1305, the row's fields as
// associated data) and chained: hash = HMAC-SHA256(mac key, prev_hash | seq | at | ids | kind | sealed),
// so that an edited, removed or reordered row breaks the chain that verify() walks. The table is
// append-only in the database (migration 0031); rows older than 24 months are deleted by purge().
//
// The same key seals the provider's access token of each session until it is revoked at the provider
// (oidc_provider_tokens).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/keys/key_ring.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"

namespace sp::identity {

// One message as exchanged. `content` is the message itself (a URL, a form body, a JSON or JWT answer).
struct OidcMessage {
  std::string kind;  // authorization_request, authorization_response, token_request, token_response,
                     // userinfo_response, revocation_request, revocation_response, error
  std::string content;
};

struct LoggedMessage {
  std::int64_t seq = 0;
  std::string at;
  std::string sign_in_id;
  std::string client_id;
  std::string provider;
  std::string kind;
  std::string content;  // decrypted
};

struct LogChainReport {
  std::int64_t entries = 0;
  std::int64_t first_seq = 0;  // the oldest row kept (after a purge the chain starts there)
  std::int64_t broken_at = 0;  // 0: intact; else the first row whose hash or seal does not verify
  std::string problem;
};

// A provider access token waiting to be revoked.
struct OpenProviderToken {
  std::string session_id;
  std::string provider;
  std::string client_id;
  std::string sign_in_id;
  std::string access_token;  // opened
};

class SignInLog {
 public:
  // Messages are kept this long (the rules: 24 months).
  static constexpr std::chrono::days kRetention{731};

  // `ring`: the hub's oidc-log key ring (keys::ensure_ring(keys_dir, "hub", Purpose::oidc_log, now)).
  // Throws std::invalid_argument when no key of it seals at `clock.now()`.
  SignInLog(db::Database& db, const time::Clock& clock, keys::KeyRing ring);

  // Appends the messages of a sign-in in the caller's transaction.
  void append(db::Conn& tx, const std::string& sign_in_id, const std::string& client_id,
              const std::string& provider, const std::vector<OidcMessage>& messages);
  // The same in a transaction of its own.
  void append(const std::string& sign_in_id, const std::string& client_id, const std::string& provider,
              const std::vector<OidcMessage>& messages);

  // The messages of one sign-in, opened, in order. Errors: identity.log_integrity (a seal that does
  // not open: tampering, or a key no longer in the ring).
  Result<std::vector<LoggedMessage>> read(const std::string& sign_in_id);
  // Walks the whole chain from its oldest kept row.
  LogChainReport verify();
  // Deletes what is older than kRetention (the only DELETE the table allows). Returns how many.
  std::int64_t purge();

  // The provider's access token of `session_id`, sealed, until revoked or past `expires_at`.
  void keep_token(db::Conn& tx, const std::string& session_id, const std::string& provider,
                  const std::string& client_id, const std::string& sign_in_id,
                  const std::string& access_token, time::TimePoint expires_at);
  // The token of one session, if not revoked yet and not expired.
  std::optional<OpenProviderToken> token_of_session(const std::string& session_id);
  // Tokens whose session has ended (signed out, expired, idle for `idle`, or deleted) and that are not
  // revoked nor expired at the provider: what the revocation job works on.
  std::vector<OpenProviderToken> tokens_of_ended_sessions(std::chrono::seconds idle, int limit = 50);
  // Marks a token revoked (or records the failed attempt when `error` is not empty).
  void token_revoked(const std::string& session_id, const std::string& error = {});

 private:
  struct Sealed {
    std::string key_id;
    std::string sealed;
  };
  Sealed seal(std::string_view plain, std::string_view aad) const;
  std::optional<std::string> open(const std::string& key_id, const std::string& sealed,
                                  std::string_view aad) const;
  std::optional<OpenProviderToken> token_from(const db::Row& r) const;

  db::Database& db_;
  const time::Clock& clock_;
  keys::KeyRing ring_;
};

}  // namespace sp::identity
