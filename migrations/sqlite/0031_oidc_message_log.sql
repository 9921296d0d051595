-- SPID/CIE sign-in (issue 14). The rules ("Linee guida OpenID Connect in SPID", "Conservazione dei log";
-- SPID/CIE OIDC Federation docs, "Log") ask the relying party to keep the full message log of every
-- sign-in (requests, responses, tokens, userinfo, revocation) for 24 months, encrypted and with
-- integrity.
--
-- oidc_message_log: one row per message, sealed with the hub's oidc-log key (core/keys, XChaCha20-
-- Poly1305; key_id names the key), in one keyed hash chain (hash = HMAC over the previous hash and the
-- row), as the audit log. Append-only: no UPDATE ever; a DELETE only of rows older than 24 months (the
-- retention purge). The chain is then verified from the oldest row kept.
CREATE TABLE oidc_message_log (
  seq        INTEGER PRIMARY KEY CHECK (seq >= 1),
  at         TEXT NOT NULL,          -- "2026-11-23T19:15:00.123Z": exactly the string hashed
  sign_in_id TEXT NOT NULL,          -- groups the messages of one sign-in (and of its revocation)
  client_id  TEXT NOT NULL,          -- the relying party (a body's entity id)
  provider   TEXT NOT NULL,
  kind       TEXT NOT NULL,          -- authorization_request, authorization_response, token_request, ...
  key_id     TEXT NOT NULL,
  sealed     TEXT NOT NULL,          -- base64url(nonce || ciphertext)
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX oidc_message_log_sign_in ON oidc_message_log(sign_in_id);
CREATE INDEX oidc_message_log_at ON oidc_message_log(at);

CREATE TRIGGER oidc_message_log_no_update BEFORE UPDATE ON oidc_message_log
BEGIN SELECT RAISE(ABORT, 'oidc_message_log is append-only'); END;
CREATE TRIGGER oidc_message_log_retention BEFORE DELETE ON oidc_message_log
WHEN old.at >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-24 months')
BEGIN SELECT RAISE(ABORT, 'oidc_message_log keeps messages 24 months'); END;

-- The provider's access token of each session opened by a SPID/CIE sign-in, sealed like the log, until
-- it is revoked at the provider (at logout, or by the job once the session has ended).
CREATE TABLE oidc_provider_tokens (
  session_id   TEXT PRIMARY KEY,
  provider     TEXT NOT NULL,
  client_id    TEXT NOT NULL,
  sign_in_id   TEXT NOT NULL,
  key_id       TEXT NOT NULL,
  sealed       TEXT NOT NULL,
  expires_at   TEXT NOT NULL,        -- the provider's expiry of the token: no revocation needed after it
  revoked_at   TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT
);
CREATE INDEX oidc_provider_tokens_open ON oidc_provider_tokens(expires_at) WHERE revoked_at IS NULL;
