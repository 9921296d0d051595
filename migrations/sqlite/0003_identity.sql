-- People (citizens and business representatives known to the hub), their verified contacts, and sessions.
-- A person belongs to no body: the hub holds their profile; bodies see them through their own records.
CREATE TABLE persons (
  fiscal_code        TEXT PRIMARY KEY,
  given_name         TEXT NOT NULL DEFAULT '',
  family_name        TEXT NOT NULL DEFAULT '',
  birth_date         TEXT,
  birth_place        TEXT,
  email              TEXT,
  email_verified_at  TEXT,
  mobile             TEXT,
  mobile_verified_at TEXT,
  preferred_channel  TEXT NOT NULL DEFAULT 'email' CHECK (preferred_channel IN ('email', 'sms', 'io', 'none')),
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);

-- Sessions live in the database so several server nodes share them. The cookie carries a random token;
-- only its SHA-256 is stored, so a copy of this table does not let anyone sign in.
CREATE TABLE sessions (
  id           TEXT PRIMARY KEY,            -- public id, for listing and revoking
  token_hash   TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL CHECK (kind IN ('person', 'staff')),
  subject      TEXT NOT NULL,
  tenant_id    INTEGER NOT NULL DEFAULT 0,
  roles        TEXT NOT NULL DEFAULT '',    -- comma-separated, snapshot at sign-in
  auth_level   INTEGER NOT NULL DEFAULT 0,
  display_name TEXT NOT NULL DEFAULT '',
  csrf_token   TEXT NOT NULL,
  data         TEXT NOT NULL DEFAULT '{}',  -- acting_for / assisting, JSON
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL,               -- absolute limit
  revoked_at   TEXT
);
CREATE INDEX sessions_subject ON sessions(kind, subject);

-- Sign-ins in progress: what the callback must match. Single use: a state is consumed by the first
-- callback that presents it, so a replayed or forged callback finds nothing.
CREATE TABLE oidc_pending (
  state_hash    TEXT PRIMARY KEY,
  provider      TEXT NOT NULL,
  nonce         TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  acr_level     INTEGER NOT NULL,
  return_to     TEXT NOT NULL DEFAULT '/',
  created_at    TEXT NOT NULL,
  consumed_at   TEXT
);
