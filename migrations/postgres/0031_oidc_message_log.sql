-- SPID/CIE sign-in (issue 14). The rules ("Linee guida OpenID Connect in SPID", "Conservazione dei log";
-- SPID/CIE OIDC Federation docs, "Log") ask the relying party to keep the full message log of every
-- sign-in (requests, responses, tokens, userinfo, revocation) for 24 months, encrypted and with
-- integrity.
--
-- oidc_message_log: one row per message, sealed with the hub's oidc-log key (core/keys, XChaCha20-
-- Poly1305; key_id names the key), in one keyed hash chain (hash = HMAC over the previous hash and the
-- row), as the audit log. Append-only: no UPDATE ever; a DELETE only of rows older than 24 months (the
-- retention purge). The chain is then verified from the oldest row kept. `at` is TEXT, as in audit_log:
-- the hash covers the exact string.
CREATE TABLE oidc_message_log (
  seq        BIGINT PRIMARY KEY CHECK (seq >= 1),
  at         TEXT NOT NULL,
  sign_in_id TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  provider   TEXT NOT NULL,
  kind       TEXT NOT NULL,
  key_id     TEXT NOT NULL,
  sealed     TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX oidc_message_log_sign_in ON oidc_message_log(sign_in_id);
CREATE INDEX oidc_message_log_at ON oidc_message_log(at);

CREATE FUNCTION oidc_message_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.at < to_char((now() AT TIME ZONE 'UTC') - interval '24 months',
                                           'YYYY-MM-DD"T"HH24:MI:SS') THEN
    RETURN OLD;  -- the retention purge
  END IF;
  RAISE EXCEPTION 'oidc_message_log is append-only and keeps messages 24 months (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER oidc_message_log_append_only BEFORE UPDATE OR DELETE ON oidc_message_log
  FOR EACH ROW EXECUTE FUNCTION oidc_message_log_refuse_change();

-- The provider's access token of each session opened by a SPID/CIE sign-in, sealed like the log, until
-- it is revoked at the provider (at logout, or by the job once the session has ended).
CREATE TABLE oidc_provider_tokens (
  session_id   TEXT PRIMARY KEY,
  provider     TEXT NOT NULL,
  client_id    TEXT NOT NULL,
  sign_in_id   TEXT NOT NULL,
  key_id       TEXT NOT NULL,
  sealed       TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  revoked_at   TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT
);
CREATE INDEX oidc_provider_tokens_open ON oidc_provider_tokens(expires_at) WHERE revoked_at IS NULL;
