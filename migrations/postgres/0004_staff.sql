-- Staff accounts of the member bodies (tenant_id = the body) and of the hub (tenant_id = 0), their roles,
-- password-reset tokens, each body's security settings, and the bodies' API keys.
-- Secrets are never stored in clear: passwords as argon2id hashes, reset tokens and API keys as SHA-256.
CREATE TABLE staff_accounts (
  id                  TEXT PRIMARY KEY,              -- random
  tenant_id           BIGINT NOT NULL DEFAULT 0,    -- 0: hub staff
  email               TEXT NOT NULL UNIQUE,          -- the login, lower case
  display_name        TEXT NOT NULL,
  password_hash       TEXT NOT NULL,                 -- argon2id, libsodium string format
  totp_secret         TEXT,                          -- base32; NULL until enrolled
  totp_last_step      BIGINT,                       -- last accepted TOTP step: a code is good once
  failed_attempts     INTEGER NOT NULL DEFAULT 0,    -- consecutive failures since the last success
  locked_until        TEXT,
  active              BOOLEAN NOT NULL DEFAULT TRUE,
  created_at          TEXT NOT NULL,
  password_changed_at TEXT NOT NULL
);
CREATE INDEX staff_accounts_tenant ON staff_accounts(tenant_id);

CREATE TABLE staff_roles (
  staff_id TEXT NOT NULL REFERENCES staff_accounts(id),
  role     TEXT NOT NULL,
  PRIMARY KEY (staff_id, role)
);

-- Single use, 30 minutes; only the SHA-256 of the token sent by e-mail is kept.
CREATE TABLE staff_password_resets (
  token_hash TEXT PRIMARY KEY,
  staff_id   TEXT NOT NULL REFERENCES staff_accounts(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at    TEXT
);
CREATE INDEX staff_password_resets_staff ON staff_password_resets(staff_id);

-- Per-body security settings (kept apart from bodies so that table stays the directory's).
CREATE TABLE body_security (
  tenant_id     BIGINT PRIMARY KEY,
  totp_required BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,                     -- random, used in URLs to revoke
  tenant_id    BIGINT NOT NULL,
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,                        -- first 8 characters of the key, to recognise it
  key_hash     TEXT NOT NULL UNIQUE,                 -- SHA-256 hex of the whole key
  scopes       TEXT NOT NULL DEFAULT '',             -- comma-separated, e.g. catalog:read,protocollo:write
  created_by   TEXT NOT NULL,                        -- staff account id
  created_at   TEXT NOT NULL,
  revoked_at   TEXT,
  last_used_at TEXT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);
