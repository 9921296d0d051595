-- Delivery states and attempts (issue 17; docs/messaging.md "Delivery states"). The outbox's status
-- becomes the state of one table (src/adapters/messaging/state.hpp): queued, sending, delivered,
-- temporary_failure, permanent_failure, cancelled, dead. Old rows: pending → queued (temporary_failure
-- when an attempt failed already), sent → delivered, failed → dead (staff may retry or cancel it).
-- Each message also names the person it is for (their fiscal code, '' when unknown: a code sent to a
-- new address) and its type ('' for the older messages), so that the person sees it in their area.
-- Each delivery attempt is a row of outbox_attempts: channel, start, end, outcome, the other side's id.
-- SQLite cannot change a CHECK: the table is rebuilt.
CREATE TABLE outbox_new (
  id                  TEXT PRIMARY KEY,
  tenant_id           INTEGER NOT NULL DEFAULT 0,
  channel             TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'pec', 'appio')),
  recipient           TEXT NOT NULL,
  subject             TEXT NOT NULL DEFAULT '',
  body                TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_at     TEXT NOT NULL,
  sent_at             TEXT,                        -- when it reached 'delivered'
  last_error          TEXT,
  status              TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'delivered',
                        'temporary_failure', 'permanent_failure', 'cancelled', 'dead')),
  claim               TEXT,
  fallback_recipient  TEXT NOT NULL DEFAULT '',
  options             TEXT NOT NULL DEFAULT '',
  delivered_channel   TEXT,
  provider_message_id TEXT,
  person              TEXT NOT NULL DEFAULT '',    -- the recipient's fiscal code; '' unknown
  message_type        TEXT NOT NULL DEFAULT '',    -- e.g. case.submitted, contact.code
  status_changed_at   TEXT,
  fallbacks           TEXT NOT NULL DEFAULT '',    -- JSON: the next channels to try if this one fails
  fallback_of         TEXT                         -- the message this one stands in for
);
INSERT INTO outbox_new (id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at,
                        sent_at, last_error, status, claim, fallback_recipient, options, delivered_channel,
                        provider_message_id, status_changed_at)
  SELECT id, tenant_id, channel, recipient, subject, body, created_at, attempts, next_attempt_at, sent_at,
         last_error,
         CASE status WHEN 'sent' THEN 'delivered' WHEN 'failed' THEN 'dead'
                     WHEN 'sending' THEN 'sending'
                     ELSE CASE WHEN attempts > 0 THEN 'temporary_failure' ELSE 'queued' END END,
         claim, fallback_recipient, options, delivered_channel, provider_message_id,
         COALESCE(sent_at, created_at)
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_tenant ON outbox(tenant_id, created_at);
CREATE INDEX outbox_person ON outbox(person, created_at);

CREATE TABLE outbox_attempts (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id          TEXT NOT NULL,
  tenant_id           INTEGER NOT NULL,
  attempt             INTEGER NOT NULL,            -- 1, 2, ... for the message (staff retries go on counting)
  channel             TEXT NOT NULL,               -- the channel tried (email when App IO fell back)
  started_at          TEXT NOT NULL,
  finished_at         TEXT,
  -- sending: under way (or its runner died: then 'interrupted' when the next attempt starts)
  outcome             TEXT NOT NULL CHECK (outcome IN ('sending', 'delivered', 'temporary_failure',
                        'permanent_failure', 'interrupted', 'bounced')),
  provider_message_id TEXT,
  error               TEXT,
  UNIQUE (message_id, attempt)
);
CREATE INDEX outbox_attempts_message ON outbox_attempts(tenant_id, message_id);

-- A person's certified e-mail (PEC), entered and verified by a code like the e-mail (issue 17: the
-- national registries INAD/INI-PEC are for later). Codes for it in contact_verifications.
ALTER TABLE persons ADD COLUMN pec TEXT;
ALTER TABLE persons ADD COLUMN pec_verified_at TEXT;
CREATE TABLE contact_verifications_new (
  fiscal_code  TEXT NOT NULL REFERENCES persons(fiscal_code),
  channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'pec')),
  address      TEXT NOT NULL,
  code_salt    TEXT NOT NULL,
  code_hash    TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  consumed_at  TEXT,
  PRIMARY KEY (fiscal_code, channel)
);
INSERT INTO contact_verifications_new SELECT fiscal_code, channel, address, code_salt, code_hash, created_at,
  expires_at, attempts, consumed_at FROM contact_verifications;
DROP TABLE contact_verifications;
ALTER TABLE contact_verifications_new RENAME TO contact_verifications;

-- Per person and message type, the channel they chose (src/messaging: the rules for legal notices and
-- reminders, the fallback order). No row: the default for the type.
CREATE TABLE message_preferences (
  fiscal_code  TEXT NOT NULL REFERENCES persons(fiscal_code),
  message_type TEXT NOT NULL,
  channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'pec', 'appio')),
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (fiscal_code, message_type)
);

-- A body's own text for a message type, per language (src/messaging/templates: placeholders checked
-- when saved). No row: the hub's text from the locales.
CREATE TABLE message_templates (
  tenant_id    INTEGER NOT NULL,
  message_type TEXT NOT NULL,
  lang         TEXT NOT NULL CHECK (lang IN ('it', 'en')),
  subject      TEXT NOT NULL,
  body         TEXT NOT NULL,
  sms          TEXT NOT NULL,
  version      INTEGER NOT NULL DEFAULT 1,
  updated_at   TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, message_type, lang)
);
