-- The messaging outbox: messages written in the same transaction as the business action that causes
-- them, delivered later by the dispatcher (src/adapters/messaging/outbox.hpp). tenant_id 0 is the hub.
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,                 -- UUIDv7
  tenant_id       BIGINT NOT NULL DEFAULT 0,
  channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'pec')),
  recipient       TEXT NOT NULL,
  subject         TEXT NOT NULL DEFAULT '',
  body            TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,                    -- due time; while 'sending', the end of the lease
  sent_at         TEXT,
  last_error      TEXT,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  claim           TEXT                              -- token of the dispatcher holding it
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Verification codes for a person's contact addresses (profile page): one pending code per person and
-- channel. Only a salted SHA-256 of the 6-digit code is stored; single use, limited attempts.
CREATE TABLE contact_verifications (
  fiscal_code  TEXT NOT NULL REFERENCES persons(fiscal_code),
  channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
  address      TEXT NOT NULL,
  code_salt    TEXT NOT NULL,
  code_hash    TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  consumed_at  TEXT,
  PRIMARY KEY (fiscal_code, channel)
);
